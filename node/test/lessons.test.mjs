// Every Node variant computes the right answer, the same way the Java tests check the JVM variants: a fib value is
// right, a copy is byte-identical, a parse gives the generator's totals, a message's checksum is the sender's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import fibonacci, { recursive, memoized, iterative } from '../bench/fibonacci.mjs';
import { healthCheck, startLoad } from '../bench/event-loop-blocking.mjs';
import { makeResponder, renderAndChecksum } from '../bench/allocation-churn.mjs';
import closure, { leakyHandler, scopedHandler, newRequest, LEAK_CAP } from '../bench/closure-retention.mjs';
import { zipfStream, newCache, lookup, compute, VALUE_BYTES, KEY_OFFSET } from '../bench/cache-bounds.mjs';
import { readAllThenWrite, streamPipeline, scratch } from '../bench/file-copy.mjs';
import { newConsumer, burst, checksumOf, message, CAPACITY } from '../bench/backpressure.mjs';
import { generate, treeModel, streaming } from '../bench/json-parsing.mjs';
import { trivialTask, newWorkerPerTask, startPooledWorker, childProcess } from '../bench/worker-startup.mjs';
import { startMessenger, checksum, payload } from '../bench/worker-messaging.mjs';
import { startServer, expectedAnswer, BATCH } from '../bench/cluster-scaling.mjs';

const FIB = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55];

test('fibonacci: every variant gives F(n), F(20) = 6765 and F(30) = 832040', async () => {
    for (const fib of [recursive, memoized, iterative]) {
        FIB.forEach((value, n) => assert.equal(fib(n), value, `${fib.name}(${n})`));
        assert.equal(fib(20), 6765);
        assert.equal(fib(30), 832040);
    }
    for (const variant of fibonacci.variants) {
        const bench = await fibonacci.setup(variant, { n: '20' });
        assert.equal(bench.op(), 6765, variant);
    }
});

test('event loop: a health check is answered with ok, inline and with the worker pool', async () => {
    for (const strategy of ['inline', 'workerPool']) {
        const load = await startLoad(strategy, 2, 22);
        try {
            assert.equal(await healthCheck(), 'ok');
            while (load.completed < 3) {
                await healthCheck();
            }
            assert.equal(load.lastResult, 17711, `${strategy}: the heavy task's fib(22)`);
            assert.equal(load.failure, null);
        } finally {
            await load.stop();
        }
    }
    await assert.rejects(startLoad('threadPerRequest', 1), /unknown strategy/);
});

test('allocation churn: churn and reuse write the same response and return the same checksum', () => {
    for (const size of [1024, 65536]) {
        const churn = makeResponder('churn', size);
        const reuse = makeResponder('reuse', size);
        for (let request = 1; request <= 3; request++) {
            const expected = renderAndChecksum(new Uint8Array(size), size, request);
            assert.equal(churn(), expected);
            assert.equal(reuse(), expected);
        }
    }
    const buffer = new Uint8Array(16);
    renderAndChecksum(buffer, 16, 258);
    assert.deepEqual([...buffer.subarray(0, 3)], [2, 3, 4], 'every byte depends on the request');
});

test('closure retention: both handlers answer length ^ id; only the leaky one keeps the payload', async () => {
    const request = newRequest(5, 1000);
    assert.equal(leakyHandler(request)(), 1000 ^ 5);
    assert.equal(scopedHandler(request)(), 1000 ^ 5);
    assert.match(leakyHandler.toString(), /request\.payload/);
    const bench = await closure.setup('leakyClosure', { payloadLength: '1000' });
    bench.iterationStart();
    for (let i = 0; i < LEAK_CAP + 3; i++) {
        assert.equal(bench.op(), 1000 ^ (i + 1));
    }
});

