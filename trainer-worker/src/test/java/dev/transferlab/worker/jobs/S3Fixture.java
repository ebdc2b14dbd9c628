package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.S3Settings;
import dev.transferlab.infra.InfraProcess;
import dev.transferlab.worker.ml.TestImages;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** A real S3 server (S3Proxy, in its own process) and small generated image datasets in it. */
final class S3Fixture implements AutoCloseable {
    static final String BUCKET = "transferlab";
    static final BackboneSpec TINY = new BackboneSpec("densenet", 8, List.of(2, 2), 16, 2);

    final InfraProcess infra;
    final ObjectStore store;

    S3Fixture(Path dataDir) {
        infra = InfraProcess.start(dataDir);
        store = new ObjectStore(S3Settings.selfHosted(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(),
                BUCKET));
        store.ensureBucket(BUCKET);
    }

    /** Two visibly different classes, {@code perClass} images each, under {@code prefix}train/; returns s3://… */
    String putDataset(String prefix, int perClass) {
        for (String label : List.of("blue", "red")) {
            for (int i = 0; i < perClass; i++) {
                store.put(store.inDefaultBucket(prefix + "train/" + label + "/" + i + ".png"), png(label, i),
                        "image/png");
            }
        }
        return "s3://" + BUCKET + "/" + prefix;
    }

    /** A PNG cut off halfway, and text that only pretends to be a JPEG. */
    void putCorruptImages(String prefix) {
        byte[] whole = png("red", 99);
        store.put(store.inDefaultBucket(prefix + "train/red/truncated.png"), Arrays.copyOf(whole, whole.length / 2),
                "image/png");
        store.put(store.inDefaultBucket(prefix + "train/blue/not-really.jpg"), "hello".getBytes(), "image/jpeg");
    }

    static TrainingRequest request(String jobId, String dataset, Hyperparameters hp) {
        return TrainingRequest.of(jobId, "default", dataset, TINY, hp);
    }

    static byte[] png(String label, int seed) {
        Random random = new Random(seed * 31L + label.hashCode());
        BufferedImage image = new BufferedImage(48 + random.nextInt(16), 40 + random.nextInt(16),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(label.equals("red") ? new Color(200 + random.nextInt(55), random.nextInt(60), random.nextInt(60))
                : new Color(random.nextInt(60), random.nextInt(60), 200 + random.nextInt(55)));
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.WHITE);
        g.fillOval(random.nextInt(30), random.nextInt(25), 10, 10);
        g.dispose();
        return TestImages.png(image);
    }

    @Override
    public void close() {
        store.close();
        infra.close();
    }
}
