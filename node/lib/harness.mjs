// The measuring loop of one fork, JMH's iteration structure in one node process: warm-up iterations of a fixed
// time, then measured iterations of a fixed time, each giving one score (avgt, thrpt) or one histogram (sample),
// with the lesson's own per-iteration hooks and gauges, and the V8 heap's allocation and GC time per op read
// from v8.GCProfiler around each iteration.
//
// Why not tinybench: it times tasks by a time or iteration budget and reports their statistics, but it has no
// per-iteration scores to hand over as JMH's rawData, no iteration hooks for a lesson's gauges (retained bytes,
// peak in flight), no sample-mode histogram per iteration, and it runs every task in one process. Fork-to-fork
// variance is what the report's intervals rest on, so a fork here is a process, and the loop is this file.

import v8 from 'node:v8';

/** What a result is sunk into, so no benchmark's work is dead code. */
let sink = 0;

export function consume(value) {
    if (typeof value === 'number') {
        sink = (sink + value) | 0;
    } else if (typeof value === 'bigint') {
        sink = (sink + Number(value & 0xffffn)) | 0;
    } else if (value != null) {
        sink = (sink + 1) | 0;
    }
}

export function sinkValue() {
    return sink;
}

/** JMH's unit strings and how many nanoseconds one unit is. */
const TIME_UNITS = { 'ns/op': 1, 'us/op': 1e3, 'ms/op': 1e6, 's/op': 1e9 };
const RATE_UNITS = { 'ops/ns': 1, 'ops/us': 1e3, 'ops/ms': 1e6, 'ops/s': 1e9 };

export function checkUnit(mode, unit) {
    const known = mode === 'thrpt' ? RATE_UNITS : TIME_UNITS;
    if (!(unit in known)) {
        throw new Error(`unit ${unit} does not fit mode ${mode}`);
    }
}

/**
 * Allocation and GC time over an iteration, from V8's heap statistics (V8 keeps no allocation total itself):
 * the used heap and the external memory (Buffer and ArrayBuffer stores), and each collection's cost.
 */
class HeapWatch {
    start() {
        this.profiler = new v8.GCProfiler();
        this.profiler.start();
        this.before = v8.getHeapStatistics();
    }

    /**
     * The used heap and the external memory read at the iteration's start, before and after each collection, and
     * at its end: every rise between two readings is allocation. A fall is a free, wherever it shows: ArrayBuffer
     * stores are swept after the collection that found them dead, so their fall can come after its afterGC.
     * Allocation freed between two readings is not seen: a lower bound, close where collections are few per op.
     */
    stop() {
        const after = v8.getHeapStatistics();
        const report = this.profiler.stop();
        const heap = [this.before.used_heap_size];
        const external = [this.before.external_memory];
        let gcMicros = 0;
        for (const gc of report?.statistics ?? []) {
            for (const stats of [gc.beforeGC.heapStatistics, gc.afterGC.heapStatistics]) {
                heap.push(stats.usedHeapSize);
                external.push(stats.externalMemory);
            }
            gcMicros += gc.cost;
        }
        heap.push(after.used_heap_size);
        external.push(after.external_memory);
        return { allocated: rises(heap) + rises(external), gcNanos: gcMicros * 1e3 };
    }
}

function rises(readings) {
    let sum = 0;
    for (let i = 1; i < readings.length; i++) {
        sum += Math.max(0, readings[i] - readings[i - 1]);
    }
    return sum;
}

/** Rounds a sample to 3 significant digits, the bins of the histogram written as rawDataHistogram. */
function bin(value) {
    if (value <= 0) {
        return 0;
    }
    const digits = Math.floor(Math.log10(value)) - 2;
    const step = 10 ** digits;
    return Math.round(value / step) * step;
}

