package dev.transferlab.api.jobs;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

public enum JobState {
    QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
