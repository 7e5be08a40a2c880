package dev.kiwo.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.TopicLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every environment variable a kiwo container gets binds to a real configuration key, so a typo
 * cannot silently leave a default in place.
 *
 * <p>Rule: a variable whose first segment is the first segment of a known key (SPRING_, KIWO_,
 * SERVER_, MANAGEMENT_ ...) must be a key's environment form under Spring's relaxed binding: upper
 * case, dots to underscores, dashes removed (or, legacy form, dashes to underscores); below a
 * Map-typed key any suffix is accepted. Known keys: the leaves of application.yaml (and of the defaults YAML
 * a module adds, kiwo-*-defaults.yaml) of the module that builds the image and of the kiwo modules it
 * depends on, the components of their
 * {@code @ConfigurationProperties} records (read from the source: a key without a default in
 * application.yaml, such as kiwo.api.auth.api-keys-file, is one), the kiwo.topics.* keys of TopicLayout
 * (which every service binds), plus every key in the Spring Boot
 * configuration metadata on this module's test classpath. Other variables (JAVA_TOOL_OPTIONS ...)
 * are not Spring keys and are not checked.
 */
class ConfigurationKeysTest {

    private static final Pattern DEPENDENCY = Pattern.compile("<artifactId>([\\w-]+)</artifactId>");
    private static final Pattern PROPERTIES_RECORD =
            Pattern.compile("@ConfigurationProperties\\(\"([^\"]+)\"\\)\\s*(?:public\\s+)?record\\s+\\w+\\s*\\(");
    private static final Pattern ANNOTATION = Pattern.compile("@[\\w.]+(\\([^)]*\\))?");

    static List<String> services() {
        return List.of("api", "classifier", "worker-light", "worker-heavy");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("services")
    void everySpringShapedVariableBindsToAKnownKey(String service) {
        Manifests kind = Manifests.of("overlays/kind");
        Map<String, Object> container = Manifests.containers(kind.find("Deployment", service).orElseThrow()).get(0);
        String image = JibImages.kiwoRepository(String.valueOf(container.get("image")));
        Path module = JibImages.byImage().get(image);
        assertThat(module).as("the module that builds %s", image).isNotNull();
        List<Path> modules = kiwoModules(module);
        List<Path> yamls = modules.stream().flatMap(ConfigurationKeysTest::configurationYamls).toList();
        assertThat(yamls).as("application.yaml of %s", module.getFileName())
                .anySatisfy(y -> assertThat(y.getFileName()).hasToString("application.yaml"));
        Map<String, Boolean> keys = new HashMap<>(BootMetadata.KEYS);
        modules.forEach(m -> recordKeys(m, keys));
        // Every service binds kiwo.topics to TopicLayout (defaults in the record, not in application.yaml).
        for (RecordComponent component : TopicLayout.class.getRecordComponents()) {
            keys.put("kiwo.topics." + component.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT), false);
        }
        yamls.forEach(y -> flatten("", load(y), keys));
        Set<String> prefixes = new TreeSet<>();
        keys.keySet().forEach(k -> prefixes.add(k.split("\\.")[0].toUpperCase(Locale.ROOT) + "_"));

        Set<String> unknown = new TreeSet<>();
        for (String variable : kind.environment(container).keySet()) {
            if (prefixes.stream().anyMatch(variable::startsWith) && !binds(variable, keys)) {
                unknown.add(variable);
            }
        }
        assertThat(unknown).as("%s: variables that bind to no key of %s", service, yamls).isEmpty();
    }

