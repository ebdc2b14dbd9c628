package dev.transferlab.common.storage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ObjectLocationTest {

    @Test
    void parsesS3UrlsAndBareKeys() {
        assertThat(ObjectLocation.parse("s3://data/sets/pets", "default"))
                .isEqualTo(new ObjectLocation("data", "sets/pets"));
        assertThat(ObjectLocation.parse("s3://data", "default")).isEqualTo(new ObjectLocation("data", ""));
        assertThat(ObjectLocation.parse("/sets/pets/", "default"))
                .isEqualTo(new ObjectLocation("default", "sets/pets/"));
    }

    @Test
    void childrenLiveUnderThePrefix() {
        ObjectLocation root = ObjectLocation.parse("s3://b/sets/pets", "x");
        assertThat(root.child("train/").toString()).isEqualTo("s3://b/sets/pets/train/");
        assertThat(new ObjectLocation("b", "").child("a").key()).isEqualTo("a");
    }

    @Test
    void layoutKeepsTenantsApart() {
        assertThat(StorageLayout.modelManifest("acme", "m1")).isEqualTo("models/acme/m1/manifest.json");
        assertThat(StorageLayout.modelHeadWeights("acme", "m1")).startsWith(StorageLayout.modelPrefix("acme", "m1"));
    }
}
