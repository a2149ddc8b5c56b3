package perfmastery.runner;

import perfmastery.runner.BenchmarkSelection.Benchmark;
import perfmastery.runner.RunOptions.ForkOrder;

/**
 * How many forks a run gives each row and how it spreads them over the run's time.
 *
 * <p>The run's fork count F is the user's {@code -f N} after {@code --}, else the preset's. In rounds (the
 * default, F > 1), every JMH invocation runs once per round with one fork, so a row's forks are minutes apart
 * and see the machine's drift over the run (hypervisor neighbours, CPU frequency): JMH's own order runs a
 * row's forks back to back, seconds apart, and its intervals then miss that drift. With several JDKs or flag
 * sets, the runner alternates them round by round, so the configurations compared are measured at nearly the
 * same times. Consecutive order (or F = 1, or {@code -f 0}) is one invocation per group with {@code -f F}.
 *
 * <p>A lesson whose own {@code @Fork(value)} K is above F keeps at least K forks under the quick and full
 * presets: {@code ceil(K / F)} per round, or {@code -f K} in consecutive order. A user's explicit {@code -f}
 * overrides that (it is their choice), and the smoke preset keeps one fork for everything (it only checks that
 * everything runs).
 *
 * @param order       the order asked for
 * @param forks       F, the run's fork count
 * @param minimums    whether a lesson's own larger {@code @Fork} applies
 */
public record ForkPlan(ForkOrder order, int forks, boolean minimums) {

    public static ForkPlan of(ForkOrder order, Preset preset, JmhArgs jmhArgs) {
        return jmhArgs.forks().map(userForks -> new ForkPlan(order, userForks, false))
                .orElseGet(() -> new ForkPlan(order, preset.forks(), preset != Preset.SMOKE));
    }

    /** Whether the forks run in rounds of one fork per invocation. */
    public boolean inRounds() {
        return order == ForkOrder.ROUNDS && forks > 1;
    }

    /** How many rounds the run has: F in rounds, else 1. */
    public int rounds() {
        return inRounds() ? forks : 1;
    }

    /** The order the run really uses, for the sidecar: consecutive when there is one round. */
    public ForkOrder effectiveOrder() {
        return inRounds() ? ForkOrder.ROUNDS : ForkOrder.CONSECUTIVE;
    }

    /** The {@code -f} of the JMH invocation that runs this benchmark, in every round. */
    public int forksPerInvocation(Benchmark benchmark) {
        int own = minimums ? benchmark.ownForks() : 0;
        if (inRounds()) {
            return own > forks ? (own + forks - 1) / forks : 1;
        }
        return Math.max(own, forks);
    }

    /** The forks a row gets over the whole run. */
    public int totalForks(Benchmark benchmark) {
        return forksPerInvocation(benchmark) * rounds();
    }
}
