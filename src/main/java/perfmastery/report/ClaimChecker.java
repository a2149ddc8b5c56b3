package perfmastery.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Relation;

/**
 * Checks the {@link Claim}s of each benchmark class named in a run. The classes are loaded without
 * initialisation from the report's own class path; classes it cannot find (other suites) have no claims.
 *
 * <p>CONFIRMED means that for every matched pair the 95 % bootstrap interval lies on the claim's side
 * of the factor or bound (its lower end at or above the factor, or its upper end at or below a LOWER
 * bound). Percentiles of sample mode have no interval; their point value is compared. NOT CONFIRMED
 * quotes the weakest pair; NOT MEASURED says what was missing.
 */
final class ClaimChecker {

    static final String CONFIRMED = "CONFIRMED";
    static final String NOT_CONFIRMED = "NOT CONFIRMED";
    static final String NOT_MEASURED = "NOT MEASURED";

    private static final Pattern PERCENTILE = Pattern.compile("p(\\d{1,2}(\\.\\d+)?|100)");
    private static final Pattern SELECTOR = Pattern.compile("(\\*|[A-Za-z_$][A-Za-z0-9_$]*)(\\[([^\\[\\]]*)\\])?");

    /**
     * The verdict of one claim on one run.
     *
     * @param measured the weakest pair's figure (a ratio, or the metric in its unit for a bound claim); null if not measured
     * @param detail   which pair is the weakest, or why nothing was measured
     */
    record Verdict(String runLabel, String lesson, Claim claim, String status, Bootstrap.Estimate measured, String unit, String detail) {
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
            valid.add(claim);
        }
        return valid;
    }

    /** The class, or a nested class written with dots (a.Outer.Inner, as JMH names it), or null. */
    private static Class<?> loadClass(String className) {
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
                && !PERCENTILE.matcher(metric).matches()) {
            return "bad percentile \"" + metric + "\" (expected pNN or pNN.N)";
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
            for (Claim claim : claimsOf(entry.getKey())) {
                verdicts.add(check(run, entry.getKey(), entry.getValue(), claim));
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

    private record Pair(Row variant, Row baseline, Bootstrap.Estimate estimate, double margin) {
    }

    static Verdict check(Run run, String lesson, List<Row> rows, Claim claim) {
        Selector variant = Selector.parse(claim.variant());
        boolean ratioForm = !claim.baseline().isEmpty();
        boolean anyBaseline = "*".equals(claim.baseline().strip());
        Selector baseline = ratioForm ? Selector.parse(claim.baseline()) : null;
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
        boolean percentile = PERCENTILE.matcher(metric).matches();
        String unit = ratioForm ? "x" : "";
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
        List<Pair> pairs = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Row v : variants) {
            Metric vm = metricOf(v, metric, percentile);
            if (vm == null) {
                missing.add(missingMetric(v, metric, percentile));
                continue;
            }
            if (!ratioForm) {
                Bootstrap.Estimate e = percentile
                        ? point(v.primary().percentile(percentOf(metric)))
                        : Bootstrap.mean(vm, run.label() + "|" + claim.id() + "|" + v.key());
                unit = percentile ? v.primary().unit() : vm.unit();
                double worst = claim.relation() == Relation.LOWER ? edge(e, true) : edge(e, false);
                double margin = claim.relation() == Relation.LOWER ? claim.bound() - worst : worst - claim.bound();
                pairs.add(new Pair(v, null, e, margin));
                continue;
            }
            String key = pairKey(v, fixed, methodInKey);
            boolean paired = false;
            for (Row b : inScope) {
                boolean isBaseline = anyBaseline ? !b.method().equals(v.method()) : baseline.matches(b);
                if (!isBaseline || b == v || !pairKey(b, fixed, methodInKey).equals(key)) {
                    continue;
                }
                Metric bm = metricOf(b, metric, percentile);
                if (bm == null) {
                    missing.add(missingMetric(b, metric, percentile));
                    continue;
                }
                paired = true;
                Bootstrap.Estimate e;
                String seed = run.label() + "|" + claim.id() + "|" + v.key() + "|" + b.key();
                if (percentile) {
                    double pv = v.primary().percentile(percentOf(metric));
                    double pb = b.primary().percentile(percentOf(metric));
                    e = point(claim.relation() == Relation.LOWER ? pb / pv : pv / pb);
                } else {
                    e = claim.relation() == Relation.LOWER ? Bootstrap.ratio(bm, vm, seed) : Bootstrap.ratio(vm, bm, seed);
                }
                double lowEdge = edge(e, false);
                double margin = lowEdge > 0 ? Math.log(lowEdge / claim.factor()) : Double.NEGATIVE_INFINITY;
                pairs.add(new Pair(v, b, e, Double.isNaN(margin) ? Double.NEGATIVE_INFINITY : margin));
            }
            if (!paired && missing.isEmpty()) {
                missing.add(baseline.mentionsVirtual() && RunComparison.javaMajor(run.jdkVersion()) < 21
                        ? "baseline needs JDK 21+"
                        : "no baseline row \"" + claim.baseline() + "\" pairs with " + describe(v));
            }
        }
        if (pairs.isEmpty()) {
            return new Verdict(run.label(), lesson, claim, NOT_MEASURED, null, unit, String.join("; ", new java.util.LinkedHashSet<>(missing)));
        }
        Pair weakest = pairs.get(0);
        boolean all = true;
        for (Pair p : pairs) {
            if (p.margin() < weakest.margin()) {
                weakest = p;
            }
            all &= p.margin() >= 0;
        }
        StringBuilder detail = new StringBuilder(pairs.size() == 1 ? "" : "weakest of " + pairs.size() + ": ");
        detail.append(describe(weakest.variant()));
        if (weakest.baseline() != null) {
            detail.append(" vs ").append(describe(weakest.baseline()));
        }
        if (!weakest.estimate().hasInterval()) {
            detail.append(percentile ? "; percentiles have no interval" : "; no interval (too few samples)");
        } else if (weakest.estimate().approximate()) {
            detail.append("; approximate interval (no rawData)");
        } else if (weakest.estimate().iterationsOnly()) {
            detail.append("; one fork: the interval covers iterations only");
        }
        if (!missing.isEmpty()) {
            detail.append("; not measured: ").append(String.join("; ", new java.util.LinkedHashSet<>(missing)));
        }
        return new Verdict(run.label(), lesson, claim, all ? CONFIRMED : NOT_CONFIRMED, weakest.estimate(), unit, detail.toString());
    }

    private static Bootstrap.Estimate point(double value) {
        return new Bootstrap.Estimate(value, Double.NaN, Double.NaN, false, false);
    }

    /** The interval's upper (or lower) end, or the point value when there is no interval. */
    private static double edge(Bootstrap.Estimate e, boolean upper) {
        if (!e.hasInterval()) {
            return e.value();
        }
        return upper ? e.high() : e.low();
    }

    private static double percentOf(String metric) {
        return Double.parseDouble(metric.substring(1));
    }

    private static Metric metricOf(Row row, String metric, boolean percentile) {
        if (percentile) {
            return "sample".equals(row.mode()) ? row.primary() : null;
        }
        return row.metric(metric);
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
