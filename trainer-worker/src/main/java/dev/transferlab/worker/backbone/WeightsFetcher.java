package dev.transferlab.worker.backbone;

import dev.transferlab.common.storage.ObjectStore;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/** Copies weights from wherever a {@link WeightsLocation} points into a local file. */
final class WeightsFetcher {

    private final ObjectStore store;
    private final HttpClient http;

    WeightsFetcher(ObjectStore store) {
        this.store = store;
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
            }
            case FILE -> Files.copy(Path.of(location.source()), target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void download(URI uri, Path target) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).GET().build();
        HttpResponse<Path> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofFile(target));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + uri, e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("GET " + uri + " answered HTTP " + response.statusCode());
        }
    }
}
