package dev.transferlab.api.datasets.archive;

import dev.transferlab.api.datasets.TestArchives;
import dev.transferlab.api.http.ProblemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchivesTest {
    @TempDir
    Path spool;

    private final TestArchives archive = new TestArchives().text("train/Çat/1.txt", "hello")
            .text("train/dog/2.txt", "world!").link("train/dog/evil.png", "/etc/passwd");

    @Test
    void zipEntriesComeWithTypeSizeAndContentAndTheSpooledFileIsRemoved() throws IOException {
        List<String> seen = read(archive.zip());
        assertThat(seen).containsExactly("train/Çat/1.txt FILE 5 hello", "train/dog/2.txt FILE 6 world!",
                "train/dog/evil.png LINK 11 ");
        assertThat(Files.list(spool)).isEmpty();
    }

    @Test
    void tarGzEntriesComeWithTypeSizeAndContent() throws IOException {
        assertThat(read(archive.tarGz())).containsExactly("train/Çat/1.txt FILE 5 hello",
                "train/dog/2.txt FILE 6 world!", "train/dog/evil.png LINK 0 ");
    }

    @Test
    void aZipCannotInflateMoreThanItDeclares() throws IOException {
        byte[] zip = new TestArchives().text("a.txt", "0123456789").zip();
        // Patch the central directory's uncompressed size of the only entry from 10 down to 4.
        int cd = lastIndexOf(zip, new byte[] {'P', 'K', 1, 2});
        zip[cd + 24] = 4;
        try (Archive a = Archives.open(new ByteArrayInputStream(zip), spool)) {
            ArchiveEntry entry = a.next();
            assertThat(entry.size()).isEqualTo(4);
            assertThat(entry.content().readAllBytes()).hasSizeLessThanOrEqualTo(4);
        } catch (IOException e) {
            // commons-compress may also notice the mismatch itself: refusing is as good as truncating.
            assertThat(e).isNotNull();
        }
    }

    @Test
    void anythingElseIsUnsupported() {
        for (byte[] body : new byte[][] {"just text".getBytes(StandardCharsets.UTF_8), new byte[0]}) {
            assertThatThrownBy(() -> Archives.open(new ByteArrayInputStream(body), spool))
                    .isInstanceOf(ProblemException.class)
                    .satisfies(e -> assertThat(((ProblemException) e).problem().status()).isEqualTo(415));
        }
    }

    private List<String> read(byte[] bytes) throws IOException {
        List<String> seen = new ArrayList<>();
        try (Archive a = Archives.open(new ByteArrayInputStream(bytes), spool)) {
            for (ArchiveEntry e = a.next(); e != null; e = a.next()) {
                seen.add(e.name() + " " + e.type() + " " + e.size() + " "
                        + (e.type() == ArchiveEntry.Type.FILE ? new String(e.content().readAllBytes(),
                        StandardCharsets.UTF_8) : ""));
            }
        }
        return seen;
    }

    private static int lastIndexOf(byte[] haystack, byte[] needle) {
        for (int i = haystack.length - needle.length; i >= 0; i--) {
            boolean match = true;
            for (int j = 0; j < needle.length && match; j++) {
                match = haystack[i + j] == needle[j];
            }
            if (match) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
