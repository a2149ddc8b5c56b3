package perfmastery.report;

import java.util.List;

/**
 * The scopes a {@link perfmastery.support.Claim#requires()} can name, decided from what the JSON says about a run:
 * its JDK version and JVM flags.
 */
final class RunScope {

    /** The run's collector separates young from old objects. */
    static final String GENERATIONAL_GC = "generational-gc";

    /** The X of the -XX:+UseXGC flags that choose a collector (others, like UseMaximumCompactionOnSystemGC, do not). */
    private static final java.util.Set<String> COLLECTORS = java.util.Set.of("Serial", "Parallel", "ParallelOld", "G1",
            "ConcMarkSweep", "Z", "Shenandoah", "Epsilon");

    private RunScope() {
    }

    /** Whether the report understands this {@code requires} value. */
    static boolean known(String requires) {
        return requires.isEmpty() || GENERATIONAL_GC.equals(requires);
    }

    /** Null when the run is inside the scope, else why it is not (one phrase). */
    static String whyOutside(String requires, String jdkVersion, List<String> jvmArgs) {
        if (!GENERATIONAL_GC.equals(requires)) {
            return null;
        }
        return whyNotGenerational(jdkVersion, jvmArgs);
    }

    /**
     * Null when the collector is generational: Serial, Parallel, G1 (the default), ZGC from JDK 23 on (only
     * generational from JDK 24), ZGC on JDK 21 and 22 with -XX:+ZGenerational, Shenandoah in its generational
     * mode (JDK 24+). Else why not: ZGC before JDK 21 or without -XX:+ZGenerational on 21-22 (or with
     * -XX:-ZGenerational on 23), Shenandoah in its default mode, Epsilon (no collection at all).
     */
    static String whyNotGenerational(String jdkVersion, List<String> jvmArgs) {
        String collector = "G1";
        Boolean zGenerational = null;
        String shenandoahMode = "";
        for (String arg : jvmArgs) {
            String a = arg.strip();
            String named = a.startsWith("-XX:+Use") && a.endsWith("GC")
                    ? a.substring("-XX:+Use".length(), a.length() - "GC".length()) : "";
            if (COLLECTORS.contains(named)) {
                collector = named;
            } else if (a.equals("-XX:+ZGenerational")) {
                zGenerational = true;
            } else if (a.equals("-XX:-ZGenerational")) {
                zGenerational = false;
            } else if (a.startsWith("-XX:ShenandoahGCMode=")) {
                shenandoahMode = a.substring("-XX:ShenandoahGCMode=".length());
            }
        }
        int major = RunComparison.javaMajor(jdkVersion);
        boolean unknownJdk = major == Integer.MAX_VALUE;
        return switch (collector) {
            case "Z" -> {
                if (unknownJdk) {
                    yield "ZGC on an unknown JDK: cannot tell whether it is generational";
                }
                if (major < 21) {
                    yield "ZGC on JDK " + major + " is not generational (generational ZGC came with JDK 21)";
                }
                if (major <= 22 && !Boolean.TRUE.equals(zGenerational)) {
                    yield "ZGC on JDK " + major + " is not generational without -XX:+ZGenerational";
                }
                if (major == 23 && Boolean.FALSE.equals(zGenerational)) {
                    yield "ZGC with -XX:-ZGenerational is not generational";
                }
                yield null;
            }
            case "Shenandoah" -> "generational".equals(shenandoahMode) && (unknownJdk || major >= 24) ? null
                    : "Shenandoah is not generational" + ("generational".equals(shenandoahMode)
                            ? " before JDK 24" : " (without -XX:ShenandoahGCMode=generational)");
            case "Epsilon" -> "Epsilon collects nothing, so it has no generations";
            default -> null;
        };
    }
}
