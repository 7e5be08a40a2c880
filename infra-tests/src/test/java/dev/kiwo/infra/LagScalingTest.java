package dev.kiwo.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.JobClass;
import dev.kiwo.model.TopicLayout;
import dev.kiwo.model.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * components/keda and components/prometheus-adapter: each pool has exactly one autoscaler, it scales on
 * the pool's own consumer group and topic, never past the topic's partitions, with base's CPU target and
 * burst behavior, and both alternatives use the same lag thresholds. KEDA reads the lag from its own
 * namespace, so it must name the workers' brokers, and the in-cluster broker advertise itself, in full.
 */
class LagScalingTest {

    static List<String> kedaTargets() {
        return List.of("base+keda", "base+all-components");
    }

    static List<String> adapterTargets() {
        return List.of("base+prometheus-adapter", "base+all-components-with-prometheus-adapter");
    }

    static List<String> inClusterKafkaTargets() {
        return RenderTarget.withBase().stream().map(RenderTarget::name)
                .filter(name -> Manifests.of(name).find("StatefulSet", "kafka").isPresent()).toList();
    }

    static List<JobClass> pools() {
        return List.of(JobClass.values());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kedaTargets")
    void kedaReplacesThePoolHpasWithOneScaledObjectEachOnAnExistingDeployment(String target) {
        Manifests m = Manifests.of(target);
        for (JobClass jobClass : JobClass.values()) {
            String pool = pool(jobClass);
            assertThat(m.ofKind("HorizontalPodAutoscaler")).as("%s: KEDA refuses a target that has an HPA", target)
                    .noneSatisfy(hpa -> assertThat(Yamls.at(hpa, "spec", "scaleTargetRef", "name")).isEqualTo(pool));
            List<Map<String, Object>> scaled = m.ofKind("ScaledObject").stream()
                    .filter(o -> pool.equals(Yamls.at(o, "spec", "scaleTargetRef", "name"))).toList();
            assertThat(scaled).as("%s: ScaledObjects of %s", target, pool).hasSize(1);
            Map<String, Object> ref = Yamls.map(Yamls.at(scaled.get(0), "spec", "scaleTargetRef"));
            assertThat(ref).containsEntry("apiVersion", "apps/v1").containsEntry("kind", "Deployment");
            assertThat(m.find("Deployment", pool)).as("%s: deployment/%s", target, pool).isPresent();
        }
        // The API keeps its plain HPA.
        assertThat(m.find("HorizontalPodAutoscaler", "api")).isPresent();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kedaTargets")
    void kedaWatchesEachPoolsOwnGroupAndTopicWithinItsPartitions(String target) {
        Manifests m = Manifests.of(target);
        for (JobClass jobClass : JobClass.values()) {
            String pool = pool(jobClass);
            Map<String, Object> scaled = m.find("ScaledObject", pool).orElseThrow();
            Map<String, Object> spec = Yamls.map(scaled.get("spec"));
            Map<String, Object> kafka = trigger(scaled, "kafka");

            assertThat(kafka.get("consumerGroup")).as("%s %s consumer group", target, pool).isEqualTo(groupId(pool));
            assertThat(kafka.get("topic")).as("%s %s topic", target, pool).isEqualTo(Topics.forClass(jobClass).name());
            Map<String, Object> deployment = m.find("Deployment", pool).orElseThrow();
            Map<String, String> env = m.environment(Manifests.containers(deployment).get(0));
            // The same brokers, named from elsewhere: the scaler runs in KEDA's operator, in its own namespace,
            // where the workers' short Service name does not resolve.
            assertThat(kafka.get("bootstrapServers")).as("%s %s brokers", target, pool)
                    .isEqualTo(fromOtherNamespaces(env.get("SPRING_KAFKA_BOOTSTRAPSERVERS"),
                            Yamls.str(Yamls.at(deployment, "metadata", "namespace"))));
            assertThat(Integer.parseInt(Yamls.str(kafka.get("lagThreshold")))).isPositive();
            assertThat(Integer.parseInt(Yamls.str(kafka.get("activationLagThreshold")))).isNotNegative();
            assertThat(kafka.get("allowIdleConsumers")).as("%s %s: never more consumers than partitions", target, pool)
                    .isEqualTo("false");

            int min = (Integer) spec.get("minReplicaCount");
            int max = (Integer) spec.get("maxReplicaCount");
            assertThat(min).as("%s %s", target, pool).isPositive().isLessThanOrEqualTo(max);
            assertThat(max).as("%s %s maxReplicaCount vs %s partitions", target, pool, Topics.forClass(jobClass).name())
                    .isLessThanOrEqualTo(partitions(m, pool, jobClass));
        }
    }

    /**
     * The broker hands its advertised listeners to every client, KEDA's operator in namespace keda included:
     * they must carry the namespace, which the downward API supplies before the listener refers to it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("inClusterKafkaTargets")
    void theInClusterBrokerAdvertisesNamesThatResolveFromOtherNamespaces(String target) {
        Manifests m = Manifests.of(target);
        Map<String, Object> broker = m.find("StatefulSet", "kafka").orElseThrow();
        List<Map<String, Object>> env = Yamls.list(Manifests.containers(broker).get(0).get("env")).stream()
                .map(Yamls::map).toList();
        List<String> names = env.stream().map(e -> Yamls.str(e.get("name"))).toList();
        int listeners = names.indexOf("KAFKA_ADVERTISED_LISTENERS");
        String headless = Yamls.str(Yamls.at(broker, "spec", "serviceName"));

        assertThat(listeners).as("%s: KAFKA_ADVERTISED_LISTENERS", target).isNotNegative();
        assertThat(env.get(listeners).get("value")).as("%s advertised listeners", target)
                .isEqualTo("PLAINTEXT://$(POD_NAME)." + headless + ".$(POD_NAMESPACE).svc:9092");
        assertThat(Yamls.at(m.find("Service", headless).orElseThrow(), "spec", "clusterIP"))
                .as("%s: service/%s gives each pod a name", target, headless).isEqualTo("None");
        Map<String, String> fields = Map.of("POD_NAME", "metadata.name", "POD_NAMESPACE", "metadata.namespace");
        fields.forEach((variable, field) -> {
            // $(VAR) expands only variables declared earlier in the list; later ones stay literal.
            assertThat(names.indexOf(variable)).as("%s: %s before KAFKA_ADVERTISED_LISTENERS", target, variable)
                    .isNotNegative().isLessThan(listeners);
            assertThat(Yamls.at(env.get(names.indexOf(variable)), "valueFrom", "fieldRef", "fieldPath"))
                    .as("%s: %s from the downward API", target, variable).isEqualTo(field);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kedaTargets")
    void kedaKeepsBaseCpuTargetBoundsAndBurstBehavior(String target) {
        Manifests m = Manifests.of(target);
        Manifests base = Manifests.of("base");
        for (JobClass jobClass : JobClass.values()) {
            String pool = pool(jobClass);
            Map<String, Object> hpa = base.find("HorizontalPodAutoscaler", pool).orElseThrow();
            Map<String, Object> scaled = m.find("ScaledObject", pool).orElseThrow();

            assertThat(Yamls.at(scaled, "spec", "advanced", "horizontalPodAutoscalerConfig", "behavior"))
                    .as("%s %s behavior", target, pool).isEqualTo(Yamls.at(hpa, "spec", "behavior"));
            Map<String, Object> cpu = Yamls.map(Yamls.list(Yamls.at(hpa, "spec", "metrics")).stream()
                    .filter(metric -> "cpu".equals(Yamls.at(metric, "resource", "name"))).findFirst().orElseThrow());
            assertThat(trigger(scaled, "cpu").get("value")).as("%s %s CPU target", target, pool)
                    .isEqualTo(String.valueOf(Yamls.at(cpu, "resource", "target", "averageUtilization")));
            assertThat(Yamls.at(scaled, "spec", "minReplicaCount")).isEqualTo(Yamls.at(hpa, "spec", "minReplicas"));
            assertThat(Yamls.at(scaled, "spec", "maxReplicaCount")).isEqualTo(Yamls.at(hpa, "spec", "maxReplicas"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adapterTargets")
    void adapterHpasScaleOnThePoolsLagAndOnCpu(String target) {
        Manifests m = Manifests.of(target);
        Manifests keda = Manifests.of("base+keda");
        for (JobClass jobClass : JobClass.values()) {
            String pool = pool(jobClass);
            Map<String, Object> hpa = m.find("HorizontalPodAutoscaler", pool).orElseThrow();
            List<Object> metrics = Yamls.list(Yamls.at(hpa, "spec", "metrics"));
            assertThat(metrics).as("%s %s", target, pool)
                    .anySatisfy(metric -> assertThat(Yamls.at(metric, "resource", "name")).isEqualTo("cpu"));
            Map<String, Object> external = Yamls.map(metrics.stream().map(metric -> Yamls.at(metric, "external"))
                    .filter(e -> e != null).findFirst().orElseThrow(() -> new AssertionError(target + ": no lag metric on " + pool)));

            assertThat(Yamls.at(external, "metric", "name")).isEqualTo(adapterMetricName(m));
            assertThat(Yamls.map(Yamls.at(external, "metric", "selector", "matchLabels")))
                    .as("%s %s: its own pool's lag", target, pool).containsExactly(Map.entry("app_kubernetes_io_name", pool));
            assertThat(Yamls.at(external, "target", "type")).as("per pod: desired = ceil(lag / value)").isEqualTo("AverageValue");
            assertThat(Yamls.str(Yamls.at(external, "target", "averageValue")))
                    .as("%s %s: the same threshold as components/keda", target, pool)
                    .isEqualTo(trigger(keda.find("ScaledObject", pool).orElseThrow(), "kafka").get("lagThreshold"));
        }
    }

    @Test
    void adapterRuleReadsALagMetricTheWorkersReallyExposePerTopicAndPartition() {
        Map<String, Object> rule = Yamls.map(Yamls.list(adapterConfig(Manifests.of("base+prometheus-adapter"))
                .get("externalRules")).get(0));
        String series = Yamls.str(rule.get("seriesQuery"));
        String metric = series.substring(0, series.indexOf('{'));
        MetricsSnapshot snapshot = MetricsSnapshot.load();

        assertThat(snapshot.services.get(metric)).as("services exposing %s", metric).contains("worker-light", "worker-heavy");
        assertThat(snapshot.labels.get(metric)).contains("topic", "partition");
        for (JobClass jobClass : JobClass.values()) {
            assertThat(snapshot.values(metric, "topic")).contains(Topics.forClass(jobClass).name());
        }
        assertThat(Yamls.str(Yamls.at(rule, "name", "matches"))).isEqualTo("^" + metric + "$");
        assertThat(Yamls.str(rule.get("metricsQuery"))).contains("<<.Series>>{<<.LabelMatchers>>}")
                .contains("by (app_kubernetes_io_name)");
    }

    private static String adapterMetricName(Manifests m) {
        return Yamls.str(Yamls.at(Yamls.list(adapterConfig(m).get("externalRules")).get(0), "name", "as"));
    }

    private static Map<String, Object> adapterConfig(Manifests m) {
        String config = Yamls.str(m.configMapData("kiwo-prometheus-adapter-rules").get("config.yaml"));
        return Yamls.map(new Yaml(new SafeConstructor(new LoaderOptions())).load(config));
    }

    /**
     * Kafka bootstrap servers as a pod of another namespace must write them: a Service's short name gains the
     * given namespace (host.namespace.svc, the cluster domain left to the resolver's search list); a name
     * with a dot (an external broker, or one already qualified) stays as it is.
     */
    private static String fromOtherNamespaces(String servers, String namespace) {
        assertThat(servers).as("bootstrap servers").isNotBlank();
        assertThat(namespace).as("namespace of the workers").isNotBlank();
        return Arrays.stream(servers.split(",", -1)).map(server -> {
            int colon = server.lastIndexOf(':');
            assertThat(colon).as("host:port in %s", servers).isPositive();
            assertThat(server.substring(colon + 1)).as("port in %s", servers).containsOnlyDigits();
            String host = server.substring(0, colon);
            return (host.contains(".") ? host : host + "." + namespace + ".svc") + server.substring(colon);
        }).collect(Collectors.joining(","));
    }

    private static Map<String, Object> trigger(Map<String, Object> scaled, String type) {
        Map<String, Object> trigger = Yamls.list(Yamls.at(scaled, "spec", "triggers")).stream().map(Yamls::map)
                .filter(t -> type.equals(t.get("type"))).findFirst()
                .orElseThrow(() -> new AssertionError("scaledobject/" + Manifests.name(scaled) + " has no " + type + " trigger"));
        return Yamls.map(trigger.get("metadata"));
    }

    private static int partitions(Manifests m, String pool, JobClass jobClass) {
        Map<String, String> env = m.environment(Manifests.containers(m.find("Deployment", pool).orElseThrow()).get(0));
        TopicLayout layout = TopicLayout.of(integer(env.get("KIWO_TOPICS_LIGHTPARTITIONS")),
                integer(env.get("KIWO_TOPICS_HEAVYPARTITIONS")), integer(env.get("KIWO_TOPICS_PARTITIONS")),
                integer(env.get("KIWO_TOPICS_DLQPARTITIONS")), null);
        return layout.newTopics().stream().filter(t -> t.name().equals(Topics.forClass(jobClass).name()))
                .mapToInt(NewTopic::numPartitions).findFirst().orElseThrow();
    }

    /** spring.kafka.consumer.group-id from the pool module's application.yaml. */
    private static String groupId(String pool) {
        try {
            String yaml = Files.readString(Repo.root().resolve(pool + "/src/main/resources/application.yaml"));
            return Yamls.str(Yamls.at(new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml),
                    "spring", "kafka", "consumer", "group-id"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pool(JobClass jobClass) {
        return "worker-" + jobClass.name().toLowerCase(Locale.ROOT);
    }

    private static Integer integer(String value) {
        return value == null ? null : Integer.valueOf(value);
    }
}
