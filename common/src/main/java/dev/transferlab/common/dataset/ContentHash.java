package dev.transferlab.common.dataset;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;

/**
 * Identifies a dataset's images for the feature cache. Sorted by path and taken over each file's own hash, so it
 * does not depend on the archive format, the order of its entries, a wrapping folder or hidden files.
 */
public final class ContentHash {
    /** Over each file's SHA-256: the same files give the same hash, in any upload. */
    public static final String CONTENT = "sha256";
    /**
     * Over each object's ETag and size, for data the platform did not upload and will not read in full up front: it
     * changes whenever an object is rewritten, which is what a cache key needs.
     */
    public static final String LISTING = "listing-sha256";

    private ContentHash() {
    }

    /** {@code scheme-hex}, over "path NUL fingerprint LF" for each path in order. */
    public static String of(String scheme, SortedMap<String, String> fingerprintByPath) {
        MessageDigest digest = sha256();
        for (Map.Entry<String, String> e : fingerprintByPath.entrySet()) {
            digest.update((e.getKey() + '\0' + e.getValue() + '\n').getBytes(StandardCharsets.UTF_8));
        }
        return scheme + "-" + HexFormat.of().formatHex(digest.digest());
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }
}
