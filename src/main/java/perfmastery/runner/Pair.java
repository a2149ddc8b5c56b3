package perfmastery.runner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One JMH run of the invocation: a JDK with one set of the user's fork flags. Its label names its
 * files: {@code jdk-<java.version>[-<flag-set label>]}.json and .log. In a {@code --compare-with} run each side
 * is a pair of its own ({@link CompareWith}): {@code side} is "base" or "head", and the base's benchmarks come from
 * {@code benchmarksJar} (null: the runner's own jar).
 */
public record Pair(Jdk jdk, List<String> userFlags, String label, Path benchmarksJar, String side) {

    private static final int MAX_FLAG_LABEL = 60;

    public Pair {
        userFlags = List.copyOf(userFlags);
    }

    /** A pair of an ordinary run: the runner's own jar, no side. */
    public Pair(Jdk jdk, List<String> userFlags, String label) {
        this(jdk, userFlags, label, null, null);
    }

    /** This pair as one side of a compare-with run, its files labelled {@code <side>-<label>}. */
    public Pair asSide(String newSide, Path jar) {
        return new Pair(jdk, userFlags, newSide + "-" + label, jar, newSide);
    }

    /** Every JDK with every flag set, JDK by JDK, in the order given; labels made unique with -2, -3. */
    public static List<Pair> of(List<Jdk> jdks, List<List<String>> flagSets) {
        List<Pair> pairs = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (Jdk jdk : jdks) {
            for (List<String> flags : flagSets) {
                String base = label(jdk, flags);
                String label = base;
                for (int n = 2; !used.add(label); n++) {
                    label = base + "-" + n;
                }
                pairs.add(new Pair(jdk, flags, label));
            }
        }
        return pairs;
    }

    static String label(Jdk jdk, List<String> flags) {
        String flagLabel = flagSetLabel(flags);
        return "jdk-" + safe(jdk.version()) + (flagLabel.isEmpty() ? "" : "-" + flagLabel);
    }

    /** "-XX:+UseSerialGC" -> "UseSerialGC"; "-Xmx1g -XX:-TieredCompilation" -> "Xmx1g_noTieredCompilation". */
    static String flagSetLabel(List<String> flags) {
        List<String> parts = new ArrayList<>();
        for (String flag : flags) {
            String part = flag;
            if (part.startsWith("-XX:+")) {
                part = part.substring(5);
            } else if (part.startsWith("-XX:-")) {
                part = "no" + part.substring(5);
            } else if (part.startsWith("-XX:")) {
                part = part.substring(4);
            } else {
                part = part.replaceFirst("^-+", "");
            }
            part = safe(part);
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        String label = String.join("_", parts);
        return label.length() > MAX_FLAG_LABEL ? label.substring(0, MAX_FLAG_LABEL) : label;
    }

    private static String safe(String text) {
        return text.replaceAll("[^A-Za-z0-9.=+_-]", "_");
    }

    /**
     * The fork flags: what the JDK needs to attach agents quietly (the launcher flags come to forks with the
     * host's own arguments, once), the benchmark's own {@code @Fork(jvmArgsPrepend)}, then the user's flag
     * set (so it wins).
     */
    public List<String> forkFlags(List<String> benchmarkOwnPrepend) {
        List<String> flags = new ArrayList<>(jdk.forkOnlyFlags());
        flags.addAll(benchmarkOwnPrepend);
        flags.addAll(userFlags);
        return flags;
    }

    public String describe() {
        return label + ": " + jdk.java() + " (" + jdk.version() + ")"
                + (userFlags.isEmpty() ? "" : " with " + String.join(" ", userFlags))
                + (benchmarksJar == null ? "" : ", benchmarks from " + benchmarksJar);
    }
}
