package perfmastery.report;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Relation;

/**
 * Claim-only stand-ins for lessons, in the forms the lessons use. Synthetic JSON names them as JMH
 * names nested classes ({@code perfmastery.report.ClaimLessons.Ratio.fast}).
 */
final class ClaimLessons {

    private ClaimLessons() {
    }

    @Claim(id = "fast-2x-large", text = "fast is at least 2x faster than slow at 1 KiB and above",
            variant = "fast", baseline = "slow", relation = Relation.LOWER, factor = 2,
            params = {"size=1024", "size=4096"},
            basis = "a test stand-in")
    static final class Ratio {
    }

    @Claim(id = "stream-64k", text = "every streamed copy allocates at most 64 KiB + 1 KiB per copy",
            variant = "streamed", metric = "gc.alloc.rate.norm", relation = Relation.LOWER, bound = 65536 + 1024,
            basis = "a test stand-in")
    static final class Bound {
    }

    @Claim(id = "hits-3x", text = "cached counts at least 3x the hits of uncached", variant = "cached",
            baseline = "uncached", metric = "hits", relation = Relation.HIGHER, factor = 3,
            basis = "a test stand-in")
    static final class Aux {
    }

    @Claim(id = "p99-2x", text = "pooled has at most half the p99 latency of unpooled", variant = "pooled",
            baseline = "unpooled", metric = "p99", relation = Relation.LOWER, factor = 2,
            basis = "a test stand-in")
    static final class Latency {
    }

    @Claim(id = "best-fastest", text = "best is at least 1.5x faster than every other method", variant = "best",
            baseline = "*", relation = Relation.LOWER, factor = 1.5,
            basis = "a test stand-in")
    static final class Fastest {
    }

    @Claim(id = "pool-2x", text = "a worker pool is at least 2x faster than inline, method by method",
            variant = "*[strategy=workerPool]", baseline = "*[strategy=inline]", relation = Relation.LOWER, factor = 2,
            basis = "a test stand-in")
    @Claim(id = "health-inline-bound", text = "health inline answers within 1000 ns",
            variant = "health[strategy=inline]", relation = Relation.LOWER, bound = 1000,
            basis = "a test stand-in")
    static final class Strategy {
    }

    @Claim(id = "virtual-2x", text = "virtual threads give at least 2x the throughput of platform threads",
            variant = "virtualThreads", baseline = "platformThreads", relation = Relation.HIGHER, factor = 2,
            basis = "a test stand-in")
    static final class Virtual {
    }

    @Claim(id = "bad-selector", text = "a selector without a value", variant = "fast[size]", baseline = "slow",
            relation = Relation.LOWER,
            basis = "a test stand-in")
    @Claim(id = "both-forms", text = "baseline and bound at once", variant = "fast", baseline = "slow",
            relation = Relation.LOWER, bound = 10,
            basis = "a test stand-in")
    @Claim(id = "well-formed", text = "fast is at least as fast as slow", variant = "fast", baseline = "slow",
            relation = Relation.LOWER,
            basis = "a test stand-in")
    static final class Malformed {
    }

    @Claim(id = "gc-cost", text = "promoted costs more GC time per op than dieYoung", variant = "dieYoung",
            baseline = "promoted", metric = "gcNanosPerOp", relation = Relation.LOWER, factor = 1,
            requires = "generational-gc", basis = "a young collection copies only the survivors")
    static final class Generational {
    }

    @Claim(id = "flat", text = "at 4x the size the time is at most 2x (a flat curve)", variant = "work[size=4]",
            baseline = "work[size=1]", relation = Relation.LOWER, factor = 0.5, basis = "a test stand-in")
    @Claim(id = "no-alloc", text = "work allocates nothing", variant = "work", metric = "gc.alloc.rate.norm",
            relation = Relation.LOWER, bound = 1, kind = Claim.Kind.MECHANISM, basis = "a test stand-in")
    @Claim(id = "unexplained", text = "work is at least as fast as itself at size 1", variant = "work[size=1]",
            baseline = "work[size=4]", relation = Relation.LOWER, factor = 1)
    static final class Kinds {
    }

    @Claim(id = "unknown-scope", text = "a scope the report does not know", variant = "fast", baseline = "slow",
            relation = Relation.LOWER, requires = "quantum-gc", basis = "a test stand-in")
    static final class UnknownScope {
    }

    @Claim(id = "reuse-100x-less", text = "reuse allocates at most 1/100 of churn's bytes per op", variant = "reuse",
            baseline = "churn", metric = "gc.alloc.rate.norm", relation = Relation.LOWER, factor = 100,
            kind = Claim.Kind.MECHANISM, basis = "a test stand-in")
    static final class ZeroAlloc {
    }

    @Claim(id = "too-bold", text = "fast is at least 10x faster than slow", variant = "fast", baseline = "slow",
            relation = Relation.LOWER, factor = 10,
            basis = "a test stand-in")
    static final class Failing {
    }
}
