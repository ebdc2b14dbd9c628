package dev.transferlab.api.datasets;

import dev.transferlab.common.dataset.ContentHash;
import dev.transferlab.common.dataset.DatasetManifest;
import dev.transferlab.common.dataset.ImageFolderLayout;
import dev.transferlab.common.dataset.SkippedFile;
import dev.transferlab.common.storage.ObjectLocation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the API answers about a new dataset, and stores as its manifest: the layout found, counts, the content hash
 * and every file left out. Pure, so an upload and a registration report alike.
 */
final class DatasetReport {

    /** What is known of one file by its path in the archive or under the prefix. */
    record FileFacts(String fingerprint, long size) {
    }

    private DatasetReport() {
    }

    /**
     * @param files       where the files are: the upload's or the registered prefix
     * @param facts       every candidate image by its path under {@code files}
     * @param hashScheme  {@link ContentHash#CONTENT} or {@link ContentHash#LISTING}
     * @param alsoSkipped files already left out before placing, such as non-images
     */
    static DatasetManifest manifest(String id, String tenant, String name, DatasetManifest.Kind kind,
                                    ObjectLocation files, ImageFolderLayout.Resolved layout,
                                    Map<String, FileFacts> facts, String hashScheme, List<SkippedFile> alsoSkipped,
                                    int minImagesPerClass) {
        TreeMap<String, String> fingerprints = new TreeMap<>();
        long bytes = 0;
        for (String path : layout.placed().keySet()) {
            FileFacts f = facts.get(layout.root() + path);
            fingerprints.put(path, f.fingerprint());
            bytes += f.size();
        }
        List<SkippedFile> skipped = new ArrayList<>(alsoSkipped);
        skipped.addAll(layout.skipped());
        return new DatasetManifest(DatasetManifest.SCHEMA_VERSION, id, tenant, name, kind, Instant.now(),
                files.child(layout.root()).toString(), layout.layout(), layout.classes(), layout.counts(),
                layout.placed().size(), bytes, ContentHash.of(hashScheme, fingerprints), skipped.size(),
                List.copyOf(skipped.subList(0, Math.min(skipped.size(), DatasetManifest.MAX_LISTED))),
                layout.warnings(minImagesPerClass));
    }
}
