package dev.kiwo.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The images Jib builds: each module declares {@code <kiwo.image.name>} and the root pom's Jib
 * configuration names the image {@code kiwo/${kiwo.image.name}}. Most are Spring Boot services; kiwo/kafka
 * (module kafka-broker) is the Apache Kafka broker.
 */
final class JibImages {

    private static final Pattern NAME = Pattern.compile("<kiwo\\.image\\.name>([^<]+)</kiwo\\.image\\.name>");

    private JibImages() {
    }

    /** Image repository (kiwo/api ...) to the directory of the module that builds it. */
    static Map<String, Path> byImage() {
        Map<String, Path> images = new LinkedHashMap<>();
        Path root = Repo.root();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(m -> Files.isRegularFile(m.resolve("pom.xml"))).sorted().toList()) {
                Matcher m = NAME.matcher(Files.readString(module.resolve("pom.xml")));
                if (m.find()) {
                    images.put("kiwo/" + m.group(1).trim(), module);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return images;
    }

    /** Whether the image is a Spring Boot application (with actuator health endpoints): its module repackages one. */
    static boolean isSpringBootApplication(String image) {
        Path module = byImage().get(kiwoRepository(image));
        try {
            return module != null && Files.readString(module.resolve("pom.xml"))
                    .contains("<artifactId>spring-boot-maven-plugin</artifactId>");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A property of a module's pom, e.g. kiwo.kafka.config-dir of kafka-broker; null if it has none. */
    static String moduleProperty(Path module, String name) {
        try {
            Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">")
                    .matcher(Files.readString(module.resolve("pom.xml")));
            return m.find() ? m.group(1).trim() : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** kiwo/api from kiwo/api:dev or registry.example.com/kiwo/api:0.1.0; null for other images. */
    static String kiwoRepository(String image) {
        String withoutDigest = image.split("@")[0];
        int slash = withoutDigest.lastIndexOf('/');
        int colon = withoutDigest.lastIndexOf(':');
        String repository = colon > slash ? withoutDigest.substring(0, colon) : withoutDigest;
        int kiwo = repository.lastIndexOf("kiwo/");
        return kiwo >= 0 && (kiwo == 0 || repository.charAt(kiwo - 1) == '/') ? repository.substring(kiwo) : null;
    }

    static String tag(String image) {
        String withoutDigest = image.split("@")[0];
        int slash = withoutDigest.lastIndexOf('/');
        int colon = withoutDigest.lastIndexOf(':');
        return colon > slash ? withoutDigest.substring(colon + 1) : null;
    }
}