    private static boolean binds(String variable, Map<String, Boolean> keys) {
        for (Map.Entry<String, Boolean> key : keys.entrySet()) {
            String name = key.getKey().replace("[", ".").replace("]", "");
            for (String form : List.of(envForm(name.replace("-", "")), envForm(name.replace("-", "_")))) {
                if (variable.equals(form) || (key.getValue() && variable.startsWith(form + "_"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String envForm(String key) {
        return key.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** The module and the kiwo modules its pom depends on. */
    private static List<Path> kiwoModules(Path module) {
        List<Path> modules = new ArrayList<>(List.of(module));
        try {
            var m = DEPENDENCY.matcher(Files.readString(module.resolve("pom.xml")));
            while (m.find()) {
                Path sibling = module.getParent().resolve(m.group(1));
                if (!sibling.equals(module) && Files.isRegularFile(sibling.resolve("pom.xml"))) {
                    modules.add(sibling);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return modules;
    }

    /**
     * The YAML files at the top of the module's main resources: application.yaml, and the defaults that a module's
     * EnvironmentPostProcessor adds (kiwo-kafka-defaults.yaml, kiwo-worker-defaults.yaml).
     */
    private static Stream<Path> configurationYamls(Path module) {
        Path resources = module.resolve("src/main/resources");
        if (!Files.isDirectory(resources)) {
            return Stream.empty();
        }
        try (Stream<Path> files = Files.list(resources)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each component of a {@code @ConfigurationProperties} record in the module's main sources, as a key. */
    private static void recordKeys(Path module, Map<String, Boolean> keys) {
        Path sources = module.resolve("src/main/java");
        if (!Files.isDirectory(sources)) {
            return;
        }
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                // Without comments, whose text could hold commas or parentheses.
                String java = Files.readString(file).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)^\\s*//.*$", "");
                var m = PROPERTIES_RECORD.matcher(java);
                while (m.find()) {
                    for (String component : topLevelParts(java, m.end())) {
                        String declaration = ANNOTATION.matcher(component).replaceAll("").strip();
                        String name = declaration.substring(declaration.lastIndexOf(' ') + 1);
                        keys.merge(m.group(1) + "." + name.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT),
                                declaration.startsWith("Map<"), Boolean::logicalOr);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The comma-separated parts of a parenthesised list that starts at {@code from}, up to its closing parenthesis. */
    private static List<String> topLevelParts(String text, int from) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = from;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(' || c == '<') {
                depth++;
            } else if ((c == ')' || c == '>') && depth > 0) {
                depth--;
            } else if (c == ')' || (c == ',' && depth == 0)) {
                if (!text.substring(start, i).isBlank()) {
                    parts.add(text.substring(start, i));
                }
                if (c == ')') {
                    return parts;
                }
                start = i + 1;
            }
        }
        throw new IllegalStateException("no closing parenthesis after offset " + from);
    }

    private static Object load(Path yaml) {
        try (InputStream in = Files.newInputStream(yaml)) {
            List<Object> docs = new ArrayList<>();
            new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in).forEach(docs::add);
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Leaves become keys; sub-keys are accepted only below keys Boot's metadata types as a Map. */
    private static void flatten(String prefix, Object node, Map<String, Boolean> keys) {
        if (node instanceof List<?> docs && prefix.isEmpty()) {
            docs.forEach(d -> flatten("", d, keys));
        } else if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v, keys));
        } else if (node instanceof List<?> list) {
            keys.putIfAbsent(prefix, false);
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "[" + i + "]", list.get(i), keys);
            }
        } else if (!prefix.isEmpty()) {
            keys.putIfAbsent(prefix, false);
        }
    }

    /** Boot's documented keys: name to whether it is Map-typed. */
    private static final class BootMetadata {

        static final Map<String, Boolean> KEYS = load();

        private static Map<String, Boolean> load() {
            Map<String, Boolean> keys = new HashMap<>();
            JsonMapper mapper = JsonMapper.builder().build();
            try {
                for (String resource : List.of("META-INF/spring-configuration-metadata.json",
                        "META-INF/additional-spring-configuration-metadata.json")) {
                    for (URL url : Collections.list(ConfigurationKeysTest.class.getClassLoader().getResources(resource))) {
                        try (InputStream in = url.openStream()) {
                            for (JsonNode property : mapper.readTree(in).path("properties")) {
                                keys.merge(property.path("name").asString(),
                                        property.path("type").asString("").startsWith("java.util.Map"), Boolean::logicalOr);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.copyOf(keys);
        }
    }
}
