package dev.transferlab.common.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetAccessTest {
    private final DatasetAccess access = new DatasetAccess("platform",
            Map.of("acme", List.of("s3://shared/acme/", "s3://platform/imports/acme")));

    @Test
    void aTenantTrainsOnItsOwnDatasetsAndOnWhatIsGrantedToIt() {
        assertThat(access.trainingRefusal("acme", "datasets/acme/ds-1/files/")).isEmpty();
        assertThat(access.trainingRefusal("acme", "s3://platform/datasets/acme/pets/")).isEmpty();
        assertThat(access.trainingRefusal("acme", "s3://shared/acme/pets")).isEmpty();
        assertThat(access.trainingRefusal("acme", "imports/acme/flowers/")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"datasets/globex/ds-1/files/", "s3://platform/models/", "models/globex/job-1/",
            "checkpoints/", "features/acme/", "inference-payloads/acme/", "s3://platform/", "s3://shared/",
            "s3://shared/acme-evil/", "s3://elsewhere/acme/", "datasets/acmex/", "imports/acme-other/"})
    void everythingElseIsRefusedNamingOnlyTheLocationAskedFor(String location) {
        assertThat(access.trainingRefusal("acme", location)).hasValueSatisfying(reason -> assertThat(reason)
                .contains("is not in a dataset area of tenant 'acme'").doesNotContain("globex/ds-2"));
        assertThat(access.trainingRefusal("globex", "s3://shared/acme/pets/")).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"datasets/acme/../globex/ds-1/", "s3://shared/acme/../globex/", "datasets/acme/./x/",
            "datasets/acme//x/", "//datasets/acme/", "s3:///x/", ""})
    void keysWithEmptyDotOrDotDotSegmentsAreRefusedBeforeAnyPrefixCheck(String location) {
        assertThat(access.trainingRefusal("acme", location)).isPresent();
        assertThat(access.registrationRefusal("acme", location)).isPresent();
    }

    @Test
    void weightsInStorageFollowTheTrainingRuleAndHttpsIsLeftToTheHostList() {
        assertThat(access.weightsRefusal("acme", "s3://shared/acme/net.pt")).isEmpty();
        assertThat(access.weightsRefusal("acme", "https://models.example/net.pt")).isEmpty();
        assertThat(access.weightsRefusal("acme", null)).isEmpty();
        assertThat(access.weightsRefusal("acme", "datasets/globex/ds-1/files/net.pt")).isPresent();
        assertThat(access.weightsRefusal("acme", "s3://platform/backbones/sha256/abc")).hasValueSatisfying(
                reason -> assertThat(reason).startsWith("s3://platform/backbones/sha256/abc is not"));
        assertThat(access.weightsRefusal("acme", "s3://shared/acme")).as("the grant's folder is no file in it")
                .isPresent();
    }

    @Test
    void onlyGrantedPrefixesCanBeRegistered() {
        assertThat(access.registrationRefusal("acme", "s3://shared/acme/flowers/")).isEmpty();
        assertThat(access.registrationRefusal("acme", "datasets/acme/ds-1/files/")).hasValueSatisfying(
                reason -> assertThat(reason).contains("transferlab.dataset-grants.acme"));
        assertThat(access.registrationRefusal("globex", "s3://shared/acme/flowers/")).isPresent();
        assertThat(DatasetAccess.ownDatasetsOnly("platform").registrationRefusal("acme", "s3://any/x/")).isPresent();
    }

    @Test
    void thePlatformsOwnAreasAndBadTenantsCannotBeGranted() {
        for (String area : List.of("s3://platform/", "models/", "s3://platform/datasets/globex/", "backbones/x/",
                "inference-payloads/")) {
            assertThatThrownBy(() -> new DatasetAccess("platform", Map.of("acme", List.of(area))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never granted");
        }
        assertThatThrownBy(() -> new DatasetAccess("platform", Map.of("Acme", List.of("s3://x/"))))
                .hasMessageContaining("id rule");
        assertThatThrownBy(() -> new DatasetAccess("platform", Map.of("acme", List.of("s3://x/../y/"))))
                .hasMessageContaining("'..'");
    }
}
