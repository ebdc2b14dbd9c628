package dev.transferlab.api.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.transferlab.api.datasets.DatasetRegistration;
import dev.transferlab.api.jobs.TrainingJobSubmission;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any request body, read as the API reads it, is a value or an {@link IOException}, which {@link ProblemMappers}
 * answers with 400: a {@link JsonProcessingException} through {@link JsonProblems}, naming the field; any other (bytes
 * that Jackson takes for UTF-32 and cannot decode, say: a crash this target found) as a body that cannot be read.
 * Anything else would be a 500.
 */
class StrictJsonFuzzTest {
    private static final ObjectMapper MAPPER = strict();

    private static ObjectMapper strict() {
        ObjectMapper mapper = new ObjectMapper();
        new StrictJson().customize(mapper);
        return mapper;
    }

    @FuzzTest(maxDuration = "")
    void anyBodyIsReadOrRefusedNamingTheField(byte[] body) {
        for (Class<?> type : new Class<?>[]{TrainingJobSubmission.class, DatasetRegistration.class}) {
            try {
                MAPPER.readValue(body, type);
            } catch (JsonProcessingException e) {
                Problem problem = JsonProblems.of(e);
                assertThat(problem.status()).isEqualTo(400);
                assertThat(problem.detail()).isNotBlank();
            } catch (IOException unreadable) {
                // ProblemMappers.unreadableBody: 400
            }
        }
    }
}
