package perfmastery.io;

import perfmastery.files.ScratchDirectory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Relation;

/**
 * Guide parts 4.1 against 4.2: read the whole file into memory, then write it, against streaming it.
 *
 * <h2>The guide's claim</h2>
 * {@code fs.readFile} then {@code fs.writeFile} holds the whole file in memory at once: a 1 GiB file
 * costs a 1 GiB buffer, and a few concurrent requests exhaust the heap. A stream (or
 * {@code pipeline()}) moves the file through one small buffer, so memory stays flat whatever the size,
 * and the kernel can do the copy itself.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * Five ways to copy a file of {@code size} bytes to another file in the same folder, each returning
 * the number of bytes copied:
 * <ul>
 * <li>{@code readAllThenWrite}: {@code Files.readAllBytes} then {@code Files.write} (the guide's wrong
 * way). It allocates a {@code byte[]} of the whole file on every copy, read as B/op with
 * {@code -prof gc}; at 64 MiB that array is a humongous G1 allocation straight into the old
 * generation.</li>
 * <li>{@code streamTransferTo}: {@code InputStream.transferTo(OutputStream)}. One buffer per copy (8 KiB
 * on JDK 17, 16 KiB from JDK 21); on newer JDKs the file-to-file case is handed to the channels.</li>
 * <li>{@code bufferedLoop64k}: the classic loop over one 64 KiB {@code byte[]}, made per copy.</li>
 * <li>{@code channelTransferTo}: {@code FileChannel.transferTo}, which Linux does in the kernel
 * ({@code sendfile}, or {@code copy_file_range} on newer JDKs): the bytes never enter the Java
 * heap.</li>
 * <li>{@code filesCopy}: {@code Files.copy(Path, Path)}, the JDK's own native copy loop.</li>
 * </ul>
 * Every copy writes a new target file (the invocation teardown deletes the last one), so every variant
 * pays the same page-cache and file-system work for the target. The source is written once per trial from a fixed-seed random stream.
 *
 * <h2>What each variant asks of the kernel</h2>
 * Seen with {@code strace} on this machine (Linux, ext4), copying an 8 MiB file:
 * <ul>
 * <li>JDK 17: {@code channelTransferTo} and {@code filesCopy} both call {@code sendfile} for the whole
 * file; {@code streamTransferTo} makes 8 KiB {@code read}/{@code write} pairs (1024 of each);
 * {@code bufferedLoop64k} 64 KiB pairs; {@code readAllThenWrite} one read into the heap, one write.</li>
 * <li>JDK 25: {@code channelTransferTo}, {@code filesCopy} and {@code streamTransferTo} all call
 * {@code copy_file_range} (newer JDKs hand {@code transferTo} between file streams to the channel), so
 * {@code streamTransferTo} allocates no buffer at all.</li>
 * </ul>
 * So {@code streamTransferTo} is a user-space loop on JDK 17 and an in-kernel copy on newer JDKs: it
 * sits on neither side of a claim that must mean the same on every JDK. And "{@code channelTransferTo}
 * is the fastest" would be a contest between copies the kernel does alone with the same system call,
 * a coin flip; no claim is made on it.
 *
 * <h2>Claims</h2>
 * The guide's performance consequences, at 64 MiB, the size where a copy's own work dwarfs opening
 * two files (kind GUIDE; each claim's {@code basis} says where its factor comes from):
 * <ul>
 * <li><b>In the kernel against through user space.</b> {@code channelTransferTo} and {@code filesCopy}
 * copy each byte once, from the source's page cache to the target's; {@code bufferedLoop64k} copies it
 * twice, into its buffer and out again, with a pair of system calls per 64 KiB. One less copy through
 * user space is at most a factor of 2 if copying were all the work, and less, since the target's
 * page-cache and file-system work is the same for both: the principle gives the direction, so the
 * claims are "faster", factor 1.</li>
 * <li><b>Buffering the whole file.</b> {@code readAllThenWrite} makes the same two copies through user
 * space as {@code bufferedLoop64k}, but into a fresh 64 MiB array: the JVM zeroes it first, and both
 * copies go through main memory, where the loop's 64 KiB buffer stays in the CPU cache; the array is
 * also a humongous G1 allocation that costs collections. So streaming through one small buffer is
 * faster; no principle gives a factor: direction, factor 1.</li>
 * </ul>
 * How the JVM gets there (kind MECHANISM, true by construction or nearly): a streamed variant allocates
 * at most its buffer (64 KiB + a 16-byte array header for {@code bufferedLoop64k}, 8 KiB for
 * {@code streamTransferTo} on JDK 17, none for the kernel copies) plus about 1 KiB of stream, channel
 * and path objects per copy, and JMH's own iteration bookkeeping (a few KB) is spread over as few as
 * one or two copies per iteration at 64 MiB: hence the bound {@code 65536 + 16384} B/op at every size.
 * {@code readAllThenWrite} allocates at least the file's size per copy. {@code FileCopyBenchmarkTest}
 * checks both against the allocation of real copies, read from the JVM's per-thread counter.
 *
 * <h2>G1 humongous objects</h2>
 * An array of half a G1 region or more is allocated straight into the old generation. At 64 MiB
 * {@code readAllThenWrite}'s array is humongous at every region size (G1 picks at most 32 MiB). At
 * 1 MiB (1 MiB plus a 16-byte header) it is humongous when regions are 2 MiB or smaller: G1 aims at
 * 2048 regions, so that is a heap under 8 GiB, which the default heap (a quarter of the machine's
 * memory) is on any machine with less than 32 GiB, this one included. The streamed variants' buffers
 * are far below any region. {@code -Xlog:gc+init} prints a run's region size.
 *
 * <h2>What you should see</h2>
 * {@code readAllThenWrite} allocates the whole file on every copy, about a thousand times what
 * {@code bufferedLoop64k} allocates at 64 MiB; the streamed variants allocate the same at 1 MiB and at
 * 64 MiB. The copies the kernel does alone ({@code channelTransferTo}, {@code filesCopy}, and
 * {@code streamTransferTo} on newer JDKs) are the fastest at 64 MiB, and {@code readAllThenWrite} is
 * slower than the 64 KiB loop; between the in-kernel copies the order is a tie within the noise. (On
 * JDK 17 {@code streamTransferTo}'s 8 KiB loop makes eight times the loop's system calls and need not
 * beat {@code readAllThenWrite}; no claim is made on it.)
 * Figures: {@code results/reference/report.md#filecopybenchmark-avgt}, the reference run (JDK 17 and 25,
 * 3 forks per row, on a quiet machine; its sidecars hold the load average). The table that was here was
 * measured while other jobs shared the 2 cores, so it was removed.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- FileCopyBenchmark}; sizes are plain byte counts, so 1 GiB is
 * {@code ./run-benchmarks.sh -- FileCopyBenchmark -p size=1073741824} (it needs 2 GiB + 64 MiB free in
 * {@code java.io.tmpdir}; move it with {@code --jvm-args "-Djava.io.tmpdir=/a/bigger/disk"}, and give
 * {@code readAllThenWrite} the heap: {@code --jvm-args "-Xms3g -Xmx3g"}, which wins over the pinned 1 GiB since
 * the runner puts a user's flags after the lesson's own {@code jvmArgsPrepend}).
 *
 * <p>The heap is pinned ({@code -Xms1g -Xmx1g -XX:+AlwaysPreTouch}) so that the figures do not depend on
 * the host's memory (an unpinned heap is a quarter of it) or on the heap growing during a run: how often
 * G1 collects around a 64 MiB humongous array depends on the heap's size.
 *
 * <h2>What it does not measure</h2>
 * The disk. The source was just written, and a copy of 64 MiB fits in the page cache of any machine
 * this runs on, so every read is a memory copy from the page cache and every write lands in the page
 * cache; nothing waits for the device ({@code fsync} is never called). What is compared is the CPU and
 * memory cost of each way of moving bytes through the kernel, which is what the guide's advice is about.
 * On a copy-on-write file system (btrfs, XFS with reflink) {@code copy_file_range} may clone blocks
 * instead of copying them; the measured machine uses ext4.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsPrepend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Claim(id = "channelTransferTo-beats-user-space-loop-at-64MiB",
        text = "channelTransferTo (copied in the kernel) is faster than bufferedLoop64k (through user space) at 64 MiB",
        variant = "channelTransferTo", baseline = "bufferedLoop64k", relation = Relation.LOWER, factor = 1,
        params = "size=67108864", kind = Claim.Kind.GUIDE, basis = FileCopyBenchmark.IN_KERNEL_BASIS)
@Claim(id = "filesCopy-beats-user-space-loop-at-64MiB",
        text = "filesCopy (copied in the kernel) is faster than bufferedLoop64k (through user space) at 64 MiB",
        variant = "filesCopy", baseline = "bufferedLoop64k", relation = Relation.LOWER, factor = 1,
        params = "size=67108864", kind = Claim.Kind.GUIDE, basis = FileCopyBenchmark.IN_KERNEL_BASIS)
@Claim(id = "streaming-beats-readAll-at-64MiB",
        text = "streaming through one 64 KiB buffer (bufferedLoop64k) is faster than readAllThenWrite at 64 MiB",
        variant = "bufferedLoop64k", baseline = "readAllThenWrite", relation = Relation.LOWER, factor = 1,
        params = "size=67108864", kind = Claim.Kind.GUIDE,
        basis = "The guide: buffering a whole file costs memory and time. Both make the same two copies through"
                + " user space; readAllThenWrite also has the JVM zero a fresh 64 MiB array and moves every byte"
                + " through main memory twice more (into the array, out of it), where the loop's 64 KiB buffer"
                + " stays in the CPU cache, and the humongous array costs G1 collections. Its 2 system calls"
                + " instead of 2048 save far less than one pass over 64 MiB. No principle gives a factor:"
                + " direction only, factor 1.")
@Claim(id = "streamTransferTo-flat-memory",
        text = "streamTransferTo allocates at most 64 KiB + 16 KiB per copy at every size",
        variant = "streamTransferTo", metric = "gc.alloc.rate.norm", relation = Relation.LOWER,
        bound = FileCopyBenchmark.STREAMED_ALLOCATION_BOUND, kind = Claim.Kind.MECHANISM,
        basis = FileCopyBenchmark.BOUND_BASIS)
@Claim(id = "bufferedLoop64k-flat-memory",
        text = "bufferedLoop64k allocates at most 64 KiB + 16 KiB per copy at every size",
        variant = "bufferedLoop64k", metric = "gc.alloc.rate.norm", relation = Relation.LOWER,
        bound = FileCopyBenchmark.STREAMED_ALLOCATION_BOUND, kind = Claim.Kind.MECHANISM,
        basis = FileCopyBenchmark.BOUND_BASIS)
@Claim(id = "channelTransferTo-flat-memory",
        text = "channelTransferTo allocates at most 64 KiB + 16 KiB per copy at every size",
        variant = "channelTransferTo", metric = "gc.alloc.rate.norm", relation = Relation.LOWER,
        bound = FileCopyBenchmark.STREAMED_ALLOCATION_BOUND, kind = Claim.Kind.MECHANISM,
        basis = FileCopyBenchmark.BOUND_BASIS)
@Claim(id = "filesCopy-flat-memory",
        text = "filesCopy allocates at most 64 KiB + 16 KiB per copy at every size",
        variant = "filesCopy", metric = "gc.alloc.rate.norm", relation = Relation.LOWER,
        bound = FileCopyBenchmark.STREAMED_ALLOCATION_BOUND, kind = Claim.Kind.MECHANISM,
        basis = FileCopyBenchmark.BOUND_BASIS)
@Claim(id = "readAll-allocates-file-1MiB",
        text = "readAllThenWrite allocates at least the file's size per copy (1 MiB)",
        variant = "readAllThenWrite", metric = "gc.alloc.rate.norm", relation = Relation.HIGHER,
        bound = 1048576, params = "size=1048576", kind = Claim.Kind.MECHANISM,
        basis = "By construction: Files.readAllBytes returns one array holding the whole file.")
@Claim(id = "readAll-allocates-file-64MiB",
        text = "readAllThenWrite allocates at least the file's size per copy (64 MiB)",
        variant = "readAllThenWrite", metric = "gc.alloc.rate.norm", relation = Relation.HIGHER,
        bound = 67108864, params = "size=67108864", kind = Claim.Kind.MECHANISM,
        basis = "By construction: Files.readAllBytes returns one array holding the whole file.")
public class FileCopyBenchmark {

    /** 64 KiB of buffer plus 16 KiB for the per-copy objects and JMH's per-iteration share (see Javadoc). */
    static final double STREAMED_ALLOCATION_BOUND = 65536 + 16384;

    static final String BOUND_BASIS = "A streamed copy holds at most one buffer, 64 KiB (bufferedLoop64k's; 8 KiB"
            + " for streamTransferTo on JDK 17, none in the kernel copies), whatever the file's size. 16 KiB more"
            + " covers the copy's stream, channel and path objects (about 1 KiB) and JMH's own bookkeeping of an"
            + " iteration (a few KB), which at 64 MiB is spread over as few as one or two copies.";

    static final String IN_KERNEL_BASIS = "The guide: let the kernel do the copy. An in-kernel copy (sendfile or"
            + " copy_file_range) moves each byte once, page cache to page cache; the user-space loop moves it twice,"
            + " into its buffer and out again, with a pair of system calls per 64 KiB. One less copy is at most 2x"
            + " if copying were all the work, less since the target's page-cache and file-system work is shared:"
            + " the principle gives the direction only, factor 1.";

    static final int BUFFER_BYTES = 64 * 1024;

    /** Bytes in the source file: plain numbers, so claims and {@code -p} name them exactly (1 MiB, 64 MiB). */
    @Param({"1048576", "67108864"})
    public String size;

    private ScratchDirectory scratch;
    private Path source;
    private Path target;
    private long sourceBytes;

    @Setup(Level.Trial)
    public void writeSource() throws IOException {
        writeSource(ScratchDirectory.defaultParent(), ScratchDirectory.FreeSpace.FILE_STORE);
    }

    void writeSource(Path parent, ScratchDirectory.FreeSpace freeSpace) throws IOException {
        long bytes = parseSize(size);
        scratch = ScratchDirectory.create(parent, "FileCopyBenchmark", freeSpace,
                ScratchDirectory.Liveness.PROCESS_HANDLE);
        try {
            scratch.requireSpace(2 * bytes, "FileCopyBenchmark size=" + size + " (source and copy)");
            source = scratch.resolve("source.bin");
            target = scratch.resolve("target.bin");
            writeDeterministic(source, bytes);
            sourceBytes = bytes;
        } catch (IOException | RuntimeException failure) {
            scratch.close();
            throw failure;
        }
    }

    /**
     * Every copy starts with no target file. A target truncated in place would be unfair twice over:
     * {@code Files.copy} deletes it while the others truncate it, and ext4 starts device writeback when
     * a file truncated to zero is written and closed ({@code auto_da_alloc}), which would bring the disk
     * into a page-cache measurement. {@code Level.Invocation} is affordable here: a copy takes hundreds
     * of microseconds at least, against JMH's fixture overhead of well under a microsecond.
     */
    @TearDown(Level.Invocation)
    public void deleteTarget() throws IOException {
        Files.deleteIfExists(target);
    }

    @TearDown(Level.Trial)
    public void deleteFiles() throws IOException {
        if (scratch != null) {
            scratch.close();
        }
    }

    static long parseSize(String size) {
        long bytes;
        try {
            bytes = Long.parseLong(size.trim());
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException("size must be a byte count such as 1048576, not '" + size + "'");
        }
        if (bytes < 0 || bytes > Integer.MAX_VALUE - 8) {
            // readAllBytes cannot hold more in one array.
            throw new IllegalArgumentException("size must be between 0 and " + (Integer.MAX_VALUE - 8)
                    + " bytes (readAllThenWrite keeps it in one array), not " + size);
        }
        return bytes;
    }

    /** Fixed-seed bytes, so every run copies the same content and nothing compresses or dedups it. */
    static void writeDeterministic(Path file, long bytes) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        byte[] chunk = new byte[BUFFER_BYTES];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < bytes; written += chunk.length) {
                for (int i = 0; i < chunk.length; i += 8) {
                    long value = random.nextLong();
                    for (int b = 0; b < 8; b++) {
                        chunk[i + b] = (byte) (value >>> (8 * b));
                    }
                }
                out.write(chunk, 0, (int) Math.min(chunk.length, bytes - written));
            }
        }
    }

    @Benchmark
    public long readAllThenWrite() throws IOException {
        byte[] whole = Files.readAllBytes(source);
        Files.write(target, whole);
        return whole.length;
    }

    @Benchmark
    public long streamTransferTo() throws IOException {
        try (InputStream in = Files.newInputStream(source);
             OutputStream out = Files.newOutputStream(target)) {
            return in.transferTo(out);
        }
    }

    @Benchmark
    public long bufferedLoop64k() throws IOException {
        try (InputStream in = Files.newInputStream(source);
             OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[BUFFER_BYTES];
            long copied = 0;
            for (int read; (read = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, read);
                copied += read;
            }
            return copied;
        }
    }

    @Benchmark
    public long channelTransferTo() throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            long total = in.size();
            long copied = 0;
            // transferTo may move fewer bytes than asked (2 GiB per call on Linux): loop until done.
            while (copied < total) {
                copied += in.transferTo(copied, total - copied, out);
            }
            return copied;
        }
    }

    @Benchmark
    public long filesCopy() throws IOException {
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        // Files.copy returns nothing; a stat of the target would add a syscall only this variant pays.
        return sourceBytes;
    }

    // For tests: where the copy went.
    Path source() {
        return source;
    }

    Path target() {
        return target;
    }

    Path folder() {
        return scratch.folder();
    }
}
