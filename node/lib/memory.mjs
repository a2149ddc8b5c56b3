// Retained memory, read the way a Node program can: the V8 heap in use plus the ArrayBuffer/Buffer stores, after
// a full collection. Forks run with --expose-gc; without it (a plain test run) nothing can be measured.

export function canCollect() {
    return typeof globalThis.gc === 'function';
}

/** Heap used plus array buffers after two full collections (the second sweeps what the first finalised). */
export function liveBytes() {
    if (!canCollect()) {
        return NaN;
    }
    globalThis.gc();
    globalThis.gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
}

/** Bytes that `hold` keeps alive: live bytes before and after `release` drops it. */
export function retainedBy(release) {
    const before = liveBytes();
    release();
    const after = liveBytes();
    return Math.max(0, before - after);
}
