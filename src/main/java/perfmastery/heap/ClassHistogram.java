package perfmastery.heap;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A class histogram of the live heap, as {@code jcmd <pid> GC.class_histogram} prints it, taken from inside
 * the JVM through the DiagnosticCommand MBean, and the difference of two of them.
 *
 * <p>Without {@code -all}, {@code GC.class_histogram} inspects only live objects: the JVM runs a full
 * collection first, so what it counts is what is reachable, not garbage waiting for the next cycle.
 */
record ClassHistogram(Map<String, Count> byClass) {

    /** Instances and shallow bytes of one class. */
    record Count(long instances, long bytes) {
    }

    /** One class's growth between two histograms. */
    record Growth(String className, long instances, long bytes) {
    }

    //    1:         17318        1640200  [B (java.base@17.0.15)
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)(?:\\s+\\(.*\\))?\\s*$");

    /** Takes a histogram of the live heap of this JVM (a full GC happens first). */
    static ClassHistogram ofLiveHeap() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName diagnostics = new ObjectName("com.sun.management:type=DiagnosticCommand");
            Object text = server.invoke(diagnostics, "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            return parse((String) text);
        } catch (JMException e) {
            throw new IllegalStateException("this JVM has no DiagnosticCommand MBean (GC.class_histogram): " + e, e);
        }
    }

    /** Parses the text of {@code GC.class_histogram}; the header and the Total line are skipped. */
    static ClassHistogram parse(String text) {
        Map<String, Count> byClass = new LinkedHashMap<>();
        for (String line : text.split("\\R")) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                // A class name can appear twice (same name, two class loaders): add them up.
                byClass.merge(row.group(3), new Count(Long.parseLong(row.group(1)), Long.parseLong(row.group(2))),
                        (a, b) -> new Count(a.instances() + b.instances(), a.bytes() + b.bytes()));
            }
        }
        if (byClass.isEmpty()) {
            throw new IllegalArgumentException("not a class histogram: no row in " + text.length() + " characters");
        }
        return new ClassHistogram(Map.copyOf(byClass));
    }

    /** Bytes of live objects, fillers left out. */
    long totalBytes() {
        return byClass.entrySet().stream().filter(e -> !isFiller(e.getKey())).mapToLong(e -> e.getValue().bytes()).sum();
    }

    /** Classes whose bytes grew from {@code before} to this histogram, the largest growth first. */
    List<Growth> grewSince(ClassHistogram before) {
        Set<String> names = new HashSet<>(byClass.keySet());
        names.addAll(before.byClass.keySet());
        List<Growth> growth = new ArrayList<>();
        Count none = new Count(0, 0);
        for (String name : names) {
            if (isFiller(name)) {
                continue;
            }
            Count now = byClass.getOrDefault(name, none);
            Count then = before.byClass.getOrDefault(name, none);
            long bytes = now.bytes() - then.bytes();
            if (bytes > 0) {
                growth.add(new Growth(name, now.instances() - then.instances(), bytes));
            }
        }
        growth.sort(Comparator.comparingLong(Growth::bytes).reversed().thenComparing(Growth::className));
        return growth;
    }

    /**
     * Filler objects ({@code jdk.internal.vm.FillerObject}, {@code FillerElement[]}, listed by recent JDKs)
     * are dead space the collector formats so the heap stays walkable, not objects anyone allocated: on
     * JDK 25 they "grow" by a few MB between two histograms, which is noise for a comparison.
     */
    static boolean isFiller(String className) {
        return className.startsWith("jdk.internal.vm.Filler") || className.startsWith("[Ljdk.internal.vm.Filler");
    }

    /** {@code [B} as {@code byte[]}, {@code [Ljava.lang.String;} as {@code java.lang.String[]}. */
    static String readableName(String jvmName) {
        int dimensions = 0;
        while (dimensions < jvmName.length() && jvmName.charAt(dimensions) == '[') {
            dimensions++;
        }
        if (dimensions == 0) {
            return jvmName;
        }
        String element = jvmName.substring(dimensions);
        String base = switch (element) {
            case "B" -> "byte";
            case "C" -> "char";
            case "S" -> "short";
            case "I" -> "int";
            case "J" -> "long";
            case "F" -> "float";
            case "D" -> "double";
            case "Z" -> "boolean";
            default -> element.startsWith("L") && element.endsWith(";")
                    ? element.substring(1, element.length() - 1) : element;
        };
        return base + "[]".repeat(dimensions);
    }
}
