package dev.transferlab.api.datasets;

import dev.transferlab.api.auth.Caller;
import dev.transferlab.api.datasets.archive.RawTar;
import dev.transferlab.api.http.ProblemException;
import dev.transferlab.common.dataset.DatasetManifest;
import dev.transferlab.common.dataset.SkippedFile;
import dev.transferlab.common.storage.DatasetAccess;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.S3Settings;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.infra.InfraProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Uploads and registrations against a real S3 server (S3Proxy), without the HTTP layer. */
class DatasetUploadsIT {
    private static final String TENANT = "uploads-it";
    private static final Caller OWNER = new Caller("uploader", TENANT, false);
    private static final UploadLimits LIMITS = new UploadLimits(200_000, 100_000, 50_000, 40, 60, 3);

    @TempDir
    static Path data;
    static InfraProcess infra;
    static ObjectStore store;

    final List<String> audited = new java.util.ArrayList<>();
    Quotas quotas = new Quotas(1L << 40);
    DatasetUploads uploads;
    DatasetRegistrations registrations;
    DatasetManifests manifests;

    @BeforeAll
    static void startStore() {
        infra = InfraProcess.start(data);
        store = new ObjectStore(S3Settings.selfHosted(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(),
                "transferlab"));
        store.ensureBucket("transferlab");
    }

    @AfterAll
    static void stopStore() {
        if (store != null) {
            store.close();
        }
        if (infra != null) {
            infra.close();
        }
    }

    @BeforeEach
    void wire() {
        manifests = new DatasetManifests();
        manifests.store = store;
        uploads = new DatasetUploads();
        uploads.store = store;
        uploads.manifests = manifests;
        uploads.limits = LIMITS;
        uploads.quotas = quotas;
        uploads.audit = (caller, action, resource, details) -> audited.add(action + " " + resource);
        registrations = new DatasetRegistrations();
        registrations.store = store;
        registrations.manifests = manifests;
        registrations.limits = LIMITS;
        registrations.access = new DatasetAccess("transferlab", Map.of(TENANT, List.of("s3://transferlab/incoming/")));
        registrations.audit = (caller, action, resource, details) -> audited.add(action + " " + resource);
    }

    @Test
    void aZipBecomesADatasetWithCountsSkippedFilesAndItsImagesInTheStore() {
        byte[] zip = new TestArchives()
                .images("pets/train/", 3, "Cat", "cat", "Ünïcödé 猫")
                .images("pets/val/", 1, "Cat", "cat")
                .text("pets/train/cat/notes.txt", "not an image")
                .file("pets/train/cat/.DS_Store", new byte[] {0, 0, 0, 1})
                .file("__MACOSX/pets/train/cat/._0.png", new byte[] {0, 5, 22, 7})
                .text("README.md", "a dataset").file("cover.png", TestArchives.png(5)).zip();

        DatasetManifest m = uploads.upload(OWNER, "pets", new ByteArrayInputStream(zip));

        assertThat(m.id()).startsWith("ds-");
        assertThat(m.kind()).isEqualTo(DatasetManifest.Kind.UPLOAD);
        assertThat(m.layout()).isEqualTo(DatasetManifest.Layout.SPLITS);
        assertThat(m.classes()).containsExactly("Cat", "cat", "Ünïcödé 猫");
        assertThat(m.counts().get("train")).containsExactly(Map.entry("Cat", 3), Map.entry("cat", 3),
                Map.entry("Ünïcödé 猫", 3));
        assertThat(m.counts().get("val")).containsEntry("Ünïcödé 猫", 0).containsEntry("cat", 1);
        assertThat(m.images()).isEqualTo(11);
        assertThat(m.skipped()).containsExactlyInAnyOrder(
                new SkippedFile("pets/train/cat/notes.txt", "not an image: no JPEG, PNG, GIF, BMP or TIFF signature"),
                new SkippedFile("README.md", "not an image: no JPEG, PNG, GIF, BMP or TIFF signature"),
                new SkippedFile("cover.png", "outside the dataset folder pets/"));
        assertThat(m.warnings()).contains("class 'Ünïcödé 猫' has no images in val/, so its accuracy is not measured");
        assertThat(m.location()).endsWith(StorageLayout.datasetFiles(TENANT, m.id()) + "pets/");
        assertThat(keys(m.id())).contains(StorageLayout.datasetFiles(TENANT, m.id()) + "pets/train/Ünïcödé 猫/2.png")
                .doesNotContain(StorageLayout.datasetFiles(TENANT, m.id()) + "pets/train/cat/notes.txt")
                .noneMatch(k -> k.contains("DS_Store") || k.contains("MACOSX"));
        assertThat(manifests.get(TENANT, m.id())).isEqualTo(m);
        assertThat(manifests.list(TENANT)).extracting(DatasetManifest::id).contains(m.id());
    }

