// One fork: node fork.mjs LESSON_FILE VARIANT PARAMS_JSON SETTINGS_JSON. Runs the variant's warm-up and measured
// iterations (lib/harness.mjs) and prints its result as the last line of stdout, after RESULT_MARK; the
// iterations' progress goes to stderr. A fork that fails exits non-zero and prints no result.
import { pathToFileURL } from 'node:url';
import { runFork, sinkValue } from './lib/harness.mjs';

export const RESULT_MARK = '@@perfmastery-result ';

const [lessonFile, variant, paramsJson, settingsJson] = process.argv.slice(2);
const lesson = (await import(pathToFileURL(lessonFile).href)).default;
if (!lesson.variants.includes(variant)) {
    console.error(`${lesson.benchmark} has no Node variant ${variant}`);
    process.exit(2);
}
// Tests make a fork fail on purpose (the driver must report it like a failed JMH fork and keep the other rows).
const failOn = process.env.PERFMASTERY_NODE_FAIL;
if (failOn && new RegExp(failOn).test(`${lesson.benchmark}.${variant}`)) {
    throw new Error(`PERFMASTERY_NODE_FAIL=${failOn}: this fork fails on purpose`);
}
const result = await runFork(lesson, variant, JSON.parse(paramsJson), JSON.parse(settingsJson));
process.stdout.write(`${RESULT_MARK}${JSON.stringify({ ...result, sink: sinkValue() })}\n`);
// Workers, servers or timers a lesson left behind must not keep the fork alive: its result is written.
process.exit(0);
