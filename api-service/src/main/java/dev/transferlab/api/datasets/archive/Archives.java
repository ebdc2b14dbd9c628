package dev.transferlab.api.datasets.archive;

import dev.transferlab.api.http.ProblemException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/** Opens an uploaded archive by what its first bytes are, whatever the Content-Type says. */
public final class Archives {
    private static final byte[] ZIP = {'P', 'K', 3, 4};
    private static final byte[] EMPTY_ZIP = {'P', 'K', 5, 6};
    private static final int GZIP_FIRST = 0x1f;
    private static final int GZIP_SECOND = 0x8b;

    private Archives() {
    }

    /**
     * @param spoolDir where a zip is written while it arrives (its central directory comes last); a tar.gz is read
     *                 as it arrives
     */
    public static Archive open(InputStream body, Path spoolDir) throws IOException {
        BufferedInputStream in = new BufferedInputStream(body, 64 * 1024);
        in.mark(ZIP.length);
        byte[] magic = in.readNBytes(ZIP.length);
        in.reset();
        if (Arrays.equals(magic, ZIP) || Arrays.equals(magic, EMPTY_ZIP)) {
            Path spooled = Files.createTempFile(spoolDir, "upload-", ".zip");
            try {
                Files.copy(in, spooled, StandardCopyOption.REPLACE_EXISTING);
                return new ZipArchive(spooled);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(spooled);
                throw e;
            }
        }
        if (magic.length >= 2 && (magic[0] & 0xff) == GZIP_FIRST && (magic[1] & 0xff) == GZIP_SECOND) {
            return new TarGzArchive(in);
        }
        throw new ProblemException(415, "Unsupported Media Type", magic.length == 0 ? "the body is empty; upload a "
                + "zip or tar.gz archive of an ImageFolder tree" : "the body is not a zip or tar.gz archive");
    }
}
