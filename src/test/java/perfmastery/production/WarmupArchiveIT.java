package perfmastery.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import org.junit.jupiter.api.Test;

import perfmastery.process.AppClassArchive;

/**
 * {@code firstResponseFromArchive} from the built jar (the JVM archives classes from jars only, so this
 * cannot run from the test class folders): the archive is trained, the archived child answers its first
 * request right, and the archive's folder is gone after the teardown.
 */
class WarmupArchiveIT {

    @Test
    void theArchivedChildAnswersItsFirstRequestRight() throws Exception {
        assumeTrue(AppClassArchive.defaultCdsArchivePresent(), "this JDK has no CDS archive to build on");
        WarmupBenchmark benchmark = new WarmupBenchmark();
        benchmark.prepare(List.of(), jar().toString());
        Path folder;
        try {
            benchmark.prepareArchive();
            assertNotNull(benchmark.archive());
            folder = benchmark.archive().file().getParent();
            assertEquals(OrderRequestHandler.expectedResponse(0), benchmark.firstResponseFromArchive());
            benchmark.finishIteration();
            assertEquals(OrderRequestHandler.expectedChecksum(1), benchmark.lastChildRun().checksum());
        } finally {
            benchmark.tearDown();
        }
        assertFalse(Files.exists(folder), "the archive's folder is deleted at teardown");
    }

    private static Path jar() {
        String jar = System.getProperty("benchmarksJar");
        assertNotNull(jar, "failsafe passes -DbenchmarksJar");
        Path path = Paths.get(jar);
        assertTrue(Files.isRegularFile(path), "no jar at " + path);
        return path;
    }
}
