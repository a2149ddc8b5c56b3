// Guide 4.x (respect write()'s return value), beside perfmastery.io.BackpressureBenchmark. One operation is a
// burst of `messages` fresh 1 KiB messages written to an object-mode Writable of highWaterMark 256 (the JVM
// lesson's bound) whose consumer checksums each message and does a fixed amount of extra work, answering on a
// later turn of the loop (setImmediate), as a socket would. unboundedQueue ignores write()'s return and writes the
// whole burst at once; boundedQueue stops when write() returns false and waits for 'drain'. The gauge peakInFlight
// is the most messages sent but not yet handled. flowPublisher is java.util.concurrent.Flow: not measured.
import { Writable } from 'node:stream';
import { once } from 'node:events';

export const CAPACITY = 256;
export const MESSAGE_BYTES = 1024;
const CONSUMER_WORK_ROUNDS = 200;

export function message(sequence) {
    return Buffer.alloc(MESSAGE_BYTES, sequence & 0xff);
}

export function checksumOf(msg) {
    let sum = 0;
    for (let i = 0; i < msg.length; i++) {
        sum += msg[i];
    }
    return sum;
}

/** The consuming end: its running checksum and count of handled messages. */
export function newConsumer() {
    const consumer = { handled: 0, checksum: 0, work: 0 };
    consumer.stream = new Writable({
        objectMode: true,
        highWaterMark: CAPACITY,
        write(msg, _encoding, done) {
            consumer.checksum += checksumOf(msg);
            let x = consumer.work;
            for (let i = 0; i < CONSUMER_WORK_ROUNDS; i++) {
                x = (Math.imul(x, 1103515245) + 12345) | 0;
            }
            consumer.work = x;
            consumer.handled++;
            setImmediate(done);
        },
    });
    return consumer;
}

/** Sends one burst; resolves with the consumer's checksum once it handled all of it, and the burst's peak. */
export async function burst(consumer, messages, respectBackpressure) {
    const { stream } = consumer;
    const end = consumer.handled + messages;
    let sent = consumer.handled;
    let peak = 0;
    for (let i = 0; i < messages; i++) {
        const ok = stream.write(message(sent));
        sent++;
        peak = Math.max(peak, sent - consumer.handled);
        if (!ok && respectBackpressure) {
            await once(stream, 'drain');
        }
    }
    while (consumer.handled < end) {
        await new Promise((resolve) => setImmediate(resolve));
    }
    return { checksum: consumer.checksum, peak };
}

export default {
    benchmark: 'perfmastery.io.BackpressureBenchmark',
    mode: 'thrpt',
    unit: 'ops/s',
    params: { messages: ['8192'] },
    variants: ['unboundedQueue', 'boundedQueue'],
    notMeasured: { flowPublisher: 'java.util.concurrent.Flow has no form in Node' },
    async setup(variant, params) {
        const messages = Number(params.messages);
        const respect = variant === 'boundedQueue';
        const consumer = newConsumer();
        let iterationPeak = 0;
        return {
            async: true,
            async op() {
                const { checksum, peak } = await burst(consumer, messages, respect);
                iterationPeak = Math.max(iterationPeak, peak);
                return checksum;
            },
            iterationStart() {
                iterationPeak = 0;
            },
            iterationEnd: () => ({ peakInFlight: [iterationPeak, 'messages'] }),
            teardown: () => new Promise((resolve) => consumer.stream.end(resolve)),
        };
    },
};
