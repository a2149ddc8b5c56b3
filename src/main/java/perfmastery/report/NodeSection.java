package perfmastery.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * "JVM against Node": the guide's own runtime beside the JDKs. A run is a Node run when its JSON names the VM
 * "node" (the driver in node/ writes it so, with the Node version as jdkVersion); its rows carry the JVM lessons'
 * benchmark names, modes, units and params, so the claims are checked on it like on any JDK. This section adds,
 * per lesson, each variant's time and allocation on each runtime with the ratio Node ÷ JDK and its 95 % interval
 * ({@link RunComparison}, which takes each run's fork-to-fork variance from {@link Intervals}), the JVM variants
 * Node has no form of, and one line per claim where the runtimes' verdicts agree or differ.
 */
final class NodeSection {

    static final String NODE_VM = "node";

    private NodeSection() {
    }

    static boolean isNode(Run run) {
        return NODE_VM.equalsIgnoreCase(run.vmName());
    }

    /** "Node 20.20.2" for a Node run, "JDK 17.0.15" for a JVM run: a report column's first words. */
    static String runtimeLabel(Run run) {
        return (isNode(run) ? "Node " : "JDK ") + run.jdkVersion();
    }

    /** Writes the section when the runs hold a Node run and a JVM run; nothing otherwise. */
    static void write(Doc doc, List<Run> runs, List<ClaimChecker.Verdict> verdicts) {
        List<Run> nodes = runs.stream().filter(NodeSection::isNode).toList();
        List<Run> jvms = runs.stream().filter(r -> !isNode(r)).toList();
        if (nodes.isEmpty() || jvms.isEmpty()) {
            return;
        }
        doc.heading(2, "JVM against Node");
        doc.paragraph("The Node forms of the lessons (node/ in this repository) measured the same way: each fork its own"
                + " process, the same warm-up and measured iterations, rows under the JVM lesson's names, so each claim"
                + " above also has a Node verdict. Per lesson: each variant's time per operation and bytes allocated"
                + " per operation on each runtime, and Node ÷ JDK with its 95 % interval over forks (above 1: Node takes"
                + " longer or allocates more; throughput rows compare time per operation). Node's B/op is read from"
                + " V8's heap statistics (used heap and external memory, rises between readings at each collection):"
                + " a lower bound, where the JVM's is JMH's exact count. Rows Node has no form of are listed as not"
                + " measured on Node.");
        doc.heading(3, "Where the runtimes agree and where they do not");
        List<String> findings = findings(nodes, jvms, verdicts);
        if (findings.isEmpty()) {
            doc.paragraph("No claim has a CONFIRMED or REFUTED verdict on both a JDK and Node in these runs.");
        } else {
            doc.bullets(findings);
        }
        for (Run node : nodes) {
            for (Run jvm : jvms) {
                lessonTables(doc, jvm, node);
            }
        }
    }

    /** One line per claim decided (CONFIRMED or REFUTED) on a JDK and on Node: whether they agree. */
    static List<String> findings(List<Run> nodes, List<Run> jvms, List<ClaimChecker.Verdict> verdicts) {
        Map<String, List<ClaimChecker.Verdict>> byClaim = new LinkedHashMap<>();
        for (ClaimChecker.Verdict v : verdicts) {
            byClaim.computeIfAbsent(v.lesson() + "#" + v.claim().id(), k -> new ArrayList<>()).add(v);
        }
        List<String> nodeLabels = nodes.stream().map(Run::label).toList();
        List<String> jvmLabels = jvms.stream().map(Run::label).toList();
        List<String> lines = new ArrayList<>();
        for (List<ClaimChecker.Verdict> claim : byClaim.values()) {
            for (ClaimChecker.Verdict onNode : claim) {
                if (!nodeLabels.contains(onNode.runLabel()) || !decided(onNode)) {
                    continue;
                }
                for (ClaimChecker.Verdict onJvm : claim) {
                    if (!jvmLabels.contains(onJvm.runLabel()) || !decided(onJvm)) {
                        continue;
                    }
                    boolean agree = onNode.status().equals(onJvm.status());
                    lines.add((agree ? "Agree: " : "Differ: ") + simpleName(onNode.lesson()) + " " + onNode.claim().id()
                            + " is " + onJvm.status() + " on " + onJvm.runLabel() + " (" + measured(onJvm) + ") and "
                            + onNode.status() + " on " + onNode.runLabel() + " (" + measured(onNode) + ")");
                }
            }
        }
        return lines;
    }

    private static boolean decided(ClaimChecker.Verdict v) {
        return ClaimChecker.CONFIRMED.equals(v.status()) || ClaimChecker.REFUTED.equals(v.status());
    }

    private static String measured(ClaimChecker.Verdict v) {
        Estimate e = v.measured();
        if (e == null) {
            return "no figure";
        }
        String unit = v.unit() == null || v.unit().isEmpty() ? "" : " " + v.unit();
        return Fmt.value(e.value()) + unit + (e.hasInterval() ? ", 95 % " + Fmt.value(e.low()) + " to "
                + Fmt.value(e.high()) : "");
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** One table per lesson that has Node rows: its rows on the JDK and on Node, matched by name, mode and params. */
    private static void lessonTables(Doc doc, Run jvm, Run node) {
        RunComparison.Result compared = RunComparison.compare(jvm, node);
        Map<String, List<RunComparison.Line>> byLesson = new LinkedHashMap<>();
        java.util.Set<String> nodeLessons = new java.util.LinkedHashSet<>();
        for (Row row : node.rows()) {
            nodeLessons.add(row.className());
        }
        for (RunComparison.Line line : compared.primary()) {
            String lesson = line.any().className();
            if (nodeLessons.contains(lesson)) {
                byLesson.computeIfAbsent(lesson, k -> new ArrayList<>()).add(line);
            }
        }
        for (Map.Entry<String, List<RunComparison.Line>> lesson : byLesson.entrySet()) {
            doc.heading(3, simpleName(lesson.getKey()) + ": " + jvm.label() + " against " + node.label());
            List<List<String>> rows = new ArrayList<>();
            List<String> notMeasured = new ArrayList<>();
            for (RunComparison.Line line : lesson.getValue()) {
                Row any = line.any();
                String variant = any.method() + (any.params().isEmpty() ? "" : " (" + any.paramsText() + ")");
                if (line.b() == null) {
                    notMeasured.add(variant);
                    continue;
                }
                RunComparison.Line alloc = line.a() == null ? null : compared.alloc(line);
                rows.add(List.of(variant, any.mode(),
                        line.a() == null ? "not run" : score(line.a()),
                        score(line.b()),
                        line.a() == null ? "" : inverted(line.ratio()),
                        line.a() == null ? "" : bytes(line.a()),
                        bytes(line.b()),
                        alloc == null ? "" : inverted(alloc.ratio())));
            }
            doc.add(new Doc.Table(List.of("variant", "mode", jvm.label(), node.label(), "Node ÷ JDK (95 %)",
                    "B/op " + jvm.label(), "B/op " + node.label(), "Node ÷ JDK B/op (95 %)"), rows,
                    new boolean[] {false, false, true, true, true, true, true, true}));
            if (!notMeasured.isEmpty()) {
                doc.paragraph("Not measured on Node in this run (the guide shows no Node form of them, or the run"
                        + " did not select them; node/driver.mjs --list names the forms Node has): "
                        + String.join(", ", notMeasured) + ".");
            }
        }
    }

    private static String score(Row row) {
        return Fmt.value(row.primary().score()) + " " + row.primary().unit();
    }

    private static String bytes(Row row) {
        Metric alloc = row.secondary().get(RunComparison.ALLOC);
        return alloc == null ? "n/a" : Fmt.value(alloc.score());
    }

    /**
     * Node ÷ JDK from a comparison's ratio, which is normalised to "above 1: run b (Node) is better", i.e. JDK ÷ Node
     * in time per operation and in bytes: its inverse, with the interval's ends swapped and inverted.
     */
    static String inverted(Estimate ratio) {
        if (ratio == null || !Double.isFinite(ratio.value()) || ratio.value() <= 0) {
            return "n/a";
        }
        String point = Fmt.factor(1 / ratio.value());
        if (!ratio.hasInterval() || ratio.low() <= 0) {
            return point + " (no interval)";
        }
        return point + " (" + Fmt.factor(1 / ratio.high()) + " to " + Fmt.factor(1 / ratio.low()) + ")";
    }
}
