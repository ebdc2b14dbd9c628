package dev.transferlab.worker.backbone;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A source larger than a weights file may be is refused while it is copied, with a real HTTP server. */
class WeightsFetcherTest {

    static final int LIMIT = 1000;
    static HttpServer http;

    @TempDir
    Path disk;

    @BeforeAll
    static void start() throws IOException {
        http = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        http.createContext("/", exchange -> {
            int size = Integer.parseInt(exchange.getRequestURI().getPath().substring(1));
            // Chunked (length 0): the size is not declared, so only counting the bytes can refuse it.
            exchange.sendResponseHeaders(200, exchange.getRequestURI().getQuery() == null ? 0 : size);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(new byte[size]);
            }
            exchange.close();
        });
        http.start();
    }

    @AfterAll
    static void stop() {
        http.stop(0);
    }

    @Test
    void aDownloadLargerThanTheLimitIsRefusedWhetherOrNotItDeclaresItsLength() throws IOException {
        WeightsFetcher fetcher = new WeightsFetcher(null, LIMIT);
        Path target = disk.resolve("w.pth");

        fetcher.copy(WeightsLocation.parse(url("/" + LIMIT)), target);
        assertThat(Files.size(target)).isEqualTo(LIMIT);
        assertThatThrownBy(() -> fetcher.copy(WeightsLocation.parse(url("/" + (LIMIT + 1))), target))
                .isInstanceOf(IOException.class).hasMessageContaining("larger than 1000 bytes");
        assertThatThrownBy(() -> fetcher.copy(WeightsLocation.parse(url("/" + (LIMIT + 1) + "?declared")), target))
                .isInstanceOf(IOException.class).hasMessageContaining("larger than 1000 bytes");
    }

    @Test
    void aLocalFileLargerThanTheLimitIsRefusedBeforeItIsCopied() throws IOException {
        Path source = Files.write(disk.resolve("big.pth"), new byte[LIMIT + 1]);
        Path target = disk.resolve("copy.pth");

        assertThatThrownBy(() -> new WeightsFetcher(null, LIMIT).copy(WeightsLocation.parse(source.toString()),
                target)).isInstanceOf(IOException.class).hasMessageContaining("larger than 1000 bytes");
        assertThat(target).doesNotExist();
    }

    private static String url(String path) {
        return "http://localhost:" + http.getAddress().getPort() + path;
    }
}
