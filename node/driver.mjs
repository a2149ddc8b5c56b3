// The driver: runs the Node forms of the lessons JMH's way and writes JMH-format JSON the report reads.
//
//   node driver.mjs [--preset smoke|quick|full] [--forks N] [--out FILE] [--include REGEX]... [--exclude REGEX]...
//                   [-p name=v1,v2]... [--list]
//
// Each fork of each row (lesson x variant x params) is its own `node --expose-gc fork.mjs` process, with the
// preset's warm-up and measured iterations (the same counts and times as perfmastery.runner.Preset). Rows carry
// the JVM lesson's benchmark names, modes, units and params, so its @Claims evaluate on them unchanged; "vmName"
// and "jvm" are "node" and "jdkVersion"/"vmVersion" the Node version, which the report labels "Node 20.x". A fork
// that fails leaves its row out (as JMH does with a failed benchmark) with one problem line on stderr; the other
// rows are written. Exit: 0 all rows, 1 some row failed, 2 bad usage.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESULT_MARK = '@@perfmastery-result ';

/** perfmastery.runner.Preset, field for field. */
export const PRESETS = {
    smoke: { forks: 1, warmups: 1, warmupMs: 200, iterations: 1, iterationMs: 200 },
    quick: { forks: 3, warmups: 1, warmupMs: 800, iterations: 3, iterationMs: 400 },
    full: { forks: 3, warmups: 5, warmupMs: 1000, iterations: 5, iterationMs: 1000 },
};

export const LESSON_FILES = [
    'fibonacci.mjs', 'event-loop-blocking.mjs', 'allocation-churn.mjs', 'closure-retention.mjs', 'cache-bounds.mjs',
    'file-copy.mjs', 'backpressure.mjs', 'json-parsing.mjs', 'worker-startup.mjs', 'worker-messaging.mjs',
    'cluster-scaling.mjs',
];

/** A fork that takes longer than this is stopped and counted as failed. */
const FORK_TIMEOUT_MS = 10 * 60 * 1000;
const PERCENTILES = [0, 50, 90, 95, 99, 99.9, 99.99, 99.999, 99.9999, 100];

class UsageError extends Error {}

export function parseArgs(argv) {
    const options = { preset: 'quick', forks: null, out: 'node-results.json', includes: [], excludes: [], params: {}, list: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            if (i + 1 >= argv.length) {
                throw new UsageError(`${arg} needs a value`);
            }
            return argv[++i];
        };
        switch (arg) {
            case '--preset': {
                options.preset = value();
                if (!(options.preset in PRESETS)) {
                    throw new UsageError(`unknown preset '${options.preset}': use smoke, quick or full`);
                }
                break;
            }
            case '--forks': {
                const text = value();
                options.forks = Number(text);
                if (!Number.isInteger(options.forks) || options.forks < 1) {
                    throw new UsageError(`--forks takes a whole number of at least 1, not '${text}'`);
                }
                break;
            }
            case '--out': options.out = value(); break;
            case '--include': options.includes.push(regex(value())); break;
            case '--exclude': options.excludes.push(regex(value())); break;
            case '-p': {
                const text = value();
                const eq = text.indexOf('=');
                if (eq < 1) {
                    throw new UsageError(`-p takes name=v1,v2, not '${text}'`);
                }
                options.params[text.slice(0, eq)] = text.slice(eq + 1).split(',');
                break;
            }
            case '--list': options.list = true; break;
            default: throw new UsageError(`unknown argument '${arg}'`);
        }
    }
    return options;
}

function regex(text) {
    try {
        return new RegExp(text);
    } catch (e) {
        throw new UsageError(`not a regular expression: ${text} (${e.message})`);
    }
}

export async function loadLessons() {
    const lessons = [];
    for (const file of LESSON_FILES) {
        const full = path.join(HERE, 'bench', file);
        lessons.push({ file: full, lesson: (await import(pathToFileURL(full).href)).default });
    }
    return lessons;
}

function product(params) {
    let rows = [{}];
    for (const name of Object.keys(params).sort()) {
        rows = rows.flatMap((row) => params[name].map((v) => ({ ...row, [name]: String(v) })));
    }
    return rows;
}

