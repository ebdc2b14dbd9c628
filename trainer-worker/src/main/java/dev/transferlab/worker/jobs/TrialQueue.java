package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.SweepTrialRequest;

/**
 * Where the worker running a sweep hands over its trials, for every training worker to take (on Kubernetes and the
 * local stack: Kafka's sweep-trials topic). A trial handed over twice is trained once: {@link TrialSegments} skips
 * what is recorded.
 */
@FunctionalInterface
public interface TrialQueue {
    void offer(SweepTrialRequest trial);
}
