package dev.transferlab.stack.bench;

import dev.transferlab.stack.ApiClient;
import dev.transferlab.stack.DatasetArchives;
import dev.transferlab.stack.HostileFiles;
import dev.transferlab.stack.SampleImages;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The hostile requests the API documents an answer for, by kind: archives, JSON bodies, ids and tenants, and images
 * for predictions. Each list is built once (the large archives are generated then) and can be sent any number of
 * times; each request leaves nothing behind when it is answered as documented.
 */
public final class HostileRequests {
    /** A location no job can find images in: a body that is wrongly accepted fails in the worker and goes no further. */
    public static final String NO_DATASET = "s3://transferlab/datasets/default/hostile-nothing-here/";
    public static final String TINY_DENSENET = """
            {"name": "densenet", "growthRate": 8, "blockConfig": [2, 2], "numInitFeatures": 16, "bnSize": 2}""";
    /** The name a GNU long-name header declares and carries: 1.5 GB, 1.5 MB gzipped. */
    public static final long LONG_NAME_BYTES = 1_500_000_000L;
    private static final Duration CHUNKED_TIMEOUT = Duration.ofSeconds(60);

    private HostileRequests() {
    }

    /** Uploads that are refused: 422 naming the entry, 413 over a limit, 400 for a body that is not what it says. */
    public static List<HostileRequest> archives(int maxEntries) {
        List<HostileRequest> list = new ArrayList<>();
        byte[] png = SampleImages.png("ocean", 3);
        list.add(upload("tar: character device", 422, "train/ocean/tty",
                HostileFiles.tarGzWithSpecialEntry("train/ocean/tty", TarConstants.LF_CHR)));
        list.add(upload("tar: block device", 422, "train/ocean/disk",
                HostileFiles.tarGzWithSpecialEntry("train/ocean/disk", TarConstants.LF_BLK)));
        list.add(upload("tar: FIFO", 422, "train/ocean/pipe",
                HostileFiles.tarGzWithSpecialEntry("train/ocean/pipe", TarConstants.LF_FIFO)));
        list.add(upload("tar: symbolic link", 422, "train/ocean/link.png",
                HostileFiles.tarGzWithSpecialEntry("train/ocean/link.png", TarConstants.LF_SYMLINK)));
        list.add(upload("tar: hard link", 422, "train/ocean/hard.png",
                HostileFiles.tarGzWithSpecialEntry("train/ocean/hard.png", TarConstants.LF_LINK)));
        list.add(upload("zip: FIFO", 422, "train/ocean/pipe", HostileFiles.zipWithFifo("train/ocean/pipe")));
        list.add(upload("tar: non-UTF-8 name \\xff.jpg", 422, "train/ocean/\\xff.jpg",
                HostileFiles.tarGzWithRawNames("train/ocean/\u00ff.jpg")));
        list.add(upload("tar: non-UTF-8 name \\xfe.jpg", 422, "train/ocean/\\xfe.jpg",
                HostileFiles.tarGzWithRawNames("train/ocean/\u00fe.jpg")));
        list.add(upload("tar: two different non-UTF-8 names", 422, "train/ocean/\\xff.jpg",
                HostileFiles.tarGzWithRawNames("train/ocean/\u00ff.jpg", "train/ocean/\u00fe.jpg")));
        list.add(upload("tar: a file and a folder of the same name", 422, "train/ocean/x",
                DatasetArchives.tarGz(with("train/ocean/x", png, "train/ocean/x/1.png", png))));
        String segment = "a".repeat(252) + ".png";
        list.add(upload("tar: a path segment of 256 bytes", 422, "train/ocean/" + segment.substring(0, 20),
                DatasetArchives.tarGz(with("train/ocean/" + segment, png))));
        list.add(upload("tar: .. in a path", 422, "evil.png",
                DatasetArchives.tarGz(with("train/../../evil.png", png))));
        list.add(upload("tar: absolute path", 422, "evil.png", DatasetArchives.tarGz(with("/tmp/evil.png", png))));
        list.add(upload("zip: .. in a path", 422, "evil.png",
                DatasetArchives.zip(with("train/../../evil.png", png), List.of())));
        list.add(upload("tar: " + (maxEntries + 1) + " directory entries, over max-entries", 413, null,
                HostileFiles.tarGzOfDirectories(maxEntries + 1)));
        byte[] good = DatasetArchives.tarGz(HostileFiles.twoGoodImages());
        list.add(new HostileRequest("a raw body sent as multipart/form-data; boundary=x", 400, null, null,
                api -> api.postBytes("/v1/datasets", good, "multipart/form-data; boundary=x")));
        list.add(chunked("a chunked JSON body over the body limit", "/v1/training-jobs", "application/json"));
        return List.copyOf(list);
    }

