package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.stack.bench.ProcessMemory;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static dev.transferlab.stack.SharedStack.stack;
import static dev.transferlab.stack.SharedStack.store;

/**
 * What must still hold after any hostile input: both services up and answering normal requests within seconds,
 * their resident memory under a bound, nothing new in the store but what the test's own normal work wrote, and the
 * other tenant's job and model exactly as they were.
 */
final class Unharmed {
    /**
     * Peak resident set (VmHWM) allowed for each service: four and two and a half times what they reach in this suite
     * when nothing hostile has happened (257 MiB and 416 MiB after a tiny job on a 2-core machine). Each of the
     * hostile inputs is beyond the bound on its own for a service that trusts it: a 1.5 GB long name in the
     * api-service, a 708 MB CMYK raster or a 1.15 GB 16-bit raster in the worker. The api-service's bound is 2 GiB:
     * in a full CI run (its JVM's default heap, a quarter of the machine's memory, grows lazily) it peaked at
     * 1,434 MiB during the upload tests, against 3 GB and more for each long-name upload before the fix.
     */
    static final long API_MAX_RESIDENT = 2048L << 20;
    static final long WORKER_MAX_RESIDENT = 1024L << 20;
    /** How soon a service must answer a normal request after a hostile one. */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(20);

    private final String otherTenantName;
    private final ApiClient otherTenant;
    private final String otherJob;
    private final byte[] otherManifest;

    /** The other tenant's completed job {@code otherJob}, whose model's manifest is {@code otherManifest}. */
    Unharmed(String otherTenantName, ApiClient api, String otherJob, byte[] otherManifest) {
        this.otherTenantName = otherTenantName;
        this.otherTenant = api.asTenant(otherTenantName);
        this.otherJob = otherJob;
        this.otherManifest = otherManifest;
    }

    /** Every key in the platform bucket now. */
    static Set<String> storeKeys() {
        return store().list(store().inDefaultBucket("")).stream().map(o -> o.key())
                .collect(Collectors.toCollection(HashSet::new));
    }

    /** Checks everything and fails once, listing each thing that does not hold. */
    void assertHolds(Set<String> keysBefore, Predicate<String> newKeyAllowed) {
        List<String> problems = new ArrayList<>();
        for (ServiceProcess service : List.of(stack().api(), stack().worker())) {
            if (!service.isAlive()) {
                problems.add(service.name() + " is not running (see " + service.log() + ")");
                continue;
            }
            for (String probe : List.of("/q/health/live", "/q/health/ready")) {
                String down = awaitUp(service.url(), probe);
                if (down != null) {
                    problems.add(service.name() + " " + probe + ": " + down);
                }
            }
            ProcessMemory memory = ProcessMemory.of(service.pid());
            long bound = service == stack().api() ? API_MAX_RESIDENT : WORKER_MAX_RESIDENT;
            System.out.printf("Unharmed: %s resident %s, peak %s (bound %s)%n", service.name(),
                    ProcessMemory.mib(memory.residentBytes()), ProcessMemory.mib(memory.peakResidentBytes()),
                    ProcessMemory.mib(bound));
            if (memory.peakResidentBytes() > bound) {
                problems.add(service.name() + " peaked at " + ProcessMemory.mib(memory.peakResidentBytes())
                        + " resident, over its bound of " + ProcessMemory.mib(bound));
            }
        }
        String answers = otherTenantAnswers();
        if (answers != null) {
            problems.add(answers);
        }
        Set<String> keysNow = storeKeys();
        List<String> unexpected = keysNow.stream().filter(k -> !keysBefore.contains(k))
                .filter(newKeyAllowed.negate()).sorted().toList();
        if (!unexpected.isEmpty()) {
            problems.add("new objects in the store: " + abbreviated(unexpected));
        }
        String manifest = StorageLayout.modelManifest(otherTenantName, otherJob);
        if (!Arrays.equals(store().get(store().inDefaultBucket(manifest)).orElse(null), otherManifest)) {
            problems.add("the other tenant's model manifest " + manifest + " changed or is gone");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("after the hostile input:\n  " + String.join("\n  ", problems));
        }
    }

    /**
     * The other tenant's job is still completed and listed, and its model still answers a prediction, within
     * {@link #ANSWER_WITHIN}; null when so, else what failed.
     */
    private String otherTenantAnswers() {
        Instant deadline = Instant.now().plus(ANSWER_WITHIN);
        String last = null;
        ApiClient api = otherTenant.withTimeout(ANSWER_WITHIN);
        while (Instant.now().isBefore(deadline)) {
            try {
                ApiClient.Answer job = api.get("/v1/training-jobs/" + otherJob);
                ApiClient.Answer list = api.get("/v1/training-jobs");
                ApiClient.Answer prediction = api.postBytes("/v1/models/" + otherJob + "/predictions",
                        SampleImages.png("sunset", 60_000), "image/png");
                if (job.status() != 200 || !job.body().path("state").asText().equals("completed")) {
                    last = "the other tenant's job answers " + job.status() + ": " + job.body();
                } else if (list.status() != 200 || !listed(list.body(), otherJob)) {
                    last = "the other tenant's job listing answers " + list.status() + ": " + list.body();
                } else if (prediction.status() != 200) {
                    last = "a normal prediction answers " + prediction.status() + ": " + prediction.body();
                } else {
                    return null;
                }
            } catch (UncheckedIOException e) {
                last = "a normal request was not answered: " + e.getCause();
            }
            pause();
        }
        return last + " (still after " + ANSWER_WITHIN + ")";
    }

    private static boolean listed(JsonNode page, String jobId) {
        for (JsonNode job : page.path("items")) {
            if (job.path("id").asText().equals(jobId)) {
                return job.path("state").asText().equals("completed");
            }
        }
        return false;
    }

    /** Null once the probe answers 200 (within {@link #ANSWER_WITHIN}), else its last answer. */
    private static String awaitUp(String serviceUrl, String probe) {
        ApiClient client = new ApiClient(serviceUrl).withTimeout(Duration.ofSeconds(5));
        Instant deadline = Instant.now().plus(ANSWER_WITHIN);
        String last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                ApiClient.Answer answer = client.get(probe);
                if (answer.status() == 200) {
                    return null;
                }
                last = answer.status() + " " + answer.body();
            } catch (UncheckedIOException e) {
                last = "no answer: " + e.getCause();
            }
            pause();
        }
        return last;
    }

    /**
     * Restarts a service that has died or whose liveness or readiness is down, so that one item's damage does not
     * hide what the next item does. The item that did the damage has failed already.
     */
    static void repair() {
        for (ServiceProcess service : List.of(stack().api(), stack().worker())) {
            boolean up = service.isAlive() && awaitUp(service.url(), "/q/health/live") == null
                    && awaitUp(service.url(), "/q/health/ready") == null;
            if (!up) {
                System.out.println("Unharmed: restarting " + service.name() + ", which is down after the test");
                service.kill();
                service.start();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviated(List<String> keys) {
        return keys.size() <= 10 ? keys.toString() : keys.subList(0, 10) + " and " + (keys.size() - 10) + " more";
    }
}
