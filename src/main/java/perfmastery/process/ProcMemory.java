package perfmastery.process;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.JMException;
import javax.management.ObjectName;

/**
 * What the operating system and the JVM say about a process's memory: resident and proportional set
 * sizes from Linux's {@code /proc}, and thread memory from Native Memory Tracking. Each reading is
 * empty where the source is absent (not Linux, NMT off), never a guess.
 */
final class ProcMemory {

    private static final Pattern NMT_THREAD = Pattern.compile("Thread \\(reserved=(\\d+)KB, committed=(\\d+)KB");
    private static final Pattern NMT_STACK = Pattern.compile("\\(stack: reserved=(\\d+)KB, committed=(\\d+)KB");

    private ProcMemory() {
    }

    /** Thread memory as NMT's summary reports it, in bytes: all of the Thread category, and its stacks. */
    record NmtThreads(long reservedBytes, long committedBytes, long stackReservedBytes, long stackCommittedBytes) {
    }

    /** {@code VmRSS} of a process: its pages resident in RAM, shared ones (libraries, the CDS archive) included. */
    static OptionalLong rssBytes(long pid) {
        return kibField(Paths.get("/proc", Long.toString(pid), "status"), "VmRSS:");
    }

    /** {@code VmRSS} of this JVM. */
    static OptionalLong ownRssBytes() {
        return rssBytes(ProcessHandle.current().pid());
    }

    /** {@code Pss} of a process: its resident pages, each shared page divided among the processes sharing it. */
    static OptionalLong pssBytes(long pid) {
        return kibField(Paths.get("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
    }

    /** A line "{@code name   123 kB}" of a /proc file, in bytes. */
    static OptionalLong kibField(Path file, String name) {
        try {
            List<String> lines = Files.readAllLines(file);
            return kibField(lines, name);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    static OptionalLong kibField(List<String> lines, String name) {
        for (String line : lines) {
            if (line.startsWith(name)) {
                String[] words = line.substring(name.length()).trim().split("\\s+");
                if (words.length == 2 && words[1].equals("kB")) {
                    return OptionalLong.of(Long.parseLong(words[0]) * 1024);
                }
            }
        }
        return OptionalLong.empty();
    }

    /** NMT's summary of this JVM, or null when the JVM was not started with {@code -XX:NativeMemoryTracking}. */
    static NmtThreads nativeMemoryThreads() {
        String summary;
        try {
            summary = String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()}));
        } catch (JMException | RuntimeException e) {
            return null;
        }
        return parseNmtThreads(summary);
    }

    /** The Thread category of an NMT summary (JDK 17 to 25 formats), or null when it has none. */
    static NmtThreads parseNmtThreads(String summary) {
        Matcher thread = NMT_THREAD.matcher(summary);
        Matcher stack = NMT_STACK.matcher(summary);
        if (!thread.find() || !stack.find(thread.end())) {
            return null;
        }
        return new NmtThreads(kib(thread.group(1)), kib(thread.group(2)), kib(stack.group(1)), kib(stack.group(2)));
    }

    private static long kib(String digits) {
        return Long.parseLong(digits) * 1024;
    }
}
