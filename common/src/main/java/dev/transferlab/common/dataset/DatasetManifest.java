package dev.transferlab.common.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A dataset as the platform knows it, stored as {@code datasets/<tenant>/<id>/manifest.json}. The manifest is written
 * last, so a dataset whose manifest exists is complete; object storage is its system of record.
 *
 * @param location     where its ImageFolder tree starts: {@code s3://bucket/prefix/}
 * @param counts       images per split and class; for the {@link Layout#CLASSES} layout, the split a job with the
 *                     default validation fraction makes
 * @param contentHash  identifies the images: the same files give the same hash, whatever the archive and its order
 * @param skipped      files left out and why (at most {@link #MAX_LISTED}); {@code skippedCount} counts them all
 * @param warnings     what would make training poor, such as classes with too few images
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetManifest(
        int schemaVersion,
        String id,
        String tenant,
        String name,
        Kind kind,
        Instant createdAt,
        String location,
        Layout layout,
        List<String> classes,
        Map<String, Map<String, Integer>> counts,
        int images,
        long bytes,
        String contentHash,
        int skippedCount,
        List<SkippedFile> skipped,
        List<String> warnings) {

    public static final int SCHEMA_VERSION = 1;
    public static final int MAX_LISTED = 1000;

    /** The manifest without its list of skipped files, for listings. */
    public DatasetManifest summary() {
        return new DatasetManifest(schemaVersion, id, tenant, name, kind, createdAt, location, layout, classes, counts,
                images, bytes, contentHash, skippedCount, null, warnings);
    }

    /** Uploaded datasets live in the platform's store and are immutable; registered ones stay where they were. */
    public enum Kind {
        UPLOAD, REGISTERED;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Layout {
        /** {@code train/<class>/…} with optional {@code val/} and {@code test/}. */
        SPLITS,
        /** {@code <class>/…}: each job holds out a stratified validation split. */
        CLASSES;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
