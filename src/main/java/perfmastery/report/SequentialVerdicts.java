package perfmastery.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import perfmastery.support.Claim;

/**
 * The verdicts of a run's claims under its {@link SequentialPlan}: look by look, on the rounds each lesson had by
 * then, with repeated intervals at the look's level and Holm's error control over the run's claims.
 *
 * <p><b>Per claim.</b> Each compared pair (or bound row) has a p-value for each direction: the least two-sided error
 * rate at which its interval clears the threshold on the claim's side (CONFIRMED) or lies wholly on the other
 * (REFUTED). A claim over several pairs is CONFIRMED only when every pair is: an intersection-union test, which
 * needs no correction (its p is the largest pair's). It is REFUTED when any pair is: a union-intersection test, so
 * the refuting pair must clear at α / pairs (Bonferroni inside the claim; its p is pairs × the smallest).
 *
 * <p><b>Across claims: Holm, family-wise.</b> A reader takes each CONFIRMED or REFUTED line as a fact about the JVM,
 * and the issue's test of the verdicts is that none flips between JDKs, A/A runs or machines: every single verdict
 * must hold, which is the family-wise error. Benjamini–Hochberg would allow 5 % of the decided claims to be false
 * (about 3 of some 60 per JDK, every run), and it needs positive dependence, which claims sharing rows do not
 * guarantee. Holm is valid under any dependence and, step-down, loses little against Bonferroni once a few claims are
 * decided. The family is the run's measured claims (GUIDE and MECHANISM together, one JDK or flag set); the claims
 * decided at an earlier look stay rejected, so each look tests the rest at its own α divided by the claims not yet
 * rejected: the sequentially rejective scheme over looks with the union bound (Bonferroni over the looks' spent α,
 * see {@link SequentialPlan}).
 *
 * <p><b>Stops.</b> A claim stops when Holm rejects it (CONFIRMED or REFUTED), or, non-binding, as INCONCLUSIVE when
 * every pair not yet confirmed lies within the plan's futility band around the threshold at the look's level. What
 * is undecided after its lesson's last look is INCONCLUSIVE with the reason: the cap was reached at that look, or
 * the last planned look was.
 *
 * <p>A JSON without a round record has its forks as the unit and one look at the rounds (forks) it has.
 */
final class SequentialVerdicts {

    /**
     * The sequential verdicts of one run.
     *
     * @param verdicts     one per claim, in the checker's order
     * @param plan         the plan followed (a single look for a JSON without one)
     * @param roundsUnit   true when the run's rows were regrouped by rounds ({@link RoundUnits}), false: forks
     * @param family       how many claims Holm's family holds
     * @param decidedAt    per claim ("lesson#id"), the look (1-based) at which it was decided; absent when undecided
     * @param lastLook     per lesson, the last look (1-based) its rounds reached; 0 for none
     */
    record Outcome(String runLabel, List<ClaimChecker.Verdict> verdicts, SequentialPlan plan, boolean roundsUnit,
                   int family, Map<String, Integer> decidedAt, Map<String, Integer> lastLook) {
    }

    private SequentialVerdicts() {
    }

    static String key(String lesson, Claim claim) {
        return lesson + "#" + claim.id();
    }

    /** The hook for notes on an INCONCLUSIVE claim that the host explains (e.g. too few cores): empty for now. */
    static String hostNote(Run run, String lesson, Claim claim) {
        return "";
    }

    /** One claim's test at one look. */
    private record Tested(ClaimChecker.Verdict nominal, List<ClaimChecker.PairTest> pairs, double pConfirm,
                          double pRefute) {
        double p() {
            return Math.min(pConfirm, pRefute);
        }
    }

