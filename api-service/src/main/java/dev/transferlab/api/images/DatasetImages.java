package dev.transferlab.api.images;

import dev.transferlab.api.http.ProblemException;
import dev.transferlab.common.dataset.ImageFolderLayout;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.resteasy.reactive.RestResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * The images of a dataset as the console shows them: a few samples per class, and thumbnails of any of its files.
 * Callers pass a location the tenant may read (its dataset's, or its model's); paths are relative to it and can never
 * leave it.
 */
@ApplicationScoped
public class DatasetImages {
    public static final int MAX_SAMPLES_PER_CLASS = 32;
    private static final int MAX_PATH_BYTES = 800;
    private static final List<String> SPLITS = List.of(ImageFolderLayout.TRAIN, ImageFolderLayout.VAL,
            ImageFolderLayout.TEST);

    private final ObjectStore store;
    private final long maxSourceBytes;
    private final long maxPixels;
    // Decoding is the costliest thing the api does; a page of thumbnails must not take every core from the API.
    private final Semaphore decodes;

    @Inject
    public DatasetImages(ObjectStore store, ThumbnailSettings settings) {
        this.store = store;
        this.maxSourceBytes = settings.maxSourceBytes();
        this.maxPixels = settings.maxPixels();
        this.decodes = new Semaphore(settings.concurrentDecodes(), true);
    }

    /** Up to {@code perClass} image paths of each class, training images first, in path order. */
    public Map<String, List<String>> samples(String location, int perClass) {
        if (perClass < 1 || perClass > MAX_SAMPLES_PER_CLASS) {
            throw new ProblemException(400, "Bad Request", "perClass must be between 1 and " + MAX_SAMPLES_PER_CLASS
                    + ", got " + perClass);
        }
        ObjectLocation prefix = store.locate(location).asPrefix();
        List<String> paths = store.list(prefix).stream().map(o -> o.key().substring(prefix.key().length()))
                .filter(p -> !ImageFolderLayout.isHidden(p) && ImageFormats.hasImageName(p)).toList();
        ImageFolderLayout.Resolved layout = ImageFolderLayout.resolve(paths);
        Map<String, List<String>> samples = new LinkedHashMap<>();
        layout.classes().forEach(c -> samples.put(c, new ArrayList<>()));
        for (String split : SPLITS) {
            layout.placed().forEach((path, placed) -> {
                List<String> ofClass = samples.get(placed.className());
                if (placed.split().equals(split) && ofClass.size() < perClass) {
                    ofClass.add(layout.root() + path);
                }
            });
        }
        return samples;
    }

    /** A PNG of at most {@code size} pixels a side of the image at {@code path} under {@code location}. */
    public byte[] thumbnail(String location, String path, int size) {
        ObjectLocation file = store.locate(location).asPrefix().child(checked(path));
        byte[] image;
        try (InputStream in = store.open(file).orElseThrow(() -> noSuchImage(path))) {
            image = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxSourceBytes + 1));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (image.length > maxSourceBytes) {
            throw new ProblemException(413, "Content Too Large", "the file is larger than "
                    + maxSourceBytes + " bytes, the most a thumbnail is made from");
        }
        decodes.acquireUninterruptibly();
        try {
            return Thumbnails.png(image, size, maxPixels);
        } finally {
            decodes.release();
        }
    }

    /**
     * The answer for a thumbnail: private (it is one tenant's), kept by the browser for an hour, as uploads never
     * change.
     */
    public static RestResponse<byte[]> cached(byte[] png) {
        return RestResponse.ResponseBuilder.ok(png, "image/png")
                .header("Cache-Control", "private, max-age=3600").build();
    }

    /** A relative path of plain segments: no empty, "." or ".." segment, nothing absolute, no backslash or NUL. */
    static String checked(String path) {
        if (path == null || path.isEmpty()) {
            throw new ProblemException(400, "Bad Request", "path is required: an image's path in the dataset");
        }
        boolean plain = path.getBytes(StandardCharsets.UTF_8).length <= MAX_PATH_BYTES
                && path.indexOf('\\') < 0 && path.indexOf('\0') < 0
                && List.of(path.split("/", -1)).stream().noneMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."));
        if (!plain) {
            throw new ProblemException(400, "Bad Request", "path must be a relative path inside the dataset, of at most "
                    + MAX_PATH_BYTES + " bytes, without empty, '.' or '..' segments");
        }
        return path;
    }

    private static ProblemException noSuchImage(String path) {
        return new ProblemException(404, "Not Found", "the dataset has no file '" + path + "'");
    }
}
