package dev.kiwo.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadinessTest {

    @TempDir
    Path dir;

    private ManagedProcess shell(String script) {
        return ManagedProcess.start("shell", List.of("sh", "-c", script), dir.resolve("shell.log"));
    }

    @Test
    void waitsUntilTheProbeSaysReady() {
        ManagedProcess process = shell("exec sleep 30");
        AtomicInteger asked = new AtomicInteger();
        try {
            Readiness.await(process, () -> asked.incrementAndGet() == 3, Duration.ofSeconds(10));

            assertThat(asked).hasValue(3);
        } finally {
            process.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void failsAtOnceWithTheLogWhenTheProcessExits() {
        ManagedProcess process = shell("echo 'port 8080 in use'; exit 1");
        long start = System.nanoTime();

        assertThatThrownBy(() -> Readiness.await(process, () -> false, Duration.ofSeconds(60)))
                .hasMessageContaining("exited during start-up").hasMessageContaining("port 8080 in use");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void failsAtTheDeadline() {
        ManagedProcess process = shell("exec sleep 30");
        try {
            assertThatThrownBy(() -> Readiness.await(process, () -> false, Duration.ofSeconds(1)))
                    .hasMessageContaining("not ready after 1 s");
        } finally {
            process.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void aPortIsReadyWhenSomethingListens() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
            assertThat(Readiness.acceptsConnections(port).ready()).isTrue();
            assertThat(Ports.taken(port)).isTrue();
        }
        assertThat(Readiness.acceptsConnections(port).ready()).isFalse();
        assertThat(Readiness.actuator(port).ready()).isFalse();
    }
}
