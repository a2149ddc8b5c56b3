package perfmastery.support;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * Virtual threads for a suite compiled at {@code --release 17}.
 *
 * <p>The JDK 21 API ({@code Executors.newVirtualThreadPerTaskExecutor()}, {@code Thread.ofVirtual()})
 * is resolved once, at run time, through method handles. On JDK 21+ the handles are direct calls
 * that the JIT inlines like any other; on JDK 17 they are absent, {@link #isAvailable()} says so and
 * every factory method throws {@link UnsupportedOperationException} with {@link #UNAVAILABLE_REASON}.
 *
 * <p>Why not a multi-release jar: built on JDK 17 it would silently lack the Java 21 classes.
 *
 * <p>Naming convention the runner relies on: a benchmark method or {@code @Param} value that needs
 * virtual threads has "virtual" in its name ({@code virtualThread}, {@code virtualThreads}), so that
 * run-benchmarks.sh can leave it out on JDK 17 and say why.
 */
public final class VirtualThreads {

    /** What the run and the report say where a variant needs virtual threads. */
    public static final String UNAVAILABLE_REASON = "needs JDK 21+";

    private static final MethodHandle NEW_PER_TASK_EXECUTOR;
    /** {@code Thread.ofVirtual().factory()}: thread-safe, so one serves every caller. */
    private static final ThreadFactory VIRTUAL_FACTORY;

    static {
        MethodHandle executor;
        ThreadFactory factory;
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        try {
            executor = lookup.findStatic(java.util.concurrent.Executors.class,
                    "newVirtualThreadPerTaskExecutor", MethodType.methodType(ExecutorService.class));
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            MethodHandle ofVirtual = lookup.findStatic(Thread.class, "ofVirtual",
                    MethodType.methodType(Class.forName("java.lang.Thread$Builder$OfVirtual")));
            MethodHandle toFactory = lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class));
            factory = (ThreadFactory) MethodHandles.filterReturnValue(ofVirtual,
                    toFactory.asType(MethodType.methodType(ThreadFactory.class, ofVirtual.type().returnType())))
                    .invoke();
        } catch (Throwable absentBeforeJdk21) {
            executor = null;
            factory = null;
        }
        NEW_PER_TASK_EXECUTOR = executor;
        VIRTUAL_FACTORY = factory;
    }

    private VirtualThreads() {
    }

    /** True on JDK 21+, where virtual threads are a final feature. */
    public static boolean isAvailable() {
        return NEW_PER_TASK_EXECUTOR != null && VIRTUAL_FACTORY != null;
    }

    /** Throws with {@link #UNAVAILABLE_REASON} unless {@link #isAvailable()}; call it in a {@code @Setup}. */
    public static void requireAvailable() {
        if (!isAvailable()) {
            throw new UnsupportedOperationException("virtual threads " + UNAVAILABLE_REASON
                    + " (running on Java " + Runtime.version().feature() + ")");
        }
    }

    /** {@code Executors.newVirtualThreadPerTaskExecutor()}: one new virtual thread per task. */
    public static ExecutorService newVirtualThreadPerTaskExecutor() {
        requireAvailable();
        try {
            return (ExecutorService) NEW_PER_TASK_EXECUTOR.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code Thread.ofVirtual().factory()}: unnamed virtual threads. */
    public static ThreadFactory factory() {
        requireAvailable();
        return VIRTUAL_FACTORY;
    }

    /** Starts {@code task} on a new virtual thread, like {@code Thread.startVirtualThread}. */
    public static Thread start(Runnable task) {
        Thread thread = factory().newThread(task);
        thread.start();
        return thread;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
