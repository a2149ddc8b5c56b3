package perfmastery.report;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Relation;

/**
 * Twelve lessons of five claims each for {@link SequentialDesignTest}: 60 claims per run, about the run's real
 * family. Each lesson has m0 (the baseline) and m1..m5 at n = 1 and n = 2; m1..m4's claims take the pair at n = 1,
 * m5's both pairs (a claim over several param pairs). No JMH annotation here: a test class with one makes the
 * annotation processor write an empty META-INF/BenchmarkList into test-classes, which hides the jar's.
 */
final class SimulatedLessons {

    static final int COUNT = 12;

    private SimulatedLessons() {
    }

    @Claim(id = "m1-2x", text = "m1 is at least 2x faster than m0 at n=1", variant = "m1", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m2-2x", text = "m2 is at least 2x faster than m0 at n=1", variant = "m2", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m3-2x", text = "m3 is at least 2x faster than m0 at n=1", variant = "m3", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m4-2x", text = "m4 is at least 2x faster than m0 at n=1", variant = "m4", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m5-2x", text = "m5 is at least 2x faster than m0 at every n", variant = "m5", baseline = "m0",
            relation = Relation.LOWER, factor = 2, basis = "simulation stand-in")
    static final class L0 {
    }

    @Claim(id = "m1-2x", text = "m1 is at least 2x faster than m0 at n=1", variant = "m1", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m2-2x", text = "m2 is at least 2x faster than m0 at n=1", variant = "m2", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m3-2x", text = "m3 is at least 2x faster than m0 at n=1", variant = "m3", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m4-2x", text = "m4 is at least 2x faster than m0 at n=1", variant = "m4", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m5-2x", text = "m5 is at least 2x faster than m0 at every n", variant = "m5", baseline = "m0",
            relation = Relation.LOWER, factor = 2, basis = "simulation stand-in")
    static final class L1 {
    }

    @Claim(id = "m1-2x", text = "m1 is at least 2x faster than m0 at n=1", variant = "m1", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m2-2x", text = "m2 is at least 2x faster than m0 at n=1", variant = "m2", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m3-2x", text = "m3 is at least 2x faster than m0 at n=1", variant = "m3", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m4-2x", text = "m4 is at least 2x faster than m0 at n=1", variant = "m4", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m5-2x", text = "m5 is at least 2x faster than m0 at every n", variant = "m5", baseline = "m0",
            relation = Relation.LOWER, factor = 2, basis = "simulation stand-in")
    static final class L2 {
    }

    @Claim(id = "m1-2x", text = "m1 is at least 2x faster than m0 at n=1", variant = "m1", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m2-2x", text = "m2 is at least 2x faster than m0 at n=1", variant = "m2", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m3-2x", text = "m3 is at least 2x faster than m0 at n=1", variant = "m3", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m4-2x", text = "m4 is at least 2x faster than m0 at n=1", variant = "m4", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m5-2x", text = "m5 is at least 2x faster than m0 at every n", variant = "m5", baseline = "m0",
            relation = Relation.LOWER, factor = 2, basis = "simulation stand-in")
    static final class L3 {
    }

    @Claim(id = "m1-2x", text = "m1 is at least 2x faster than m0 at n=1", variant = "m1", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m2-2x", text = "m2 is at least 2x faster than m0 at n=1", variant = "m2", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m3-2x", text = "m3 is at least 2x faster than m0 at n=1", variant = "m3", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m4-2x", text = "m4 is at least 2x faster than m0 at n=1", variant = "m4", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m5-2x", text = "m5 is at least 2x faster than m0 at every n", variant = "m5", baseline = "m0",
            relation = Relation.LOWER, factor = 2, basis = "simulation stand-in")
    static final class L4 {
    }

    @Claim(id = "m1-2x", text = "m1 is at least 2x faster than m0 at n=1", variant = "m1", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m2-2x", text = "m2 is at least 2x faster than m0 at n=1", variant = "m2", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m3-2x", text = "m3 is at least 2x faster than m0 at n=1", variant = "m3", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m4-2x", text = "m4 is at least 2x faster than m0 at n=1", variant = "m4", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m5-2x", text = "m5 is at least 2x faster than m0 at every n", variant = "m5", baseline = "m0",
            relation = Relation.LOWER, factor = 2, basis = "simulation stand-in")
    static final class L5 {
    }