    static Outcome check(ClaimChecker checker, Run run) {
        RoundUnits.Record record = RoundUnits.recordOf(run);
        Map<String, List<Row>> byClass = new LinkedHashMap<>();
        for (Row row : run.rows()) {
            byClass.computeIfAbsent(row.className(), k -> new ArrayList<>()).add(row);
        }
        Map<String, Integer> rounds = new LinkedHashMap<>();
        int most = 0;
        for (var e : byClass.entrySet()) {
            int r = e.getValue().stream().mapToInt(RoundUnits::roundCount).max().orElse(0);
            rounds.put(e.getKey(), r);
            most = Math.max(most, r);
        }
        SequentialPlan plan = record != null && record.plan() != null ? record.plan() : SequentialPlan.singleLook(most);
        // Nominal verdicts first: which claims are measured at all (the family), and the reasons of those that are not.
        Map<String, ClaimChecker.Verdict> result = new LinkedHashMap<>();
        Map<String, Claim> claims = new LinkedHashMap<>();
        Map<String, String> lessonOf = new LinkedHashMap<>();
        int family = 0;
        for (var e : byClass.entrySet()) {
            Intervals.Pools pools = new Intervals.Pools(e.getValue());
            for (Claim claim : checker.claimsOf(e.getKey())) {
                ClaimChecker.Verdict v = ClaimChecker.check(run, e.getKey(), e.getValue(), claim, pools,
                        Intervals.LEVEL, null);
                String key = key(e.getKey(), claim);
                result.put(key, v);
                if (!ClaimChecker.NOT_MEASURED.equals(v.status())) {
                    claims.put(key, claim);
                    lessonOf.put(key, e.getKey());
                    family++;
                }
            }
        }
        Map<String, Integer> decidedAt = new LinkedHashMap<>();
        Map<String, Integer> lastLook = new LinkedHashMap<>();
        Set<String> open = new TreeSet<>(claims.keySet());
        int rejected = 0;
        Map<String, Tested> lastTested = new LinkedHashMap<>();
        Map<String, Integer> lastTestedLook = new LinkedHashMap<>();
        for (int k = 0; k < plan.looks().size() && !open.isEmpty(); k++) {
            int look = plan.looks().get(k);
            double alphaK = plan.lookAlpha(k);
            Map<String, Tested> tested = new LinkedHashMap<>();
            Map<String, List<Row>> cut = new LinkedHashMap<>();
            for (String key : open) {
                String lesson = lessonOf.get(key);
                if (rounds.get(lesson) < look) {
                    continue;
                }
                lastLook.put(lesson, k + 1);
                List<Row> rows = cut.computeIfAbsent(lesson,
                        l -> byClass.get(l).stream().map(r -> RoundUnits.upTo(r, look)).toList());
                tested.put(key, test(run, lesson, rows, claims.get(key)));
            }
            // Holm over the claims tested here, against the claims not yet rejected.
            List<String> order = new ArrayList<>(tested.keySet());
            order.sort(Comparator.comparingDouble(key -> tested.get(key).p()));
            int m = family - rejected;
            for (int i = 0; i < order.size(); i++) {
                String key = order.get(i);
                Tested t = tested.get(key);
                double level = alphaK / (m - i);
                if (!(t.p() <= level)) {
                    break;
                }
                boolean confirm = t.pConfirm() <= t.pRefute();
                result.put(key, decided(run, lessonOf.get(key), claims.get(key), t, confirm, level, k, look, m - i,
                        alphaK));
                decidedAt.put(key, k + 1);
                open.remove(key);
                tested.remove(key);
                rejected++;
            }
            for (var e : tested.entrySet()) {
                Tested t = e.getValue();
                lastTested.put(e.getKey(), t);
                lastTestedLook.put(e.getKey(), k);
                if (futile(t, alphaK, plan.futilityBand())) {
                    String key = e.getKey();
                    ClaimChecker.Verdict v = withLevel(run, lessonOf.get(key), claims.get(key), t, 1 - alphaK,
                            ClaimChecker.INCONCLUSIVE, String.format(Locale.ROOT, "INCONCLUSIVE: the effect lies"
                                    + " inside the margin (±%.0f %% of the threshold) at look %d (round %d), interval"
                                    + " at %s", plan.futilityBand() * 100, k + 1, look, percent(1 - alphaK)));
                    result.put(key, v);
                    decidedAt.put(key, k + 1);
                    open.remove(key);
                }
            }
        }
        for (String key : open) {
            String lesson = lessonOf.get(key);
            Tested t = lastTested.get(key);
            int lookIndex = lastLook.getOrDefault(lesson, 0);
            String why;
            if (lookIndex == 0) {
                why = "INCONCLUSIVE: its rounds (" + rounds.get(lesson) + ") reach no planned look (first at round "
                        + plan.looks().get(0) + ")";
            } else if (lookIndex < plan.looks().size()) {
                why = "INCONCLUSIVE: the cap was reached at look " + lookIndex + " (round "
                        + plan.looks().get(lookIndex - 1) + ")";
            } else {
                why = "INCONCLUSIVE: undecided at the last planned look " + lookIndex + " (round "
                        + plan.looks().get(lookIndex - 1) + ")";
            }
            String note = hostNote(run, lesson, claims.get(key));
            if (!note.isEmpty()) {
                why += "; " + note;
            }
            if (t == null) {
                ClaimChecker.Verdict v = result.get(key);
                result.put(key, new ClaimChecker.Verdict(v.runLabel(), v.lesson(), v.claim(), ClaimChecker.INCONCLUSIVE,
                        v.measured(), v.unit(), why + "; " + v.reason()));
            } else {
                int k = lastTestedLook.get(key);
                double level = 1 - plan.lookAlpha(k) / Math.max(1, family - rejected);
                result.put(key, withLevel(run, lesson, claims.get(key), t, level, ClaimChecker.INCONCLUSIVE,
                        why + ", interval at " + percent(level)));
            }
        }
        return new Outcome(run.label(), List.copyOf(result.values()), plan, record != null, family, decidedAt,
                lastLook);
    }

