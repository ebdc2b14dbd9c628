package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.BatchPredictionLine;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A batch prediction job's results assembled from its parts, in order, as JSON Lines (the parts' lines as they are)
 * and as CSV: {@code path,label}, one probability column per class in the model's order, then {@code error}. Both go
 * through temporary files, so a job of a million images is never in memory; the JSON Lines file is stored last and so
 * marks the job done.
 */
final class ResultFiles {
    private final ObjectStore store;

    ResultFiles(ObjectStore store) {
        this.store = store;
    }

    /** @param failed lines with an error instead of a prediction, in all parts (those of earlier runs too) */
    record Assembled(Map<String, String> artifacts, int failed) {
    }

    Assembled assemble(List<String> classes, List<ObjectLocation> parts, ObjectLocation csvAt,
                       ObjectLocation jsonlAt) {
        int failed = 0;
        Path jsonl = null;
        Path csv = null;
        try {
            jsonl = Files.createTempFile("results-", ".jsonl");
            csv = Files.createTempFile("results-", ".csv");
            try (Writer jsonOut = Files.newBufferedWriter(jsonl);
                 BufferedWriter csvOut = Files.newBufferedWriter(csv)) {
                List<String> header = new ArrayList<>(List.of("path", "label"));
                header.addAll(classes);
                header.add("error");
                csvOut.write(csvRow(header));
                for (ObjectLocation part : parts) {
                    InputStream in = store.open(part).orElseThrow(() -> new JobFailure("part " + part
                            + " of the results disappeared"));
                    try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                            jsonOut.write(line);
                            jsonOut.write('\n');
                            BatchPredictionLine parsed = Messages.mapper().readValue(line, BatchPredictionLine.class);
                            failed += parsed.error() != null ? 1 : 0;
                            csvOut.write(csvRow(row(classes, parsed)));
                        }
                    }
                }
            }
            store.put(csvAt, csv, "text/csv");
            store.put(jsonlAt, jsonl, "application/x-ndjson");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot assemble the results", e);
        } finally {
            delete(jsonl);
            delete(csv);
        }
        Map<String, String> artifacts = new LinkedHashMap<>();
        artifacts.put("results.jsonl", jsonlAt.toString());
        artifacts.put("results.csv", csvAt.toString());
        return new Assembled(artifacts, failed);
    }

    private static List<String> row(List<String> classes, BatchPredictionLine line) {
        List<String> row = new ArrayList<>(List.of(line.path(), line.label() == null ? "" : line.label()));
        for (String c : classes) {
            row.add(line.probabilities() == null ? "" : String.valueOf(line.probabilities().get(c)));
        }
        row.add(line.error() == null ? "" : line.error());
        return row;
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    static String csvRow(List<String> fields) {
        return fields.stream().map(f -> f.contains(",") || f.contains("\"") || f.contains("\n") || f.contains("\r")
                ? '"' + f.replace("\"", "\"\"") + '"' : f).collect(Collectors.joining(",", "", "\r\n"));
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file; the next boot's tmpdir clean-up takes it
            }
        }
    }
}
