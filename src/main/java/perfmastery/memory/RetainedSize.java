package perfmastery.memory;

import org.openjdk.jol.info.GraphLayout;

/**
 * Bytes reachable from an object graph, measured with JOL, configured once for what these lessons walk.
 *
 * <p>Lambdas are hidden classes, and {@code Unsafe.objectFieldOffset} refuses their fields ("can't get
 * field offset on a hidden class"): a closure, the very thing the closure lesson measures, would make
 * {@code GraphLayout} throw. JOL's documented way around is {@code -Djol.magicFieldOffset=true}, which
 * finds the offsets by another route; it is set here, before JOL reads it, unless the user set it.
 */
final class RetainedSize {

    static {
        if (System.getProperty("jol.magicFieldOffset") == null) {
            System.setProperty("jol.magicFieldOffset", "true");
        }
    }

    private RetainedSize() {
    }

    /** Makes sure the JOL configuration above is in place before any other JOL call of the caller. */
    static void configureJol() {
        // Running the static initializer is the point.
    }

    /** Total bytes of every object reachable from {@code root}, root included (JOL's GraphLayout). */
    static long of(Object root) {
        return GraphLayout.parseInstance(root).totalSize();
    }
}
