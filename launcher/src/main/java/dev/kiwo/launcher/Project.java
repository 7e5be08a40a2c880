package dev.kiwo.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Where a built kiwo checkout keeps what the launcher runs: the services' runnable jars and the local broker. */
public record Project(Path root, String version) {

    /** The checkout at {@code root}, with the version this launcher was built with. */
    public static Project at(Path root) {
        return new Project(root.toAbsolutePath().normalize(), builtVersion());
    }

    /** {@code <module>/target/<module>-<version>-exec.jar}, which {@code mvn package} builds. */
    public Path execJar(String module) {
        return root.resolve(module).resolve("target").resolve(module + "-" + version + "-exec.jar");
    }

    /** The broker's classpath: local-kafka's dependencies, copied there by {@code mvn package}. */
    public Path brokerLib() {
        Path lib = root.resolve("local-kafka/target/lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("the broker's classpath " + lib + " is missing: run 'mvn -pl local-kafka "
                    + "package' (demo.sh local and a full 'mvn verify' build it)");
        }
        return lib;
    }

    /** local-kafka's server.properties and log4j2.properties. */
    public Path brokerConfig() {
        return root.resolve("local-kafka/config");
    }

    private static String builtVersion() {
        try (InputStream in = Project.class.getResourceAsStream("/kiwo-launcher.properties")) {
            if (in == null) {
                throw new IllegalStateException("kiwo-launcher.properties is missing from the launcher's jar");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the launcher's kiwo-launcher.properties", e);
        }
    }
}
