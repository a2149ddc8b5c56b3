// The driver writes JMH-format JSON (names, params, node identity, rawData per fork, secondary metrics), runs each
// fork as its own process, and leaves out only the rows whose fork failed, with a problem line and exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, PRESETS, selectRows, loadLessons } from '../driver.mjs';

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'driver.mjs');

function runDriver(args, env = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfmastery-driver-'));
    const out = path.join(dir, 'node.json');
    const run = spawnSync(process.execPath, [DRIVER, '--out', out, ...args],
        { encoding: 'utf8', env: { ...process.env, ...env } });
    const json = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : null;
    fs.rmSync(dir, { recursive: true, force: true });
    return { ...run, json };
}

test('the presets are perfmastery.runner.Preset\'s', () => {
    assert.deepEqual(PRESETS.quick, { forks: 3, warmups: 1, warmupMs: 800, iterations: 3, iterationMs: 400 });
    assert.deepEqual(PRESETS.smoke, { forks: 1, warmups: 1, warmupMs: 200, iterations: 1, iterationMs: 200 });
    assert.deepEqual(PRESETS.full, { forks: 3, warmups: 5, warmupMs: 1000, iterations: 5, iterationMs: 1000 });
});

test('bad arguments are one line and exit 2', () => {
    const run = runDriver(['--preset', 'huge']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /unknown preset 'huge'/);
    assert.throws(() => parseArgs(['--forks', '0']), /at least 1/);
});

test('the selection takes JMH\'s regexes and -p overrides', async () => {
    const lessons = await loadLessons();
    const rows = selectRows(lessons, parseArgs(['--include', 'Fibonacci.*recursive', '-p', 'n=25']));
    assert.deepEqual(rows.map((r) => [r.name, r.params]),
        [['perfmastery.cpu.FibonacciBenchmark.recursive', { n: '25' }]]);
    const all = selectRows(lessons, parseArgs([]));
    assert.ok(all.length > 30);
    assert.ok(all.every((r) => r.name.startsWith('perfmastery.')));
});

test('JMH-format JSON: one row per variant x params, rawData per fork, node identity, secondary metrics', () => {
    const run = runDriver(['--preset', 'smoke', '--forks', '2', '--include', 'FibonacciBenchmark.iterative',
        '--include', 'WorkerMessagingBenchmark.copied', '-p', 'payloadBytes=1024']);
    assert.equal(run.status, 0, run.stderr);
    const rows = run.json;
    assert.deepEqual(rows.map((r) => `${r.benchmark} ${JSON.stringify(r.params)}`), [
        'perfmastery.cpu.FibonacciBenchmark.iterative {"n":"20"}',
        'perfmastery.cpu.FibonacciBenchmark.iterative {"n":"30"}',
        'perfmastery.cpu.WorkerMessagingBenchmark.copied {"payloadBytes":"1024"}',
    ]);
    for (const row of rows) {
        assert.equal(row.vmName, 'node');
        assert.equal(row.jdkVersion, process.versions.node);
        assert.equal(row.forks, 2);
        assert.equal(row.measurementIterations, 1);
        assert.ok(row.secondaryMetrics['gc.alloc.rate.norm'].scoreUnit === 'B/op');
    }
    const fib = rows[0].primaryMetric;
    assert.equal(rows[0].mode, 'avgt');
    assert.equal(fib.scoreUnit, 'ns/op');
    assert.equal(fib.rawData.length, 2, 'one list per fork');
    assert.ok(fib.rawData.flat().every((v) => v > 0));
    const sample = rows[2];
    assert.equal(sample.mode, 'sample');
    assert.equal(sample.primaryMetric.scoreUnit, 'us/op');
    assert.equal(sample.primaryMetric.rawDataHistogram.length, 2);
    assert.ok(sample.primaryMetric.rawDataHistogram[0][0].every(([value, count]) => value > 0 && count > 0));
    assert.ok(sample.primaryMetric.scorePercentiles['99.0'] >= sample.primaryMetric.scorePercentiles['50.0']);
});

test('a fork that fails leaves its row out with a problem line; the other rows are kept; exit 1', () => {
    const run = runDriver(['--preset', 'smoke', '--include', 'FibonacciBenchmark.(iterative|memoized)', '-p', 'n=20'],
        { PERFMASTERY_NODE_FAIL: 'memoized' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /problem: perfmastery\.cpu\.FibonacciBenchmark\.memoized \(n=20\): fork 1 failed \(exit 1: Error: PERFMASTERY_NODE_FAIL/);
    assert.deepEqual(run.json.map((r) => r.benchmark), ['perfmastery.cpu.FibonacciBenchmark.iterative']);
});
