package dev.transferlab.worker.ml;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Keeps the engine's freed tensor memory in the process instead of handing it back to the kernel. glibc's malloc
 * serves blocks over its mmap threshold (128 KB at first, raised as blocks are freed, to 32 MB at most) with fresh
 * pages and unmaps them on free, so DenseNet121's larger activations (25 MB each at batch 8) were faulted in page by
 * page, zeroed by the kernel, on every batch: 12,256 minor page faults per image at batch 8 and a fifth of the CPU
 * time in the kernel (bench/densenet121.sh's pageFaultsPerImage and kernelShare). With mmap and trimming off, the next
 * batch reuses the same pages (1,843 faults per image). glibc still maps blocks larger than a thread's arena (64 MB)
 * afresh; only MALLOC_ARENA_MAX=1 in the environment, read before any thread starts, sends those to the main heap.
 * The resident set stays at its high-water mark, which the next batch needs again anyway.
 */
public final class NativeHeap {

    // glibc's malloc.h
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_MAX = -4;

    private static boolean kept;

    private NativeHeap() {
    }

    private interface C extends Library {
        int mallopt(int param, int value);
    }

    /** Asks glibc to keep freed memory; true if it agreed, false where it cannot (not glibc, not Linux). */
    public static synchronized boolean keepFreedMemory() {
        if (kept) {
            return true;
        }
        if (!Platform.isLinux()) {
            return false;
        }
        try {
            C c = Native.load("c", C.class);
            kept = c.mallopt(M_MMAP_MAX, 0) == 1 && c.mallopt(M_TRIM_THRESHOLD, Integer.MAX_VALUE) == 1;
        } catch (UnsatisfiedLinkError e) {
            kept = false; // musl and others have no mallopt: nothing to change there
        }
        return kept;
    }
}
