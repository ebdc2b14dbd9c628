package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.SweepRequest;
import dev.transferlab.common.messages.SweepTrial;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.worker.ml.HeadCheckpoint;
import dev.transferlab.worker.ml.WeightsFormatException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A sweep's area of object storage, where the workers that train its trials and the worker that runs it meet: per
 * trial and rung, a record of the trial trained that far ({@link Segment}), its checkpoint, or why it could not train.
 */
final class SweepArea {
    private final ObjectStore store;
    private final SweepRequest request;

    /** A trial trained up to a rung; {@code finished}: it will train no more (last rung, or stopped early). */
    record Segment(SweepTrial trial, int rung, boolean finished) {
    }

    SweepArea(ObjectStore store, SweepRequest request) {
        this.store = store;
        this.request = request;
    }

    /** How many trials were recorded by earlier runs of this sweep (0: it starts afresh). */
    int recordedTrials() {
        return (int) store.list(prefix()).stream().map(S3Object::key).filter(k -> k.endsWith(".json"))
                .map(k -> k.substring(0, k.lastIndexOf('/'))).distinct().count();
    }

    /** The keys of everything in the area now: one listing, to see which trials have reached their rung. */
    Set<String> keys() {
        return store.list(prefix()).stream().map(S3Object::key).collect(Collectors.toSet());
    }

    ObjectLocation location(int trial, int epochs, String kind) {
        return store.inDefaultBucket(StorageLayout.sweepTrial(request.tenant(), request.jobId(), trial, epochs, kind));
    }

    Optional<Segment> record(int trial, int epochs) {
        return store.get(location(trial, epochs, "json")).map(json -> {
            try {
                return Messages.mapper().readValue(json, Segment.class);
            } catch (IOException e) {
                throw new UncheckedIOException("unreadable record of trial " + trial, e);
            }
        });
    }

    void record(Segment segment) {
        store.put(location(segment.trial().trial(), segment.rung(), "json"),
                Messages.toJson(segment).getBytes(StandardCharsets.UTF_8), "application/json");
    }

    Optional<HeadCheckpoint> checkpoint(int trial, int epochs) {
        return store.get(location(trial, epochs, "checkpoint")).flatMap(bytes -> {
            try {
                return Optional.of(HeadCheckpoint.fromBytes(bytes));
            } catch (WeightsFormatException e) {
                return Optional.empty();
            }
        });
    }

    void checkpoint(int trial, HeadCheckpoint checkpoint) {
        store.put(location(trial, checkpoint.epoch(), "checkpoint"), checkpoint.toBytes(), "application/octet-stream");
    }

    void failed(int trial, int epochs, String reason) {
        store.put(location(trial, epochs, "failed"), reason.getBytes(StandardCharsets.UTF_8), "text/plain");
    }

    String failure(int trial, int epochs) {
        return store.get(location(trial, epochs, "failed")).map(b -> new String(b, StandardCharsets.UTF_8))
                .orElse("trial " + trial + " failed, and its reason is gone from storage");
    }

    void delete(int trial, int epochs, String kind) {
        store.delete(location(trial, epochs, kind));
    }

    void deleteAll() {
        store.deleteAll(prefix());
    }

    private ObjectLocation prefix() {
        return store.inDefaultBucket(StorageLayout.sweepPrefix(request.tenant(), request.jobId()));
    }
}
