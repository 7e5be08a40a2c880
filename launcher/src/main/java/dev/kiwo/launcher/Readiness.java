package dev.kiwo.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one readiness rule: ask a probe every 250 ms until it says ready; fail at once, with the log's last lines,
 * when the process exits; fail at the deadline. The probes are the ones the cluster uses: a service is ready when
 * its actuator's readiness group answers 200 (the pods' readinessProbe), the broker when it accepts connections.
 */
public final class Readiness {

    /** How long local mode, tests and benchmarks give a process to become ready unless told otherwise. */
    public static final int TIMEOUT_SECONDS = 180;

    /** {@link #TIMEOUT_SECONDS} as a duration. */
    public static final Duration TIMEOUT = Duration.ofSeconds(TIMEOUT_SECONDS);

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Readiness() {
    }

    /** Whether something is ready now; a probe that cannot reach it answers false. */
    @FunctionalInterface
    public interface Probe {
        boolean ready();
    }

    /** Waits until {@code probe} says {@code process} is ready; see the class comment for the rule. */
    public static void await(ManagedProcess process, Probe probe, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!probe.ready()) {
            if (!process.alive()) {
                throw new IllegalStateException(process.name() + " (pid " + process.pid() + ") exited during start-up;"
                        + " last lines of " + process.log() + ":\n" + process.tail(15));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(process.name() + " not ready after " + timeout.toSeconds()
                        + " s; see " + process.log());
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** A Spring Boot service's readiness group on its actuator port answers 200. */
    public static Probe actuator(int managementPort) {
        URI uri = URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness");
        return () -> {
            try {
                return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        };
    }

    /** Something accepts TCP connections on the loopback {@code port}. */
    public static Probe acceptsConnections(int port) {
        return () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return true;
            } catch (IOException e) {
                return false;
            }
        };
    }
}
