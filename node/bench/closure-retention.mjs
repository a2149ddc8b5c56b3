// Guide 2.x (memory-leak.js: a closure kept in a global list captures the request it was made for), beside
// perfmastery.memory.ClosureRetentionBenchmark. leakyClosure's handler uses the request, so it keeps the request's
// payload (a Uint8Array of payloadLength bytes, the JVM lesson's byte[]); scopedClosure reads what it needs first
// and keeps two numbers. The list is capped at 256 handlers per iteration, as on the JVM. Gauges: the bytes each
// retained handler keeps alive (live heap plus array buffers, after full collections, before and after dropping
// the list) and the GC time per request from v8.GCProfiler (the harness's gcNanosPerOp).
import { canCollect, retainedBy } from '../lib/memory.mjs';

export const LEAK_CAP = 256;

export function newRequest(id, payloadLength) {
    const payload = new Uint8Array(payloadLength);
    payload[0] = id & 0xff;
    payload[payloadLength - 1] = (id >>> 8) & 0xff;
    return { id, payload };
}

export function leakyHandler(request) {
    return () => request.payload.length ^ request.id;
}

export function scopedHandler(request) {
    const length = request.payload.length;
    const id = request.id;
    return () => length ^ id;
}

export default {
    benchmark: 'perfmastery.memory.ClosureRetentionBenchmark',
    mode: 'avgt',
    unit: 'us/op',
    params: { payloadLength: ['1000000'] },
    variants: ['leakyClosure', 'scopedClosure'],
    notMeasured: {},
    async setup(variant, params) {
        const make = variant === 'leakyClosure' ? leakyHandler : scopedHandler;
        const payloadLength = Number(params.payloadLength);
        let listeners = [];
        let nextId = 1;
        return {
            op() {
                const handler = make(newRequest(nextId++, payloadLength));
                if (listeners.length === LEAK_CAP) {
                    listeners = [];
                }
                listeners.push(handler);
                return handler();
            },
            iterationStart() {
                listeners = [];
            },
            iterationEnd() {
                const count = listeners.length;
                const bytes = retainedBy(() => { listeners = []; });
                return canCollect() && count > 0 ? { retainedBytesPerRequest: [bytes / count, 'B'] } : {};
            },
        };
    },
};
