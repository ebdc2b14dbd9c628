package dev.transferlab.api.datasets;

import dev.transferlab.api.http.ProblemException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClaimedPathsTest {

    @Test
    void aPathIsEitherOneFileOrAFolder() {
        ClaimedPaths files = new ClaimedPaths();
        files.claim("a/b/c.jpg", "a/b/c.jpg");
        files.claim("a/bc", "a/bc");
        files.claim("a/b.jpg", "a/b.jpg");
        assertThatThrownBy(() -> files.claim("a/b", "./a/b")).isInstanceOf(ProblemException.class)
                .satisfies(e -> assertThat(((ProblemException) e).problem().status()).isEqualTo(422))
                .hasMessageContaining("'./a/b' is a file, but 'a/b/c.jpg' makes it a folder");
        assertThatThrownBy(() -> files.claim("a/bc/d/e.jpg", "a/bc/d/e.jpg"))
                .hasMessageContaining("'a/bc/d/e.jpg' is inside 'a/bc', which is a file");
        assertThatThrownBy(() -> files.claim("a/b.jpg", "a\\b.jpg")).hasMessageContaining("'a\\b.jpg' appears twice");
    }
}
