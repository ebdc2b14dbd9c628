package dev.transferlab.worker.ml;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes the YCCK fixture (parity/images/ycck.jpg): an Adobe JPEG with transform 2, as Photoshop saves CMYK, which
 * PIL cannot write. Its expected tensor is PIL's reading of it, made by parity_fixtures.py like any other image.
 * Run: java -cp target/test-classes dev.transferlab.worker.ml.YcckJpeg src/test/resources/parity/images/ycck.jpg
 */
public final class YcckJpeg {

    private static final String FORMAT = "javax_imageio_jpeg_image_1.0";

    private YcckJpeg() {
    }

    public static void main(String[] args) throws IOException {
        int width = 48;
        int height = 36;
        WritableRaster samples = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 4, null);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                // Y, Cb, Cr and K fields that cross, so every conversion term shows.
                samples.setPixel(x, y, new int[] {40 + 4 * x, 128 + 3 * (y - 18), 128 + 2 * (x - 24),
                    (x * y) % 200});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        IIOMetadata metadata = writer.getDefaultImageMetadata(
                new ImageTypeSpecifier(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB)), param);
        metadata.setFromTree(FORMAT, ycckTree((IIOMetadataNode) metadata.getAsTree(FORMAT)));
        try (ImageOutputStream out = ImageIO.createImageOutputStream(Path.of(args[0]).toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(samples, null, metadata), param);
        }
    }

    /** JFIF out, Adobe (transform 2) in, and a fourth component in the frame and the scan. */
    private static IIOMetadataNode ycckTree(IIOMetadataNode root) {
        IIOMetadataNode variety = (IIOMetadataNode) root.getElementsByTagName("JPEGvariety").item(0);
        while (variety.hasChildNodes()) {
            variety.removeChild(variety.getFirstChild());
        }
        IIOMetadataNode markers = (IIOMetadataNode) root.getElementsByTagName("markerSequence").item(0);
        IIOMetadataNode adobe = new IIOMetadataNode("app14Adobe");
        adobe.setAttribute("transform", "2");
        markers.insertBefore(adobe, markers.getFirstChild());
        IIOMetadataNode frame = (IIOMetadataNode) root.getElementsByTagName("sof").item(0);
        frame.setAttribute("numFrameComponents", "4");
        IIOMetadataNode component = new IIOMetadataNode("componentSpec");
        component.setAttribute("componentId", "4");
        component.setAttribute("HsamplingFactor", "1");
        component.setAttribute("VsamplingFactor", "1");
        component.setAttribute("QtableSelector", "1");
        frame.appendChild(component);
        IIOMetadataNode scan = (IIOMetadataNode) root.getElementsByTagName("sos").item(0);
        scan.setAttribute("numScanComponents", "4");
        IIOMetadataNode scanned = new IIOMetadataNode("scanComponentSpec");
        scanned.setAttribute("componentSelector", "4");
        scanned.setAttribute("dcHuffTable", "1");
        scanned.setAttribute("acHuffTable", "1");
        scan.appendChild(scanned);
        return root;
    }
}
