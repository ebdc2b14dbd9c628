package dev.transferlab.api.datasets.archive;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any bytes uploaded as an archive give entries or {@link UnreadableArchive}; nothing else escapes (it would be a
 * 500), and the fuzzer's default memory limit bounds what one archive may make the reader hold. Seeds come from
 * {@link ArchiveSeeds}.
 */
class ArchiveReadersFuzzTest {

    /** The input is the tar itself, gzipped here, so that mutations reach the tar headers rather than the CRC. */
    @FuzzTest(maxDuration = "")
    void anyTarGzGivesEntriesOrIsUnreadable(byte[] tar) throws IOException {
        try (Archive archive = new TarGzArchive(new ByteArrayInputStream(RawTar.gzip(tar)))) {
            readAll(archive);
        } catch (UnreadableArchive expected) {
            // the documented refusal
        }
    }

    @FuzzTest(maxDuration = "")
    void anyZipGivesEntriesOrIsUnreadable(byte[] zip) throws IOException {
        Path file = Files.createTempFile("fuzz-", ".zip");
        try {
            Files.write(file, zip);
            try (Archive archive = new ZipArchive(file)) {
                readAll(archive);
            } catch (UnreadableArchive expected) {
                // the documented refusal
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void readAll(Archive archive) throws IOException {
        for (ArchiveEntry entry = archive.next(); entry != null; entry = archive.next()) {
            if (entry.name() == null || entry.type() == null) {
                throw new AssertionError("an entry without a name or type");
            }
            InputStream content = entry.content();
            long read = content.transferTo(OutputStream.nullOutputStream());
            if (entry.type() == ArchiveEntry.Type.FILE && read > Math.max(0, entry.size())) {
                throw new AssertionError(entry.name() + " gave " + read + " bytes, more than its " + entry.size());
            }
        }
    }
}
