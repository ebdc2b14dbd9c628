package dev.transferlab.stack.bench;

import dev.transferlab.stack.ApiClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Time from a worker creating an epoch event (its timestamp) to an SSE client reading it, over many concurrent
 * clients of one job. Worker and clients share this machine's clock.
 */
final class SseLatency {
    private final ApiClient api;
    private final String baseUrl;

    SseLatency(ApiClient api, String baseUrl) {
        this.api = api;
        this.baseUrl = baseUrl;
    }

    record Result(double p50Millis, double p99Millis, int deliveries) {
    }

    Result measure(String jobBody, int clients) throws Exception {
        // HTTP/1.1, one connection per client, as browsers behind a proxy would connect.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // The job is created first, so clients can connect; its first epoch comes after feature extraction.
        String jobId = api.postJson("/v1/training-jobs", jobBody).body().get("id").asText();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            for (int i = 0; i < clients; i++) {
                pool.submit(() -> follow(http, jobId, latencies));
            }
            pool.shutdown();
            if (!pool.awaitTermination(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("clients did not finish");
            }
        } finally {
            pool.shutdownNow();
        }
        List<Double> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Result(StackBenchmark.percentile(sorted, 0.50), StackBenchmark.percentile(sorted, 0.99),
                sorted.size());
    }

    private Void follow(HttpClient http, String jobId, List<Double> latencies)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/training-jobs/" + jobId + "/events"))
                .GET().build();
        HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        // Events from before this client connected arrive as history; their age says nothing about delivery.
        Instant connectedAt = Instant.now();
        boolean epoch = false;
        try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.startsWith("event:")) {
                    epoch = line.contains("epoch-completed");
                } else if (epoch && line.startsWith("data:")) {
                    Instant sent = Instant.parse(ApiClient.parse(line.substring(5)).get("timestamp").asText());
                    if (sent.isAfter(connectedAt)) {
                        latencies.add(Duration.between(sent, Instant.now()).toNanos() / 1e6);
                    }
                }
            }
        }
        return null;
    }
}
