package perfmastery.process;

import java.util.Collection;
import java.util.OptionalLong;

/**
 * The resident memory of processes other packages start (a server of several child JVMs): {@link ProcMemory}'s
 * {@code VmRSS} reading, for a set of process ids. Empty where {@code /proc} has no reading (not Linux, a process
 * gone), never a guess.
 */
public final class ResidentSetSize {

    private ResidentSetSize() {
    }

    /** {@code VmRSS} of one process, in bytes. */
    public static OptionalLong of(long pid) {
        return ProcMemory.rssBytes(pid);
    }

    /**
     * The sum of {@code VmRSS} over {@code pids}, in bytes: what the processes hold resident together, each
     * counting the pages it shares with the others (the JDK's libraries, its class-data archive) as its own, as
     * {@code ps} and a container's memory accounting by process do. Empty when any one has no reading.
     */
    public static OptionalLong sum(Collection<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            OptionalLong rss = of(pid);
            if (rss.isEmpty()) {
                return OptionalLong.empty();
            }
            total += rss.getAsLong();
        }
        return pids.isEmpty() ? OptionalLong.empty() : OptionalLong.of(total);
    }
}
