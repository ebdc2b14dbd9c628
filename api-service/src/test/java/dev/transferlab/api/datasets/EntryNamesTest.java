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

    @Test
    void aFileOrFolderNameMayHaveAtMost255BytesAndAPathAtMost800() {
        assertThat(EntryNames.safePath("train/" + "a".repeat(255) + "/1.png")).hasSize(6 + 255 + 6);
        assertThatThrownBy(() -> EntryNames.safePath("train/" + "a".repeat(300) + "/1.png"))
                .isInstanceOf(ProblemException.class)
                .satisfies(e -> assertThat(((ProblemException) e).problem().status()).isEqualTo(422))
                .hasMessageContaining("a file or folder name may have at most 255 bytes");
        // 86 three-byte characters are 258 bytes: the bound is on what the store's file system counts.
        assertThatThrownBy(() -> EntryNames.safePath("train/" + "猫".repeat(86) + ".png"))
                .hasMessageContaining("at most 255 bytes");
        String wide = ("猫".repeat(80) + "/").repeat(4) + "1.png";
        assertThatThrownBy(() -> EntryNames.safePath(wide)).hasMessageContaining("longer than 800 bytes");
    }
}
