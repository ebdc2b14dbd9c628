package dev.transferlab.stack;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * {@code java -cp deploy/stack/target/local-stack.jar dev.transferlab.stack.FashionMnist --out DIR}: turns the IDX files
 * of Debian's {@code dataset-fashion-mnist} package into an ImageFolder tree of PNGs, {@code train/<class>/…} and
 * {@code test/<class>/…}, ready to be archived and uploaded, or read by torchvision's ImageFolder.
 */
public final class FashionMnist {
    /** Fashion-MNIST's label names, made safe as folder names ("T-shirt/top" has a slash). */
    public static final List<String> CLASSES = List.of("T-shirt_top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    private static final String USAGE = """
            usage: java -cp deploy/stack/target/local-stack.jar dev.transferlab.stack.FashionMnist --out DIR [options]
              --source DIR          the IDX files (default /usr/share/datasets/fashion-mnist, from apt-get install
                                    dataset-fashion-mnist)
              --train-per-class N   at most N training images per class (default: all, 6000)
              --test-per-class N    at most N test images per class (default: all, 1000)
              --classes A,B,...     only these classes, by name or label number (default: all ten)
            """;
    private static final int IMAGE_MAGIC = 0x803;
    private static final int LABEL_MAGIC = 0x801;

    private FashionMnist() {
    }

    public static void main(String[] args) throws IOException {
        Path source = Path.of("/usr/share/datasets/fashion-mnist");
        Path out = null;
        int trainPerClass = Integer.MAX_VALUE;
        int testPerClass = Integer.MAX_VALUE;
        List<Integer> classes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--source" -> source = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--train-per-class" -> trainPerClass = Integer.parseInt(args[++i]);
                case "--test-per-class" -> testPerClass = Integer.parseInt(args[++i]);
                case "--classes" -> Arrays.stream(args[++i].split(",")).map(FashionMnist::label).forEach(classes::add);
                default -> {
                    System.err.print(USAGE);
                    System.exit(2);
                }
            }
        }
        if (out == null) {
            System.err.print(USAGE);
            System.exit(2);
        }
        List<Integer> chosen = classes.isEmpty() ? List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9) : classes;
        int train = export(source.resolve("train-images-idx3-ubyte.gz"), source.resolve("train-labels-idx1-ubyte.gz"),
                out.resolve("train"), chosen, trainPerClass);
        int test = export(source.resolve("t10k-images-idx3-ubyte.gz"), source.resolve("t10k-labels-idx1-ubyte.gz"),
                out.resolve("test"), chosen, testPerClass);
        System.out.printf("wrote %d training and %d test images of %d classes to %s%n", train, test, chosen.size(),
                out.toAbsolutePath());
    }

    /** Writes the first {@code perClass} images of each chosen label as {@code dir/<class>/<index>.png}. */
    public static int export(Path images, Path labels, Path dir, List<Integer> chosen, int perClass)
            throws IOException {
        byte[] labelBytes = readIdx(labels, LABEL_MAGIC, 1).data();
        Idx idx = readIdx(images, IMAGE_MAGIC, 3);
        if (idx.dims()[0] != labelBytes.length) {
            throw new IOException(images + " has " + idx.dims()[0] + " images but " + labels + " has "
                    + labelBytes.length + " labels");
        }
        int rows = idx.dims()[1];
        int cols = idx.dims()[2];
        int[] written = new int[CLASSES.size()];
        int total = 0;
        for (int i = 0; i < labelBytes.length; i++) {
            int label = labelBytes[i] & 0xff;
            if (!chosen.contains(label) || written[label] >= perClass) {
                continue;
            }
            BufferedImage image = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setDataElements(0, 0, cols, rows, Arrays.copyOfRange(idx.data(), i * rows * cols,
                    (i + 1) * rows * cols));
            Path file = dir.resolve(CLASSES.get(label)).resolve(i + ".png");
            Files.createDirectories(file.getParent());
            ImageIO.write(image, "png", file.toFile());
            written[label]++;
            total++;
        }
        return total;
    }

    /** An IDX file: big-endian magic (0x08 = unsigned bytes, then the number of dimensions), dimensions, data. */
    record Idx(int[] dims, byte[] data) {
    }

    static Idx readIdx(Path file, int expectedMagic, int dimensions) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(file.toString().endsWith(".gz")
                        ? new GZIPInputStream(raw, 1 << 16) : raw)) {
            int magic = in.readInt();
            if (magic != expectedMagic) {
                throw new IOException(file + " is not an IDX file of " + dimensions + " dimension(s) (magic 0x"
                        + Integer.toHexString(magic) + ")");
            }
            int[] dims = new int[dimensions];
            long size = 1;
            for (int d = 0; d < dimensions; d++) {
                dims[d] = in.readInt();
                size *= dims[d];
            }
            byte[] data = new byte[Math.toIntExact(size)];
            in.readFully(data);
            return new Idx(dims, data);
        }
    }

    private static int label(String nameOrNumber) {
        int index = CLASSES.indexOf(nameOrNumber);
        if (index >= 0) {
            return index;
        }
        try {
            int label = Integer.parseInt(nameOrNumber);
            if (label >= 0 && label < CLASSES.size()) {
                return label;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UncheckedIOException(new IOException("unknown Fashion-MNIST class '" + nameOrNumber + "'; use one "
                + "of " + CLASSES + " or 0-9"));
    }
}
