package dev.transferlab.api.datasets.archive;

import dev.transferlab.api.datasets.TestArchives;
import dev.transferlab.api.http.ProblemException;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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
    void aGnuLongNameDeclaringGigabytesIsRefusedBeforeItIsRead() {
        RawTar.Repeated name = noise();
        InputStream tar = new SequenceInputStream(new ByteArrayInputStream(
                RawTar.header("././@LongLink", 'L', 1_500_000_000L)), name);

        assertThatThrownBy(() -> read(RawTar.gzipping(tar))).isInstanceOf(UnreadableArchive.class)
                .hasMessageContaining("'././@LongLink'").hasMessageContaining("longer than 4096 bytes");
        assertThat(name.consumed()).isLessThan(1 << 20);
    }

    @Test
    void aGnuLongLinkAndAPaxHeaderDeclaringGigabytesAreRefusedBeforeTheyAreRead() {
        RawTar.Repeated link = noise();
        assertThatThrownBy(() -> read(RawTar.gzipping(new SequenceInputStream(new ByteArrayInputStream(
                RawTar.header("././@LongLink", 'K', 1_500_000_000L)), link))))
                .isInstanceOf(UnreadableArchive.class).hasMessageContaining("longer than 4096 bytes");
        assertThat(link.consumed()).isLessThan(1 << 20);

        RawTar.Repeated value = noise();
        InputStream pax = new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream(RawTar.header("PaxHeaders/big.png", 'x', 1_500_000_000L)),
                new ByteArrayInputStream("1499999990 path=".getBytes(StandardCharsets.US_ASCII)), value)));
        assertThatThrownBy(() -> read(RawTar.gzipping(pax))).isInstanceOf(UnreadableArchive.class)
                .hasMessageContaining("'PaxHeaders/big.png'").hasMessageContaining("longer than 16384 bytes");
        assertThat(value.consumed()).isLessThan(1 << 20);
    }

    @Test
    void aChainOfExtendedHeadersIsRefusedInsteadOfFollowed() {
        byte[] longName = new RawTar().entry("././@LongLink", 'L', "a\0".getBytes(StandardCharsets.US_ASCII))
                .records();
        InputStream tar = new SequenceInputStream(RawTar.repeated(longName, 200_000),
                new ByteArrayInputStream(new RawTar().file("a.txt", "x").tar()));

        assertThatThrownBy(() -> read(RawTar.gzipping(tar))).isInstanceOf(UnreadableArchive.class)
                .hasMessageContaining("more than 8 extended headers");
    }

    @Test
    void sparseFilesAreRefusedBeforeTheirMapIsRead() {
        assertThatThrownBy(() -> read(new RawTar().entry("train/a/old.png", 'S', new byte[0]).tarGz()))
                .isInstanceOf(UnreadableArchive.class).hasMessageContaining("'train/a/old.png' is a sparse file");

        // A map of 8 million one-digit numbers, shuffled so that gzip cannot shrink it much.
        byte[] block = new byte[64 * 1024];
        java.util.Random random = new java.util.Random(9);
        for (int i = 0; i < block.length; i += 2) {
            block[i] = (byte) ('0' + random.nextInt(10));
            block[i + 1] = '\n';
        }
        RawTar.Repeated map = RawTar.repeated(block, 256);
        byte[] paxSparse = new RawTar().pax("GNU.sparse.major=1", "GNU.sparse.minor=0", "GNU.sparse.name=a/b.png",
                "GNU.sparse.realsize=4000000000").records();
        InputStream tar = new SequenceInputStream(Collections.enumeration(List.of(new ByteArrayInputStream(paxSparse),
                new ByteArrayInputStream(RawTar.header("GNUSparseFile.0/b.png", '0', 16_000_000L)),
                new ByteArrayInputStream("4000000000\n".getBytes(StandardCharsets.US_ASCII)), map)));
        assertThatThrownBy(() -> read(RawTar.gzipping(tar))).isInstanceOf(UnreadableArchive.class)
                .hasMessageContaining("'PaxHeaders/x' is the header of a sparse file");
        assertThat(map.consumed()).isLessThan(1 << 20);
    }

    @Test
    void devicesAndFifosAreNeitherFilesNorFolders() throws IOException {
        byte[] tar = new RawTar().entry("train/a/tty", '3', new byte[0]).entry("train/a/disk", '4', new byte[0])
                .entry("train/a/pipe", '6', new byte[0]).file("train/a/1.txt", "x").tarGz();
        assertThat(read(tar)).containsExactly("train/a/tty OTHER 0 ", "train/a/disk OTHER 0 ", "train/a/pipe OTHER 0 ",
                "train/a/1.txt FILE 1 x");
    }

    @Test
    void tarNamesThatAreNotUtf8AreRefusedWithTheirBytesEscaped() {
        byte[] first = "train/cat/\u00ff\u00fe.jpg".getBytes(StandardCharsets.ISO_8859_1);
        byte[] second = "train/cat/\u00fe\u00ff.jpg".getBytes(StandardCharsets.ISO_8859_1);
        byte[] tar = new RawTar().entry(first, '0', new byte[] {1}).entry(second, '0', new byte[] {2}).tarGz();
        assertThatThrownBy(() -> read(tar)).isInstanceOf(UnreadableArchive.class)
                .hasMessageContaining("'train/cat/\\xff\\xfe.jpg' is not UTF-8");

        byte[] pax = new RawTar().pax(RawTar.concat("path=".getBytes(StandardCharsets.US_ASCII),
                "train/dog/\u00e9.jpg".getBytes(StandardCharsets.ISO_8859_1))).file("x.jpg", "x").tarGz();
        assertThatThrownBy(() -> read(pax)).isInstanceOf(UnreadableArchive.class)
                .hasMessageContaining("'train/dog/\\xe9.jpg' is not UTF-8");
    }

    @Test
    void utf8TarNamesArriveIntactFromTheHeaderAGnuLongNameOrAPaxPath() throws IOException {
        String deep = "train/Çat/" + "ü".repeat(60) + "/猫.txt";
        byte[] tar = new RawTar().file("train/Çat/1.txt", "a")
                .entry("././@LongLink", 'L', RawTar.concat(deep.getBytes(StandardCharsets.UTF_8), new byte[1]))
                .file("ignored", "b")
                .pax("path=train/Çat/é.txt").file("PaxHeaders/ignored", "c").tarGz();
        assertThat(read(tar)).containsExactly("train/Çat/1.txt FILE 1 a", deep + " FILE 1 b", "train/Çat/é.txt FILE 1 c");
    }

    @Test
    void zipNamesThatAreNotUtf8AreRefusedWithTheirBytesEscaped() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            zip.setEncoding("ISO-8859-1");
            zip.setUseLanguageEncodingFlag(false);
            zip.setCreateUnicodeExtraFields(ZipArchiveOutputStream.UnicodeExtraFieldPolicy.NEVER);
            for (String name : List.of("train/cat/\u00ff\u00fe.jpg", "train/cat/\u00fe\u00ff.jpg")) {
                zip.putArchiveEntry(new ZipArchiveEntry(name));
                zip.write(1);
                zip.closeArchiveEntry();
            }
        }
        assertThatThrownBy(() -> read(bytes.toByteArray())).isInstanceOf(UnreadableArchive.class)
                .hasMessageContaining("'train/cat/\\xff\\xfe.jpg' is not UTF-8");
        assertThat(Files.list(spool)).isEmpty();
    }

    @Test
    void zipEntriesCompressedWithMethodsNeedingOptionalLibrariesAreRefused() {
        byte[] zip = new TestArchives().text("train/cat/a.txt", "0123456789").zip();
        // Method 95 (XZ) in the local header and the central directory; found by the zip fuzz target, where it ended
        // in a NoClassDefFoundError for the XZ library.
        zip[8] = 95;
        zip[lastIndexOf(zip, new byte[] {'P', 'K', 1, 2}) + 10] = 95;
        assertThatThrownBy(() -> read(zip)).isInstanceOf(UnreadableArchive.class)
                .hasMessageContaining("'train/cat/a.txt' is compressed with zip method 95");
    }

    /** The zip fuzz target ran out of file descriptors: every way of failing must close the file it opened. */
    @Test
    void aZipThatCannotBeReadLeavesNoFileOpen() throws IOException {
        byte[] zip = new TestArchives().text("train/cat/a.txt", "0123456789").text("train/dog/b.txt", "x").zip();
        long before = openFiles();
        for (int length = 0; length < zip.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(zip, length);
            for (int flip : new int[] {-1, length / 2}) {
                if (flip >= 0 && flip < cut.length) {
                    cut[flip] ^= (byte) 0xff;
                }
                try {
                    read(cut);
                } catch (IOException | ProblemException refused) {
                    // what a damaged zip gets
                }
            }
        }
        assertThat(openFiles()).isLessThanOrEqualTo(before);
    }

    private static long openFiles() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
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

    /**
     * 16 MB of letters that gzip cannot shrink (a 64 KB random block, repeated beyond its window), so that what the
     * stream has given out is what the reader has taken.
     */
    private static RawTar.Repeated noise() {
        byte[] block = new byte[64 * 1024];
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) ('a' + random.nextInt(26));
        }
        return RawTar.repeated(block, 256);
    }

    private List<String> read(byte[] bytes) throws IOException {
        return read(new ByteArrayInputStream(bytes));
    }

    private List<String> read(InputStream body) throws IOException {
        List<String> seen = new ArrayList<>();
        try (Archive a = Archives.open(body, spool)) {
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
