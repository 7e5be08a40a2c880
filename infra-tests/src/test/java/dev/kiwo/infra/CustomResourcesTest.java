package dev.kiwo.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The custom resources kubernetes-validate cannot check (it has no schema for CRDs), checked here against
 * the fields of the CRDs we use: KEDA 2.x ScaledObject (keda.sh/v1alpha1) and the Prometheus operator's
 * PodMonitor (monitoring.coreos.com/v1). Every field we set must be one the CRD defines, with its type
 * and allowed values; no other custom resource may appear unchecked. The behavior block of a ScaledObject
 * is an autoscaling/v2 HPA behavior, and LagScalingTest proves it equal to base's schema-validated one.
 * The VerticalPodAutoscaler (autoscaling.k8s.io/v1) is checked against the real CRD instead: the schema in
 * the VPA release's own manifest, from its Go module at the version the test cluster pins.
 */
class CustomResourcesTest {

    private static final Set<String> CHECKED = Set.of("keda.sh/v1alpha1/ScaledObject", "monitoring.coreos.com/v1/PodMonitor",
            "autoscaling.k8s.io/v1/VerticalPodAutoscaler");

    /** The fields of the KEDA Kafka scaler (apache-kafka) kiwo may set; values are strings in KEDA's API. */
    private static final Set<String> KAFKA_TRIGGER_KEYS = Set.of("bootstrapServers", "consumerGroup", "topic",
            "lagThreshold", "activationLagThreshold", "offsetResetPolicy", "allowIdleConsumers",
            "limitToPartitionsWithLag", "excludePersistentLag", "scaleToZeroOnInvalidOffset", "partitionLimitation");

    /** Prometheus operator's Duration pattern. */
    private static final Pattern DURATION = Pattern.compile(
            "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$");

