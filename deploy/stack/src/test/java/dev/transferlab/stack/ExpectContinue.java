package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An HTTP/1.1 POST with {@code Expect: 100-continue}, spoken over a plain socket: the JDK 17 HttpClient mishandles a
 * final answer to that header, and that answer (sent before any of the body) is exactly what is under test.
 */
final class ExpectContinue {

    /** The first status the server answers, and the body sent after a 100 Continue (or never, otherwise). */
    record Exchange(int firstStatus, int finalStatus, String contentType, JsonNode body) {
    }

    private ExpectContinue() {
    }

    static Exchange post(String baseUrl, String path, byte[] body, String contentType) {
        URI uri = URI.create(baseUrl);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\nContent-Type: " + contentType
                    + "\r\nContent-Length: " + body.length + "\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            Head first = Head.read(in);
            if (first.status() != 100) {
                return new Exchange(first.status(), first.status(), first.contentType(), first.body(in));
            }
            out.write(body);
            out.flush();
            Head last = Head.read(in);
            return new Exchange(100, last.status(), last.contentType(), last.body(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Head(int status, String contentType, int contentLength) {

        static Head read(InputStream in) throws IOException {
            String[] lines = readUntilBlankLine(in).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            String type = "";
            int length = 0;
            for (String line : lines) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-type:")) {
                    type = line.substring(line.indexOf(':') + 1).trim();
                } else if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            return new Head(status, type, length);
        }

        JsonNode body(InputStream in) throws IOException {
            return ApiClient.parse(new String(in.readNBytes(contentLength), StandardCharsets.UTF_8));
        }

        private static String readUntilBlankLine(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the server closed the connection mid-answer: " + head);
                }
                head.write(b);
                matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1
                        : b == '\r' ? 1 : 0;
            }
            return head.toString(StandardCharsets.US_ASCII);
        }
    }
}
