package dev.transferlab.api.datasets;

import dev.transferlab.api.datasets.archive.Archive;
import dev.transferlab.api.datasets.archive.ArchiveEntry;
import dev.transferlab.api.images.ImageFormats;
import dev.transferlab.common.dataset.ImageFolderLayout;
import dev.transferlab.common.dataset.SkippedFile;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Moves one archive's images into object storage, entry by entry: each file is checked, its first bytes tell whether
 * it is an image, and an image streams on to the store with its SHA-256 taken on the way. At most one entry is in
 * flight, and only through a small buffer.
 */
final class ArchiveIngest {

    /** An image now in the store. */
    record StoredImage(String sha256, long size) {
    }

    private final ObjectStore store;
    private final ObjectLocation files;
    private final UploadLimits.Tally tally;
    private final Map<String, StoredImage> images = new TreeMap<>();
    private final List<SkippedFile> skipped = new ArrayList<>();
    private final ClaimedPaths claimed = new ClaimedPaths();

    ArchiveIngest(ObjectStore store, ObjectLocation files, UploadLimits.Tally tally) {
        this.store = store;
        this.files = files;
        this.tally = tally;
    }

    Map<String, StoredImage> images() {
        return images;
    }

    /** Files that are not images; hidden files are ignored without a word. */
    List<SkippedFile> skipped() {
        return skipped;
    }

    void readAll(Archive archive) throws IOException {
        for (ArchiveEntry entry = archive.next(); entry != null; entry = archive.next()) {
            tally.entry();
            String path = EntryNames.safePath(entry.name());
            switch (entry.type()) {
                case LINK -> throw EntryNames.refused(entry.name(), "is a link; archives may hold only files and "
                        + "folders");
                case OTHER -> throw EntryNames.refused(entry.name(), "is not a regular file");
                case DIRECTORY -> {
                    continue;
                }
                case FILE -> {
                    if (!path.isEmpty()) {
                        file(path, entry);
                    }
                }
            }
        }
    }

    private void file(String path, ArchiveEntry entry) throws IOException {
        tally.file(path, entry.size());
        if (ImageFolderLayout.isHidden(path)) {
            return;
        }
        claimed.claim(path, entry.name());
        if (entry.size() < 0) {
            throw EntryNames.refused(entry.name(), "has no declared size");
        }
        BufferedInputStream in = new BufferedInputStream(entry.content(), ImageFormats.HEADER_BYTES);
        in.mark(ImageFormats.HEADER_BYTES);
        byte[] header = in.readNBytes(ImageFormats.HEADER_BYTES);
        in.reset();
        Optional<String> format = ImageFormats.formatOf(header).filter(ImageFormats.DATASET_FORMATS::contains);
        if (format.isEmpty()) {
            skipped.add(new SkippedFile(path, "not an image: no JPEG, PNG, GIF, BMP or TIFF signature"));
            return;
        }
        ContentDigest digest = new ContentDigest(in);
        store.put(files.child(path), digest, entry.size(), "image/" + format.get());
        images.put(path, new StoredImage(digest.hex(), entry.size()));
    }
}
