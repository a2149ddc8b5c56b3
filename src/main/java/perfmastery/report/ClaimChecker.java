package perfmastery.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Relation;

/**
 * Checks the {@link Claim}s of each benchmark class named in a run. The classes are loaded without
 * initialisation from the report's own class path; classes it cannot find (other suites) have no claims.
 *
 * <p>Each matched pair (or, for a bound claim, each matched row) gets the 95 % interval of {@link Intervals}
 * and a verdict of its own: CONFIRMED when the interval lies wholly on the claim's side of the factor or bound
 * (lower end at or above the factor; upper end at or below a LOWER bound, lower end at or above a HIGHER one),
 * REFUTED when it lies wholly on the other side, INCONCLUSIVE when it straddles it or when there is no interval
 * (1 fork, no rawData). The claim is CONFIRMED only when every pair is, REFUTED when any pair is, else
 * INCONCLUSIVE; the weakest pair is quoted. NOT MEASURED: no row matched, or the run is outside the claim's
 * {@link Claim#requires() scope}. Percentiles of sample mode have intervals from each iteration's percentile.
 */
final class ClaimChecker {

    static final String CONFIRMED = "CONFIRMED";
    static final String REFUTED = "REFUTED";
    static final String INCONCLUSIVE = "INCONCLUSIVE";
    static final String NOT_MEASURED = "NOT MEASURED";

    private static final Pattern PERCENTILE = Pattern.compile("p(\\d{1,2}(\\.\\d+)?|100)");
    private static final Pattern SELECTOR = Pattern.compile("(\\*|[A-Za-z_$][A-Za-z0-9_$]*)(\\[([^\\[\\]]*)\\])?");

    /**
     * The verdict of one claim on one run.
     *
     * @param measured the weakest pair's figure (a ratio, or the metric in its unit for a bound claim) with its
     *                 interval; null if not measured
     * @param reason   which pair is the weakest and why it has its verdict, or why nothing was measured
     */
    record Verdict(String runLabel, String lesson, Claim claim, String status, Estimate measured, String unit,
                   String reason) {
    }

    /** A parsed selector: a method name or {@code *}, and parameter constraints. */
    record Selector(String method, Map<String, String> constraints) {

        static Selector parse(String text) {
            var m = SELECTOR.matcher(text.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("bad selector \"" + text + "\" (expected method[k=v;k=v] or *)");
            }
            Map<String, String> constraints = new TreeMap<>();
            if (m.group(3) != null && !m.group(3).isBlank()) {
                parsePairs(m.group(3), constraints, "selector \"" + text + "\"");
            }
            return new Selector(m.group(1), constraints);
        }

        boolean anyMethod() {
            return "*".equals(method);
        }

        boolean matches(Row row) {
            if (!anyMethod() && !method.equals(row.method())) {
                return false;
            }
            for (var c : constraints.entrySet()) {
                if (!c.getValue().equals(row.params().get(c.getKey()))) {
                    return false;
                }
            }
            return true;
        }

