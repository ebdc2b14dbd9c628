package dev.transferlab.deploy.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A base image in {@code docker save} form, for Jib's {@code tar://} base. The real base, UBI's OpenJDK runtime, is
 * pulled from registry.access.redhat.com, which this build cannot reach; the stand-in has one empty directory and no
 * JVM, so the images built on it are checked for what Quarkus and Jib put in them, not run.
 */
final class StandInBaseImage {
    private StandInBaseImage() {
    }

    static Path write(Path file) throws IOException {
        byte[] layer = tar(Map.of());
        ObjectMapper json = new ObjectMapper();
        byte[] config = json.writeValueAsBytes(Map.of("architecture", "amd64", "os", "linux",
                "config", Map.of("Env", List.of("PATH=/usr/local/bin:/usr/bin:/bin")),
                "rootfs", Map.of("type", "layers", "diff_ids", List.of("sha256:" + sha256(layer)))));
        byte[] manifest = json.writeValueAsBytes(List.of(Map.of("Config", "config.json",
                "RepoTags", List.of("transferlab/stand-in-base:1"), "Layers", List.of("layer.tar"))));
        Files.createDirectories(file.getParent());
        Files.write(file, tar(Map.of("layer.tar", layer, "config.json", config, "manifest.json", manifest)));
        return file;
    }

    private static byte[] tar(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
                entry.setSize(file.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(file.getValue());
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
