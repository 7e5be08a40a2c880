package dev.kiwo.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import kafka.docker.KafkaDockerWrapper;
import org.apache.kafka.common.utils.Exit;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Entry point of the kiwo/kafka image: Apache Kafka's own container set-up, then the broker, in one JVM.
 *
 * <p>{@link KafkaDockerWrapper} (in kafka_2.13, what the official apache/kafka image runs) does the work. Its
 * {@code setup} writes server.properties from the KAFKA_* environment (KAFKA_FOO_BAR is foo.bar, {@code ___} a
 * dash, {@code __} an underscore; appended to a mounted server.properties if there is one, the image's default
 * if there are neither), renders log4j2.yaml and formats the storage with CLUSTER_ID; its {@code start} runs
 * kafka.Kafka.
 *
 * <p>Hand-written only because the bash launch script that chains the two in the official image is not on Maven
 * Central, and a Jib image runs one command, with no shell to rely on: setup ends with System.exit, and on every
 * restart it fails with "already formatted", which that script accepts. Here setup's exit is caught instead,
 * "already formatted" is accepted the same way, and the broker starts in the same JVM.
 */
public final class BrokerLauncher {

    /** StorageTool's message for a log directory that holds a cluster already: a restart, not an error. */
    static final String ALREADY_FORMATTED = "already formatted";

    private BrokerLauncher() {
    }

    /** Arguments: the directory of default files, an optional mounted one, the writable one to render into. */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: BrokerLauncher DEFAULT_CONFIGS_DIR MOUNTED_CONFIGS_DIR FINAL_CONFIGS_DIR");
            System.exit(2);
        }
        Path rendered = Path.of(args[2]);
        Files.createDirectories(rendered);
        // Log4j starts with setup, before setup has rendered log4j2.yaml: the image's default file until then.
        Path defaultLog4j = Path.of(args[0], "log4j2.yaml");
        boolean ownLog4j = System.getProperty("log4j2.configurationFile") == null && Files.isRegularFile(defaultLog4j);
        if (ownLog4j) {
            System.setProperty("log4j2.configurationFile", defaultLog4j.toString());
        }
        int status = setup(args[0], args[1], args[2]);
        if (status != 0) {
            System.exit(status);
        }
        // The rendered file: the default with KAFKA_LOG4J_ROOT_LOGLEVEL and KAFKA_LOG4J_LOGGERS applied.
        Path renderedLog4j = rendered.resolve("log4j2.yaml");
        if (ownLog4j && Files.size(renderedLog4j) > 0) {
            Configurator.reconfigure(renderedLog4j.toUri());
        }
        KafkaDockerWrapper.main(new String[] {"start", "--config", rendered.resolve("server.properties").toString()});
    }

    /** The wrapper's setup; 0 once the storage is formatted, now or on an earlier start. */
    static int setup(String defaults, String mounted, String rendered) {
        Exit.setExitProcedure((status, message) -> {
            throw new SetupExit(status, message);
        });
        try {
            KafkaDockerWrapper.main(new String[] {"setup", "--default-configs-dir", defaults,
                    "--mounted-configs-dir", mounted, "--final-configs-dir", rendered});
            return 0;
        } catch (SetupExit exit) {
            if (exit.status != 0 && exit.getMessage() != null && exit.getMessage().contains(ALREADY_FORMATTED)) {
                System.out.println("Storage formatted on an earlier start: starting the broker on it.");
                return 0;
            }
            return exit.status;
        } finally {
            // Not Exit.resetExitProcedure(): that installs a stub that throws, for Kafka's own tests.
            Exit.setExitProcedure((status, message) -> System.exit(status));
        }
    }

    /** System.exit from setup, turned into an exception so that the JVM goes on to start the broker. */
    private static final class SetupExit extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final int status;

        SetupExit(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
