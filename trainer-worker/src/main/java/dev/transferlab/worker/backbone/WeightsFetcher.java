package dev.transferlab.worker.backbone;

import dev.transferlab.common.storage.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Copies weights from wherever a {@link WeightsLocation} points into a local file, refusing one larger than a weights
 * file can be: the readers hold a whole file in one Java array, and a download must not fill the disk either.
 */
final class WeightsFetcher {

    /** The most bytes one Java array holds. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private final ObjectStore store;
    private final HttpClient http;
    private final long maxBytes;

    WeightsFetcher(ObjectStore store) {
        this(store, MAX_BYTES);
    }

    /** @param maxBytes the largest file accepted; tests lower it to check the refusal without gigabytes */
    WeightsFetcher(ObjectStore store, long maxBytes) {
        this.store = store;
        this.maxBytes = maxBytes;
        // NORMAL follows redirects (download.pytorch.org uses them) but never from https down to http.
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    void copy(WeightsLocation location, Path target) throws IOException {
        switch (location.kind()) {
            case HTTP -> download(URI.create(location.source()), target);
            case S3 -> {
                if (!store.download(store.locate(location.source()), target)) {
                    throw new IOException("no object at " + location.source());
                }
                requireAtMostMax(Files.size(target));
            }
            case FILE -> {
                Path source = Path.of(location.source());
                if (Files.isRegularFile(source)) {
                    requireAtMostMax(Files.size(source));
                }
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private void download(URI uri, Path target) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + uri, e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("GET " + uri + " answered HTTP " + response.statusCode());
            }
            requireAtMostMax(response.headers().firstValueAsLong("Content-Length").orElse(0));
            // Counted as it arrives: a server may send more than it declared, or declare nothing.
            try (OutputStream out = Files.newOutputStream(target)) {
                byte[] buffer = new byte[1 << 16];
                long total = 0;
                for (int read = body.read(buffer); read >= 0; read = body.read(buffer)) {
                    total += read;
                    requireAtMostMax(total);
                    out.write(buffer, 0, read);
                }
            }
        }
    }

    private void requireAtMostMax(long bytes) throws IOException {
        if (bytes > maxBytes) {
            throw new IOException("the file is larger than " + maxBytes + " bytes, the most a weights file may have");
        }
    }
}