        boolean mentionsVirtual() {
            return method.toLowerCase(Locale.ROOT).contains("virtual") || constraints.values().stream()
                    .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("virtual"));
        }
    }

    private final Map<String, List<Claim>> cache = new HashMap<>();
    private final List<String> warnings;

    /** @param warnings where malformed claims are reported, one line each */
    ClaimChecker(List<String> warnings) {
        this.warnings = warnings;
    }

    /** The well-formed claims of a class; empty when it cannot be loaded. */
    List<Claim> claimsOf(String className) {
        return cache.computeIfAbsent(className, this::load);
    }

    private List<Claim> load(String className) {
        Class<?> type = loadClass(className);
        if (type == null) {
            return List.of();
        }
        List<Claim> valid = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Claim claim : type.getAnnotationsByType(Claim.class)) {
            String problem = problem(claim);
            if (problem == null && !ids.add(claim.id())) {
                problem = "duplicate id";
            }
            if (problem != null) {
                warnings.add("malformed @Claim \"" + claim.id() + "\" on " + className + ": " + problem
                        + "; it is not checked");
                continue;
            }
            if (claim.basis().isBlank()) {
                warnings.add("@Claim \"" + claim.id() + "\" on " + className + " has no basis: say where its "
                        + (claim.baseline().isEmpty() ? "bound" : "factor") + " comes from (the guide's words or a"
                        + " stated principle)");
            }
            valid.add(claim);
        }
        return valid;
    }

    /** Classes by JMH's name, null (as Optional.empty) when not on the class path: a failed lookup costs an exception. */
    private static final Map<String, java.util.Optional<Class<?>>> CLASSES = new java.util.concurrent.ConcurrentHashMap<>();

    /** The class, or a nested class written with dots (a.Outer.Inner, as JMH names it), or null. */
    private static Class<?> loadClass(String className) {
        return CLASSES.computeIfAbsent(className, name -> java.util.Optional.ofNullable(findClass(name))).orElse(null);
    }

    private static Class<?> findClass(String className) {
        String name = className;
        while (true) {
            try {
                return Class.forName(name, false, ClaimChecker.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                int dot = name.lastIndexOf('.');
                if (dot < 0) {
                    return null;
                }
                name = name.substring(0, dot) + "$" + name.substring(dot + 1);
            }
        }
    }

    /** Why a claim cannot be checked, or null. */
    static String problem(Claim claim) {
        if (claim.id().isBlank()) {
            return "empty id";
        }
        try {
            Selector.parse(claim.variant());
            if (!claim.baseline().isEmpty()) {
                Selector.parse(claim.baseline());
            }
            for (String alternative : claim.params()) {
                parsePairs(alternative, new TreeMap<>(), "params \"" + alternative + "\"");
            }
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        boolean ratio = !claim.baseline().isEmpty();
        boolean bound = !Double.isNaN(claim.bound());
        if (ratio && bound) {
            return "both baseline and bound are set (a claim is either a ratio or a bound)";
        }
        if (!ratio && !bound) {
            return "neither baseline nor bound is set";
        }
        if (ratio && !(claim.factor() > 0 && Double.isFinite(claim.factor()))) {
            return "factor must be a positive number, not " + claim.factor();
        }
        if (bound && Double.isInfinite(claim.bound())) {
            return "bound must be finite";
        }
        String metric = claim.metric();
        if (metric.isBlank()) {
            return "empty metric (use \"primary\")";
        }
        if (metric.startsWith("p") && metric.length() > 1 && Character.isDigit(metric.charAt(1))
                && (!PERCENTILE.matcher(metric).matches() || Intervals.percentOf(metric) == null)) {
            return "bad percentile \"" + metric + "\" (expected pNN or pNN.N)";
        }
        if (!RunScope.known(claim.requires())) {
            return "unknown requires \"" + claim.requires() + "\" (known: " + RunScope.GENERATIONAL_GC + ")";
        }
        return null;
    }

    private static void parsePairs(String text, Map<String, String> into, String where) {
        for (String pair : text.split(";", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new IllegalArgumentException("bad " + where + " (expected k=v;k=v)");
            }
            into.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
    }

    /** Verdicts of every claim of every class in the run, classes in the run's order. */
    List<Verdict> check(Run run) {
        Map<String, List<Row>> byClass = new LinkedHashMap<>();
        for (Row row : run.rows()) {
            byClass.computeIfAbsent(row.className(), k -> new ArrayList<>()).add(row);
        }
        List<Verdict> verdicts = new ArrayList<>();
        for (var entry : byClass.entrySet()) {
            Intervals.Pools pools = new Intervals.Pools(entry.getValue());
            for (Claim claim : claimsOf(entry.getKey())) {
                verdicts.add(check(run, entry.getKey(), entry.getValue(), claim, pools));
            }
        }
        return verdicts;
    }

    /** The baseline method of a lesson's tables: the first plain-method claim baseline, else null. */
    String baselineMethod(String className) {
        for (Claim claim : claimsOf(className)) {
            if (!claim.baseline().isEmpty()) {
                Selector s = Selector.parse(claim.baseline());
                if (!s.anyMethod()) {
                    return s.method();
                }
            }
        }
        return null;
    }

    /** One compared pair (or one row of a bound claim) with its own verdict. */
    private record Pair(Row variant, Row baseline, Estimate estimate, String status, double margin, String why) {
    }

    /** Verdicts of every claim of one class on one run; {@code rows} are the class's rows of that run. */
    static Verdict check(Run run, String lesson, List<Row> rows, Claim claim) {
        return check(run, lesson, rows, claim, new Intervals.Pools(rows));
    }

    private static Verdict check(Run run, String lesson, List<Row> rows, Claim claim, Intervals.Pools pools) {
        return check(run, lesson, rows, claim, pools, Intervals.LEVEL, null);
    }

    /**
     * One compared pair (or bound row) of a claim, with its interval at any two-sided level: what the sequential
     * verdicts ({@link SequentialVerdicts}) test at each look's level.
     *
     * @param label     "variant vs baseline" as the reason names it
     * @param at        the pair's interval at a two-sided level
     * @param threshold the factor (ratio) or bound
     * @param lowerSide true for a bound claim whose value must stay at or below the bound
     * @param ratio     true for a ratio pair, false for a bound
     */
    record PairTest(String label, java.util.function.DoubleFunction<Estimate> at, double threshold, boolean lowerSide,
                    boolean ratio) {

        /** CONFIRMED, REFUTED or INCONCLUSIVE for this pair's interval {@code e}. */
        String status(Estimate e) {
            if (!e.hasInterval()) {
                return INCONCLUSIVE;
            }
            if (ratio || !lowerSide) {
                return e.low() >= threshold ? CONFIRMED : e.high() < threshold ? REFUTED : INCONCLUSIVE;
            }
            return e.high() <= threshold ? CONFIRMED : e.low() > threshold ? REFUTED : INCONCLUSIVE;
        }

        /** Whether {@code e} lies wholly within the relative band around the threshold (the futility stop). */
        boolean insideBand(Estimate e, double band) {
            if (!e.hasInterval()) {
                return false;
            }
            if (ratio) {
                return e.low() >= threshold / (1 + band) && e.high() <= threshold * (1 + band);
            }
            double margin = Math.abs(threshold) * band;
            return margin > 0 && e.low() >= threshold - margin && e.high() <= threshold + margin;
        }
    }

    /**
     * The claim's verdict at a two-sided {@code level}, and its pairs with their intervals at any level into
     * {@code pairTests} (when not null).
     */
    static Verdict check(Run run, String lesson, List<Row> rows, Claim claim, Intervals.Pools pools, double level,
                         List<PairTest> pairTests) {
        Selector variant = Selector.parse(claim.variant());
        boolean ratioForm = !claim.baseline().isEmpty();
        boolean anyBaseline = "*".equals(claim.baseline().strip());
        Selector baseline = ratioForm ? Selector.parse(claim.baseline()) : null;
        String unit = ratioForm ? "x" : "";
        String outside = RunScope.whyOutside(claim.requires(), run.jdkVersion(), run.jvmArgs());
        if (outside != null) {
            return new Verdict(run.label(), lesson, claim, NOT_MEASURED, null, unit,
                    "outside the claim's scope (" + claim.requires() + "): " + outside);
        }
        List<Map<String, String>> alternatives = new ArrayList<>();
        for (String alternative : claim.params()) {
            Map<String, String> pairs = new TreeMap<>();
            parsePairs(alternative, pairs, "params");
            alternatives.add(pairs);
        }
        List<Row> inScope = rows.stream().filter(r -> inParams(r, alternatives)).toList();
        List<Row> variants = inScope.stream()
                .filter(r -> variant.matches(r) && (baseline == null || anyBaseline || !baseline.matches(r)))
                .toList();
        String metric = claim.metric();
        boolean percentile = Intervals.percentOf(metric) != null;
        if (variants.isEmpty()) {
            String why = variant.mentionsVirtual() && RunComparison.javaMajor(run.jdkVersion()) < 21
                    ? "needs JDK 21+ (this run: JDK " + run.jdkVersion() + ")"
                    : "no row matches variant \"" + claim.variant() + "\"" + scope(claim);
            return new Verdict(run.label(), lesson, claim, NOT_MEASURED, null, unit, why);
        }
        Set<String> fixed = new HashSet<>(variant.constraints().keySet());
        if (baseline != null) {
            fixed.addAll(baseline.constraints().keySet());
        }
        boolean methodInKey = baseline != null && variant.anyMethod() && baseline.anyMethod() && !anyBaseline;
        Boolean writtenForTime = Metric.PRIMARY.equals(metric) ? declaredTimeMode(lesson) : null;
        List<Pair> pairs = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Row v : variants) {
            Intervals.Data vd = Intervals.data(v, metric);
            if (vd == null) {
                missing.add(missingMetric(v, metric, percentile));
                continue;
            }
            // A claim on the score written for a time mode reads the other way round on a throughput run (and back).
            boolean flipped = writtenForTime != null && writtenForTime == v.higherIsBetter();
            if (flipped && !ratioForm) {
                missing.add("the bound is in the units of " + (writtenForTime ? "a time mode" : "throughput") + ", "
                        + describe(v) + " ran in " + v.mode());
                continue;
            }
            Relation relation = flipped ? opposite(claim.relation()) : claim.relation();
            if (!ratioForm) {
                unit = vd.unit();
                Intervals.Pool pool = pools.of(v, metric);
                java.util.function.DoubleFunction<Estimate> at = l -> Intervals.mean(vd, pool, l);
                pairs.add(boundPair(claim, v, at.apply(level)));
                if (pairTests != null) {
                    pairTests.add(new PairTest(describe(v), at, claim.bound(), claim.relation() == Relation.LOWER,
                            false));
                }
                continue;
            }
            String key = pairKey(v, fixed, methodInKey);
            boolean paired = false;
            for (Row b : inScope) {
                boolean isBaseline = anyBaseline ? !b.method().equals(v.method()) : baseline.matches(b);
                if (!isBaseline || b == v || !pairKey(b, fixed, methodInKey).equals(key)) {
                    continue;
                }
                Intervals.Data bd = Intervals.data(b, metric);
                if (bd == null) {
                    missing.add(missingMetric(b, metric, percentile));
                    continue;
                }
                paired = true;
                Intervals.Pool pv = pools.of(v, metric);
                Intervals.Pool pb = pools.of(b, metric);
                java.util.function.DoubleFunction<Estimate> at = relation == Relation.LOWER
                        ? l -> Intervals.ratio(bd, pb, vd, pv, l)
                        : l -> Intervals.ratio(vd, pv, bd, pb, l);
                pairs.add(ratioPair(claim, v, b, at.apply(level)));
                if (pairTests != null) {
                    pairTests.add(new PairTest(describe(v) + " vs " + describe(b), at, claim.factor(), false, true));
                }
            }
            if (!paired && missing.isEmpty()) {
                missing.add(baseline.mentionsVirtual() && RunComparison.javaMajor(run.jdkVersion()) < 21
                        ? "baseline needs JDK 21+"
                        : "no baseline row \"" + claim.baseline() + "\" pairs with " + describe(v));
            }
        }
        if (pairs.isEmpty()) {
            return new Verdict(run.label(), lesson, claim, NOT_MEASURED, null, unit,
                    String.join("; ", new LinkedHashSet<>(missing)));
        }
        // The weakest pair decides: any REFUTED refutes, all CONFIRMED confirm, else INCONCLUSIVE.
        Pair weakest = pairs.get(0);
        for (Pair p : pairs) {
            if (weaker(p, weakest)) {
                weakest = p;
            }
        }
        StringBuilder reason = new StringBuilder(pairs.size() == 1 ? "" : "weakest of " + pairs.size() + ": ");
        reason.append(describe(weakest.variant()));
        if (weakest.baseline() != null) {
            reason.append(" vs ").append(describe(weakest.baseline()));
        }
        reason.append(": ").append(weakest.why());
        if (!missing.isEmpty()) {
            reason.append("; not measured: ").append(String.join("; ", new LinkedHashSet<>(missing)));
        }
        return new Verdict(run.label(), lesson, claim, weakest.status(), weakest.estimate(), unit, reason.toString());
    }

    /**
     * Whether the class declares time modes only (true: avgt, sample, ss), throughput only (false), or neither
     * or both (null), from its {@code @BenchmarkMode}: the mode its claims on the score are written for.
     */
    private static Boolean declaredTimeMode(String className) {
        Class<?> type = loadClass(className);
        BenchmarkMode declared = type == null ? null : type.getAnnotation(BenchmarkMode.class);
        if (declared == null || declared.value().length == 0) {
            return null;
        }
        boolean time = false;
        boolean throughput = false;
        for (Mode mode : declared.value()) {
            time |= mode == Mode.AverageTime || mode == Mode.SampleTime || mode == Mode.SingleShotTime;
            throughput |= mode == Mode.Throughput;
        }
        return time == throughput ? null : time;
    }

    private static Relation opposite(Relation relation) {
        return relation == Relation.LOWER ? Relation.HIGHER : Relation.LOWER;
    }

    /** Status first (REFUTED, then INCONCLUSIVE, then CONFIRMED), then the smaller margin. */
    private static boolean weaker(Pair p, Pair than) {
        int rank = rank(p.status());
        int other = rank(than.status());
        return rank != other ? rank < other : p.margin() < than.margin();
    }

    private static int rank(String status) {
        return switch (status) {
            case REFUTED -> 0;
            case INCONCLUSIVE -> 1;
            default -> 2;
        };
    }

    private static Pair ratioPair(Claim claim, Row v, Row b, Estimate e) {
        double factor = claim.factor();
        String needs = "the factor " + Fmt.factor(factor);
        if (!e.hasInterval()) {
            double margin = e.value() > 0 ? Math.log(e.value() / factor) : Double.NEGATIVE_INFINITY;
            return new Pair(v, b, e, INCONCLUSIVE, Double.isNaN(margin) ? Double.NEGATIVE_INFINITY : margin, e.note());
        }
        double margin = e.low() > 0 ? Math.log(e.low() / factor) : Double.NEGATIVE_INFINITY;
        String interval = "interval " + Fmt.interval(e);
        if (e.low() >= factor) {
            return new Pair(v, b, e, CONFIRMED, margin, interval + " clears " + needs);
        }
        if (e.high() < factor) {
            return new Pair(v, b, e, REFUTED, margin, interval + " lies wholly below " + needs);
        }
        return new Pair(v, b, e, INCONCLUSIVE, margin, interval + " straddles " + needs);
    }

    private static Pair boundPair(Claim claim, Row v, Estimate e) {
        boolean lower = claim.relation() == Relation.LOWER;
        double bound = claim.bound();
        String needs = "the bound " + Fmt.value(bound);
        if (!e.hasInterval()) {
            double margin = lower ? bound - e.value() : e.value() - bound;
            return new Pair(v, null, e, INCONCLUSIVE, Double.isNaN(margin) ? Double.NEGATIVE_INFINITY : margin,
                    e.note());
        }
        String interval = "interval " + Fmt.value(e.low()) + " to " + Fmt.value(e.high());
        double margin = lower ? bound - e.high() : e.low() - bound;
        if (lower ? e.high() <= bound : e.low() >= bound) {
            return new Pair(v, null, e, CONFIRMED, margin, interval + " is within " + needs);
        }
        if (lower ? e.low() > bound : e.high() < bound) {
            return new Pair(v, null, e, REFUTED, margin, interval + " lies wholly " + (lower ? "above " : "below ")
                    + needs);
        }
        return new Pair(v, null, e, INCONCLUSIVE, margin, interval + " straddles " + needs);
    }

    private static String missingMetric(Row row, String metric, boolean percentile) {
        if (percentile) {
            return metric + " needs SampleTime mode (-bm sample), " + describe(row) + " is " + row.mode();
        }
        return "metric " + metric + " absent from " + describe(row)
                + (metric.startsWith("gc.") ? " (run with -prof gc)" : "");
    }

    private static String pairKey(Row row, Set<String> fixed, boolean withMethod) {
        StringBuilder key = new StringBuilder(row.mode()).append('|').append(row.threads());
        if (withMethod) {
            key.append('|').append(row.method());
        }
        row.params().forEach((k, v) -> {
            if (!fixed.contains(k)) {
                key.append('|').append(k).append('=').append(v);
            }
        });
        return key.toString();
    }

    private static boolean inParams(Row row, List<Map<String, String>> alternatives) {
        if (alternatives.isEmpty()) {
            return true;
        }
        for (Map<String, String> alternative : alternatives) {
            boolean all = true;
            for (var e : alternative.entrySet()) {
                all &= e.getValue().equals(row.params().get(e.getKey()));
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static String scope(Claim claim) {
        return claim.params().length == 0 ? "" : " at " + String.join(" or ", claim.params());
    }

    static String describe(Row row) {
        return row.method() + RunComparison.paramsSuffix(row);
    }
}
