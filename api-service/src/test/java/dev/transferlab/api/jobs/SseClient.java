package dev.transferlab.api.jobs;

import io.restassured.RestAssured;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An SSE client on a plain socket, so that a test decides how much it reads and how much the connection may hold:
 * HTTP/1.0, so the stream comes unchunked and ends when the server closes it.
 */
final class SseClient implements AutoCloseable {
    /** One event, or a comment ({@code name} null). */
    record Event(String id, String name, String data, String comment) {
    }

    private static final int READ_TIMEOUT_MS = 20_000;
    private final Socket socket;
    private final BufferedReader reader;
    final int status;

    private SseClient(Socket socket) throws IOException {
        this.socket = socket;
        this.reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String statusLine = reader.readLine();
        this.status = Integer.parseInt(statusLine.split(" ")[1]);
        while (!reader.readLine().isEmpty()) {
            // headers
        }
    }

    /** @param receiveBuffer the socket's receive buffer (0: the system's), to make a client that holds little */
    static SseClient open(String path, String lastEventId, int receiveBuffer) throws IOException {
        URI base = URI.create(RestAssured.baseURI);
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.connect(new InetSocketAddress(base.getHost(), RestAssured.port));
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.0\r\nAccept: text/event-stream\r\n"
                + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new SseClient(socket);
    }

    static SseClient open(String path) throws IOException {
        return open(path, null, 0);
    }

    /** The next event or comment; null once the server has ended the stream. */
    Event next() throws IOException {
        String id = null;
        String name = null;
        String comment = null;
        StringBuilder data = null;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (name != null || data != null || comment != null) {
                    return new Event(id, name, data == null ? null : data.toString(), comment);
                }
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1).stripLeading();
            switch (field) {
                case "" -> comment = value;
                case "id" -> id = value;
                case "event" -> name = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> { }
            }
        }
        return null;
    }

    /** The next event, skipping comments (heartbeats); null at the end. */
    Event nextEvent() throws IOException {
        Event e;
        do {
            e = next();
        } while (e != null && e.name() == null);
        return e;
    }

    /** The events up to the end of the stream, without comments. */
    List<Event> rest() throws IOException {
        List<Event> events = new ArrayList<>();
        for (Event e = nextEvent(); e != null; e = nextEvent()) {
            events.add(e);
        }
        return events;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