    /**
     * A tar.gz of 1.5 MB whose GNU long-name entry holds a name of 1.5 GB: 422, and the api-service reads no more of
     * the name than its limit on names.
     */
    public static HostileRequest longNameUpload() {
        return upload("tar: GNU long-name entry declaring 1.5 GB", 422, null,
                HostileFiles.tarGzWithLongName(LONG_NAME_BYTES));
    }

    /** Job submissions that are not exactly what the API takes: 400 naming the field. */
    public static List<HostileRequest> json() {
        List<HostileRequest> list = new ArrayList<>();
        list.add(job("an unknown field", "colour", "\"colour\": \"blue\""));
        list.add(job("a misspelt field", "learningrate", "\"learningrate\": 0.1"));
        list.add(job("an unknown field in backbone", "backbone.depth", null, """
                {"name": "densenet", "growthRate": 8, "blockConfig": [2, 2], "depth": 121}"""));
        list.add(job("null inside blockConfig", "backbone.blockConfig[0]", null, """
                {"name": "densenet", "growthRate": 8, "blockConfig": [null, 2], "numInitFeatures": 16}"""));
        list.add(job("fractional epochs", "epochs", "\"epochs\": 2.7"));
        list.add(job("quoted epochs", "epochs", "\"epochs\": \"3\""));
        list.add(job("negative epochs", "epochs", "\"epochs\": -1"));
        list.add(job("zero epochs", "epochs", "\"epochs\": 0"));
        list.add(job("a million epochs", "epochs", "\"epochs\": 1000000"));
        list.add(job("epochs beyond a 32-bit integer", "epochs", "\"epochs\": 99999999999"));
        list.add(job("fractional batchSize", "batchSize", "\"batchSize\": 8.5"));
        list.add(job("fractional seed", "seed", "\"seed\": 1.5"));
        list.add(job("a DenseNet of billions of parameters (growthRate 4096)", "backbone", null, """
                {"name": "densenet", "growthRate": 4096, "blockConfig": [64, 64, 64, 64]}"""));
        list.add(job("a DenseNet of billions of parameters within each knob's range", "backbone", null, """
                {"name": "densenet", "growthRate": 128, "blockConfig": [64, 64, 64, 64], "numInitFeatures": 256,
                 "bnSize": 8}"""));
        list.add(body("malformed JSON", 400, "{\"dataset\": "));
        list.add(body("a JSON array instead of an object", 400, "[1, 2, 3]"));
        list.add(body("JSON nested 100,000 deep", 400,
                "{\"dataset\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}"));
        list.add(new HostileRequest("a job as text/plain", 415, null, null,
                api -> api.postBytes("/v1/training-jobs", jobJson("").getBytes(StandardCharsets.UTF_8),
                        "text/plain")));
        return List.copyOf(list);
    }

    /** Ids and tenants that no rule allows: 404 for ids (they name nothing), 400 for tenants (the header is wrong). */
    public static List<HostileRequest> ids(String otherTenant, String otherTenantsModel) {
        List<HostileRequest> list = new ArrayList<>();
        for (String path : List.of("/v1/training-jobs/..%2F..%2Fx", "/v1/training-jobs/..%2F..%2Fx/events",
                "/v1/training-jobs/job-%3Cscript%3E", "/v1/training-jobs/JOB%20nope%21", "/v1/models/..%2F..%2Fx",
                "/v1/models/..%2F" + otherTenant + "%2F" + otherTenantsModel, "/v1/datasets/..%2F..%2Fx",
                "/v1/datasets/ds-%C3%BF%C3%BF")) {
            list.add(new HostileRequest("GET " + path, 404, null, null, api -> api.get(path)));
        }
        for (String path : List.of("/v1/training-jobs/..%2F..%2Fx", "/v1/datasets/..%2F..%2Fx")) {
            list.add(new HostileRequest("DELETE " + path, 404, null, null, api -> api.delete(path)));
        }
        list.add(new HostileRequest("a prediction on another tenant's model through ..%2F", 404, null, null,
                api -> api.postBytes("/v1/models/..%2F" + otherTenant + "%2F" + otherTenantsModel + "/predictions",
                        SampleImages.png("ocean", 4), "image/png")));
        for (String tenant : List.of("../" + otherTenant, "Tenant B", "a".repeat(64))) {
            list.add(new HostileRequest("X-Tenant '" + abbreviate(tenant) + "'", 400, "X-Tenant", null,
                    api -> api.asTenant(tenant).get("/v1/datasets")));
        }
        list.add(new HostileRequest("PUT on the jobs collection", 405, null, null,
                api -> api.send("PUT", "/v1/training-jobs", "{}".getBytes(StandardCharsets.UTF_8),
                        "application/json")));
        return List.copyOf(list);
    }