    @Claim(id = "m1-2x", text = "m1 is at least 2x faster than m0 at n=1", variant = "m1", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m2-2x", text = "m2 is at least 2x faster than m0 at n=1", variant = "m2", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m3-2x", text = "m3 is at least 2x faster than m0 at n=1", variant = "m3", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m4-2x", text = "m4 is at least 2x faster than m0 at n=1", variant = "m4", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m5-2x", text = "m5 is at least 2x faster than m0 at every n", variant = "m5", baseline = "m0",
            relation = Relation.LOWER, factor = 2, basis = "simulation stand-in")
    static final class L6 {
    }

    @Claim(id = "m1-2x", text = "m1 is at least 2x faster than m0 at n=1", variant = "m1", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m2-2x", text = "m2 is at least 2x faster than m0 at n=1", variant = "m2", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m3-2x", text = "m3 is at least 2x faster than m0 at n=1", variant = "m3", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m4-2x", text = "m4 is at least 2x faster than m0 at n=1", variant = "m4", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m5-2x", text = "m5 is at least 2x faster than m0 at every n", variant = "m5", baseline = "m0",
            relation = Relation.LOWER, factor = 2, basis = "simulation stand-in")
    static final class L7 {
    }

    @Claim(id = "m1-2x", text = "m1 is at least 2x faster than m0 at n=1", variant = "m1", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m2-2x", text = "m2 is at least 2x faster than m0 at n=1", variant = "m2", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m3-2x", text = "m3 is at least 2x faster than m0 at n=1", variant = "m3", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m4-2x", text = "m4 is at least 2x faster than m0 at n=1", variant = "m4", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m5-2x", text = "m5 is at least 2x faster than m0 at every n", variant = "m5", baseline = "m0",
            relation = Relation.LOWER, factor = 2, basis = "simulation stand-in")
    static final class L8 {
    }

    @Claim(id = "m1-2x", text = "m1 is at least 2x faster than m0 at n=1", variant = "m1", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m2-2x", text = "m2 is at least 2x faster than m0 at n=1", variant = "m2", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m3-2x", text = "m3 is at least 2x faster than m0 at n=1", variant = "m3", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m4-2x", text = "m4 is at least 2x faster than m0 at n=1", variant = "m4", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m5-2x", text = "m5 is at least 2x faster than m0 at every n", variant = "m5", baseline = "m0",
            relation = Relation.LOWER, factor = 2, basis = "simulation stand-in")
    static final class L9 {
    }

    @Claim(id = "m1-2x", text = "m1 is at least 2x faster than m0 at n=1", variant = "m1", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m2-2x", text = "m2 is at least 2x faster than m0 at n=1", variant = "m2", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m3-2x", text = "m3 is at least 2x faster than m0 at n=1", variant = "m3", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m4-2x", text = "m4 is at least 2x faster than m0 at n=1", variant = "m4", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m5-2x", text = "m5 is at least 2x faster than m0 at every n", variant = "m5", baseline = "m0",
            relation = Relation.LOWER, factor = 2, basis = "simulation stand-in")
    static final class L10 {
    }

    @Claim(id = "m1-2x", text = "m1 is at least 2x faster than m0 at n=1", variant = "m1", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m2-2x", text = "m2 is at least 2x faster than m0 at n=1", variant = "m2", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m3-2x", text = "m3 is at least 2x faster than m0 at n=1", variant = "m3", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m4-2x", text = "m4 is at least 2x faster than m0 at n=1", variant = "m4", baseline = "m0",
            relation = Relation.LOWER, factor = 2, params = "n=1", basis = "simulation stand-in")
    @Claim(id = "m5-2x", text = "m5 is at least 2x faster than m0 at every n", variant = "m5", baseline = "m0",
            relation = Relation.LOWER, factor = 2, basis = "simulation stand-in")
    static final class L11 {
    }
}
