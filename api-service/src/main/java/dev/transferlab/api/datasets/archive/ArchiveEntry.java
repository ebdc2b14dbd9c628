package dev.transferlab.api.datasets.archive;

import java.io.InputStream;

/**
 * One entry of an uploaded archive, as the archive describes it. {@code content} is readable until the next entry is
 * asked for, and only for {@link Type#FILE}.
 *
 * @param size the size the archive declares; readers never get more bytes than this
 */
public record ArchiveEntry(String name, Type type, long size, InputStream content) {

    public enum Type { FILE, DIRECTORY, LINK, OTHER }
}
