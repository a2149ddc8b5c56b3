package perfmastery.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;

import perfmastery.runner.RunMetadata;
import tools.jackson.databind.JsonNode;

/**
 * Rounds as the unit of replication. A round is one independent replicate: every lesson's rows run once, the JDKs
 * alternating. A lesson whose own {@code @Fork(K)} is above the rounds runs {@code ceil(K / rounds)} forks back to
 * back inside each round; those forks share the round's machine state, so they are not independent of each other.
 * They are averaged into one observation for their round: a row's forks of one round become one "fork" whose
 * iterations are theirs together (its mean is the mean of their means, their iteration counts being equal), and every
 * interval, df and geometric-mean G downstream counts rounds.
 *
 * <p>The runner records which round each fork of each row ran in (the sidecar's {@code forkRounds}). A JSON without
 * that record (a foreign JMH file, or one from before the record) keeps its forks as the unit, and the report says so.
 */
final class RoundUnits {

    static final String FORKS_ARE_THE_UNIT = "no round record in its sidecar (a JMH file not made by the runner):"
            + " its forks are taken as independent replicates, which forks run back to back in one round are not";

    /** The rounds of each regrouped row's observations (one per round, ascending), by row object. */
    private static final Map<Row, int[]> ROUNDS = Collections.synchronizedMap(new WeakHashMap<>());
    /** The sequential record of a run's files, by file. */
    private static final Map<Path, Record> RECORDS = Collections.synchronizedMap(new HashMap<>());

    /**
     * What a sidecar says about rounds and looks.
     *
     * @param forkRounds per row identity ({@link #identity}), the round of each fork in rawData order
     * @param plan       the sequential plan the runner followed; null when none
     * @param looks      the runner's own record of its looks (as written), for the report; may be empty
     */
    record Record(Map<String, int[]> forkRounds, SequentialPlan plan, List<Map<String, Object>> looks) {
    }

    private RoundUnits() {
    }

    /** The row identity both sides use: benchmark, mode, sorted params. */
    static String identity(String benchmark, String mode, Map<String, String> params) {
        return benchmark + "|" + mode + "|" + new TreeMap<>(params);
    }

