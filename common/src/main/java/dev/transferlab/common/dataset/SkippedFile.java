package dev.transferlab.common.dataset;

/** A file of a dataset that is not used, and why, in words the uploader can act on. */
public record SkippedFile(String path, String reason) {
}
