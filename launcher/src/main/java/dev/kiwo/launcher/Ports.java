package dev.kiwo.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports. */
public final class Ports {

    private Ports() {
    }

    /** A port nothing listens on now, as the system picks it; tests and benchmarks run beside local mode. */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** Whether something listens on the loopback {@code port}. */
    public static boolean taken(int port) {
        return Readiness.acceptsConnections(port).ready();
    }
}
