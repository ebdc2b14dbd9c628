package dev.transferlab.worker.messaging;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The one thread a worker runs its jobs on, training and batch predictions alike: one job at a time per worker (its
 * {@code Draining} slot holds one), a plain thread rather than a Vert.x worker, as a job runs for minutes or hours and
 * Vert.x's blocked-thread checker would report it every few seconds. A command that arrives while another job runs
 * waits here, unacknowledged.
 */
@ApplicationScoped
public class JobThread {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "training-job"));

    public <T> CompletableFuture<T> run(Supplier<T> job) {
        return CompletableFuture.supplyAsync(job, thread);
    }

    @PreDestroy
    void stop() {
        // The running job has been released by GracefulShutdown already; this only ends the idle thread.
        thread.shutdown();
    }
}
