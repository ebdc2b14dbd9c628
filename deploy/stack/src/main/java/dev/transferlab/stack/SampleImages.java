package dev.transferlab.stack;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Random;

/**
 * Generates a small labelled dataset of two visibly different classes, so the demo and the tests need no download:
 * "sunset" (warm sky, a low sun disc) and "ocean" (blue water with wave lines). Sizes, positions and tints vary per
 * image, reproducibly for a seed.
 */
public final class SampleImages {
    public static final List<String> CLASSES = List.of("ocean", "sunset");

    private SampleImages() {
    }

    public static byte[] png(String className, long seed) {
        Random random = new Random(seed * 31 + className.hashCode());
        int width = 200 + random.nextInt(120);
        int height = 160 + random.nextInt(120);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        switch (className) {
            case "sunset" -> drawSunset(g, width, height, random);
            case "ocean" -> drawOcean(g, width, height, random);
            default -> throw new IllegalArgumentException("unknown sample class " + className);
        }
        g.dispose();
        return encode(image);
    }

    private static void drawSunset(Graphics2D g, int w, int h, Random r) {
        g.setPaint(new GradientPaint(0, 0, new Color(250, 120 + r.nextInt(60), 40 + r.nextInt(40)), 0, h,
                new Color(120 + r.nextInt(60), 30, 60 + r.nextInt(40))));
        g.fillRect(0, 0, w, h);
        int d = h / 4 + r.nextInt(h / 4);
        g.setColor(new Color(255, 230 + r.nextInt(25), 120 + r.nextInt(60)));
        g.fillOval(r.nextInt(Math.max(1, w - d)), h / 2 + r.nextInt(h / 4) - d / 2, d, d);
    }

    private static void drawOcean(Graphics2D g, int w, int h, Random r) {
        g.setPaint(new GradientPaint(0, 0, new Color(20, 80 + r.nextInt(60), 160 + r.nextInt(60)), 0, h,
                new Color(5, 30 + r.nextInt(30), 90 + r.nextInt(40))));
        g.fillRect(0, 0, w, h);
        g.setStroke(new BasicStroke(2 + r.nextInt(3)));
        g.setColor(new Color(200, 230, 255));
        int phase = r.nextInt(40);
        for (int y = 20 + r.nextInt(20); y < h; y += 18 + r.nextInt(10)) {
            for (int x = -40 + phase; x < w; x += 40) {
                g.drawArc(x, y, 40, 12, 0, 180);
            }
        }
    }

    private static byte[] encode(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
