package dev.transferlab.api.datasets;

import dev.transferlab.api.http.ProblemException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EntryNamesTest {

    @Test
    void normalisesHarmlessNames() {
        assertThat(EntryNames.safePath("./train/cat/1.png")).isEqualTo("train/cat/1.png");
        assertThat(EntryNames.safePath("train//cat/./1.png")).isEqualTo("train/cat/1.png");
        assertThat(EntryNames.safePath("train\\Chat noir\\1.png")).isEqualTo("train/Chat noir/1.png");
        assertThat(EntryNames.safePath("./")).isEmpty();
        assertThat(EntryNames.safePath("a..b/c..png")).isEqualTo("a..b/c..png");
    }

    @Test
    void refusesZipSlipAndAbsolutePaths() {
        for (String name : new String[] {"../evil.png", "train/../../evil.png", "..\\evil.png", "/etc/passwd",
                "C:\\Windows\\x.png", "a\0b"}) {
            assertThatThrownBy(() -> EntryNames.safePath(name)).as(name).isInstanceOf(ProblemException.class)
                    .satisfies(e -> assertThat(((ProblemException) e).problem().status()).isEqualTo(422));
        }
        assertThatThrownBy(() -> EntryNames.safePath("x/".repeat(500))).hasMessageContaining("longer than");
    }
}
