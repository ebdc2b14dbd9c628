package dev.transferlab.worker.jobs;

import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.worker.ml.HeadCheckpoint;
import dev.transferlab.worker.ml.WeightsFormatException;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * A job's latest epoch checkpoint in object storage. One object, overwritten after every epoch: an S3 PUT replaces
 * an object atomically, so a reader sees the previous checkpoint or the new one, never half of one.
 */
public final class CheckpointStore {
    private static final Logger LOG = Logger.getLogger(CheckpointStore.class);

    private final ObjectStore store;

    public CheckpointStore(ObjectStore store) {
        this.store = store;
    }

    public void save(TrainingRequest job, HeadCheckpoint checkpoint) {
        store.put(location(job), checkpoint.toBytes(), "application/octet-stream");
    }

    /** The job's checkpoint, or empty when there is none or it is damaged: then the job starts again from epoch 1. */
    public Optional<HeadCheckpoint> load(TrainingRequest job) {
        return store.get(location(job)).flatMap(bytes -> {
            try {
                return Optional.of(HeadCheckpoint.fromBytes(bytes));
            } catch (WeightsFormatException e) {
                LOG.warnf("job %s: its checkpoint is damaged (%s); training starts again from the first epoch",
                        job.jobId(), e.getMessage());
                return Optional.empty();
            }
        });
    }

    public void delete(TrainingRequest job) {
        store.delete(location(job));
    }

    private ObjectLocation location(TrainingRequest job) {
        return store.inDefaultBucket(StorageLayout.checkpoint(job.tenant(), job.jobId()));
    }
}
