// Guide 5.x (starting a worker is expensive; pool them), beside perfmastery.cpu.WorkerStartupBenchmark. Each
// operation runs the trivial task (input * 31 + 7) & 0x7f on another thread or process and waits for its answer.
// platformThread starts a new worker_threads Worker per task (a new OS thread with its own V8 isolate: Node's
// form of a new thread) and waits for its message; pooledExecutor posts the task to one Worker started at setup;
// childProcess spawns /bin/true, as the JVM lesson does. virtualThread, childJvm and childJvmAotCache are JVM
// forms: not measured on Node.
import { Worker } from 'node:worker_threads';
import { spawn } from 'node:child_process';

export function trivialTask(input) {
    return (Math.imul(input, 31) + 7) & 0x7f;
}

const TASK_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const task = (input) => (Math.imul(input, 31) + 7) & 0x7f;
if (workerData !== undefined && workerData !== null) {
    parentPort.postMessage(task(workerData));
} else {
    parentPort.on('message', (input) => parentPort.postMessage(task(input)));
}`;

export function newWorkerPerTask(input) {
    return new Promise((resolve, reject) => {
        const worker = new Worker(TASK_WORKER, { eval: true, workerData: input });
        worker.once('message', (value) => {
            worker.terminate().then(() => resolve(value), reject);
        });
        worker.once('error', reject);
    });
}

export async function startPooledWorker() {
    const worker = new Worker(TASK_WORKER, { eval: true, workerData: null });
    await new Promise((resolve) => worker.once('online', resolve));
    return {
        run: (input) => new Promise((resolve, reject) => {
            worker.once('message', resolve);
            worker.once('error', reject);
            worker.postMessage(input);
        }).finally(() => worker.removeAllListeners('error')),
        close: () => worker.terminate(),
    };
}

export function childProcess() {
    return new Promise((resolve, reject) => {
        const child = spawn('/bin/true', [], { stdio: 'ignore' });
        child.once('error', reject);
        child.once('exit', (code) => resolve(code));
    });
}

export default {
    benchmark: 'perfmastery.cpu.WorkerStartupBenchmark',
    mode: 'sample',
    unit: 'us/op',
    params: {},
    variants: ['platformThread', 'pooledExecutor', 'childProcess'],
    notMeasured: {
        virtualThread: 'Node has no virtual threads',
        childJvm: 'a JVM child; its Node counterpart (child_process.fork) is not in the guide\'s startup code',
        childJvmAotCache: 'a JVM class archive',
    },
    async setup(variant) {
        const input = { value: 42 };
        if (variant === 'platformThread') {
            return { async: true, op: () => newWorkerPerTask(input.value) };
        }
        if (variant === 'pooledExecutor') {
            const pool = await startPooledWorker();
            return { async: true, op: () => pool.run(input.value), teardown: pool.close };
        }
        if (variant === 'childProcess') {
            return { async: true, op: childProcess };
        }
        throw new Error(`no variant ${variant}`);
    },
};
