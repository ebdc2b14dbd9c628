package dev.transferlab.api.datasets;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Builds the archives users upload, including the malicious ones, in memory. */
public final class TestArchives {
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final Map<String, String> links = new LinkedHashMap<>();

    public TestArchives file(String path, byte[] content) {
        files.put(path, content);
        return this;
    }

    public TestArchives text(String path, String content) {
        return file(path, content.getBytes(StandardCharsets.UTF_8));
    }

    public TestArchives link(String path, String target) {
        links.put(path, target);
        return this;
    }

    /** {@code perClass} PNGs in each class folder under {@code parent} ("" for the classes layout). */
    public TestArchives images(String parent, int perClass, String... classes) {
        for (String c : classes) {
            for (int i = 0; i < perClass; i++) {
                file(parent + c + "/" + i + ".png", png(c.hashCode() * 31 + i));
            }
        }
        return this;
    }

    public byte[] zip() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                zip.putArchiveEntry(new ZipArchiveEntry(f.getKey()));
                zip.write(f.getValue());
                zip.closeArchiveEntry();
            }
            for (Map.Entry<String, String> l : links.entrySet()) {
                ZipArchiveEntry entry = new ZipArchiveEntry(l.getKey());
                entry.setUnixMode(0120777);
                zip.putArchiveEntry(entry);
                zip.write(l.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public byte[] tarGz() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(tar());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The plain tar, for tests that append hand-written records to it. */
    public byte[] tar() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(f.getKey(), true);
                entry.setSize(f.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
            for (Map.Entry<String, String> l : links.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(l.getKey(), TarArchiveEntry.LF_SYMLINK, true);
                entry.setLinkName(l.getValue());
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static byte[] png(int seed) {
        BufferedImage image = new BufferedImage(24, 16, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(seed * 2654435761L > 0 ? (int) (seed * 2654435761L) & 0xffffff : seed & 0xffffff));
        g.fillRect(0, 0, 24, 16);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
