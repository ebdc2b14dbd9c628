package dev.transferlab.api.models;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClaimChecksTest {

    @Test
    void theShippedLimitsFitAnInlineImageAtTheThresholdInOneRequest() {
        assertThatCode(() -> checks(256 * 1024, 524_288).requireConsistentLimits(null)).doesNotThrowAnyException();
    }

    @Test
    void aThresholdWhoseBase64WouldNotFitTheProducerStopsTheStart() {
        // 400 KiB is 546,136 bytes as base64: over 512 KiB before the request's own fields.
        assertThatThrownBy(() -> checks(400 * 1024, 524_288).requireConsistentLimits(null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("transferlab.inference.claim-check-threshold (409600 bytes)")
                .hasMessageContaining("max.request.size (524288)");
    }

    @Test
    void onlyImagesOverTheThresholdTravelByReference() {
        ClaimChecks checks = checks(10, 524_288);
        assertThat(checks.needed(new byte[10])).isFalse();
        assertThat(checks.needed(new byte[11])).isTrue();
    }

    private static ClaimChecks checks(long threshold, long maxRequestSize) {
        return new ClaimChecks(null, threshold, maxRequestSize);
    }
}
