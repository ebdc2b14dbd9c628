package dev.transferlab.worker.ml;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NativeHeapTest {

    // Over glibc's largest mmap threshold (32 MB), under the size of a thread's arena (64 MB).
    private static final long BLOCK = 40L << 20;
    private static final long PAGES = BLOCK / 4096;

    @Test
    void aFreedLargeBlockIsReusedWithoutFaultingItsPagesInAgain() throws IOException {
        assumeTrue(Platform.isLinux(), "mallopt and /proc/self/stat are Linux's");
        assertTrue(NativeHeap.keepFreedMemory(), "glibc accepted the settings");
        touchAndFree(); // the first use of the block faults its pages in
        long before = minorFaults();
        touchAndFree();
        long faults = minorFaults() - before;
        // Without the settings glibc unmaps the 10,240 pages on free and faults all of them in again.
        assertTrue(faults < PAGES / 4, faults + " page faults for a block of " + PAGES + " pages used again");
    }

    private static void touchAndFree() {
        long address = Native.malloc(BLOCK);
        new Pointer(address).setMemory(0, BLOCK, (byte) 1);
        Native.free(address);
    }

    private static long minorFaults() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
    }
}