    @Test
    void theSameFilesGiveTheSameContentHashWhateverTheArchive() {
        TestArchives files = new TestArchives().images("", 3, "a", "b");
        Map<String, byte[]> reversed = new LinkedHashMap<>();
        TestArchives wrapped = new TestArchives();
        for (String c : List.of("b", "a")) {
            for (int i = 2; i >= 0; i--) {
                reversed.put(c + "/" + i + ".png", TestArchives.png(c.hashCode() * 31 + i));
            }
        }
        reversed.forEach((path, bytes) -> wrapped.file("folder/" + path, bytes));
        wrapped.file("folder/.DS_Store", new byte[] {1});

        DatasetManifest zip = uploads.upload(OWNER, null, new ByteArrayInputStream(files.zip()));
        DatasetManifest tarGz = uploads.upload(OWNER, null, new ByteArrayInputStream(wrapped.tarGz()));
        DatasetManifest other = uploads.upload(OWNER, null, new ByteArrayInputStream(
                new TestArchives().images("", 3, "a", "c").zip()));

        assertThat(zip.layout()).isEqualTo(DatasetManifest.Layout.CLASSES);
        assertThat(zip.counts().get("train")).containsEntry("a", 1);
        assertThat(zip.counts().get("val")).containsEntry("a", 1);
        assertThat(zip.counts().get("test")).containsEntry("a", 1);
        assertThat(tarGz.id()).isNotEqualTo(zip.id());
        assertThat(tarGz.contentHash()).startsWith("sha256-").isEqualTo(zip.contentHash());
        assertThat(other.contentHash()).isNotEqualTo(zip.contentHash());
    }

    @Test
    void everyBadUploadGetsItsAnswerAndLeavesNothingInStorage() {
        String tenant = "bad-uploads";
        byte[] zeros = new byte[45_000];
        TestArchives good = new TestArchives().images("train/", 2, "a", "b");
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("422 zip-slip in a zip", good.file("train/../../evil.png", TestArchives.png(1)).zip());
        bad.put("422 zip-slip in a tar.gz", new TestArchives().images("train/", 2, "a", "b")
                .file("../evil.png", TestArchives.png(1)).tarGz());
        bad.put("422 absolute path", new TestArchives().images("train/", 2, "a", "b")
                .file("/etc/evil.png", TestArchives.png(1)).tarGz());
        bad.put("422 symlink in a zip", new TestArchives().images("train/", 2, "a", "b")
                .link("train/a/link.png", "/etc/passwd").zip());
        bad.put("422 symlink in a tar.gz", new TestArchives().images("train/", 2, "a", "b")
                .link("train/a/link.png", "../../x").tarGz());
        bad.put("413 too many files", new TestArchives().images("train/", 21, "a", "b").zip());
        bad.put("413 one file too large", new TestArchives().images("train/", 2, "a", "b")
                .file("train/a/big.png", new byte[60_000]).zip());
        bad.put("413 unpacks too large", new TestArchives().images("train/", 2, "a", "b")
                .file("train/a/z1.bin", zeros).file("train/a/z2.bin", zeros).file("train/a/z3.bin", zeros).zip());
        byte[] noise = new byte[250_000];
        new java.util.Random(1).nextBytes(noise);
        bad.put("413 upload too large", new TestArchives().images("train/", 2, "a", "b")
                .file("train/a/noise.bin", noise).tarGz());
        bad.put("415 not an archive", "hello".getBytes());
        bad.put("422 no images", new TestArchives().text("train/a/x.txt", "x").zip());
        bad.put("422 one class", new TestArchives().images("train/", 3, "a").tarGz());
        byte[] tarGz = new TestArchives().images("train/", 2, "a", "b").tarGz();
        bad.put("422 truncated tar.gz", Arrays.copyOf(tarGz, tarGz.length / 2));
        for (int cut : new int[] {tarGz.length / 3, tarGz.length - 30, 40}) {
            bad.put("422 tar.gz cut at " + cut, Arrays.copyOf(tarGz, cut));
        }
        byte[] zip = new TestArchives().images("train/", 2, "a", "b").zip();
        bad.put("422 truncated zip", Arrays.copyOf(zip, zip.length - 10));
        bad.put("422 a file twice", new TestArchives().images("train/", 2, "a", "b")
                .file("./train/a/0.png", TestArchives.png(7)).tarGz());
        byte[] images = new TestArchives().images("train/", 2, "a", "b").tar();
        bad.put("422 a long name declaring more than the limit", tarGz(images,
                RawTar.header("././@LongLink", 'L', 1_000_000_000L), new byte[RawTar.RECORD]));
        RawTar folders = new RawTar();
        for (int i = 0; i < 60; i++) {
            folders.entry("train/a/d" + i + "/", '5', new byte[0]);
        }
        bad.put("413 too many folders", tarGz(images, folders.records()));
        for (char device : new char[] {'3', '4', '6'}) {
            bad.put("422 a device or FIFO (" + device + ")", tarGz(images,
                    new RawTar().entry("train/a/dev", device, new byte[0]).records()));
        }
        bad.put("422 names that are not UTF-8", tarGz(images, new RawTar()
                .entry("train/a/\u00ff\u00fe.png".getBytes(StandardCharsets.ISO_8859_1), '0', TestArchives.png(8))
                .entry("train/a/\u00fe\u00ff.png".getBytes(StandardCharsets.ISO_8859_1), '0', TestArchives.png(9))
                .records()));
        bad.put("422 a file that is also a folder", new TestArchives().images("train/", 2, "a", "b")
                .file("train/a/0.png/c.png", TestArchives.png(10)).tarGz());
        bad.put("422 a name of 300 characters", new TestArchives().images("train/", 2, "a", "b")
                .file("train/a/" + "x".repeat(296) + ".png", TestArchives.png(11)).zip());

        bad.forEach((what, body) -> {
            int status = Integer.parseInt(what.substring(0, 3));
            ProblemException refused = null;
            try {
                uploads.upload(new Caller("uploader", tenant, false), null, new ByteArrayInputStream(body));
            } catch (ProblemException e) {
                refused = e;
            }
            assertThat(refused).as(what + " was accepted").isNotNull();
            assertThat(refused.problem().status()).as(what + ": " + refused.getMessage()).isEqualTo(status);
            assertThat(store.list(store.inDefaultBucket(StorageLayout.tenantDatasets(tenant)))).as(what).isEmpty();
        });
    }

