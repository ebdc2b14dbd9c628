package dev.transferlab.worker.backbone;

import java.nio.file.Path;

/**
 * Verified weights on this worker's disk.
 *
 * @param sha256         the file's SHA-256
 * @param contentAddress where every worker finds the same bytes: {@code s3://<bucket>/backbones/sha256/<sha256>}
 */
public record StoredWeights(String source, String sha256, Path file, String contentAddress) {
}
