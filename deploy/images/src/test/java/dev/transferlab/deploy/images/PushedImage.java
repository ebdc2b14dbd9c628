package dev.transferlab.deploy.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** An image as a registry serves it (distribution API v2): its manifest, its config and the files of its layers. */
record PushedImage(JsonNode manifest, JsonNode config, List<String> files) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static PushedImage read(String registry, String repository, String tag) throws IOException, InterruptedException {
        String base = "http://" + registry + "/v2/" + repository;
        JsonNode manifest = JSON.readTree(get(base + "/manifests/" + tag, "application/vnd.docker.distribution"
                + ".manifest.v2+json, application/vnd.oci.image.manifest.v1+json"));
        JsonNode config = JSON.readTree(get(base + "/blobs/" + manifest.path("config").path("digest").asText(), "*/*"));
        List<String> files = new ArrayList<>();
        for (JsonNode layer : manifest.path("layers")) {
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(
                    getStream(base + "/blobs/" + layer.path("digest").asText())))) {
                for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    files.add("/" + entry.getName());
                }
            }
        }
        return new PushedImage(manifest, config, files);
    }

    List<String> entrypoint() {
        List<String> words = new ArrayList<>();
        config.path("config").path("Entrypoint").forEach(word -> words.add(word.asText()));
        return words;
    }

    String user() {
        return config.path("config").path("User").asText();
    }

    List<String> env() {
        List<String> env = new ArrayList<>();
        config.path("config").path("Env").forEach(variable -> env.add(variable.asText()));
        return env;
    }

    List<String> exposedPorts() {
        List<String> ports = new ArrayList<>();
        config.path("config").path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        return ports;
    }

    private static byte[] get(String url, String accept) throws IOException, InterruptedException {
        try (InputStream in = getStream(url, accept)) {
            return in.readAllBytes();
        }
    }

    private static InputStream getStream(String url) throws IOException, InterruptedException {
        return getStream(url, "*/*");
    }

    private static InputStream getStream(String url, String accept) throws IOException, InterruptedException {
        HttpResponse<InputStream> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", accept)
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        if (answer.statusCode() != 200) {
            answer.body().close();
            throw new IOException("GET " + url + " answered " + answer.statusCode());
        }
        return answer.body();
    }
}
