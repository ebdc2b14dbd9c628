package dev.transferlab.api.datasets.archive;

import dev.transferlab.api.datasets.TestArchives;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the seed corpora of {@link ArchiveReadersFuzzTest} and {@code EntryNamesFuzzTest}: a few valid archives and
 * one of each hostile kind, each a few KB. Run from api-service with the test classpath:
 * {@code java -cp target/test-classes:target/classes:$(cat cp.txt) dev.transferlab.api.datasets.archive.ArchiveSeeds}
 */
public final class ArchiveSeeds {
    private static final Path RESOURCES = Path.of("src/test/resources/dev/transferlab/api/datasets");

    private ArchiveSeeds() {
    }

    public static void main(String[] args) throws IOException {
        write(RESOURCES.resolve("archive/ArchiveReadersFuzzTestInputs/anyTarGzGivesEntriesOrIsUnreadable"), tars());
        write(RESOURCES.resolve("archive/ArchiveReadersFuzzTestInputs/anyZipGivesEntriesOrIsUnreadable"), zips());
        Map<String, byte[]> names = new LinkedHashMap<>();
        for (String name : new String[] {"train/cat/1.jpg", "./pets\\train//dog/./2.png", "../evil", "/etc/passwd",
                "C:\\x", "a/" + "b".repeat(300), "猫/".repeat(20) + "x", "a\0b", ".DS_Store"}) {
            names.put("name-" + names.size(), name.getBytes(StandardCharsets.UTF_8));
        }
        write(RESOURCES.resolve("EntryNamesFuzzTestInputs/anyNameIsMadeSafeOrRefused"), names);
    }

    private static Map<String, byte[]> tars() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] valid = new RawTar().file("train/cat/1.txt", "a").entry("train/dog/", '5', new byte[0])
                .file("train/dog/2.txt", "b").tar();
        seeds.put("valid", valid);
        seeds.put("posix-long-names", trimmed(new TestArchives().text("train/Çat/" + "x".repeat(120) + ".txt", "c")
                .link("train/a/link", "../x").tar()));
        seeds.put("gnu-long-name", new RawTar().entry("././@LongLink", 'L',
                ("train/cat/" + "y".repeat(150) + "\0").getBytes(StandardCharsets.UTF_8)).file("z", "d").tar());
        seeds.put("gnu-long-name-oversized", new RawTar().raw(RawTar.header("././@LongLink", 'L', 1_500_000_000L))
                .raw(new byte[RawTar.RECORD]).tar());
        seeds.put("pax-path", new RawTar().pax("path=train/é/1.txt", "mtime=1700000000.5").file("p", "e").tar());
        seeds.put("pax-not-utf8", new RawTar().pax(RawTar.concat("path=".getBytes(StandardCharsets.US_ASCII),
                new byte[] {(byte) 0xff, (byte) 0xfe})).file("p", "f").tar());
        seeds.put("pax-sparse", new RawTar().pax("GNU.sparse.major=1", "GNU.sparse.minor=0",
                "GNU.sparse.realsize=100").file("s", "3\n0\n1\n").tar());
        seeds.put("old-gnu-sparse", new RawTar().entry("s", 'S', new byte[0]).tar());
        seeds.put("devices", new RawTar().entry("c", '3', new byte[0]).entry("b", '4', new byte[0])
                .entry("f", '6', new byte[0]).tar());
        seeds.put("not-utf8", new RawTar().entry(new byte[] {'a', '/', (byte) 0xff}, '0', new byte[] {1}).tar());
        RawTar chain = new RawTar();
        for (int i = 0; i < 10; i++) {
            chain.entry("././@LongLink", 'L', "n\0".getBytes(StandardCharsets.US_ASCII));
        }
        seeds.put("long-name-chain", chain.file("x", "g").tar());
        seeds.put("truncated", Arrays.copyOf(valid, 700));
        return seeds;
    }

    private static Map<String, byte[]> zips() throws IOException {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("valid", new TestArchives().text("train/Çat/1.txt", "a").text("train/dog/2.txt", "b").zip());
        seeds.put("link", new TestArchives().text("a/1.txt", "a").link("a/l", "/etc/passwd").zip());
        ByteArrayOutputStream latin = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(latin)) {
            zip.setEncoding("ISO-8859-1");
            zip.setUseLanguageEncodingFlag(false);
            zip.setCreateUnicodeExtraFields(ZipArchiveOutputStream.UnicodeExtraFieldPolicy.ALWAYS);
            for (String name : new String[] {"train/\u00e9/1.txt", "train/dir/"}) {
                zip.putArchiveEntry(new ZipArchiveEntry(name));
                zip.closeArchiveEntry();
            }
        }
        seeds.put("code-page-names-with-unicode-fields", latin.toByteArray());
        byte[] valid = seeds.get("valid");
        seeds.put("truncated", Arrays.copyOf(valid, valid.length - 30));
        return seeds;
    }

    /** Without the zeros padding the last block: a fuzzer's input had better be small. */
    private static byte[] trimmed(byte[] tar) {
        int end = tar.length;
        while (end > 0 && tar[end - 1] == 0) {
            end--;
        }
        return Arrays.copyOf(tar, (end + RawTar.RECORD - 1) / RawTar.RECORD * RawTar.RECORD + 2 * RawTar.RECORD);
    }

    private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            Files.write(dir.resolve(seed.getKey()), seed.getValue());
        }
    }
}