function histogramOf(samples) {
    const counts = new Map();
    for (const s of samples) {
        const b = bin(s);
        counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    return [...counts.entries()].sort((x, y) => x[0] - y[0]);
}

/**
 * Runs one iteration of `durationMs`: sync ops in batches whose size is tuned so that reading the clock costs
 * little, async ops one at a time. Sample mode times every op. Returns ops, elapsed ns and the samples (ns).
 */
async function iterate(bench, durationMs, sample, batch) {
    const { op } = bench;
    // An async op may stand for several operations (JMH's @OperationsPerInvocation), e.g. a batch of requests.
    const opsPerCall = bench.opsPerCall ?? 1;
    const budget = BigInt(Math.round(durationMs * 1e6));
    const samples = sample ? [] : null;
    let ops = 0;
    const start = process.hrtime.bigint();
    let now = start;
    if (bench.async) {
        while (now - start < budget) {
            const t0 = now;
            consume(await op());
            now = process.hrtime.bigint();
            ops += opsPerCall;
            if (sample) {
                samples.push(Number(now - t0));
            }
        }
    } else if (sample) {
        while (now - start < budget) {
            const t0 = now;
            consume(op());
            now = process.hrtime.bigint();
            ops++;
            samples.push(Number(now - t0));
        }
    } else {
        while (now - start < budget) {
            for (let i = 0; i < batch.size; i++) {
                consume(op());
            }
            ops += batch.size;
            const t = process.hrtime.bigint();
            // About one clock read per 100 us keeps its cost below 0.1 % of the time.
            if (t - now < 100_000n && batch.size < 1 << 20) {
                batch.size *= 2;
            }
            now = t;
        }
    }
    return { ops, elapsedNs: Number(now - start), samples };
}

/**
 * One fork: `setup` of the lesson's variant, `warmups` iterations of `warmupMs`, `iterations` of `iterationMs`.
 * Returns {iterations: [{score, histogram?, secondary: {name: {value, unit}}}]}.
 */
export async function runFork(lesson, variant, params, settings) {
    const { mode, unit } = lesson;
    checkUnit(mode, unit);
    const sample = mode === 'sample';
    const bench = await lesson.setup(variant, params);
    const batch = { size: 1 };
    const measured = [];
    try {
        const total = settings.warmups + settings.iterations;
        for (let i = 0; i < total; i++) {
            const warm = i < settings.warmups;
            await bench.iterationStart?.();
            const heap = new HeapWatch();
            heap.start();
            const { ops, elapsedNs, samples } = await iterate(bench, warm ? settings.warmupMs : settings.iterationMs,
                sample, batch);
            const { allocated, gcNanos } = heap.stop();
            const gauges = (await bench.iterationEnd?.(ops)) ?? {};
            const label = warm ? `# Warmup Iteration ${i + 1}` : `Iteration ${i - settings.warmups + 1}`;
            if (ops === 0) {
                throw new Error(`${label}: no operation completed`);
            }
            let score;
            let histogram;
            if (mode === 'thrpt') {
                score = ops / elapsedNs * RATE_UNITS[unit];
            } else if (sample) {
                const scale = TIME_UNITS[unit];
                const values = samples.map((s) => s / scale);
                score = values.reduce((a, b) => a + b, 0) / values.length;
                histogram = histogramOf(values);
            } else {
                score = elapsedNs / ops / TIME_UNITS[unit];
            }
            process.stderr.write(`${label}: ${score.toPrecision(4)} ${unit} (${ops} ops)\n`);
            if (warm) {
                continue;
            }
            const secondary = {
                'gc.alloc.rate.norm': { value: allocated / ops, unit: 'B/op' },
                gcNanosPerOp: { value: gcNanos / ops, unit: 'ns/op' },
            };
            for (const [name, [value, gaugeUnit]] of Object.entries(gauges)) {
                secondary[name] = { value, unit: gaugeUnit };
            }
            measured.push({ score, histogram, secondary });
        }
    } finally {
        await bench.teardown?.();
    }
    return { iterations: measured };
}