test('cache bounds: both caches return the computed value; the LRU holds at most its capacity', () => {
    const stream = zipfStream(1000, 1 << 12, 42);
    assert.ok(stream.every((k) => k > KEY_OFFSET && k <= KEY_OFFSET + 1000));
    assert.deepEqual(zipfStream(1000, 16, 42), stream.subarray(0, 16), 'seeded');
    for (const variant of ['unboundedMap', 'lruLinkedHashMap']) {
        const cache = newCache(variant, 64);
        const counts = { requests: 0, misses: 0 };
        for (const key of stream) {
            const value = lookup(cache, key, counts);
            assert.equal(value.length, VALUE_BYTES);
            assert.deepEqual(value, compute(key));
        }
        assert.equal(counts.requests, stream.length);
        assert.ok(counts.misses > 0 && counts.misses < stream.length);
        if (variant === 'lruLinkedHashMap') {
            assert.equal(cache.size, 64);
        } else {
            assert.equal(cache.size, counts.misses);
        }
    }
});

test('file copy: readFile+writeFile and pipeline make byte-identical copies', async () => {
    const files = await scratch(300_000);
    try {
        const source = await fs.readFile(files.source);
        assert.equal(source.length, 300_000);
        for (const copy of [readAllThenWrite, streamPipeline]) {
            await fs.rm(files.target, { force: true });
            assert.equal(await copy(files.source, files.target), 300_000);
            assert.ok(source.equals(await fs.readFile(files.target)), copy.name);
        }
    } finally {
        await files.remove();
    }
    await assert.rejects(fs.access(files.dir));
});

test('backpressure: both bursts are consumed whole; respecting write() keeps the peak within the bound', async () => {
    for (const respect of [false, true]) {
        const consumer = newConsumer();
        let expected = 0;
        for (let i = 0; i < 2048; i++) {
            expected += checksumOf(message(i));
        }
        const { checksum: sum, peak } = await burst(consumer, 2048, respect);
        assert.equal(sum, expected);
        assert.equal(consumer.handled, 2048);
        if (respect) {
            assert.ok(peak <= CAPACITY + 1, `peak ${peak}`);
        } else {
            assert.ok(peak > 1024, `peak ${peak}`);
        }
        await new Promise((resolve) => consumer.stream.end(resolve));
    }
});

test('json: JSON.parse and the streaming parser give the generator\'s totals', () => {
    for (const size of [1024, 200_000]) {
        const { json, expected } = generate(size);
        assert.ok(json.length >= size - 1);
        assert.ok(expected.records > 0);
        assert.deepEqual(treeModel(json), expected);
        assert.deepEqual(streaming(json), expected);
    }
});

test('worker startup: a new worker, the pooled worker and /bin/true answer', async () => {
    assert.equal(await newWorkerPerTask(42), trivialTask(42));
    assert.equal(await newWorkerPerTask(7), trivialTask(7));
    const pool = await startPooledWorker();
    try {
        assert.equal(await pool.run(42), trivialTask(42));
        assert.equal(await pool.run(3), trivialTask(3));
    } finally {
        await pool.close();
    }
    assert.equal(await childProcess(), 0);
});

test('worker messaging: copied, transferred and shared answer the payload\'s checksum', async () => {
    for (const size of [1024, 1 << 20]) {
        const messenger = await startMessenger(size);
        try {
            const expected = checksum(payload(size));
            assert.equal(messenger.expected, expected);
            for (let round = 0; round < 2; round++) {
                assert.equal(await messenger.copied(), expected);
                assert.equal(await messenger.transferred(), expected, 'the buffer comes back each time');
                assert.equal(await messenger.sharedMemory(), expected);
            }
        } finally {
            await messenger.close();
        }
    }
});

test('cluster: oneThread and reusePortProcesses servers answer every request of a batch with fib(n)', async () => {
    assert.equal(expectedAnswer(20), '6765');
    assert.equal(expectedAnswer(25), '75025');
    for (const mode of ['oneThread', 'reusePortProcesses']) {
        const server = await startServer(mode, 20);
        try {
            assert.equal(await server.batch(), BATCH);
            assert.ok(server.workers >= 1);
        } finally {
            await server.close();
        }
    }
});
