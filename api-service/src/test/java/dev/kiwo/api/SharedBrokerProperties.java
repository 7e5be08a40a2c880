package dev.kiwo.api;

import dev.kiwo.testsupport.KafkaTestBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;

/** What the API's integration tests on the shared test broker register for their Spring context. */
public final class SharedBrokerProperties {

    private SharedBrokerProperties() {
    }

    /** Points the API at {@link KafkaTestBroker}, started on first use. */
    public static void register(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", KafkaTestBroker::bootstrapServers);
    }

    /**
     * As {@link #register}, with auth mode {@code api-key} and a keys file of {@code keys} (a properties file of
     * {@code tenant=key} lines), written to a temporary file when the context reads it.
     */
    public static void registerWithApiKeys(DynamicPropertyRegistry registry, String keys) {
        register(registry);
        registry.add("kiwo.api.auth.mode", () -> "api-key");
        registry.add("kiwo.api.auth.api-keys-file", () -> keysFile(keys));
    }

    private static String keysFile(String keys) {
        try {
            Path file = Files.createTempFile("kiwo-api-keys", ".properties");
            Files.writeString(file, keys);
            file.toFile().deleteOnExit();
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
