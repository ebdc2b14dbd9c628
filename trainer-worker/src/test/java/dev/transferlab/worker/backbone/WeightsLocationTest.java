package dev.transferlab.worker.backbone;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeightsLocationTest {

    @Test
    void torchvisionsFileNamesCarryAHashPrefix() {
        assertThat(WeightsLocation.parse("https://download.pytorch.org/models/densenet121-a639ec97.pth")
                .hashFromName()).hasValue("a639ec97");
        assertThat(WeightsLocation.parse("https://example.org/resnet50-11ad3fa6.pth?download=1").hashFromName())
                .hasValue("11ad3fa6");
        assertThat(WeightsLocation.parse("/models/densenet121-a639ec97.pth").kind())
                .isEqualTo(WeightsLocation.Kind.FILE);
    }

    @Test
    void shortHexIsAVersionNotAHash() {
        assertThat(WeightsLocation.parse("s3://b/efficientnet-b0.pth").hashFromName()).isEmpty();
        assertThat(WeightsLocation.parse("s3://b/resnet-v2.pt").hashFromName()).isEmpty();
        assertThat(WeightsLocation.parse("s3://b/a639ec97-dir/weights.pt").hashFromName()).isEmpty();
    }

    @Test
    void aContentAddressCarriesTheWholeHash() {
        String hex = "0123456789abcdef".repeat(4);

        assertThat(WeightsLocation.parse("s3://transferlab/backbones/sha256/" + hex).hashFromName()).hasValue(hex);
        assertThat(WeightsLocation.isFullHash(hex)).isTrue();
        assertThat(WeightsLocation.isFullHash(hex.substring(1))).isFalse();
    }

    @Test
    void otherSchemesAreRefused() {
        assertThatThrownBy(() -> WeightsLocation.parse("ftp://example.org/w.pth"))
                .hasMessageContaining("https://, s3:// or a file path");
        assertThatThrownBy(() -> WeightsLocation.parse(" ")).hasMessageContaining("no weights location");
    }
}
