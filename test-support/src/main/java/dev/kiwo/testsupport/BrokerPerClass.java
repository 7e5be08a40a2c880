package dev.kiwo.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link LocalKafkaBroker} of a test class's own, for tests that stop and start the broker: registered with
 * {@code @RegisterExtension static final BrokerPerClass BROKER = new BrokerPerClass();}, it formats fresh storage
 * in a temporary directory and starts the broker before the class's tests (so before a Spring context that a
 * {@code @DynamicPropertySource} points at {@link #bootstrapServers()} loads), and stops it and deletes the
 * directory after them.
 */
public final class BrokerPerClass implements BeforeAllCallback, AfterAllCallback {

    private Path dir;
    private LocalKafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("kiwo-broker-");
        broker = LocalKafkaBroker.formatIn(dir).start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (broker != null) {
                broker.close();
            }
        } finally {
            deleteDir();
        }
    }

    /** The broker's clients' listener; the same across {@link #stop} and {@link #start}. */
    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /** Stops the broker (SIGTERM), keeping its ports and data for {@link #start}. */
    public void stop() {
        broker().stop();
    }

    /** Starts the broker again on the same ports and data; returns once it accepts connections. */
    public void start() {
        broker().start();
    }

    private LocalKafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("the broker starts before the test class: register this extension "
                    + "on a static field with @RegisterExtension");
        }
        return broker;
    }

    private void deleteDir() throws IOException {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            // Deepest first, so that each directory is empty when its turn comes.
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete " + path, e);
                }
            });
        }
    }
}
