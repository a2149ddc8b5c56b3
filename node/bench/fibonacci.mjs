// Guide 3.1 (blocking math): the guide's fib in JavaScript, beside perfmastery.cpu.FibonacciBenchmark.
// recursive is the guide's exponential form; memoized keeps a fresh memo per call, as the JVM lesson does;
// iterative is the loop. fastDoubling has no form in the guide: not measured on Node.

export function recursive(n) {
    return n < 2 ? n : recursive(n - 1) + recursive(n - 2);
}

function memoizedInto(n, memo) {
    if (n < 2) {
        return n;
    }
    if (memo[n] !== 0) {
        return memo[n];
    }
    const value = memoizedInto(n - 1, memo) + memoizedInto(n - 2, memo);
    memo[n] = value;
    return value;
}

export function memoized(n) {
    return memoizedInto(n, new Array(n + 1).fill(0));
}

export function iterative(n) {
    let a = 0;
    let b = 1;
    for (let i = 0; i < n; i++) {
        const next = a + b;
        a = b;
        b = next;
    }
    return a;
}

const FUNCTIONS = { recursive, memoized, iterative };

export default {
    benchmark: 'perfmastery.cpu.FibonacciBenchmark',
    mode: 'avgt',
    unit: 'ns/op',
    params: { n: ['20', '30'] },
    variants: ['recursive', 'memoized', 'iterative'],
    notMeasured: { fastDoubling: 'the guide shows no fast-doubling form' },
    async setup(variant, params) {
        const fib = FUNCTIONS[variant];
        // A non-constant input, as the JVM lesson's @State field: read through an object, not a literal.
        const state = { n: Number(params.n) };
        return { op: () => fib(state.n) };
    },
};
