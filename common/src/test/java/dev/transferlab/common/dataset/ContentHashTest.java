package dev.transferlab.common.dataset;

import org.junit.jupiter.api.Test;

import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class ContentHashTest {

    @Test
    void dependsOnPathsAndFileHashesButNotOnInsertionOrder() {
        TreeMap<String, String> a = new TreeMap<>();
        a.put("train/cat/1.png", "aa");
        a.put("train/dog/1.png", "bb");
        TreeMap<String, String> b = new TreeMap<>();
        b.put("train/dog/1.png", "bb");
        b.put("train/cat/1.png", "aa");

        String hash = ContentHash.of(ContentHash.CONTENT, a);
        assertThat(hash).startsWith("sha256-").hasSize("sha256-".length() + 64)
                .isEqualTo(ContentHash.of(ContentHash.CONTENT, b));

        b.put("train/dog/1.png", "cc");
        assertThat(ContentHash.of(ContentHash.CONTENT, b)).isNotEqualTo(hash);
        TreeMap<String, String> moved = new TreeMap<>();
        moved.put("train/dog/1.png", "aa");
        moved.put("train/cat/1.png", "bb");
        assertThat(ContentHash.of(ContentHash.CONTENT, moved)).as("a file moved to another class").isNotEqualTo(hash);
        assertThat(ContentHash.of(ContentHash.LISTING, a)).startsWith("listing-sha256-");
    }
}