/** The rows to run, in order: each selected variant with each combination of its lesson's params. */
export function selectRows(lessons, options) {
    const rows = [];
    for (const { file, lesson } of lessons) {
        for (const variant of lesson.variants) {
            const name = `${lesson.benchmark}.${variant}`;
            if (options.includes.length > 0 && !options.includes.some((r) => r.test(name))) {
                continue;
            }
            if (options.excludes.some((r) => r.test(name))) {
                continue;
            }
            const params = { ...lesson.params };
            for (const [key, values] of Object.entries(options.params)) {
                if (key in params) {
                    params[key] = values;
                }
            }
            for (const combination of product(params)) {
                rows.push({ file, lesson, variant, name, params: combination });
            }
        }
    }
    return rows;
}

function describe(row) {
    const params = Object.entries(row.params).map(([k, v]) => `${k}=${v}`).join(', ');
    return `${row.name}${params ? ` (${params})` : ''}`;
}

/** Runs one fork as its own process; resolves with its result or {error}. */
function runFork(row, settings, log) {
    return new Promise((resolve) => {
        const args = ['--expose-gc', path.join(HERE, 'fork.mjs'), row.file, row.variant, JSON.stringify(row.params),
            JSON.stringify(settings)];
        const child = spawn(process.execPath, args, { cwd: HERE, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderrTail = '';
        child.stdout.on('data', (chunk) => {
            stdout += chunk;
        });
        child.stderr.on('data', (chunk) => {
            log.write(chunk);
            stderrTail = (stderrTail + chunk).slice(-2000);
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), FORK_TIMEOUT_MS);
        child.on('error', (e) => resolve({ error: `cannot start node: ${e.message}` }));
        child.on('close', (code, signal) => {
            clearTimeout(timer);
            const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
            if (code === 0 && line) {
                resolve(JSON.parse(line.slice(RESULT_MARK.length)));
                return;
            }
            const lines = stderrTail.trim().split('\n').filter((l) => l.trim());
            const last = lines.filter((l) => /Error\b/.test(l)).slice(-1)[0] ?? lines.slice(-1)[0] ?? '';
            resolve({ error: `${signal ? `killed by ${signal}` : `exit ${code}`}${last ? `: ${last.trim()}` : ''}` });
        });
    });
}

function mean(values) {
    return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Student's t at 99.9 % two-sided, JMH's scoreError level, by degrees of freedom. */
function t999(df) {
    const table = [[1, 636.62], [2, 31.6], [3, 12.92], [4, 8.61], [5, 6.87], [6, 5.96], [7, 5.41], [8, 5.04],
        [9, 4.78], [10, 4.59], [12, 4.32], [15, 4.07], [20, 3.85], [30, 3.65], [60, 3.46]];
    for (const [d, t] of table) {
        if (df <= d) {
            return t;
        }
    }
    return 3.29;
}

function percentilesOf(sorted) {
    const out = {};
    for (const p of PERCENTILES) {
        const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1));
        out[p.toFixed(p % 1 === 0 ? 1 : String(p).split('.')[1].length)] = sorted.length ? sorted[index] : 'NaN';
    }
    return out;
}

/** A JMH metric object from per-fork lists of values (and, in sample mode, per-iteration histograms). */
function metric(forkValues, unit, histograms) {
    const all = forkValues.flat();
    const score = histograms ? weightedMean(histograms) : mean(all);
    const n = all.length;
    let error = 'NaN';
    if (n > 1) {
        const sd = Math.sqrt(all.reduce((s, v) => s + (v - mean(all)) ** 2, 0) / (n - 1));
        error = t999(n - 1) * sd / Math.sqrt(n);
    }
    const sortedValues = histograms ? expand(histograms) : [...all].sort((a, b) => a - b);
    const out = {
        score,
        scoreError: error,
        scoreConfidence: error === 'NaN' ? ['NaN', 'NaN'] : [score - error, score + error],
        scorePercentiles: percentilesOf(sortedValues),
        scoreUnit: unit,
    };
    if (histograms) {
        out.rawDataHistogram = histograms;
    } else {
        out.rawData = forkValues;
    }
    return out;
}

function weightedMean(histograms) {
    let sum = 0;
    let count = 0;
    for (const fork of histograms) {
        for (const iteration of fork) {
            for (const [value, c] of iteration) {
                sum += value * c;
                count += c;
            }
        }
    }
    return sum / count;
}

/** The samples of all histograms, sorted; capped so a percentile never needs more than a few million entries. */
function expand(histograms) {
    const pairs = new Map();
    for (const fork of histograms) {
        for (const iteration of fork) {
            for (const [value, c] of iteration) {
                pairs.set(value, (pairs.get(value) ?? 0) + c);
            }
        }
    }
    const sorted = [...pairs.entries()].sort((a, b) => a[0] - b[0]);
    const out = [];
    for (const [value, c] of sorted) {
        for (let i = 0; i < c; i++) {
            out.push(value);
        }
    }
    return out;
}

function formatTime(ms) {
    return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** One JMH result object for a row whose forks all succeeded. */
export function jmhRow(row, forks, settings) {
    const { lesson } = row;
    const sample = lesson.mode === 'sample';
    const primary = metric(forks.map((f) => f.iterations.map((i) => i.score)), lesson.unit,
        sample ? forks.map((f) => f.iterations.map((i) => i.histogram)) : null);
    const secondaryNames = [];
    for (const fork of forks) {
        for (const iteration of fork.iterations) {
            for (const name of Object.keys(iteration.secondary)) {
                if (!secondaryNames.includes(name)) {
                    secondaryNames.push(name);
                }
            }
        }
    }
    const secondaryMetrics = {};
    for (const name of secondaryNames) {
        let unit = '';
        const values = forks.map((f) => f.iterations.filter((i) => name in i.secondary).map((i) => {
            unit = i.secondary[name].unit;
            return i.secondary[name].value;
        }).filter(Number.isFinite));
        if (values.flat().length > 0) {
            secondaryMetrics[name] = metric(values, unit, null);
        }
    }
    return {
        jmhVersion: 'perfmastery-node-driver 1',
        benchmark: row.name,
        mode: lesson.mode,
        threads: 1,
        forks: forks.length,
        jvm: process.execPath,
        jvmArgs: ['--expose-gc'],
        jdkVersion: process.versions.node,
        vmName: 'node',
        vmVersion: process.versions.node,
        v8Version: process.versions.v8,
        warmupIterations: settings.warmups,
        warmupTime: formatTime(settings.warmupMs),
        warmupBatchSize: 1,
        measurementIterations: settings.iterations,
        measurementTime: formatTime(settings.iterationMs),
        measurementBatchSize: 1,
        params: Object.keys(row.params).length ? row.params : undefined,
        primaryMetric: primary,
        secondaryMetrics,
    };
}

export async function main(argv, out = process.stdout, err = process.stderr) {
    let options;
    try {
        options = parseArgs(argv);
    } catch (e) {
        if (e instanceof UsageError) {
            err.write(`node driver: ${e.message}\n`);
            return 2;
        }
        throw e;
    }
    const lessons = await loadLessons();
    const rows = selectRows(lessons, options);
    if (options.list) {
        for (const row of rows) {
            out.write(`${describe(row)}\n`);
        }
        for (const { lesson } of lessons) {
            for (const [variant, why] of Object.entries(lesson.notMeasured ?? {})) {
                out.write(`not measured on Node: ${lesson.benchmark}.${variant}: ${why}\n`);
            }
        }
        return 0;
    }
    if (rows.length === 0) {
        out.write('node driver: no Node benchmark matches the selection: nothing to run\n');
        return 0;
    }
    const preset = PRESETS[options.preset];
    const settings = { warmups: preset.warmups, warmupMs: preset.warmupMs, iterations: preset.iterations,
        iterationMs: preset.iterationMs };
    const forkCount = options.forks ?? preset.forks;
    const results = [];
    const problems = [];
    for (const row of rows) {
        out.write(`# Node ${process.versions.node}: ${describe(row)}, ${forkCount} fork(s)\n`);
        const forks = [];
        let failed = null;
        for (let f = 1; f <= forkCount && !failed; f++) {
            out.write(`# Fork: ${f} of ${forkCount}\n`);
            const result = await runFork(row, settings, out);
            if (result.error) {
                failed = `fork ${f} failed (${result.error})`;
            } else {
                forks.push(result);
            }
        }
        if (failed) {
            problems.push(`${describe(row)}: ${failed}; the row is left out`);
            err.write(`node driver: problem: ${problems[problems.length - 1]}\n`);
            continue;
        }
        const jmh = jmhRow(row, forks, settings);
        results.push(jmh);
        out.write(`Result "${row.name}": ${jmh.primaryMetric.score.toPrecision(4)} ${row.lesson.unit}\n\n`);
    }
    const tmp = `${options.out}.partial`;
    fs.writeFileSync(tmp, `${JSON.stringify(results, null, 4)}\n`);
    fs.renameSync(tmp, options.out);
    out.write(`node driver: ${results.length}/${rows.length} rows written to ${options.out}\n`);
    return problems.length > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    process.exitCode = await main(process.argv.slice(2));
}
