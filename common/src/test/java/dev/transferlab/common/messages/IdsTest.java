package dev.transferlab.common.messages;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"default", "acme", "job-3f2a9c1e-8b7d-4e6f-a5b4-c3d2e1f0a9b8", "ds-0123456789abcdef0123",
            "inf-1", "a", "0"})
    void theIdsAndTenantsThePlatformMakesFollowTheRule(String id) {
        assertThat(Ids.isValid(id)).isTrue();
        assertThat(Ids.require("jobId", id)).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../acme/job-1", "job-1/../../x", "a/b", "job.1", "..", "Job-1", "-job", "job 1",
            "job_1", "jöb", "job\n1", "ｊｏｂ"})
    void anythingElseIsRefusedNamingTheField(String id) {
        assertThat(Ids.isValid(id)).isFalse();
        assertThatThrownBy(() -> Ids.require("jobId", id))
                .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("jobId"))
                .hasMessageStartingWith("jobId ").hasMessageContaining("is not a valid id: it must be 1-63");
    }

    @Test
    void lengthIsBoundedAndALongValueIsQuotedShortWithControlCharactersEscaped() {
        assertThat(Ids.isValid("a".repeat(63))).isTrue();
        assertThat(Ids.isValid("a".repeat(64))).isFalse();
        assertThatThrownBy(() -> Ids.require("tenant", "x\u0000" + "y".repeat(10_000)))
                .hasMessageContaining("'x\\u0000yyy").hasMessageContaining("…'")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(250));
        assertThatThrownBy(() -> Ids.require("tenant", null)).hasMessage("tenant is missing");
    }
}
