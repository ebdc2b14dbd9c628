package dev.transferlab.worker.backbone;

import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.worker.ml.Sha256;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Backbone weights by content: fetched from their source at most once, verified against the SHA-256 they are
 * expected to have, kept in the platform bucket under {@code backbones/sha256/<hex>} for every worker, and on each
 * worker's disk. A source whose name carries a hash (torchvision's {@code densenet121-a639ec97.pth}) is taken to be
 * immutable, so once one worker has fetched it, the others read the platform bucket instead. A source without one
 * may change, so it is fetched again by each worker that starts, unless its full SHA-256 is pinned.
 */
public final class BackboneWeightsStore {
    private static final Logger LOG = Logger.getLogger(BackboneWeightsStore.class.getName());

    private final ObjectStore store;
    private final WeightsFetcher fetcher;
    private final Path cacheDir;

    public BackboneWeightsStore(ObjectStore store, Path cacheDir) {
        this.store = store;
        this.fetcher = new WeightsFetcher(store);
        this.cacheDir = cacheDir;
    }

    /**
     * Local, verified weights from a source.
     *
     * @param expectedSha256 the full SHA-256 the file must have, or null to rely on the hash in its name, if any
     * @throws WeightsException when the source cannot be read or its content has another hash
     */
    public synchronized StoredWeights fetch(String source, String expectedSha256) {
        WeightsLocation location = WeightsLocation.parse(source);
        String expected = expectedSha256 != null && !expectedSha256.isBlank()
                ? expectedSha256.trim().toLowerCase(Locale.ROOT) : location.hashFromName().orElse(null);
        if (expectedSha256 != null && !expectedSha256.isBlank() && !WeightsLocation.isFullHash(expected)) {
            throw new WeightsException("the expected SHA-256 of " + source + " must be 64 hex digits, got '"
                    + expectedSha256 + "'");
        }
        try {
            Files.createDirectories(cacheDir);
            Optional<String> known = WeightsLocation.isFullHash(expected) ? Optional.of(expected)
                    : Optional.ofNullable(expected).flatMap(prefix -> remembered(location, prefix));
            if (known.isPresent()) {
                Optional<Path> file = local(known.get());
                if (file.isPresent()) {
                    return stored(source, known.get(), file.get());
                }
            }
            return fromSource(location, expected);
        } catch (IOException e) {
            throw new WeightsException("cannot fetch backbone weights from " + source + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new WeightsException("cannot fetch backbone weights from " + source + ": "
                    + e.getCause().getMessage(), e);
        }
    }

    /** The file with this hash from this worker's disk, or else from the platform bucket; verified either way. */
    private Optional<Path> local(String sha256) throws IOException {
        Path file = cacheDir.resolve(sha256);
        if (Files.isRegularFile(file) && Sha256.hex(file).equals(sha256)) {
            return Optional.of(file);
        }
        Path part = Files.createTempFile(cacheDir, "fetch-", ".part");
        try {
            if (store.download(contentAddress(sha256), part)) {
                String actual = Sha256.hex(part);
                if (actual.equals(sha256)) {
                    return Optional.of(Files.move(part, file, StandardCopyOption.REPLACE_EXISTING));
                }
                LOG.warning(() -> contentAddress(sha256) + " holds content with SHA-256 " + actual + "; ignoring it");
            }
            return Optional.empty();
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private StoredWeights fromSource(WeightsLocation location, String expected) throws IOException {
        Path part = Files.createTempFile(cacheDir, "fetch-", ".part");
        try {
            fetcher.copy(location, part);
            String actual = Sha256.hex(part);
            if (expected != null && !actual.startsWith(expected)) {
                throw new WeightsException("the backbone weights at " + location + " have SHA-256 " + actual
                        + " but " + (WeightsLocation.isFullHash(expected) ? "SHA-256 " : "a SHA-256 starting with ")
                        + expected + " was expected; they were discarded");
            }
            if (expected == null) {
                LOG.info(() -> location + " carries no hash in its name and none is pinned; it will be fetched again"
                        + " by each worker (pin SHA-256 " + actual + " to fetch it once)");
            }
            Path file = Files.move(part, cacheDir.resolve(actual), StandardCopyOption.REPLACE_EXISTING);
            ObjectLocation address = contentAddress(actual);
            if (!store.exists(address)) {
                store.put(address, file, "application/octet-stream");
            }
            if (expected != null && !WeightsLocation.isFullHash(expected)) {
                store.put(alias(location), actual.getBytes(StandardCharsets.US_ASCII), "text/plain");
            }
            return stored(location.source(), actual, file);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private Optional<String> remembered(WeightsLocation location, String prefix) {
        return store.get(alias(location)).map(bytes -> new String(bytes, StandardCharsets.US_ASCII).trim())
                .filter(hex -> WeightsLocation.isFullHash(hex) && hex.startsWith(prefix));
    }

    private StoredWeights stored(String source, String sha256, Path file) {
        ObjectLocation address = contentAddress(sha256);
        if (!store.exists(address)) {
            store.put(address, file, "application/octet-stream");
        }
        return new StoredWeights(source, sha256, file, address.toString());
    }

    private ObjectLocation contentAddress(String sha256) {
        return store.inDefaultBucket(StorageLayout.backboneWeights(sha256));
    }

    private ObjectLocation alias(WeightsLocation location) {
        return store.inDefaultBucket(StorageLayout.backboneSource(
                Sha256.hex(location.source().getBytes(StandardCharsets.UTF_8))));
    }
}
