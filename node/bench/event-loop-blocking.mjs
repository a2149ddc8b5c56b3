// Guide 3.1/3.2 (don't block the event loop; offload to worker_threads), beside
// perfmastery.cpu.EventLoopBlockingBenchmark. `inFlight` heavy requests (fib(35), the guide's task) are kept in
// flight; the measured operation is a health check, a setImmediate callback, timed from its submission until the
// loop runs it (the JVM lesson submits a trivial task to its single-threaded loop). inline computes the heavy task
// on the loop itself, so a check waits for it; workerPool hands it to worker_threads (one per core) and the loop
// only receives the answer. The loop's own delay percentiles come from perf_hooks.monitorEventLoopDelay.
// threadPerRequest and virtualThread have no form in Node: not measured on Node.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { recursive } from './fibonacci.mjs';

export const FIB_N = 35;
/** Hard caps so the heavy load stops by itself even if no teardown comes. */
const MAX_LOAD_MS = 10 * 60 * 1000;
const HEALTH_TIMEOUT_MS = 30_000;

export function healthCheck() {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the loop did not answer the health check in ${HEALTH_TIMEOUT_MS} ms`)),
            HEALTH_TIMEOUT_MS);
        setImmediate(() => {
            clearTimeout(timer);
            resolve('ok');
        });
    });
}

/** The heavy load of one fork: inFlight requests, each replaced by a new one when it completes. */
export async function startLoad(strategy, inFlight, fibN = FIB_N) {
    const load = { completed: 0, lastResult: -1, stopping: false, failure: null, workers: [] };
    const deadline = Date.now() + MAX_LOAD_MS;
    const more = () => !load.stopping && Date.now() < deadline;
    if (strategy === 'inline') {
        const request = () => {
            if (!more()) {
                return;
            }
            setImmediate(() => {
                if (load.stopping) {
                    return;
                }
                load.lastResult = recursive(fibN);
                load.completed++;
                request();
            });
        };
        for (let i = 0; i < inFlight; i++) {
            request();
        }
    } else if (strategy === 'workerPool') {
        const size = Math.max(1, os.availableParallelism());
        const queue = [];
        const idle = [];
        const dispatch = () => {
            while (idle.length > 0 && queue.length > 0) {
                queue.shift();
                idle.pop().postMessage(fibN);
            }
        };
        const request = () => {
            if (more()) {
                queue.push(1);
                dispatch();
            }
        };
        for (let i = 0; i < size; i++) {
            const worker = new Worker(new URL('./workers/fib-worker.mjs', import.meta.url));
            worker.on('message', (value) => {
                load.lastResult = value;
                load.completed++;
                idle.push(worker);
                request();
                dispatch();
            });
            worker.on('error', (e) => { load.failure = e; });
            load.workers.push(worker);
            idle.push(worker);
        }
        await Promise.all(load.workers.map((w) => new Promise((r) => w.once('online', r))));
        for (let i = 0; i < inFlight; i++) {
            request();
        }
    } else {
        throw new Error(`unknown strategy '${strategy}': use inline or workerPool`);
    }
    load.stop = async () => {
        load.stopping = true;
        await Promise.all(load.workers.map((w) => w.terminate()));
    };
    return load;
}

export default {
    benchmark: 'perfmastery.cpu.EventLoopBlockingBenchmark',
    mode: 'sample',
    unit: 'us/op',
    params: { task: ['fib'], strategy: ['inline', 'workerPool'], inFlight: ['1', '4', '16'] },
    variants: ['health'],
    notMeasured: {
        'health[strategy=threadPerRequest]': 'Node has no thread per request',
        'health[strategy=virtualThread]': 'Node has no virtual threads',
        'health[task=pbkdf2]': 'the pbkdf2 task is the JVM lesson\'s option, not the guide\'s Node code',
    },
    async setup(variant, params) {
        if (params.task !== 'fib') {
            throw new Error(`task '${params.task}' is not measured on Node: use fib`);
        }
        const load = await startLoad(params.strategy, Number(params.inFlight));
        const delay = monitorEventLoopDelay({ resolution: 1 });
        let startNs = 0n;
        let completedAtStart = 0;
        return {
            async: true,
            op: healthCheck,
            iterationStart() {
                delay.reset();
                delay.enable();
                startNs = process.hrtime.bigint();
                completedAtStart = load.completed;
            },
            async iterationEnd() {
                // One more turn with a timer phase, so the histogram holds the last block (the loop may not have
                // reached its timers since the iteration's last health check).
                await new Promise((resolve) => setTimeout(resolve, 2));
                delay.disable();
                if (load.failure) {
                    throw load.failure;
                }
                const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
                const gauges = { heavyCompletedPerSecond: [(load.completed - completedAtStart) / seconds, 'requests/s'] };
                if (delay.count > 0) {
                    gauges.eventLoopDelayP50Us = [delay.percentile(50) / 1e3, 'us'];
                    gauges.eventLoopDelayP99Us = [delay.percentile(99) / 1e3, 'us'];
                }
                return gauges;
            },
            teardown: () => load.stop(),
        };
    },
};
