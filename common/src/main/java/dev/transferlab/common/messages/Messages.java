package dev.transferlab.common.messages;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.util.Objects;

/**
 * The JSON form of every message. Unknown fields are ignored so an older reader survives a newer writer within one
 * schema version; a different schema version is refused rather than half-read.
 */
public final class Messages {
    public static final int SCHEMA_VERSION = 1;
    public static final String DEFAULT_TENANT = "default";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Messages() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String toJson(Object message) {
        try {
            return MAPPER.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + message.getClass().getSimpleName(), e);
        }
    }

    /**
     * Parses a message and checks its envelope.
     *
     * @throws MalformedMessageException when the text is not valid JSON for the type, or its schema version or type
     *                                   is not the expected one
     */
    public static <T> T fromJson(String json, Class<T> type) {
        JsonNode node;
        try {
            node = MAPPER.readTree(Objects.requireNonNull(json, "the record has no value"));
        } catch (Exception e) {
            throw new MalformedMessageException("not JSON: " + e.getMessage(), e);
        }
        if (!node.isObject()) {
            throw new MalformedMessageException("not a JSON object but " + node.getNodeType().name()
                    .toLowerCase(java.util.Locale.ROOT) + "; this service reads " + type.getSimpleName()
                    + " objects of schema version " + SCHEMA_VERSION, null);
        }
        JsonNode version = node.get("schemaVersion");
        if (version == null || version.isNull()) {
            throw new MalformedMessageException("the record has no schemaVersion field; this service reads version "
                    + SCHEMA_VERSION, null);
        }
        if (!version.isInt() || version.intValue() != SCHEMA_VERSION) {
            String found = version.isNumber() ? version.asText() : "a JSON " + version.getNodeType().name()
                    .toLowerCase(java.util.Locale.ROOT);
            throw new MalformedMessageException(type.getSimpleName() + " has schema version " + found
                    + "; this service reads version " + SCHEMA_VERSION, null);
        }
        try {
            return MAPPER.treeToValue(node, type);
        } catch (Exception e) {
            throw new MalformedMessageException("not a valid " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public static final class MalformedMessageException extends RuntimeException {
        public MalformedMessageException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
