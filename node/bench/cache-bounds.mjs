// Guide 2.x (an unbounded cache is a leak): a plain Map against lru-cache, beside
// perfmastery.memory.CacheBoundsBenchmark. The Node rows use the JVM lesson's variant names: the Map is
// unboundedMap, lru-cache (an LRU of `capacity` entries) is lruLinkedHashMap, the JVM's LRU. A request looks up a
// Zipf-distributed key (exponent 1 over `keys` keys, seeded) and computes a 1 KiB value on a miss. Caches are new
// each iteration; gauges: hitRatio and the bytes the cache keeps alive at the iteration's end. caffeine,
// weakHashMap and softValues have no form in the guide: not measured on Node.
import { LRUCache } from 'lru-cache';
import { seeded } from '../lib/random.mjs';
import { canCollect, retainedBy } from '../lib/memory.mjs';

export const STREAM_LENGTH = 1 << 20;
export const KEY_OFFSET = 1000;
export const VALUE_BYTES = 1024;

/** Ranks 1..keys with P(k) proportional to 1/k, by inverting the cumulative distribution. */
export function zipfStream(keys, length, seed) {
    const cdf = new Float64Array(keys);
    let total = 0;
    for (let k = 1; k <= keys; k++) {
        total += 1 / k;
        cdf[k - 1] = total;
    }
    const random = seeded(seed);
    const stream = new Int32Array(length);
    for (let i = 0; i < length; i++) {
        const u = random() * total;
        let lo = 0;
        let hi = keys - 1;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (cdf[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        stream[i] = lo + 1 + KEY_OFFSET;
    }
    return stream;
}

export function compute(key) {
    const value = new Uint8Array(VALUE_BYTES);
    value[0] = key & 0xff;
    value[1] = (key >>> 8) & 0xff;
    value[2] = (key >>> 16) & 0xff;
    value[VALUE_BYTES - 1] = Math.imul(key, 31) & 0xff;
    return value;
}

export function newCache(variant, capacity) {
    if (variant === 'unboundedMap') {
        return new Map();
    }
    if (variant === 'lruLinkedHashMap') {
        return new LRUCache({ max: capacity });
    }
    throw new Error(`no variant ${variant}`);
}

/** The cache lookup of one request: the cached value, or a computed one put into the cache. */
export function lookup(cache, key, counts) {
    counts.requests++;
    let value = cache.get(key);
    if (value === undefined) {
        counts.misses++;
        value = compute(key);
        cache.set(key, value);
    }
    return value;
}

export default {
    benchmark: 'perfmastery.memory.CacheBoundsBenchmark',
    mode: 'avgt',
    unit: 'ns/op',
    params: { capacity: ['1024'], keys: ['131072'] },
    variants: ['unboundedMap', 'lruLinkedHashMap'],
    notMeasured: {
        caffeine: 'Caffeine is a JVM library; the guide\'s bounded cache is lru-cache (the lruLinkedHashMap row)',
        weakHashMap: 'the guide shows no weak-keyed cache',
        softValues: 'V8 has no soft references',
    },
    async setup(variant, params) {
        const capacity = Number(params.capacity);
        const stream = zipfStream(Number(params.keys), STREAM_LENGTH, 42);
        let cursor = 0;
        let cache = newCache(variant, capacity);
        let counts = { requests: 0, misses: 0 };
        return {
            op() {
                const key = stream[cursor];
                cursor = (cursor + 1) & (STREAM_LENGTH - 1);
                return lookup(cache, key, counts);
            },
            iterationStart() {
                cache = newCache(variant, capacity);
                counts = { requests: 0, misses: 0 };
            },
            iterationEnd() {
                const gauges = { hitRatio: [1 - counts.misses / counts.requests, 'ratio'] };
                const bytes = retainedBy(() => { cache = newCache(variant, capacity); });
                if (canCollect()) {
                    gauges.retainedBytes = [bytes, 'B'];
                }
                return gauges;
            },
        };
    },
};
