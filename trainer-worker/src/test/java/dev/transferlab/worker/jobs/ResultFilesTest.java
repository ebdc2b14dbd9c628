package dev.transferlab.worker.jobs;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResultFilesTest {

    @Test
    void csvFieldsWithCommasQuotesOrLineBreaksAreQuotedAndEmptyOnesKeepTheirPlace() {
        assertThat(ResultFiles.csvRow(List.of("a,b.png", "", "say \"hi\"", "x\ny", "0.5")))
                .isEqualTo("\"a,b.png\",,\"say \"\"hi\"\"\",\"x\ny\",0.5\r\n");
    }
}
