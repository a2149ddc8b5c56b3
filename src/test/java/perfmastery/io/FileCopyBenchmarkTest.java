package perfmastery.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
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

    @Test
    void theStreamedBoundIs64KibPlusTheJustifiedConstant() {
        assertEquals(65536 + 16384, FileCopyBenchmark.STREAMED_ALLOCATION_BOUND);
        assertEquals(65536, FileCopyBenchmark.BUFFER_BYTES);
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
