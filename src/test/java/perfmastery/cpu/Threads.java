package perfmastery.cpu;

import java.util.ArrayList;
import java.util.List;

/** Live platform threads by name, to prove a teardown left none behind. */
public final class Threads {

    private Threads() {
    }

    /**
     * Threads named one of {@code names} (or starting with one that ends in "-") still alive after a short
     * join: a pool's worker can still be leaving run() for an instant after awaitTermination returns.
     */
    public static List<String> liveNamed(String... names) throws InterruptedException {
        List<String> live = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (matches(thread.getName(), names)) {
                thread.join(2_000);
                if (thread.isAlive()) {
                    live.add(thread.getName());
                }
            }
        }
        return live;
    }

    private static boolean matches(String name, String... names) {
        for (String candidate : names) {
            if (name.equals(candidate) || (candidate.endsWith("-") && name.startsWith(candidate))) {
                return true;
            }
        }
        return false;
    }
}
