package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.infra.DemoRealm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;

import static dev.transferlab.stack.SharedStack.TINY_DENSENET;
import static dev.transferlab.stack.SharedStack.stack;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web console in a real browser (Debian's Chromium) against the real stack with authentication on: alice logs in
 * at Keycloak, uploads a dataset through the page's file input, trains on it and watches the curves grow, reloads
 * mid-job, reads the model's evaluation and tries the model on an image. Screenshots of each page go to
 * {@code target/console-screenshots}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
    private static final int EPOCHS = 150;
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final Duration TRAINING = Duration.ofMinutes(5);
    private static final String CURVE_EPOCHS = "const c = Chart.getChart(document.getElementById('curves'));"
            + " return c ? c.data.datasets.map(d => d.data.map(p => p.x)) : null;";

    private static Chromium chromium;
    private static WebDriver browser;
    private static ApiClient alice;
    private static Path target;
    private static String datasetId;
    private static String jobId;
    private static String modelId;

    @BeforeAll
    static void openTheBrowser() throws IOException {
        alice = stack().apiAs(DemoRealm.ALICE);
        target = Path.of("target").toAbsolutePath();
        chromium = new Chromium(target.resolve("console-screenshots"), 1280, 1600);
        browser = chromium.driver();
    }

    @AfterAll
    static void closeTheBrowser() throws IOException {
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    @Order(1)
    void logsInAtTheOpenIdProvider() {
        browser.get(stack().apiUrl() + "/");
        until(ExpectedConditions.elementToBeClickable(By.id("login")));
        chromium.screenshot("01-login");
        browser.findElement(By.id("login")).click();

        until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        assertThat(browser.getCurrentUrl()).as("Keycloak's login page")
                .startsWith(stack().keycloak().orElseThrow().issuer().toString());
        browser.findElement(By.id("username")).sendKeys(DemoRealm.ALICE.name());
        browser.findElement(By.id("password")).sendKeys(DemoRealm.ALICE.password());
        browser.findElement(By.id("kc-login")).click();

        until(ExpectedConditions.textToBe(By.id("tenant"), DemoRealm.ACME));
        assertThat(browser.getCurrentUrl()).as("back in the console, without the code in the address")
                .startsWith(stack().apiUrl() + "/console/").doesNotContain("code=");
    }

    @Test
    @Order(2)
    void uploadsADatasetByTheFileInputAndShowsItsReport() throws IOException {
        Path archive = target.resolve("console-pets.tar.gz");
        Files.write(archive, DatasetArchives.tarGz(datasetFiles()));
        browser.get(stack().apiUrl() + "/console/#/datasets");
        until(ExpectedConditions.presenceOfElementLocated(By.id("dataset-file"))).sendKeys(archive.toString());

        until(ExpectedConditions.urlMatches("#/datasets/ds-[a-z0-9-]+$"));
        datasetId = lastSegment(browser.getCurrentUrl());
        JsonNode manifest = alice.get("/v1/datasets/" + datasetId).body();
        until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#counts tbody tr")));

        Map<String, Map<String, Integer>> shown = new LinkedHashMap<>();
        List<String> splits = browser.findElements(By.cssSelector("#counts thead th")).stream().skip(1)
                .map(WebElement::getText).toList();
        for (WebElement row : browser.findElements(By.cssSelector("#counts tbody tr"))) {
            String className = row.findElement(By.tagName("th")).getText();
            List<WebElement> cells = row.findElements(By.tagName("td"));
            for (int i = 0; i < splits.size(); i++) {
                shown.computeIfAbsent(splits.get(i), s -> new LinkedHashMap<>())
                        .put(className, Integer.parseInt(cells.get(i).getText()));
            }
        }
        Map<String, Map<String, Integer>> expected = new LinkedHashMap<>();
        manifest.get("counts").fields().forEachRemaining(split -> split.getValue().fields().forEachRemaining(
                c -> expected.computeIfAbsent(split.getKey(), s -> new LinkedHashMap<>()).put(c.getKey(),
                        c.getValue().asInt())));
        assertThat(shown).isEqualTo(expected).containsKeys("train", "test");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Dataset console-pets");
        assertThat(browser.findElement(By.id("skipped")).getText()).contains("notes.txt", "not an image");
        assertThat(browser.findElements(By.cssSelector("#warnings li"))).extracting(WebElement::getText)
                .containsExactlyElementsOf(texts(manifest.get("warnings")));

        // Every sample thumbnail, 8 per class, loaded through the tenant's token.
        until(b -> ((Long) chromium.script("return [...document.querySelectorAll('.thumbs img')]"
                + ".filter(i => i.complete && i.naturalWidth > 0).length;")) == 16);
        assertThat(browser.findElements(By.cssSelector(".thumbs"))).extracting(e -> e.getAttribute("data-class"))
                .containsExactly("ocean", "sunset");
        chromium.screenshot("03-dataset");

        browser.get(stack().apiUrl() + "/console/#/datasets");
        until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#datasets a[href='#/datasets/" + datasetId
                + "']")));
        chromium.screenshot("02-datasets");
    }

    @Test
    @Order(3)
    void startsAJobAndTheCurveGainsAPointPerEpochAcrossAReload() {
        browser.get(stack().apiUrl() + "/console/#/datasets/" + datasetId);
        until(ExpectedConditions.elementToBeClickable(By.linkText("Train on it"))).click();
        until(ExpectedConditions.attributeToBe(By.id("datasetId"), "value", datasetId));
        assertThat(browser.findElement(By.id("epochs")).getAttribute("value")).as("the tutorial's 10").isEqualTo("10");
        assertThat(browser.findElement(By.id("batchSize")).getAttribute("value")).isEqualTo("400");
        type("epochs", String.valueOf(EPOCHS));
        type("batchSize", "2");
        type("hiddenUnits", "16");
        type("learningRate", "0.003");
        type("validationFraction", "0.25");
        type("backbone", TINY_DENSENET);
        browser.findElement(By.id("start-job")).click();

        until(ExpectedConditions.urlMatches("#/jobs/job-[a-z0-9-]+$"));
        jobId = lastSegment(browser.getCurrentUrl());
        Set<Integer> sizesSeen = new HashSet<>();
        List<Long> before = watchCurves(5, sizesSeen);
        // The worker is frozen (SIGSTOP) over the reload, so the job is still training when the page comes back
        // however fast its epochs go; it goes on (SIGCONT) once the reloaded page has its history.
        signalWorker("STOP");
        try {
            JsonNode job = alice.get("/v1/training-jobs/" + jobId).body();
            assertThat(job.get("state").asText()).as("still training when the page reloads").isEqualTo("running");
            chromium.screenshot("05-job-training");

            browser.navigate().refresh();
            List<Long> after = watchCurves(1, sizesSeen);
            assertThat(after.size()).as("the reloaded page has every epoch it had before").isGreaterThanOrEqualTo(
                    before.size());
            assertThat(after.size()).as("and the job is not over yet").isLessThan(EPOCHS);
            assertThat(chromium.script("return JSON.parse(sessionStorage.getItem('transferlab.events." + jobId
                    + "')).lastEventId;")).as("resumes after the last event it kept").isNotNull();
        } finally {
            signalWorker("CONT");
        }

        List<Long> last = watchCurves(EPOCHS, sizesSeen);
        assertThat(last).containsExactlyElementsOf(LongStream.rangeClosed(1, EPOCHS).boxed().toList());
        assertThat(sizesSeen).as("points arrived while it trained, not all at the end").hasSizeGreaterThan(3);
        until(ExpectedConditions.elementToBeClickable(By.id("open-model")));
        assertThat(browser.findElement(By.id("job-state")).getText()).isEqualTo("completed");
        JsonNode done = alice.get("/v1/training-jobs/" + jobId).body();
        modelId = done.get("modelId").asText();
        chromium.screenshot("06-job-completed");

        browser.get(stack().apiUrl() + "/console/#/jobs");
        WebElement row = until(ExpectedConditions.presenceOfElementLocated(By.xpath(
                "//table[@id='jobs']//tr[.//a[@href='#/jobs/" + jobId + "']]")));
        assertThat(row.findElements(By.tagName("td"))).extracting(WebElement::getText).startsWith(jobId,
                "completed", done.get("phase").asText(), EPOCHS + "/" + EPOCHS);
        chromium.screenshot("04-training");
    }

    @Test
    @Order(4)
    void showsTheEvaluationWithTheApisNumbers() {
        browser.get(stack().apiUrl() + "/console/#/jobs/" + jobId);
        until(ExpectedConditions.elementToBeClickable(By.id("open-model"))).click();
        JsonNode report = alice.get("/v1/models/" + modelId + "/evaluation").body();
        List<String> classes = texts(report.get("classes"));
        List<List<Object>> expected = new ArrayList<>();
        JsonNode matrix = report.get("test").get("confusionMatrix");
        for (int t = 0; t < classes.size(); t++) {
            for (int p = 0; p < classes.size(); p++) {
                expected.add(List.of(classes.get(t), classes.get(p), matrix.get(t).get(p).asLong()));
            }
        }
        String cells = "const c = Chart.getChart(document.getElementById('confusion-matrix'));"
                + " return c ? c.data.datasets[0].data.map(d => [d.y, d.x, d.v]) : null;";
        until(b -> chromium.script(cells) != null);
        assertThat(chromium.script(cells)).isEqualTo(expected);
        assertThat(browser.findElements(By.cssSelector("#confusion-table tbody td"))).extracting(
                e -> Long.parseLong(e.getAttribute("textContent"))).containsExactlyElementsOf(
                expected.stream().map(cell -> (Long) cell.get(2)).toList());
        assertThat(browser.findElements(By.cssSelector("#per-class tbody tr"))).hasSize(classes.size() + 2);
        JsonNode mistakes = report.get("test").get("misclassified");
        assertThat(mistakes).as("the mislabelled test images, at least").isNotEmpty();
        until(b -> ((Long) chromium.script("return [...document.querySelectorAll('#misclassified img')]"
                + ".filter(i => i.complete && i.naturalWidth > 0).length;")) == mistakes.size());
        for (JsonNode wrong : mistakes) {
            assertThat(browser.findElement(By.id("misclassified")).getText()).contains("I guess it's a "
                    + wrong.get("predictedClass").asText() + " (" + Math.round(100 * wrong.get("probability")
                    .asDouble()) + "%) — it is a " + wrong.get("trueClass").asText());
        }
        chromium.script("document.getElementById('eval-title').scrollIntoView();");
        chromium.screenshot("07-model-evaluation");
    }

    @Test
    @Order(5)
    void predictsTheClassOfADroppedImage() {
        byte[] image = SampleImages.png("sunset", 4242);
        String label = alice.postBytes("/v1/models/" + modelId + "/predictions", image, "image/png").body()
                .get("label").asText();
        chromium.script("""
                const [zoneId, base64] = arguments;
                const bytes = Uint8Array.from(atob(base64), ch => ch.charCodeAt(0));
                const files = new DataTransfer();
                files.items.add(new File([bytes], 'sunset.png', {type: 'image/png'}));
                const zone = document.getElementById(zoneId);
                zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: files, bubbles: true, cancelable: true}));
                zone.dispatchEvent(new DragEvent('drop', {dataTransfer: files, bubbles: true, cancelable: true}));
                """, "try-image-zone", Base64.getEncoder().encodeToString(image));

        until(ExpectedConditions.textMatches(By.id("guess"), java.util.regex.Pattern.compile(
                "I guess it's a .+ \\(\\d+\\.\\d%\\)")));
        assertThat(browser.findElement(By.id("guess")).getText()).startsWith("I guess it's a " + label + " (");
        until(b -> chromium.script("return Chart.getChart(document.getElementById('probabilities')) != null;")
                .equals(true));
        chromium.script("document.getElementById('try-title').scrollIntoView();");
        chromium.screenshot("08-model-try-it");

        // Everything a user acts on is reachable with the keyboard alone.
        chromium.script("document.activeElement.blur(); window.scrollTo(0, 0);");
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            new Actions(browser).sendKeys(Keys.TAB).perform();
            reached.add(String.valueOf(chromium.script("return document.activeElement.id;")));
        }
        assertThat(reached).contains("export", "try-image", "split");
    }

    @Test
    @Order(6)
    void fitsAPhoneScreen() {
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.get(stack().apiUrl() + "/console/#/datasets/" + datasetId);
        until(ExpectedConditions.presenceOfElementLocated(By.id("counts")));
        assertThat(chromium.script("return document.documentElement.scrollWidth <= window.innerWidth;"))
                .as("no sideways scrolling").isEqualTo(true);
        chromium.screenshot("09-phone-dataset");
    }

    /**
     * Polls the curves until they have {@code points} epochs; every snapshot must be epochs 1 to n, each once, in
     * each of the three series. Returns the last.
     */
    @SuppressWarnings("unchecked")
    private static List<Long> watchCurves(int points, Set<Integer> sizesSeen) {
        List<Long>[] latest = new List[1];
        new WebDriverWait(browser, TRAINING, Duration.ofMillis(100)).until(b -> {
            List<List<Long>> series = (List<List<Long>>) chromium.script(CURVE_EPOCHS);
            if (series == null || series.get(0).isEmpty()) {
                return false;
            }
            List<Long> epochs = series.get(0);
            assertThat(epochs).as("no gap, no duplicate").containsExactlyElementsOf(
                    LongStream.rangeClosed(1, epochs.size()).boxed().toList());
            assertThat(series).allSatisfy(s -> assertThat(s).isEqualTo(epochs));
            sizesSeen.add(epochs.size());
            latest[0] = epochs;
            return epochs.size() >= points;
        });
        return latest[0];
    }

    private static void signalWorker(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(stack().worker().pid()))
                    .inheritIO().start();
            assertThat(kill.waitFor()).as("kill -" + signal + " of the worker").isZero();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, byte[]> datasetFiles() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String label : SampleImages.CLASSES) {
            for (int i = 0; i < 8; i++) {
                files.put("pets/train/" + label + "/" + i + ".png", SampleImages.png(label, 900 + i));
            }
            for (int i = 0; i < 3; i++) {
                files.put("pets/test/" + label + "/" + i + ".png", SampleImages.png(label, 950 + i));
            }
        }
        // One picture of each class filed under the other in test/: what the evaluation's grid of mistakes shows.
        files.put("pets/test/ocean/mislabelled.png", SampleImages.png("sunset", 960));
        files.put("pets/test/sunset/mislabelled.png", SampleImages.png("ocean", 961));
        files.put("pets/train/ocean/notes.txt", "not a picture".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return files;
    }

    private static void type(String id, String value) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(value);
    }

    private static <T> T until(java.util.function.Function<? super WebDriver, T> condition) {
        return new WebDriverWait(browser, STEP, Duration.ofMillis(100)).until(condition);
    }

    private static String lastSegment(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
