package perfmastery.io;

import perfmastery.files.ScratchDirectory;

import java.nio.file.Files;
import java.nio.file.Paths;

/** A run that makes its scratch folder, says where, and waits to be killed (ScratchDirectoryTest). */
public final class ScratchHolder {

    private ScratchHolder() {
    }

    public static void main(String[] args) throws Exception {
        ScratchDirectory scratch = ScratchDirectory.create(Paths.get(args[0]), "Holder",
                ScratchDirectory.FreeSpace.FILE_STORE, ScratchDirectory.Liveness.PROCESS_HANDLE);
        Files.write(scratch.resolve("held.bin"), new byte[4096]);
        System.out.println("folder " + scratch.folder());
        System.out.flush();
        Thread.sleep(120_000); // killed long before; exits by itself if the test dies
    }
}
