package dev.transferlab.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.stream.IntStream;

/** Free ports on 127.0.0.1, for servers whose configuration must name their port before they bind it. */
final class Ports {
    private Ports() {
    }

    /**
     * {@code port}, or a free one when it is 0 that is none of {@code taken}: ports chosen earlier for servers that
     * have not bound them yet, which the system may hand out again, since the probe's socket is closed (two listeners
     * of one broker once got the same port).
     */
    static int freeIfZero(int port, int... taken) {
        if (port != 0) {
            return port;
        }
        while (true) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int free = socket.getLocalPort();
                if (IntStream.of(taken).noneMatch(t -> t == free)) {
                    return free;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("No free port on 127.0.0.1", e);
            }
        }
    }
}
