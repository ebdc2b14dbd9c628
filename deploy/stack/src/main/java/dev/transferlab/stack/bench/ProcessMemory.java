package dev.transferlab.stack.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A process's resident memory as Linux accounts it ({@code /proc/<pid>/status}): heap, native allocations (PyTorch's
 * tensors, decoded images outside the heap) and mapped code alike, which is what a container's memory limit counts.
 *
 * @param residentBytes     {@code VmRSS}, now
 * @param peakResidentBytes {@code VmHWM}, the highest since the process started
 */
public record ProcessMemory(long residentBytes, long peakResidentBytes) {

    public static ProcessMemory of(long pid) {
        Path status = Path.of("/proc", String.valueOf(pid), "status");
        try {
            long rss = -1;
            long hwm = -1;
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    rss = kilobytes(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kilobytes(line);
                }
            }
            if (rss < 0 || hwm < 0) {
                throw new IllegalStateException(status + " has no VmRSS or VmHWM line");
            }
            return new ProcessMemory(rss * 1024, hwm * 1024);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + status + " (has the process exited?)", e);
        }
    }

    private static long kilobytes(String line) {
        // "VmHWM:\t  123456 kB"
        return Long.parseLong(line.substring(line.indexOf(':') + 1).replace("kB", "").trim());
    }

    public static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }
}
