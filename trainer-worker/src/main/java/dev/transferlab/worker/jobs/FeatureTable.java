package dev.transferlab.worker.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.transferlab.common.dataset.SkippedFile;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.worker.ml.LabelledFeatures;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The backbone's features of a dataset's images, by the images' paths in the dataset, with the images that could not
 * be decoded and why. Paths rather than positions, so that any split of the dataset can be served from one table.
 *
 * <p>Stored as: the magic {@value #MAGIC}, a 4-byte length, a JSON header (feature size, paths, skipped files),
 * then each image's features as little-endian float32, in the header's order.
 */
public final class FeatureTable {
    static final String MAGIC = "TLFEAT01";
    // A header above this is a corrupt length, not a dataset (10 million paths of 100 characters).
    private static final int MAX_HEADER_BYTES = 1 << 30;

    private final int featureSize;
    private final Map<String, float[]> features;
    private final List<SkippedFile> skipped;

    public FeatureTable(int featureSize, Map<String, float[]> features, List<SkippedFile> skipped) {
        for (Map.Entry<String, float[]> e : features.entrySet()) {
            if (e.getValue().length != featureSize) {
                throw new IllegalArgumentException(e.getKey() + " has " + e.getValue().length + " features, not "
                        + featureSize);
            }
        }
        this.featureSize = featureSize;
        this.features = features;
        this.skipped = List.copyOf(skipped);
    }

    public int size() {
        return features.size();
    }

    public List<SkippedFile> skipped() {
        return skipped;
    }

    /** The features of these images with their labels, in their order, leaving out those that were skipped. */
    public LabelledFeatures labelled(List<ImageFolder.Item> items) {
        List<ImageFolder.Item> present = withFeatures(items);
        return new LabelledFeatures(present.stream().map(item -> features.get(item.path())).toArray(float[][]::new),
                present.stream().mapToInt(ImageFolder.Item::label).toArray());
    }

    /** These images, in their order, leaving out those that were skipped: the rows of {@link #labelled}. */
    public List<ImageFolder.Item> withFeatures(List<ImageFolder.Item> items) {
        return items.stream().filter(item -> features.containsKey(item.path())).toList();
    }

    /** The image's features, when the table has them. */
    public java.util.Optional<float[]> features(String path) {
        return java.util.Optional.ofNullable(features.get(path));
    }

    /** Why the image has no features, when the table skipped it. */
    public java.util.Optional<String> skipReason(String path) {
        return skipped.stream().filter(s -> s.path().equals(path)).map(SkippedFile::reason).findFirst();
    }

    /** This table with another's images added (the other's entries win for an image both have). */
    public FeatureTable with(FeatureTable other) {
        Map<String, float[]> merged = new LinkedHashMap<>(features);
        merged.putAll(other.features);
        Set<String> skippedThere = new HashSet<>();
        other.skipped.forEach(s -> skippedThere.add(s.path()));
        List<SkippedFile> skippedBoth = new ArrayList<>(other.skipped);
        skipped.stream().filter(s -> !skippedThere.contains(s.path()) && !other.features.containsKey(s.path()))
                .forEach(skippedBoth::add);
        skippedBoth.forEach(s -> merged.remove(s.path()));
        return new FeatureTable(featureSize, merged, skippedBoth);
    }

    /** True when every item has features or a reason it has none: the table belongs to this dataset. */
    public boolean covers(List<ImageFolder.Item> items) {
        Set<String> skippedPaths = new HashSet<>();
        skipped.forEach(s -> skippedPaths.add(s.path()));
        return items.stream().allMatch(i -> features.containsKey(i.path()) || skippedPaths.contains(i.path()));
    }

    public void write(OutputStream out) throws IOException {
        ObjectNode header = Messages.mapper().createObjectNode();
        header.put("featureSize", featureSize);
        ArrayNode paths = header.putArray("paths");
        features.keySet().forEach(paths::add);
        header.set("skipped", Messages.mapper().valueToTree(skipped));
        byte[] json = Messages.mapper().writeValueAsBytes(header);
        DataOutputStream data = new DataOutputStream(out);
        data.write(MAGIC.getBytes(StandardCharsets.US_ASCII));
        data.writeInt(json.length);
        data.write(json);
        ByteBuffer row = ByteBuffer.allocate(4 * featureSize).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] values : features.values()) {
            row.clear();
            row.asFloatBuffer().put(values);
            data.write(row.array());
        }
        data.flush();
    }

    public static FeatureTable read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] magic = new byte[MAGIC.length()];
        data.readFully(magic);
        if (!Arrays.equals(magic, MAGIC.getBytes(StandardCharsets.US_ASCII))) {
            throw new IOException("not a feature table (magic " + new String(magic, StandardCharsets.US_ASCII) + ")");
        }
        int length = data.readInt();
        if (length < 2 || length > MAX_HEADER_BYTES) {
            throw new IOException("implausible header length " + length);
        }
        byte[] json = new byte[length];
        data.readFully(json);
        JsonNode header = Messages.mapper().readTree(json);
        int featureSize = header.path("featureSize").asInt(-1);
        if (featureSize < 1) {
            throw new IOException("the header has no feature size");
        }
        Map<String, float[]> features = new LinkedHashMap<>();
        byte[] row = new byte[4 * featureSize];
        for (JsonNode path : header.path("paths")) {
            data.readFully(row);
            float[] values = new float[featureSize];
            ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            features.put(path.asText(), values);
        }
        List<SkippedFile> skipped = new ArrayList<>();
        for (JsonNode s : header.path("skipped")) {
            skipped.add(new SkippedFile(s.path("path").asText(), s.path("reason").asText()));
        }
        if (data.read() != -1) {
            throw new IOException("bytes after the last feature vector");
        }
        return new FeatureTable(featureSize, features, skipped);
    }
}