    private static Tested test(Run run, String lesson, List<Row> rows, Claim claim) {
        List<ClaimChecker.PairTest> pairs = new ArrayList<>();
        ClaimChecker.Verdict nominal = ClaimChecker.check(run, lesson, rows, claim, new Intervals.Pools(rows),
                Intervals.LEVEL, pairs);
        if (pairs.isEmpty()) {
            return new Tested(nominal, pairs, 1, 1);
        }
        double confirm = 0;
        double refute = 1;
        for (ClaimChecker.PairTest pair : pairs) {
            confirm = Math.max(confirm, p(pair, ClaimChecker.CONFIRMED));
            refute = Math.min(refute, p(pair, ClaimChecker.REFUTED));
        }
        return new Tested(nominal, pairs, confirm, Math.min(1, refute * pairs.size()));
    }

    /** The least two-sided error rate at which the pair's interval gives {@code target}; 1 when none does. */
    static double p(ClaimChecker.PairTest pair, String target) {
        double hi = 0.999;
        if (!target.equals(pair.status(pair.at().apply(1 - hi)))) {
            return 1;
        }
        double lo = 1e-15;
        if (target.equals(pair.status(pair.at().apply(1 - lo)))) {
            return lo;
        }
        double a = Math.log(lo);
        double b = Math.log(hi);
        for (int i = 0; i < 40; i++) {
            double mid = (a + b) / 2;
            if (target.equals(pair.status(pair.at().apply(1 - Math.exp(mid))))) {
                b = mid;
            } else {
                a = mid;
            }
        }
        return Math.exp(b);
    }

    private static boolean futile(Tested t, double alphaK, double band) {
        if (t.pairs().isEmpty()) {
            return false;
        }
        boolean any = false;
        for (ClaimChecker.PairTest pair : t.pairs()) {
            Estimate e = pair.at().apply(1 - alphaK);
            if (ClaimChecker.CONFIRMED.equals(pair.status(e))) {
                continue;
            }
            if (!pair.insideBand(e, band)) {
                return false;
            }
            any = true;
        }
        return any;
    }

