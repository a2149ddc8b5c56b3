package perfmastery.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The group-sequential plan of a preset, fixed in code before any data: at which rounds the claims are evaluated
 * (the looks), how much of the error rate each look may spend, the futility band, and the time cap that bounds the
 * looks. The runner prints it before a run and writes it into each sidecar; the report reads it from there and gives
 * the verdicts look by look ({@link SequentialVerdicts}).
 *
 * <p><b>Looks.</b> A round is one independent replicate (every lesson's rows once, the JDKs alternating). The first
 * look comes after {@code looks[0]} rounds of the whole suite; after each look only the lessons with a claim still
 * undecided on some JDK get the rounds up to the next look. Quick: rounds 3, 5 and 8 within 15 min of JMH per JDK;
 * full: rounds 3, 5, 8 and 12 within 120 min.
 *
 * <p><b>Spending.</b> Lan–DeMets with a Pocock-type function, {@code α(t) = α · ln(1 + (e − 1) t)}, where t is the
 * information fraction {@code rounds / rounds at the last look}. Look k may spend {@code α(t_k) − α(t_{k−1})}; its
 * repeated 95 % interval is the two-sided interval at that level (divided further among the claims, see
 * {@link SequentialVerdicts}). The per-look levels are not the exact group-sequential boundaries (which need the
 * joint normal law of the looks, and the variance here is estimated on 2 to 11 df): they are the increments
 * themselves, and by the union bound over the looks the chance of a false verdict at any look stays at most α.
 * Conservative, and it needs no assumption on how the looks' statistics correlate.
 *
 * <p><b>Why Pocock and not O'Brien–Fleming.</b> Quick's whole budget is 15 min of JMH per JDK, and three rounds of the
 * whole suite already take about 13: the later looks can only afford rounds for the few lessons still undecided, so
 * the first look must be able to decide most claims. O'Brien–Fleming spends almost nothing early
 * ({@code 2 − 2Φ(z_{α/2}/√t)}: 0.0014 of 0.05 at t = 3/8), which would leave nearly every claim to looks the budget
 * cannot pay for; Pocock spends half of α at the first look (0.0249 at t = 3/8) and keeps the rest for the
 * undecided few.
 *
 * <p><b>Futility.</b> Non-binding: a claim stops as INCONCLUSIVE ("the effect lies inside the margin") when its repeated
 * interval at the look's level lies wholly inside {@code [threshold / (1 + band), threshold · (1 + band)]}, band 10 %:
 * the measured effect is then so close to the threshold that more rounds could only decide a difference of no
 * practical weight (the same 10 % margin that a claim "within 10 %" states). Being non-binding, a futility stop never
 * raises the false-verdict rate; it only saves rounds.
 *
 * @param preset       the preset's name (quick, full)
 * @param looks        the rounds after which the claims are evaluated, ascending
 * @param alpha        the error rate over the whole run's claims and looks
 * @param futilityBand the relative half-width of the futility band around a claim's threshold
 * @param capSeconds   the JMH time per JDK that no look may be started beyond
 */
public record SequentialPlan(String preset, List<Integer> looks, double alpha, double futilityBand,
                             double capSeconds) {

    /** The error rate of the run's claims: 5 % family-wise. */
    public static final double ALPHA = 0.05;
    public static final double FUTILITY_BAND = 0.10;
    public static final String SPENDING = "Lan–DeMets, Pocock type: α(t) = α · ln(1 + (e − 1) t)";

    public SequentialPlan {
        looks = List.copyOf(looks);
        if (looks.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one look");
        }
        for (int k = 1; k < looks.size(); k++) {
            if (looks.get(k) <= looks.get(k - 1)) {
                throw new IllegalArgumentException("looks must ascend: " + looks);
            }
        }
    }

    /** The plan of a preset by name ("quick", "full"), or null for one without verdicts (smoke) or unknown. */
    public static SequentialPlan forPreset(String preset) {
        if (preset == null) {
            return null;
        }
        String name = preset.strip();
        int space = name.indexOf(' ');
        name = space < 0 ? name : name.substring(0, space);
        return switch (name) {
            case "quick" -> new SequentialPlan("quick", List.of(3, 5, 8), ALPHA, FUTILITY_BAND, 15 * 60);
            case "full" -> new SequentialPlan("full", List.of(3, 5, 8, 12), ALPHA, FUTILITY_BAND, 120 * 60);
            default -> null;
        };
    }

    /** The plan of a JSON that has no plan of its own: one look at the rounds it has, all of α. */
    public static SequentialPlan singleLook(int rounds) {
        return new SequentialPlan("one look", List.of(Math.max(1, rounds)), ALPHA, FUTILITY_BAND,
                Double.POSITIVE_INFINITY);
    }

    /** The rounds of the last planned look. */
    public int maxRounds() {
        return looks.get(looks.size() - 1);
    }

    /** The error spent by information fraction t (0 to 1): Pocock-type Lan–DeMets. */
    public double spent(double t) {
        if (t <= 0) {
            return 0;
        }
        return alpha * Math.log(1 + (Math.E - 1) * Math.min(1, t));
    }

    /** The two-sided error rate look k (0-based) may spend. */
    public double lookAlpha(int k) {
        double now = spent(looks.get(k) / (double) maxRounds());
        double before = k == 0 ? 0 : spent(looks.get(k - 1) / (double) maxRounds());
        return now - before;
    }

    /** The index of the last look that {@code rounds} rounds reach, or -1 when they reach none. */
    public int lookReachedBy(int rounds) {
        int reached = -1;
        for (int k = 0; k < looks.size(); k++) {
            if (looks.get(k) <= rounds) {
                reached = k;
            }
        }
        return reached;
    }

    /** The lines the runner prints before a run and the report shows. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("sequential plan (" + preset + "): claims evaluated after rounds " + looks + "; after each look only"
                + " the lessons with a claim still undecided get further rounds");
        lines.add("  spending: " + SPENDING + ", α = " + fmt(alpha) + " over the run's claims (Holm)");
        for (int k = 0; k < looks.size(); k++) {
            lines.add(String.format(Locale.ROOT, "  look %d at round %d: spends α = %s (cumulative %s)", k + 1,
                    looks.get(k), fmt(lookAlpha(k)), fmt(spent(looks.get(k) / (double) maxRounds()))));
        }
        lines.add(String.format(Locale.ROOT, "  futility (non-binding): INCONCLUSIVE when the look's interval lies"
                + " within ±%.0f %% of the threshold", futilityBand * 100));
        if (Double.isFinite(capSeconds)) {
            lines.add(String.format(Locale.ROOT, "  cap: %.0f min of JMH per JDK; no look is started that cannot"
                    + " finish within it", capSeconds / 60));
        }
        return lines;
    }

    /** The plan as the sidecar holds it. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("preset", preset);
        json.put("spending", SPENDING);
        json.put("alpha", alpha);
        json.put("errorControl", "Holm over the run's claims; a claim over several param pairs: CONFIRMED needs"
                + " every pair (intersection-union), REFUTED one pair at α / pairs (Bonferroni)");
        json.put("futilityBand", futilityBand);
        json.put("capSeconds", Double.isFinite(capSeconds) ? capSeconds : null);
        List<Map<String, Object>> lookList = new ArrayList<>();
        for (int k = 0; k < looks.size(); k++) {
            Map<String, Object> look = new LinkedHashMap<>();
            look.put("look", k + 1);
            look.put("rounds", looks.get(k));
            look.put("alpha", lookAlpha(k));
            lookList.add(look);
        }
        json.put("looks", lookList);
        return json;
    }

    static String fmt(double alpha) {
        return String.format(Locale.ROOT, "%.4f", alpha);
    }
}
