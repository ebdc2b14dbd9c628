package dev.transferlab.worker.jobs;

import dev.transferlab.common.dataset.SkippedFile;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.worker.ml.LabelledFeatures;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeatureTableTest {
    private static ImageFolder.Item item(String path, int label) {
        return new ImageFolder.Item(new ObjectLocation("b", "d/" + path), path, label);
    }

    private final FeatureTable table;

    FeatureTableTest() {
        Map<String, float[]> rows = new LinkedHashMap<>();
        rows.put("train/cat/1.png", new float[] {1, 2, 3});
        rows.put("train/dög/ü 2.png", new float[] {4, 5, Float.MIN_VALUE});
        rows.put("val/cat/3.png", new float[] {-7, 8.5f, 9});
        table = new FeatureTable(3, rows, List.of(new SkippedFile("train/cat/bad.png", "truncated")));
    }

    @Test
    void roundTripsThroughItsStoredForm() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        table.write(out);
        FeatureTable back = FeatureTable.read(new ByteArrayInputStream(out.toByteArray()));

        List<ImageFolder.Item> items = List.of(item("val/cat/3.png", 0), item("train/dög/ü 2.png", 1),
                item("train/cat/bad.png", 0), item("train/cat/1.png", 0));
        LabelledFeatures selected = back.labelled(items);
        assertThat(selected.labels()).containsExactly(0, 1, 0);
        assertThat(selected.features()[0]).containsExactly(-7, 8.5f, 9);
        assertThat(selected.features()[1]).containsExactly(4, 5, Float.MIN_VALUE);
        assertThat(back.skipped()).containsExactly(new SkippedFile("train/cat/bad.png", "truncated"));
        assertThat(back.covers(items)).isTrue();
        assertThat(back.covers(List.of(item("train/cat/new.png", 0)))).isFalse();
    }

    @Test
    void refusesWhatIsNotACompleteTable() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        table.write(out);
        byte[] whole = out.toByteArray();
        assertThatThrownBy(() -> FeatureTable.read(new ByteArrayInputStream(Arrays.copyOf(whole, whole.length - 1))))
                .isInstanceOf(IOException.class);
        byte[] longer = Arrays.copyOf(whole, whole.length + 4);
        assertThatThrownBy(() -> FeatureTable.read(new ByteArrayInputStream(longer))).hasMessageContaining("after");
        assertThatThrownBy(() -> FeatureTable.read(new ByteArrayInputStream("not a table at all".getBytes())))
                .hasMessageContaining("not a feature table");
    }

    @Test
    void anotherTablesImagesJoinThisOnesAndItsVerdictWinsForAnImageBothHave() {
        Map<String, float[]> more = new LinkedHashMap<>();
        more.put("test/cat/9.png", new float[] {0, 0, 1});
        FeatureTable other = new FeatureTable(3, more, List.of(new SkippedFile("train/cat/1.png", "now unreadable")));

        FeatureTable joined = table.with(other);

        assertThat(joined.features("test/cat/9.png")).hasValueSatisfying(r -> assertThat(r).containsExactly(0, 0, 1));
        assertThat(joined.features("train/cat/1.png")).isEmpty();
        assertThat(joined.skipReason("train/cat/1.png")).hasValue("now unreadable");
        assertThat(joined.features("val/cat/3.png")).isPresent();
        assertThat(joined.skipReason("train/cat/bad.png")).hasValue("truncated");
        assertThat(joined.size()).isEqualTo(table.size());
    }
}