    private static ClaimChecker.Verdict decided(Run run, String lesson, Claim claim, Tested t, boolean confirm,
                                                double level, int k, int look, int holmDivisor, double alphaK) {
        double pairLevel = confirm ? 1 - level : 1 - level / t.pairs().size();
        String status = confirm ? ClaimChecker.CONFIRMED : ClaimChecker.REFUTED;
        String how = String.format(Locale.ROOT, "%s at look %d (round %d): repeated interval at %s (Holm: α %s / %d%s)",
                status, k + 1, look, percent(pairLevel), SequentialPlan.fmt(alphaK), holmDivisor,
                confirm || t.pairs().size() == 1 ? "" : " / " + t.pairs().size() + " pairs");
        return withLevel(run, lesson, claim, t, pairLevel, status, how);
    }

    /** The claim's verdict with its weakest pair's interval at {@code level}, the status and the reason given. */
    private static ClaimChecker.Verdict withLevel(Run run, String lesson, Claim claim, Tested t, double level,
                                                  String status, String how) {
        ClaimChecker.PairTest weakest = null;
        Estimate weakestEstimate = null;
        int weakestRank = Integer.MAX_VALUE;
        double weakestMargin = Double.POSITIVE_INFINITY;
        for (ClaimChecker.PairTest pair : t.pairs()) {
            Estimate e = pair.at().apply(level);
            String s = pair.status(e);
            int rank = ClaimChecker.REFUTED.equals(s) ? 0 : ClaimChecker.INCONCLUSIVE.equals(s) ? 1 : 2;
            double margin = margin(pair, e);
            if (rank < weakestRank || rank == weakestRank && margin < weakestMargin) {
                weakest = pair;
                weakestEstimate = e;
                weakestRank = rank;
                weakestMargin = margin;
            }
        }
        ClaimChecker.Verdict nominal = t.nominal();
        if (weakest == null) {
            return new ClaimChecker.Verdict(nominal.runLabel(), lesson, claim, status, nominal.measured(),
                    nominal.unit(), how + "; " + nominal.reason());
        }
        String reason = how + "; " + (t.pairs().size() == 1 ? "" : "weakest of " + t.pairs().size() + ": ")
                + weakest.label() + ": " + describe(weakest, weakestEstimate);
        return new ClaimChecker.Verdict(nominal.runLabel(), lesson, claim, status, weakestEstimate, nominal.unit(),
                reason);
    }

    private static double margin(ClaimChecker.PairTest pair, Estimate e) {
        if (!e.hasInterval()) {
            return Double.NEGATIVE_INFINITY;
        }
        if (pair.ratio()) {
            return e.low() > 0 ? Math.log(e.low() / pair.threshold()) : Double.NEGATIVE_INFINITY;
        }
        return pair.lowerSide() ? pair.threshold() - e.high() : e.low() - pair.threshold();
    }

    private static String describe(ClaimChecker.PairTest pair, Estimate e) {
        if (!e.hasInterval()) {
            return e.note().isEmpty() ? "no interval" : e.note();
        }
        String interval = pair.ratio() ? "interval " + Fmt.interval(e)
                : "interval " + Fmt.value(e.low()) + " to " + Fmt.value(e.high());
        String needs = pair.ratio() ? "the factor " + Fmt.factor(pair.threshold())
                : "the bound " + Fmt.value(pair.threshold());
        return switch (pair.status(e)) {
            case ClaimChecker.CONFIRMED -> interval + (pair.ratio() ? " clears " : " is within ") + needs;
            case ClaimChecker.REFUTED -> interval + " lies wholly on the other side of " + needs;
            default -> interval + " straddles " + needs;
        };
    }

    static String percent(double level) {
        double p = level * 100;
        return (p >= 99.99 ? String.format(Locale.ROOT, "%.4f", p) : p >= 99.9 ? String.format(Locale.ROOT, "%.3f", p)
                : String.format(Locale.ROOT, "%.2f", p)).replaceAll("0+$", "").replaceAll("\\.$", "") + " %";
    }
}
