package perfmastery.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

class VirtualThreadsTest {

    private static boolean isVirtual(Thread thread) throws ReflectiveOperationException {
        Method isVirtual = Thread.class.getMethod("isVirtual");
        return (boolean) isVirtual.invoke(thread);
    }

    @Test
    void availableExactlyFromJdk21() {
        assertEquals(Runtime.version().feature() >= 21, VirtualThreads.isAvailable());
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void executorRunsEachTaskOnAVirtualThread() throws Exception {
        ExecutorService executor = VirtualThreads.newVirtualThreadPerTaskExecutor();
        try {
            Future<Boolean> ranVirtual = executor.submit(() -> isVirtual(Thread.currentThread()));
            assertTrue(ranVirtual.get());
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void startRunsTheTaskOnAVirtualThread() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        Thread thread = VirtualThreads.start(() -> ran.set(true));
        thread.join();
        assertTrue(ran.get());
        assertTrue(isVirtual(thread));
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void saysWhyWhenUnavailable() {
        assertFalse(VirtualThreads.isAvailable());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                VirtualThreads::newVirtualThreadPerTaskExecutor);
        assertTrue(e.getMessage().contains(VirtualThreads.UNAVAILABLE_REASON), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> VirtualThreads.start(() -> { }));
    }
}