    static List<RenderTarget> targets() {
        return RenderTarget.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void everyCustomResourceIsOneWeCheck(RenderTarget target) {
        for (Map<String, Object> o : Manifests.of(target).objects) {
            if (Manifests.isCustomResource(o)) {
                assertThat(o.get("apiVersion") + "/" + o.get("kind")).as("%s %s", target, Manifests.name(o)).isIn(CHECKED);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void verticalPodAutoscalersMatchTheSchemaOfTheVpaCrd(RenderTarget target) {
        List<Map<String, Object>> vpas = Manifests.of(target).ofKind("VerticalPodAutoscaler");
        if (vpas.isEmpty()) {
            return;
        }
        CrdSchema crd = CrdSchema.load(Tools.vpaCrdFile(), "autoscaling.k8s.io", "VerticalPodAutoscaler", "v1");
        for (Map<String, Object> vpa : vpas) {
            assertThat(crd.problems(vpa)).as("%s vpa/%s against %s", target, Manifests.name(vpa), Tools.vpaCrdFile()).isEmpty();
        }
    }

    /** The check above is only worth something if it refuses what the API server refuses. */
    @Test
    void theVpaSchemaCheckRefusesWhatTheApiServerWould() {
        CrdSchema crd = CrdSchema.load(Tools.vpaCrdFile(), "autoscaling.k8s.io", "VerticalPodAutoscaler", "v1");
        Map<String, Object> vpa = new Yaml(new SafeConstructor(new LoaderOptions())).load("""
                apiVersion: autoscaling.k8s.io/v1
                kind: VerticalPodAutoscaler
                metadata: {name: broken, labels: {any: label}}
                spec:
                  targetRef: {apiVersion: apps/v1, name: worker-heavy}
                  updatePolicy: {updateMode: Off, minReplicas: 1.5}
                  resourcePolicy:
                    containerPolicies:
                      - containerName: worker-heavy
                        controlledValues: LimitsOnly
                        maxAllowed: {memory: 2 GiB}
                        minAllowd: {memory: 512Mi}
                """);

        List<String> problems = crd.problems(vpa);
        String at = "verticalpodautoscaler/broken.spec.";
        String policy = at + "resourcePolicy.containerPolicies[0].";
        List<String> expected = List.of(at + "targetRef.kind is required",
                at + "updatePolicy.updateMode must be a string, is false",
                at + "updatePolicy.minReplicas must be an integer, is 1.5",
                policy + "controlledValues must be one of [RequestsAndLimits, RequestsOnly], is LimitsOnly",
                policy + "maxAllowed.memory does not match ",
                policy + "minAllowd is not a field of the CRD");
        assertThat(problems).as("%s", problems).hasSameSizeAs(expected);
        expected.forEach(e -> assertThat(problems).as("%s", problems).anyMatch(p -> p.startsWith(e)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void scaledObjectsUseOnlyFieldsOfTheKedaCrd(RenderTarget target) {
        for (Map<String, Object> so : Manifests.of(target).ofKind("ScaledObject")) {
            List<String> problems = new ArrayList<>();
            String at = "scaledobject/" + Manifests.name(so);
            keys(problems, at, so, Set.of("apiVersion", "kind", "metadata", "spec"));
            Map<String, Object> spec = Yamls.map(so.get("spec"));
            keys(problems, at + ".spec", spec, Set.of("scaleTargetRef", "pollingInterval", "cooldownPeriod",
                    "initialCooldownPeriod", "idleReplicaCount", "minReplicaCount", "maxReplicaCount", "fallback",
                    "advanced", "triggers"));
            Map<String, Object> ref = Yamls.map(spec.get("scaleTargetRef"));
            keys(problems, at + ".spec.scaleTargetRef", ref, Set.of("apiVersion", "kind", "name", "envSourceContainerName"));
            string(problems, at + ".spec.scaleTargetRef.name", ref.get("name"), true);
            for (String field : List.of("pollingInterval", "cooldownPeriod", "minReplicaCount", "maxReplicaCount")) {
                if (spec.containsKey(field) && !(spec.get(field) instanceof Integer i && i >= 0)) {
                    problems.add(at + ".spec." + field + " must be a non-negative integer: " + spec.get(field));
                }
            }
            Map<String, Object> advanced = Yamls.map(spec.get("advanced"));
            keys(problems, at + ".spec.advanced", advanced, Set.of("horizontalPodAutoscalerConfig", "restoreToOriginalReplicaCount",
                    "scalingModifiers"));
            keys(problems, at + ".spec.advanced.horizontalPodAutoscalerConfig",
                    Yamls.map(advanced.get("horizontalPodAutoscalerConfig")), Set.of("name", "behavior"));
            List<Object> triggers = Yamls.list(spec.get("triggers"));
            if (triggers.isEmpty()) {
                problems.add(at + ".spec.triggers is required");
            }
            for (Object t : triggers) {
                Map<String, Object> trigger = Yamls.map(t);
                String where = at + ".spec.triggers[" + trigger.get("type") + "]";
                keys(problems, where, trigger, Set.of("type", "name", "metadata", "metricType", "authenticationRef",
                        "useCachedMetrics"));
                Map<String, Object> metadata = Yamls.map(trigger.get("metadata"));
                metadata.forEach((k, v) -> string(problems, where + ".metadata." + k, v, false));
                switch (Yamls.str(trigger.get("type"))) {
                    case "kafka" -> {
                        keys(problems, where + ".metadata", metadata, KAFKA_TRIGGER_KEYS);
                        for (String required : List.of("bootstrapServers", "consumerGroup", "topic", "lagThreshold")) {
                            string(problems, where + ".metadata." + required, metadata.get(required), true);
                        }
                        for (String bool : List.of("allowIdleConsumers", "limitToPartitionsWithLag")) {
                            if (metadata.containsKey(bool) && !Set.of("true", "false").contains(metadata.get(bool))) {
                                problems.add(where + ".metadata." + bool + " must be \"true\" or \"false\"");
                            }
                        }
                        if (metadata.containsKey("offsetResetPolicy")
                                && !Set.of("earliest", "latest").contains(metadata.get("offsetResetPolicy"))) {
                            problems.add(where + ".metadata.offsetResetPolicy must be earliest or latest");
                        }
                        if (trigger.containsKey("metricType") && !"AverageValue".equals(trigger.get("metricType"))) {
                            problems.add(where + ".metricType: the kafka scaler supports AverageValue only");
                        }
                    }
                    case "cpu", "memory" -> {
                        // Since KEDA 2.10 the type lives in metricType; metadata.type is gone.
                        keys(problems, where + ".metadata", metadata, Set.of("value", "containerName"));
                        if (!Set.of("Utilization", "AverageValue").contains(trigger.get("metricType"))) {
                            problems.add(where + ".metricType must be Utilization or AverageValue");
                        }
                        if (!Yamls.str(metadata.get("value")).matches("[0-9]+")) {
                            problems.add(where + ".metadata.value must be a whole number as a string");
                        }
                    }
                    default -> problems.add(where + ": a trigger type this test does not know; add its fields here");
                }
            }
            assertThat(problems).as("%s %s", target, at).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void podMonitorsUseOnlyFieldsOfThePrometheusOperatorCrdAndScrapeEveryService(RenderTarget target) {
        Manifests m = Manifests.of(target);
        for (Map<String, Object> pm : m.ofKind("PodMonitor")) {
            List<String> problems = new ArrayList<>();
            String at = "podmonitor/" + Manifests.name(pm);
            keys(problems, at, pm, Set.of("apiVersion", "kind", "metadata", "spec"));
            Map<String, Object> spec = Yamls.map(pm.get("spec"));
            keys(problems, at + ".spec", spec, Set.of("selector", "namespaceSelector", "podTargetLabels",
                    "podMetricsEndpoints", "jobLabel", "sampleLimit"));
            Map<String, Object> selector = Yamls.map(spec.get("selector"));
            keys(problems, at + ".spec.selector", selector, Set.of("matchLabels", "matchExpressions"));
            for (Object e : Yamls.list(selector.get("matchExpressions"))) {
                Map<String, Object> expression = Yamls.map(e);
                keys(problems, at + ".spec.selector.matchExpressions", expression, Set.of("key", "operator", "values"));
                if (!Set.of("In", "NotIn", "Exists", "DoesNotExist").contains(expression.get("operator"))) {
                    problems.add(at + ": operator " + expression.get("operator"));
                }
            }
            Yamls.list(spec.get("podTargetLabels")).forEach(l -> string(problems, at + ".spec.podTargetLabels", l, true));
            List<Object> endpoints = Yamls.list(spec.get("podMetricsEndpoints"));
            if (endpoints.isEmpty()) {
                problems.add(at + ".spec.podMetricsEndpoints is required");
            }
            for (Object e : endpoints) {
                Map<String, Object> endpoint = Yamls.map(e);
                keys(problems, at + ".spec.podMetricsEndpoints", endpoint, Set.of("port", "path", "interval", "scrapeTimeout",
                        "scheme", "honorLabels", "relabelings", "metricRelabelings"));
                for (String d : List.of("interval", "scrapeTimeout")) {
                    if (endpoint.containsKey(d) && !DURATION.matcher(Yamls.str(endpoint.get(d))).matches()) {
                        problems.add(at + ".spec.podMetricsEndpoints." + d + " is not a Prometheus duration");
                    }
                }
            }
            assertThat(problems).as("%s %s", target, at).isEmpty();

            // What it selects: each kiwo service, scraped by exactly one endpoint (one on a port its container
            // declares, whose relabelings do not drop it), on the port and at the path its prometheus.io/port and
            // prometheus.io/path annotations name, with the label the dashboard and the adapter group by.
            for (String service : MetricsSnapshot.SERVICES) {
                Map<String, Object> deployment = m.find("Deployment", service).orElseThrow();
                Map<String, Object> labels = Manifests.podLabels(deployment);
                assertThat(selects(selector, labels)).as("%s %s selects %s", target, at, service).isTrue();
                List<Map<String, Object>> ports = Manifests.containers(deployment).stream()
                        .flatMap(c -> Yamls.list(c.get("ports")).stream()).map(Yamls::map).toList();
                List<Map<String, Object>> scraping = endpoints.stream().map(Yamls::map)
                        .filter(endpoint -> ports.stream().anyMatch(p -> Objects.equals(p.get("name"), endpoint.get("port"))))
                        .filter(endpoint -> !dropped(endpoint, labels)).toList();
                assertThat(scraping).as("%s %s endpoints scraping %s", target, at, service).hasSize(1);
                Map<String, Object> endpoint = scraping.get(0);
                Map<String, Object> annotations = Yamls.map(Yamls.at(Manifests.podTemplate(deployment), "metadata",
                        "annotations"));
                assertThat(endpoint.get("path")).isEqualTo(annotations.get("prometheus.io/path"));
                assertThat(ports.stream().filter(p -> Objects.equals(p.get("name"), endpoint.get("port")))
                        .map(p -> String.valueOf(p.get("containerPort"))))
                        .as("%s %s port of %s", target, at, service).containsExactly(Yamls.str(annotations.get("prometheus.io/port")));
                assertThat(labels).containsKeys(Yamls.list(spec.get("podTargetLabels")).stream().map(Yamls::str)
                        .toArray(String[]::new));
            }
        }
    }

    /** Whether a drop relabeling of the endpoint matches the pod's labels (as Prometheus's pod label metadata). */
    private static boolean dropped(Map<String, Object> endpoint, Map<String, Object> labels) {
        for (Object r : Yamls.list(endpoint.get("relabelings"))) {
            Map<String, Object> relabeling = Yamls.map(r);
            if (!"drop".equalsIgnoreCase(Yamls.str(relabeling.get("action")))) {
                continue;
            }
            String value = Yamls.list(relabeling.get("sourceLabels")).stream().map(Yamls::str)
                    .map(source -> labels.entrySet().stream()
                            .filter(l -> source.equals("__meta_kubernetes_pod_label_" + l.getKey().replaceAll("[^a-zA-Z0-9_]", "_")))
                            .map(l -> Yamls.str(l.getValue())).findFirst().orElse(""))
                    .collect(Collectors.joining(";"));
            if (value.matches(Yamls.str(relabeling.getOrDefault("regex", "(.*)")))) {
                return true;
            }
        }
        return false;
    }

    private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        if (!labels.entrySet().containsAll(Yamls.map(selector.get("matchLabels")).entrySet())) {
            return false;
        }
        for (Object e : Yamls.list(selector.get("matchExpressions"))) {
            Map<String, Object> expression = Yamls.map(e);
            Object value = labels.get(Yamls.str(expression.get("key")));
            List<Object> values = Yamls.list(expression.get("values"));
            boolean ok = switch (Yamls.str(expression.get("operator"))) {
                case "In" -> values.contains(value);
                case "NotIn" -> !values.contains(value);
                case "Exists" -> value != null;
                default -> value == null;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static void keys(List<String> problems, String at, Map<String, Object> object, Set<String> allowed) {
        object.keySet().stream().filter(k -> !allowed.contains(k)).forEach(k -> problems.add(at + "." + k + " is not a field of the CRD"));
    }

    private static void string(List<String> problems, String at, Object value, boolean required) {
        if (value == null ? required : !(value instanceof String s) || (required && s.isBlank())) {
            problems.add(at + " must be a " + (required ? "non-empty " : "") + "string, is " + value);
        }
    }
}