    /** The record in {@code json}'s sidecar, or null when there is none or it holds no round record. */
    static Record read(Path json) {
        Path sidecar = RunMetadata.sidecarOf(json);
        if (!Files.isRegularFile(sidecar)) {
            return null;
        }
        try {
            JsonNode root = JsonTree.read(Files.readAllBytes(sidecar));
            JsonNode rows = root.path("forkRounds");
            if (!rows.isArray()) {
                return null;
            }
            Map<String, int[]> forkRounds = new LinkedHashMap<>();
            for (JsonNode row : rows) {
                Map<String, String> params = new TreeMap<>();
                if (row.path("params").isObject()) {
                    for (var p : row.path("params").properties()) {
                        params.put(p.getKey(), p.getValue().asString());
                    }
                }
                JsonNode rounds = row.path("rounds");
                int[] r = new int[rounds.size()];
                for (int i = 0; i < r.length; i++) {
                    r[i] = rounds.get(i).asInt();
                }
                forkRounds.put(identity(row.path("benchmark").asString(""), row.path("mode").asString(""), params), r);
            }
            SequentialPlan plan = null;
            JsonNode planNode = root.path("sequentialPlan");
            if (planNode.isObject()) {
                plan = SequentialPlan.forPreset(planNode.path("preset").asString(""));
            }
            List<Map<String, Object>> looks = new ArrayList<>();
            for (JsonNode look : root.path("looks")) {
                Map<String, Object> l = new LinkedHashMap<>();
                for (var p : look.properties()) {
                    l.put(p.getKey(), p.getValue().isNumber() ? p.getValue().numberValue() : p.getValue().toString());
                }
                looks.add(l);
            }
            return new Record(forkRounds, plan, looks);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The run with each row's forks of one round averaged into one observation, when every file of the run has a
     * round record; else the run as it is, with a warning that its forks are the unit.
     */
    static Run apply(Run run) {
        List<Record> records = new ArrayList<>();
        for (Run.Part part : run.parts()) {
            Record record = read(part.file());
            if (record == null) {
                return run; // forks stay the unit; the plan section says so
            }
            records.add(record);
        }
        Map<String, int[]> forkRounds = new HashMap<>();
        SequentialPlan plan = null;
        List<Map<String, Object>> looks = new ArrayList<>();
        for (Record r : records) {
            forkRounds.putAll(r.forkRounds());
            plan = plan == null ? r.plan() : plan;
            looks.addAll(r.looks());
        }
        List<Row> rows = new ArrayList<>();
        for (Row row : run.rows()) {
            int[] rounds = forkRounds.get(identity(row.benchmark(), row.mode(), row.params()));
            rows.add(rounds == null ? row : byRounds(row, rounds));
        }
        Run regrouped = new Run(run.file(), run.label(), run.jmhVersion(), run.jdkVersion(), run.vmName(),
                run.vmVersion(), run.jvmArgs(), rows, run.warnings(), run.parts());
        RECORDS.put(run.file(), new Record(forkRounds, plan, looks));
        return regrouped;
    }

    /**
     * Registers a run made in memory whose rows already have one observation per round ({@link #byRounds}) with the
     * plan it followed: for the simulation of the design, which builds its runs without files.
     */
    static void remember(Run run, SequentialPlan plan) {
        RECORDS.put(run.file(), new Record(Map.of(), plan, List.of()));
    }

    /** The record of a run regrouped by {@link #apply}, or null (forks are its unit). */
    static Record recordOf(Run run) {
        return RECORDS.get(run.file());
    }

    /** The rounds of a regrouped row's observations, or null when the row was not regrouped. */
    static int[] roundsOf(Row row) {
        return ROUNDS.get(row);
    }

    /** The row with its forks of one round joined into one observation each, rounds ascending. */
    static Row byRounds(Row row, int[] forkRounds) {
        int[] distinct = java.util.Arrays.stream(forkRounds).distinct().sorted().toArray();
        Metric primary = byRounds(row.primary(), forkRounds, distinct);
        Map<String, Metric> secondary = new LinkedHashMap<>();
        row.secondary().forEach((name, m) -> secondary.put(name, byRounds(m, forkRounds, distinct)));
        Row out = new Row(row.benchmark(), row.mode(), row.threads(), distinct.length, row.warmupIterations(),
                row.measurementIterations(), row.params(), primary, secondary);
        ROUNDS.put(out, distinct);
        return out;
    }

    private static Metric byRounds(Metric m, int[] forkRounds, int[] distinct) {
        double[][] forks = m.forks();
        Metric.Histogram[][] histograms = m.iterationHistograms();
        boolean forksMatch = forks != null && forks.length == forkRounds.length;
        boolean histogramsMatch = histograms != null && histograms.length == forkRounds.length;
        if (!forksMatch && !histogramsMatch) {
            return m;
        }
        double[][] joined = forksMatch ? new double[distinct.length][] : forks;
        Metric.Histogram[][] joinedHistograms = histogramsMatch ? new Metric.Histogram[distinct.length][] : histograms;
        for (int r = 0; r < distinct.length; r++) {
            List<Double> values = new ArrayList<>();
            List<Metric.Histogram> hs = new ArrayList<>();
            for (int f = 0; f < forkRounds.length; f++) {
                if (forkRounds[f] != distinct[r]) {
                    continue;
                }
                if (forksMatch) {
                    for (double v : forks[f]) {
                        values.add(v);
                    }
                }
                if (histogramsMatch) {
                    hs.addAll(List.of(histograms[f]));
                }
            }
            if (forksMatch) {
                joined[r] = values.stream().mapToDouble(Double::doubleValue).toArray();
            }
            if (histogramsMatch) {
                joinedHistograms[r] = hs.toArray(Metric.Histogram[]::new);
            }
        }
        return new Metric(m.name(), m.score(), m.scoreError(), m.unit(), joined, m.percentiles(), m.histogram(),
                joinedHistograms);
    }

    /** The row cut to its observations of rounds up to {@code lastRound}; the row itself when it has no rounds. */
    static Row upTo(Row row, int lastRound) {
        int[] rounds = roundsOf(row);
        int keep;
        if (rounds == null) {
            keep = Math.min(row.forks(), lastRound); // forks as the unit: fork i stands for round i + 1
            if (row.primary().forks() != null) {
                keep = Math.min(row.primary().forks().length, lastRound);
            }
        } else {
            keep = 0;
            while (keep < rounds.length && rounds[keep] <= lastRound) {
                keep++;
            }
            if (keep == rounds.length) {
                return row;
            }
        }
        int k = keep;
        Metric primary = cut(row.primary(), k);
        Map<String, Metric> secondary = new LinkedHashMap<>();
        row.secondary().forEach((name, m) -> secondary.put(name, cut(m, k)));
        Row out = new Row(row.benchmark(), row.mode(), row.threads(), k, row.warmupIterations(),
                row.measurementIterations(), row.params(), primary, secondary);
        if (rounds != null) {
            ROUNDS.put(out, java.util.Arrays.copyOf(rounds, k));
        }
        return out;
    }

    private static Metric cut(Metric m, int keep) {
        double[][] forks = m.forks() == null || m.forks().length <= keep ? m.forks()
                : java.util.Arrays.copyOf(m.forks(), keep);
        Metric.Histogram[][] hs = m.iterationHistograms() == null || m.iterationHistograms().length <= keep
                ? m.iterationHistograms() : java.util.Arrays.copyOf(m.iterationHistograms(), keep);
        return new Metric(m.name(), m.score(), m.scoreError(), m.unit(), forks, m.percentiles(), m.histogram(), hs);
    }

    /** How many rounds (or forks, without a record) the row has. */
    static int roundCount(Row row) {
        int[] rounds = roundsOf(row);
        if (rounds != null) {
            return rounds.length == 0 ? 0 : rounds[rounds.length - 1];
        }
        return row.primary().forks() == null ? row.forks() : row.primary().forks().length;
    }
}
