package dev.transferlab.stack.bench;

import dev.transferlab.stack.ApiClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 POST whose body is sent in chunks, so that the server knows its size only by counting, over a plain
 * socket: a server that refuses it part-way answers while the body is still being sent, and that answer (its status
 * and its body) is what is looked at. The JDK's client would report the closed connection instead.
 */
public final class ChunkedPost {
    private ChunkedPost() {
    }

    /**
     * Sends {@code chunk} {@code times} times as the body, with the client's headers (its tenant), and returns the
     * server's answer.
     */
    public static ApiClient.Answer post(ApiClient api, String path, String contentType, byte[] chunk, int times,
                                        Duration timeout) {
        URI uri = URI.create(api.baseUrl());
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost()
                    + "\r\nContent-Type: " + contentType + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n");
            api.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            Thread sender = new Thread(() -> send(out, chunk, times), "chunked-body");
            sender.setDaemon(true);
            sender.start();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(OutputStream out, byte[] chunk, int times) {
        try {
            byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < times; i++) {
                out.write(size);
                out.write(chunk);
                out.write(new byte[] {'\r', '\n'});
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // The server stopped reading, having answered: that answer is what counts.
        }
    }

    private static ApiClient.Answer read(InputStream in) throws IOException {
        String[] head = readLine(in, true).split(" ");
        int status = Integer.parseInt(head[1]);
        Map<String, String> headers = new HashMap<>();
        for (String line = readLine(in, false); !line.isEmpty(); line = readLine(in, false)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream decoded = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(readLine(in, true).split(";")[0].trim(), 16); size > 0;
                    size = Integer.parseInt(readLine(in, true).split(";")[0].trim(), 16)) {
                decoded.writeBytes(in.readNBytes(size));
                readLine(in, false);
            }
            body = decoded.toByteArray();
        } else {
            body = in.readAllBytes();
        }
        return new ApiClient.Answer(status, headers.getOrDefault("content-type", ""),
                ApiClient.parse(new String(body, StandardCharsets.UTF_8)), headers.get("location"), headers);
    }

    private static String readLine(InputStream in, boolean required) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                if (required || line.size() > 0) {
                    throw new IOException("the server closed the connection mid-answer: " + line);
                }
                return "";
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
