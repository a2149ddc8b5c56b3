package perfmastery.cpu;

import java.util.List;
import java.util.stream.Collectors;

/** Live platform threads by name, to prove a teardown left none behind. */
final class Threads {

    private Threads() {
    }

    static List<String> liveNamed(String... names) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> List.of(names).contains(name) || startsWithAny(name, names))
                .collect(Collectors.toList());
    }

    private static boolean startsWithAny(String name, String... prefixes) {
        for (String prefix : prefixes) {
            if (prefix.endsWith("-") && name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
