package dev.transferlab.api.datasets;

import dev.transferlab.api.http.ProblemException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UploadLimitsTest {
    private final UploadLimits limits = new UploadLimits(10, 100, 40, 3, 5, 5);

    @Test
    void aBodyOfExactlyTheLimitPassesAndOneByteMoreDoesNot() throws Exception {
        try (InputStream in = limits.limit(new ByteArrayInputStream(new byte[10]))) {
            assertThat(in.readAllBytes()).hasSize(10);
        }
        try (InputStream in = limits.limit(new ByteArrayInputStream(new byte[11]))) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(UploadLimits.TooLarge.class)
                    .hasMessageContaining("larger than 10 bytes");
        }
    }

    @Test
    void countsFilesFileSizesAndTheUnpackedTotal() {
        UploadLimits.Tally files = limits.tally();
        files.file("a", 1);
        files.file("b", 1);
        files.file("c", 1);
        assertThatThrownBy(() -> files.file("d", 1)).hasMessageContaining("more than 3 files");

        assertThatThrownBy(() -> limits.tally().file("big", 41)).hasMessageContaining("'big' is 41 bytes");

        UploadLimits.Tally total = limits.tally();
        total.file("a", 40);
        total.file("b", 40);
        assertThatThrownBy(() -> total.file("c", 40)).isInstanceOf(ProblemException.class)
                .hasMessageContaining("unpacks to more than 100 bytes")
                .satisfies(e -> assertThat(((ProblemException) e).problem().status()).isEqualTo(413));
    }

    @Test
    void everyEntryCountsAgainstTheEntryLimitFoldersIncluded() {
        UploadLimits.Tally entries = limits.tally();
        for (int i = 0; i < 5; i++) {
            entries.entry();
        }
        assertThatThrownBy(entries::entry).isInstanceOf(ProblemException.class)
                .hasMessageContaining("more than 5 entries (files and folders)")
                .satisfies(e -> assertThat(((ProblemException) e).problem().status()).isEqualTo(413));
    }
}