    @Test
    void imagesLargerThanAnyBufferStreamThroughIntact() throws Exception {
        uploads.limits = new UploadLimits(64 << 20, 64 << 20, 16 << 20, 100, 200, 1);
        java.awt.image.BufferedImage noise = new java.awt.image.BufferedImage(700, 700,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(3);
        for (int y = 0; y < 700; y++) {
            for (int x = 0; x < 700; x++) {
                noise.setRGB(x, y, random.nextInt());
            }
        }
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(noise, "png", png);
        byte[] big = png.toByteArray();
        assertThat(big.length).isGreaterThan(1 << 20);

        for (byte[] archive : List.of(new TestArchives().images("", 2, "a", "b").file("a/big.png", big).zip(),
                new TestArchives().images("", 2, "a", "b").file("a/big.png", big).tarGz())) {
            DatasetManifest m = uploads.upload(OWNER, null, new ByteArrayInputStream(archive));
            assertThat(store.get(store.locate(m.location() + "a/big.png"))).hasValueSatisfying(
                    stored -> assertThat(stored).isEqualTo(big));
        }
    }

    @Test
    void anUploadPastTheTenantsStorageQuotaIs429AndKeepsNothingUntilADatasetIsDeleted() {
        String tenant = "quota-it";
        Caller owner = new Caller("uploader", tenant, false);
        byte[] archive = new TestArchives().images("", 3, "a", "b").zip();
        DatasetManifest first = uploads.upload(owner, null, new ByteArrayInputStream(archive));
        uploads.quotas = new Quotas(first.bytes() + first.bytes() / 2);
        List<S3Object> kept = store.list(store.inDefaultBucket(StorageLayout.tenantDatasets(tenant)));

        assertThatThrownBy(() -> uploads.upload(owner, null, new ByteArrayInputStream(archive)))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.problem().status()).isEqualTo(429);
                    assertThat(e.retryAfter()).isPresent();
                    assertThat(e.getMessage()).contains("quota", "delete datasets");
                });
        assertThat(store.list(store.inDefaultBucket(StorageLayout.tenantDatasets(tenant))))
                .as("nothing of the refused upload is kept").hasSameSizeAs(kept);
        assertThat(uploads.upload(new Caller("uploader", "another-tenant", false), null,
                new ByteArrayInputStream(archive))).as("other tenants have quotas of their own").isNotNull();

        manifests.delete(tenant, first.id());
        assertThat(uploads.upload(owner, null, new ByteArrayInputStream(archive)).images()).isEqualTo(6);
        assertThat(audited).filteredOn(a -> a.startsWith("dataset.uploaded")).hasSize(3);
    }

    @Test
    void twoUploadsAtOnceCannotTogetherExceedTheQuotaThatEachFitsAlone() throws Exception {
        byte[] archive = new TestArchives().images("", 3, "a", "b").zip();
        long size = uploads.upload(new Caller("uploader", "measure-it", false), null,
                new ByteArrayInputStream(archive)).bytes();
        uploads.quotas = new Quotas(size + size / 2);
        Caller owner = new Caller("uploader", "concurrent-it", false);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.CompletableFuture<Boolean>> both = java.util.stream.Stream.of(1, 2)
                .map(i -> java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                        uploads.upload(owner, null, new ByteArrayInputStream(archive));
                        return true;
                    } catch (ProblemException e) {
                        assertThat(e.problem().status()).isEqualTo(429);
                        return false;
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                })).toList();
        start.countDown();
        assertThat(both.stream().map(java.util.concurrent.CompletableFuture::join).filter(kept -> kept).count())
                .as("at most one of the two fits").isLessThanOrEqualTo(1);
        assertThat(manifests.list("concurrent-it").stream().mapToLong(DatasetManifest::bytes).sum())
                .isLessThanOrEqualTo(size + size / 2);
    }

    /** Storage quota of {@code datasetBytes} for every tenant; the other quotas are not used by uploads. */
    record Quotas(long bytes) implements dev.transferlab.api.auth.QuotaSettings {
        @Override
        public int activeJobs() {
            return 1;
        }

        @Override
        public io.quarkus.runtime.configuration.MemorySize datasetBytes() {
            return new io.quarkus.runtime.configuration.MemorySize(java.math.BigInteger.valueOf(bytes));
        }

        @Override
        public int predictionsPerSecond() {
            return 1;
        }

        @Override
        public Map<String, TenantQuota> tenant() {
            return Map.of();
        }
    }

    @Test
    void imagesAlreadyInStorageAreRegisteredInPlace() {
        String prefix = "incoming/flowers/";
        for (String c : List.of("rose", "tulip")) {
            for (int i = 0; i < 4; i++) {
                store.put(store.inDefaultBucket(prefix + c + "/" + i + ".png"), TestArchives.png(i), "image/png");
            }
        }
        store.put(store.inDefaultBucket(prefix + "rose/info.csv"), "x".getBytes(), "text/csv");

        DatasetManifest m = registrations.register(OWNER, "flowers", "s3://transferlab/" + prefix);

        assertThat(m.kind()).isEqualTo(DatasetManifest.Kind.REGISTERED);
        assertThat(m.location()).isEqualTo("s3://transferlab/" + prefix);
        assertThat(m.classes()).containsExactly("rose", "tulip");
        assertThat(m.images()).isEqualTo(8);
        assertThat(m.contentHash()).startsWith("listing-sha256-");
        assertThat(m.skipped()).extracting(SkippedFile::path).containsExactly("rose/info.csv");

        assertThat(audited).containsExactly("dataset.registered " + m.id());

        assertThatThrownBy(() -> registrations.register(OWNER, null, "datasets/other-tenant/ds-1/files/"))
                .hasMessageContaining("is not in a dataset area of tenant 'uploads-it'");
        assertThatThrownBy(() -> registrations.register(OWNER, null, "s3://transferlab/elsewhere/flowers/"))
                .hasMessageContaining("is not in a dataset area");
        assertThatThrownBy(() -> registrations.register(OWNER, null, "s3://transferlab/incoming/nothing-here/"))
                .hasMessageContaining("no images found");
        assertThat(audited).as("refusals are not changes").hasSize(1);
    }

    /** A tar.gz of {@code tar}'s records (its end-of-archive zeros cut off) followed by {@code more}. */
    private static byte[] tarGz(byte[] tar, byte[]... more) {
        int end = tar.length;
        while (end > 0 && tar[end - 1] == 0) {
            end--;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(tar, 0, (end + RawTar.RECORD - 1) / RawTar.RECORD * RawTar.RECORD);
        for (byte[] bytes : more) {
            out.writeBytes(bytes);
        }
        out.writeBytes(new byte[2 * RawTar.RECORD]);
        return RawTar.gzip(out.toByteArray());
    }

    private static List<String> keys(String id) {
        return store.list(store.inDefaultBucket(StorageLayout.datasetPrefix(TENANT, id))).stream()
                .map(S3Object::key).toList();
    }
}