    /** Images for predictions that cannot be answered: 422 when damaged, 413 when declared too large to decode. */
    public static List<HostileRequest> images(String modelId) {
        String path = "/v1/models/" + modelId + "/predictions";
        List<HostileRequest> list = new ArrayList<>();
        list.add(predict("a truncated JPEG", path, 422, HostileFiles.truncatedJpeg(), "image/jpeg"));
        list.add(predict("random bytes with a JPEG signature", path, 422,
                HostileFiles.randomBytesWithJpegSignature(11), "image/jpeg"));
        list.add(predict("a CMYK JPEG declaring 13,300 x 13,300", path, 413,
                HostileFiles.cmykJpegDeclaring(13_300, 13_300), "image/jpeg"));
        list.add(predict("a 16-bit PNG declaring 12,000 x 12,000", path, 413,
                HostileFiles.png16BitDeclaring(12_000, 12_000), "image/png"));
        byte[] png = SampleImages.png("ocean", 5);
        list.add(new HostileRequest("a raw image sent as multipart/form-data; boundary=x", 400, null, null,
                api -> api.postBytes(path, png, "multipart/form-data; boundary=x")));
        list.add(chunked("a chunked image over the body limit", path, "image/png"));
        return List.copyOf(list);
    }

    /** The PNG whose chunk after IDAT declares a negative length: 422, and it must not hold a worker's thread. */
    public static HostileRequest negativeLengthPng(String modelId) {
        return predict("a PNG whose chunk after IDAT declares a negative length",
                "/v1/models/" + modelId + "/predictions", 422, HostileFiles.pngWithNegativeChunkLength(), "image/png");
    }

    /** A job body: the tiny DenseNet on {@link #NO_DATASET}, with {@code extra} fields. */
    public static String jobJson(String extra) {
        return jobJson(extra, TINY_DENSENET);
    }

    /** {@code extra} replaces the base field of its (first) name, so that a body never names a field twice. */
    private static String jobJson(String extra, String backbone) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("dataset", "\"" + NO_DATASET + "\"");
        fields.put("epochs", "1");
        fields.put("batchSize", "4");
        fields.put("hiddenUnits", "16");
        fields.put("backbone", backbone);
        String body = fields.entrySet().stream()
                .filter(field -> extra == null || !extra.startsWith("\"" + field.getKey() + "\""))
                .map(field -> "\"" + field.getKey() + "\": " + field.getValue())
                .collect(Collectors.joining(", "));
        return "{" + body + (extra == null || extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    private static HostileRequest job(String kind, String field, String extra) {
        return job(kind, field, extra, TINY_DENSENET);
    }

    private static HostileRequest job(String kind, String field, String extra, String backbone) {
        String json = jobJson(extra, backbone);
        return new HostileRequest(kind, 400, null, field, api -> api.postJson("/v1/training-jobs", json));
    }

    private static HostileRequest body(String kind, int status, String json) {
        return new HostileRequest(kind, status, null, null, api -> api.postJson("/v1/training-jobs", json));
    }

    private static HostileRequest upload(String kind, int status, String mentions, byte[] archive) {
        return new HostileRequest(kind, status, mentions, null,
                api -> api.postBytes("/v1/datasets", archive, "application/gzip"));
    }

    private static HostileRequest predict(String kind, String path, int status, byte[] image, String type) {
        return new HostileRequest(kind, status, null, null, api -> api.postBytes(path, image, type));
    }

    /** 9 MB in 64 KB chunks, over the 8 MB that every request but an upload may carry. */
    private static HostileRequest chunked(String kind, String path, String contentType) {
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        return new HostileRequest(kind, 413, null, null,
                api -> ChunkedPost.post(api, path, contentType, chunk, 144, CHUNKED_TIMEOUT));
    }

    private static Map<String, byte[]> with(Object... pathsAndContents) {
        Map<String, byte[]> files = new LinkedHashMap<>(HostileFiles.twoGoodImages());
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            files.put((String) pathsAndContents[i], (byte[]) pathsAndContents[i + 1]);
        }
        return files;
    }

    private static String abbreviate(String s) {
        return s.length() > 20 ? s.substring(0, 20) + "…" : s;
    }
}
