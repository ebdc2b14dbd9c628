package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.messages.Messages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** A small client of the platform's REST API, as another system would use it: plain HTTP and JSON. */
public final class ApiClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String baseUrl;
    private final Duration timeout;
    private final Map<String, String> headers;
    private final Supplier<String> tokens;

    /** A client without a token: for a stack with authentication off, or to see what anonymous callers get. */
    public ApiClient(String baseUrl) {
        this(baseUrl, Duration.ofSeconds(60), Map.of(), null);
    }

    private ApiClient(String baseUrl, Duration timeout, Map<String, String> headers, Supplier<String> tokens) {
        this.baseUrl = baseUrl;
        this.timeout = timeout;
        this.headers = headers;
        this.tokens = tokens;
    }

    /**
     * The same client acting for this tenant: every request carries its {@code X-Tenant} header, which the API
     * honours only for an admin (and with authentication off).
     */
    public ApiClient asTenant(String tenant) {
        return new ApiClient(baseUrl, timeout, Map.of("X-Tenant", tenant), tokens);
    }

    /** The same client sending {@code Authorization: Bearer} with the token {@code tokens} answers at the time. */
    public ApiClient withTokens(Supplier<String> tokens) {
        return new ApiClient(baseUrl, timeout, headers, tokens);
    }

    /** The same client giving up on an answer after {@code timeout} (with an {@link UncheckedIOException}). */
    public ApiClient withTimeout(Duration timeout) {
        return new ApiClient(baseUrl, timeout, headers, tokens);
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** The headers this client adds to every request (its current token among them). */
    public Map<String, String> headers() {
        if (tokens == null) {
            return headers;
        }
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Authorization", "Bearer " + tokens.get());
        return all;
    }

    /**
     * An HTTP answer: its status and its body parsed as JSON (or a JSON text node when it is not JSON).
     *
     * @param headers the first value of each header, by its name in lower case
     */
    public record Answer(int status, String contentType, JsonNode body, String location, Map<String, String> headers) {

        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    /** One server-sent event. */
    public record SseEvent(String id, String name, JsonNode data) {
    }

    public Answer get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public Answer postJson(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Answer postJson(String path, String json, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json");
        headers.forEach(builder::header);
        return send(builder.POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Answer delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    /** Any method, any body (none when {@code body} is null), as a client that does not follow the API would. */
    public Answer send(String method, String path, byte[] body, String contentType) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        return send(builder);
    }

    /** A download's text, e.g. results as JSON Lines or CSV, which {@link #get} would try to read as JSON. */
    public String text(String path) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
            headers().forEach(request::header);
            HttpResponse<String> response = http.send(request.timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Answer postBytes(String path, byte[] body, String contentType) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    public Answer postFile(String path, java.nio.file.Path file, String contentType) {
        try {
            return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofFile(file)));
        } catch (java.io.FileNotFoundException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a job's event stream until the server ends it, handing each event to {@code onEvent}. */
    public void followEvents(String jobId, Consumer<SseEvent> onEvent) {
        followEvents(jobId, null, onEvent);
    }

    /** The same, resuming after the event {@code lastEventId} as a reconnecting browser would. */
    public void followEvents(String jobId, String lastEventId, Consumer<SseEvent> onEvent) {
        followEventsAt("/v1/training-jobs/" + jobId + "/events", lastEventId, onEvent);
    }

    /** Any job's event stream by its path, e.g. {@code /v1/batch-predictions/<id>/events}. */
    public void followEventsAt(String path, String lastEventId, Consumer<SseEvent> onEvent) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path))
                .header("Accept", "text/event-stream");
        headers().forEach(builder::header);
        if (lastEventId != null) {
            builder.header("Last-Event-ID", lastEventId);
        }
        HttpRequest request = builder.GET().build();
        try {
            HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(path + " answered " + response.statusCode());
            }
            SseParser parser = new SseParser(onEvent);
            try (Stream<String> lines = response.body()) {
                lines.forEach(parser::line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            headers().forEach(request::header);
            HttpResponse<String> response = http.send(request.timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofString());
            String contentType = response.headers().firstValue("Content-Type").orElse("");
            Map<String, String> first = new LinkedHashMap<>();
            response.headers().map().forEach((name, values) -> first.put(name.toLowerCase(Locale.ROOT),
                    values.get(0)));
            return new Answer(response.statusCode(), contentType, parse(response.body()),
                    response.headers().firstValue("Location").orElse(null), first);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    /** Parses JSON text; what is not JSON becomes a JSON string node, so error bodies stay readable. */
    public static JsonNode parse(String text) {
        try {
            return Messages.mapper().readTree(text);
        } catch (IOException e) {
            return Messages.mapper().getNodeFactory().textNode(text);
        }
    }

    /** The text/event-stream format: fields until a blank line, then one event. */
    private static final class SseParser {
        private final Consumer<SseEvent> onEvent;
        private String id;
        private String name;
        private final StringBuilder data = new StringBuilder();

        SseParser(Consumer<SseEvent> onEvent) {
            this.onEvent = onEvent;
        }

        void line(String line) {
            if (line.isEmpty()) {
                if (!data.isEmpty()) {
                    onEvent.accept(new SseEvent(id, name, parse(data.toString())));
                }
                id = null;
                name = null;
                data.setLength(0);
            } else if (line.startsWith("id:")) {
                id = line.substring(3).trim();
            } else if (line.startsWith("event:")) {
                name = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                if (!data.isEmpty()) {
                    data.append('\n');
                }
                data.append(line.substring(5).stripLeading());
            }
        }
    }
}
