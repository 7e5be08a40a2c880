package dev.kiwo.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * components/in-cluster-kafka runs the image the kafka-broker module builds (kiwo/kafka): its uid, the paths it
 * writes under a read-only root filesystem, and the variables it reads, as that module defines them.
 */
class InClusterKafkaTest {

    /** What only Kafka's shell scripts read: the image runs no script, so these would be silently ignored. */
    private static final Set<String> SCRIPT_ONLY = Set.of("KAFKA_HEAP_OPTS", "KAFKA_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS",
            "KAFKA_GC_LOG_OPTS", "KAFKA_JMX_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_JMX_HOSTNAME");

    static List<String> inClusterKafkaTargets() {
        return RenderTarget.all().stream().map(RenderTarget::name)
                .filter(name -> Manifests.of(name).find("StatefulSet", "kafka").isPresent()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inClusterKafkaTargets")
    void theBrokerIsTheImageTheKafkaBrokerModuleBuildsRunAsItsUser(String target) {
        Map<String, Object> broker = Manifests.of(target).find("StatefulSet", "kafka").orElseThrow();
        Map<String, Object> container = Manifests.containers(broker).get(0);
        String image = Yamls.str(container.get("image"));

        assertThat(JibImages.kiwoRepository(image)).as("%s broker image %s", target, image).isEqualTo("kiwo/kafka");
        assertThat(JibImages.byImage().get("kiwo/kafka")).as("the module that builds kiwo/kafka")
                .isNotNull().satisfies(module -> assertThat(module.getFileName()).hasToString("kafka-broker"));
        // Loaded into the node (kind load, ctr import) rather than pulled.
        assertThat(container.get("imagePullPolicy")).as("%s", target).isEqualTo("IfNotPresent");
        Map<String, Object> pod = Yamls.map(Manifests.podSpec(broker).get("securityContext"));
        assertThat(String.valueOf(pod.get("runAsUser"))).as("%s: the image's uid", target).isEqualTo(imageUid());
        assertThat(String.valueOf(pod.get("fsGroup"))).as("%s: volumes writable for it", target).isEqualTo(imageUid());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inClusterKafkaTargets")
    void everyPathTheBrokerWritesIsAVolume(String target) {
        Manifests m = Manifests.of(target);
        Map<String, Object> broker = m.find("StatefulSet", "kafka").orElseThrow();
        Map<String, Object> container = Manifests.containers(broker).get(0);
        List<String> mounts = new ArrayList<>();
        for (Object mount : Yamls.list(container.get("volumeMounts"))) {
            assertThat(Yamls.map(mount).get("readOnly")).as("%s mount %s", target, mount).isNotEqualTo(true);
            mounts.add(Yamls.str(Yamls.map(mount).get("mountPath")));
        }
        String configDir = JibImages.moduleProperty(JibImages.byImage().get("kiwo/kafka"), "kiwo.kafka.config-dir");
        String logDirs = m.environment(container).get("KAFKA_LOG_DIRS");

        assertThat(Yamls.at(container, "securityContext", "readOnlyRootFilesystem")).as(target).isEqualTo(true);
        assertThat(configDir).as("kiwo.kafka.config-dir in kafka-broker/pom.xml").isNotBlank();
        assertThat(logDirs).as("%s KAFKA_LOG_DIRS", target).isNotBlank();
        for (String path : List.of(configDir, "/tmp", logDirs)) {
            assertThat(mounts).as("%s: %s is under a mounted volume", target, path)
                    .anySatisfy(mount -> assertThat(Path.of(path).startsWith(Path.of(mount))).isTrue());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inClusterKafkaTargets")
    void theBrokerReadsOnlyVariablesItsWrapperRenders(String target) {
        Map<String, Object> broker = Manifests.of(target).find("StatefulSet", "kafka").orElseThrow();
        for (Object variable : Yamls.list(Manifests.containers(broker).get(0).get("env"))) {
            String name = Yamls.str(Yamls.map(variable).get("name"));
            assertThat(SCRIPT_ONLY).as("%s: %s is read by Kafka's scripts only, which the image does not run",
                    target, name).doesNotContain(name);
        }
    }

    /** The uid the root pom's Jib configuration builds every image for. */
    private static String imageUid() {
        try {
            Matcher m = Pattern.compile("<user>(\\d+):\\d+</user>").matcher(Files.readString(Repo.root().resolve("pom.xml")));
            assertThat(m.find()).as("<user> in the root pom's Jib configuration").isTrue();
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
