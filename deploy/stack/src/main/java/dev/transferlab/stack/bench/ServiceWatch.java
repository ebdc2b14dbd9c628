package dev.transferlab.stack.bench;

import dev.transferlab.stack.ApiClient;
import dev.transferlab.stack.ServiceProcess;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Watches one service once a second while traffic runs: a process that exited is a crash and is started again (a
 * restart, as Kubernetes would), a liveness probe that does not answer 200 within 5 s is counted, and the highest
 * resident set (VmHWM) of any of its processes is kept.
 */
final class ServiceWatch {
    private final ServiceProcess service;
    private final ApiClient probe;
    private int crashes;
    private int restarts;
    private int livenessDown;
    private long peakResident;

    ServiceWatch(ServiceProcess service) {
        this.service = service;
        this.probe = new ApiClient(service.url()).withTimeout(Duration.ofSeconds(5));
    }

    /** One look; called from a single watching thread. */
    synchronized void check() {
        if (!service.isAlive()) {
            crashes++;
            System.out.println("  " + service.name() + " exited; starting it again");
            service.start();
            restarts++;
        }
        try {
            peakResident = Math.max(peakResident, ProcessMemory.of(service.pid()).peakResidentBytes());
        } catch (UncheckedIOException e) {
            // Exited between the two looks: the next look counts it.
        }
        try {
            if (probe.get("/q/health/live").status() != 200) {
                livenessDown++;
            }
        } catch (UncheckedIOException e) {
            livenessDown++;
        }
    }

    synchronized String report() {
        return String.format(Locale.ROOT, "%-15s crashes %d, restarts %d, liveness not UP %d times, peak resident "
                + "(VmHWM) %s", service.name(), crashes, restarts, livenessDown, ProcessMemory.mib(peakResident));
    }

    static void watchAll(List<ServiceWatch> watches, long untilNanos) {
        while (System.nanoTime() < untilNanos) {
            watches.forEach(ServiceWatch::check);
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        watches.forEach(ServiceWatch::check);
    }
}
