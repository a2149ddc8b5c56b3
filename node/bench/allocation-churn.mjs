// Guide 2.x (allocation churn): Buffer.alloc per request against one buffer reused, beside
// perfmastery.memory.AllocationChurnBenchmark. Each request writes the whole response (every byte depends on the
// request) and returns its checksum. smallEscaping and smallScalarReplaced are about HotSpot's escape analysis,
// which the guide does not show: not measured on Node.

/** Writes `length` bytes that depend on the request and returns a checksum of every 8th byte. */
export function renderAndChecksum(buffer, length, requestId) {
    const seed = requestId & 0xff;
    for (let i = 0; i < length; i++) {
        buffer[i] = seed + i;
    }
    let checksum = 0;
    for (let i = 0; i < length; i += 8) {
        checksum = (Math.imul(checksum, 31) + buffer[i]) | 0;
    }
    return checksum;
}

export function makeResponder(variant, size) {
    let requestId = 1;
    if (variant === 'churn') {
        return () => renderAndChecksum(Buffer.alloc(size), size, requestId++);
    }
    if (variant === 'reuse') {
        const buffer = Buffer.alloc(size);
        return () => renderAndChecksum(buffer, size, requestId++);
    }
    throw new Error(`no variant ${variant}`);
}

export default {
    benchmark: 'perfmastery.memory.AllocationChurnBenchmark',
    mode: 'avgt',
    unit: 'ns/op',
    params: { size: ['1024', '65536', '1048576'] },
    variants: ['churn', 'reuse'],
    notMeasured: {
        smallEscaping: 'escape analysis is HotSpot\'s; the guide shows no such code',
        smallScalarReplaced: 'escape analysis is HotSpot\'s; the guide shows no such code',
    },
    async setup(variant, params) {
        return { op: makeResponder(variant, Number(params.size)) };
    },
};
