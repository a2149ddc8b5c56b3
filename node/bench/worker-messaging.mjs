// Guide 5.x (postMessage copies; transfer or share instead), beside perfmastery.cpu.WorkerMessagingBenchmark.
// One operation sends `payloadBytes` of seeded random bytes to one worker_threads Worker started at setup and
// waits for the checksum it answers. copied posts a Uint8Array (structured clone: a copy); sharedMemory posts
// only a word, the worker reading a SharedArrayBuffer given to it at start (nothing copied); transferred (a Node
// row, the JVM has no transfer) moves the ArrayBuffer to the worker and back, detaching it on each side.
// serializedIpc (a child process's pipe) is not in the guide's worker code: not measured on Node.
import { Worker } from 'node:worker_threads';
import { seeded } from '../lib/random.mjs';

export function checksum(bytes) {
    let sum = 0;
    for (let i = 0; i < bytes.length; i++) {
        sum = (Math.imul(sum, 31) + bytes[i]) | 0;
    }
    return sum;
}

export function payload(size) {
    const random = seeded(2024);
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
        bytes[i] = (random() * 256) | 0;
    }
    return bytes;
}

/** A worker and the three ways to hand it the payload; `close()` ends it. */
export async function startMessenger(size) {
    const shared = new SharedArrayBuffer(size);
    const own = payload(size);
    new Uint8Array(shared).set(own);
    const worker = new Worker(new URL('./workers/checksum-worker.mjs', import.meta.url), { workerData: { shared } });
    await new Promise((resolve) => worker.once('online', resolve));
    let failure = null;
    worker.on('error', (e) => { failure = e; });
    const ask = (message, transfer) => new Promise((resolve, reject) => {
        if (failure) {
            reject(failure);
            return;
        }
        worker.once('message', resolve);
        worker.postMessage(message, transfer);
    });
    let movable = own.slice().buffer;
    return {
        copied: () => ask(own),
        sharedMemory: () => ask('shared'),
        async transferred() {
            const answer = await ask({ buffer: movable }, [movable]);
            movable = answer.buffer;
            return answer.sum;
        },
        expected: checksum(own),
        close: () => worker.terminate(),
    };
}

export default {
    benchmark: 'perfmastery.cpu.WorkerMessagingBenchmark',
    mode: 'sample',
    unit: 'us/op',
    params: { payloadBytes: ['1024', '1048576'] },
    variants: ['copied', 'transferred', 'sharedMemory'],
    notMeasured: { serializedIpc: 'a child process\'s pipe is not in the guide\'s worker code' },
    async setup(variant, params) {
        const messenger = await startMessenger(Number(params.payloadBytes));
        return { async: true, op: messenger[variant], teardown: messenger.close };
    },
};
