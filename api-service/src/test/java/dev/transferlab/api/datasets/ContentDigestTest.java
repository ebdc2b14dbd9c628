package dev.transferlab.api.datasets;

import dev.transferlab.common.dataset.ContentHash;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ContentDigestTest {

    @Test
    void aReaderThatResetsAndReadsAgainLikeARetryingClientStillGetsTheHashOfTheContent() throws IOException {
        byte[] data = new byte[300_000];
        new Random(4).nextBytes(data);
        String expected = HexFormat.of().formatHex(ContentHash.sha256().digest(data));

        ContentDigest digest = new ContentDigest(new BufferedInputStream(new ByteArrayInputStream(data), 1024));
        digest.mark(131_072);
        digest.readNBytes(100_000);
        digest.read();
        digest.reset();
        assertThat(digest.skip(10)).isEqualTo(10);
        digest.readAllBytes();

        assertThat(digest.hex()).isEqualTo(expected);
    }
}
