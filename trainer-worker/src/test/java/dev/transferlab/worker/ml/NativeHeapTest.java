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

    // Over glibc's largest mmap threshold (32 MB): without the settings it is mapped afresh and unmapped on free.
    // The test runs with MALLOC_ARENA_MAX=1, as the worker does (the module's surefire configuration): in a thread's
    // arena, whether the block stays would depend on what earlier tests left in that arena.
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
