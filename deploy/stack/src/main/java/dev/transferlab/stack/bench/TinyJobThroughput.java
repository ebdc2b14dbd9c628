package dev.transferlab.stack.bench;

import dev.transferlab.stack.ApiClient;

import java.util.ArrayList;
import java.util.List;

/** How many small jobs one worker gets through per minute, submission to completed event, back to back. */
final class TinyJobThroughput {
    private final ApiClient api;

    TinyJobThroughput(ApiClient api) {
        this.api = api;
    }

    double jobsPerMinute(String jobBody, int jobs) {
        long start = System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            ids.add(api.postJson("/v1/training-jobs", jobBody).body().get("id").asText());
        }
        for (String id : ids) {
            api.followEvents(id, event -> {
                if (event.name().equals("failed")) {
                    throw new IllegalStateException(id + " failed: " + event.data());
                }
            });
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        return jobs / minutes;
    }
}
