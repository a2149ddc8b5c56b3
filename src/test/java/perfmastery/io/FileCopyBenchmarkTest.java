package perfmastery.io;

import perfmastery.files.ScratchDirectory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ManagementFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileCopyBenchmarkTest {

    /** Every variant, by name, as JMH calls it. */
    private interface Copy {
        long run(FileCopyBenchmark benchmark) throws IOException;
    }

    private static Map<String, Copy> variants() {
        Map<String, Copy> variants = new LinkedHashMap<>();
        variants.put("readAllThenWrite", FileCopyBenchmark::readAllThenWrite);
        variants.put("streamTransferTo", FileCopyBenchmark::streamTransferTo);
        variants.put("bufferedLoop64k", FileCopyBenchmark::bufferedLoop64k);
        variants.put("channelTransferTo", FileCopyBenchmark::channelTransferTo);
        variants.put("filesCopy", FileCopyBenchmark::filesCopy);
        return variants;
    }

    /** Sizes around the 64 KiB buffer's edges, and both defaults. */
    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "65535", "65536", "65537", "1048579", "1048576", "67108864"})
    void everyVariantMakesAByteIdenticalCopy(String size) throws Exception {
        FileCopyBenchmark benchmark = new FileCopyBenchmark();
        benchmark.size = size;
        benchmark.writeSource();
        Path folder = benchmark.folder();
        try {
            long bytes = Long.parseLong(size);
            assertEquals(bytes, Files.size(benchmark.source()));
            byte[] sourceHash = sha256(benchmark.source());
            for (Map.Entry<String, Copy> variant : variants().entrySet()) {
                // Twice: the second copy runs after the invocation teardown deleted the first target.
                for (int round = 0; round < 2; round++) {
                    assertFalse(Files.exists(benchmark.target()), variant.getKey() + " starts with no target");
                    long copied = variant.getValue().run(benchmark);
                    assertEquals(bytes, copied, variant.getKey() + " returns the bytes copied");
                    assertEquals(bytes, Files.size(benchmark.target()), variant.getKey());
                    assertArrayEquals(sourceHash, sha256(benchmark.target()), variant.getKey() + " copies exactly");
                    benchmark.deleteTarget();
                }
            }
        } finally {
            benchmark.deleteFiles();
        }
        assertFalse(Files.exists(folder), "teardown deletes the run's folder");
    }

    @Test
    void theSourceIsDeterministicAndNotTrivial() throws Exception {
        Path first = Files.createTempFile("copy-source", ".bin");
        Path second = Files.createTempFile("copy-source", ".bin");
        try {
            FileCopyBenchmark.writeDeterministic(first, 200_000);
            FileCopyBenchmark.writeDeterministic(second, 200_000);
            assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
            byte[] bytes = Files.readAllBytes(first);
            long zeros = 0;
            for (byte b : bytes) {
                zeros += b == 0 ? 1 : 0;
            }
            assertTrue(zeros < bytes.length / 100, "random bytes, not a file of zeros");
        } finally {
            Files.deleteIfExists(first);
            Files.deleteIfExists(second);
        }
    }

    @Test
    void tooLittleFreeSpaceFailsBeforeAnyFileIsMadeAndLeavesNoFolder(@TempDir Path parent) throws IOException {
        FileCopyBenchmark benchmark = new FileCopyBenchmark();
        benchmark.size = "67108864";
        ScratchDirectory.InsufficientSpaceException failure = assertThrows(
                ScratchDirectory.InsufficientSpaceException.class,
                () -> benchmark.writeSource(parent, folder -> 100L << 20));
        assertTrue(failure.getMessage().startsWith("not enough free disk space for FileCopyBenchmark size=67108864"
                + " (source and copy): needs 192.0 MiB"), failure.getMessage());
        try (var left = Files.list(parent)) {
            assertEquals(0, left.count(), "the run's folder was deleted again");
        }
    }

    @Test
    void sizesAreByteCountsWithOneLineErrors() {
        assertEquals(1_048_576, FileCopyBenchmark.parseSize("1048576"));
        assertEquals(67_108_864, FileCopyBenchmark.parseSize("67108864"));
        assertEquals(1L << 30, FileCopyBenchmark.parseSize("1073741824"));
        IllegalArgumentException words = assertThrows(IllegalArgumentException.class,
                () -> FileCopyBenchmark.parseSize("64MiB"));
        assertTrue(words.getMessage().contains("1048576"), words.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FileCopyBenchmark.parseSize("4294967296"));
    }

    /**
     * The allocation claims against real copies of a 4 MiB file, read from the JVM's count of the bytes
     * this thread allocated (what {@code -prof gc} sums over threads): every streamed copy stays within
     * the bound, which a copy that buffered even a sixteenth of the file would break, and
     * readAllThenWrite allocates at least the file. The invocation teardown is counted, as JMH counts it.
     */
    @Test
    void realCopiesAllocateWithinTheStreamedBoundAndReadAllAtLeastTheFile() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "needs the JVM's per-thread allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
        int fileBytes = 4 << 20;
        FileCopyBenchmark benchmark = new FileCopyBenchmark();
        benchmark.size = String.valueOf(fileBytes);
        benchmark.writeSource();
        try {
            Map<String, Double> perCopy = new LinkedHashMap<>();
            for (Map.Entry<String, Copy> variant : variants().entrySet()) {
                // The first copies load classes and fill the NIO layer's per-thread buffer cache.
                for (int warmup = 0; warmup < 3; warmup++) {
                    variant.getValue().run(benchmark);
                    benchmark.deleteTarget();
                }
                int copies = 4;
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int copy = 0; copy < copies; copy++) {
                    variant.getValue().run(benchmark);
                    benchmark.deleteTarget();
                }
                perCopy.put(variant.getKey(), (threads.getCurrentThreadAllocatedBytes() - before) / (double) copies);
            }
            assertTrue(perCopy.get("readAllThenWrite") >= fileBytes, perCopy.toString());
            assertTrue(perCopy.get("bufferedLoop64k") >= FileCopyBenchmark.BUFFER_BYTES,
                    "the counter sees the loop's own buffer: " + perCopy);
            for (String streamed : List.of("streamTransferTo", "bufferedLoop64k", "channelTransferTo", "filesCopy")) {
                assertTrue(perCopy.get(streamed) <= FileCopyBenchmark.STREAMED_ALLOCATION_BOUND,
                        streamed + " within the bound: " + perCopy);
            }
        } finally {
            benchmark.deleteFiles();
        }
    }

    static byte[] sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int read; (read = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, read);
            }
        }
        return digest.digest();
    }
}
