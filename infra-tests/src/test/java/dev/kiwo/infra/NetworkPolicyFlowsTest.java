package dev.kiwo.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The NetworkPolicies of "base+all-components", evaluated the way Kubernetes evaluates them, against the
 * flows kiwo needs and some it must refuse: a typo in a label, a selector or a port then breaks the build
 * instead of silently cutting (or opening) a connection in the cluster.
 */
class NetworkPolicyFlowsTest {

    private static final String TARGET = "base+all-components";
    private static final String NAMESPACE = "workload-demo";
    private static final String METADATA_NAME = "kubernetes.io/metadata.name";
    private static final String TCP = "TCP";

    /** A connection from one pod to another's TCP port. */
    record Flow(String from, String to, int port) {
        @Override
        public String toString() {
            return from + " -> " + to + ":" + port;
        }
    }

    /** Who a policy sees: the pod's namespace, that namespace's labels and the pod's labels. */
    private record Pod(String name, String namespace, Map<String, String> namespaceLabels, Map<String, String> labels) {
        @Override
        public String toString() {
            return name + " (" + namespace + ")";
        }
    }

    static Stream<Flow> allowedFlows() {
        return Stream.of(
                new Flow("api", "kafka", 9092),
                new Flow("classifier", "kafka", 9092),
                new Flow("worker-light", "kafka", 9092),
                new Flow("worker-heavy", "kafka", 9092),
                // The broker connects to its own advertised listener.
                new Flow("kafka", "kafka", 9092),
                // KEDA reads the pools' lag.
                new Flow("keda-operator", "kafka", 9092),
                new Flow("load-generator", "api", 8080),
                new Flow("ingress-nginx", "api", 8080),
                // The API's metrics are on its management port.
                new Flow("prometheus", "api", 8180),
                new Flow("prometheus", "classifier", 8081),
                new Flow("prometheus", "worker-light", 8082),
                new Flow("prometheus", "worker-heavy", 8083));
    }

    static Stream<Flow> deniedFlows() {
        return Stream.of(
                new Flow("load-generator", "kafka", 9092),
                // Right pod labels, wrong namespace.
                new Flow("impostor", "kafka", 9092),
                // Right namespace, wrong pod labels: refused only while namespace and pod selector share one peer
                // (split into two list items, they would admit either).
                new Flow("keda-metrics-apiserver", "kafka", 9092),
                new Flow("worker-light", "api", 8080),
                // Clients reach the API's port, not its management port (probes and metrics).
                new Flow("ingress-nginx", "api", 8180),
                new Flow("load-generator", "api", 8180),
                new Flow("ingress-nginx", "kafka", 9092),
                new Flow("ingress-nginx", "worker-heavy", 8083));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allowedFlows")
    void theFlowsKiwoNeedsAreAllowed(Flow flow) {
        Manifests m = Manifests.of(TARGET);
        assertThat(allows(policies(m), pod(m, flow.from()), pod(m, flow.to()), TCP, flow.port()))
                .as(explain(m, flow)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deniedFlows")
    void flowsKiwoDoesNotNeedAreDenied(Flow flow) {
        Manifests m = Manifests.of(TARGET);
        assertThat(allows(policies(m), pod(m, flow.from()), pod(m, flow.to()), TCP, flow.port()))
                .as(explain(m, flow)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"api", "classifier", "worker-light", "worker-heavy", "kafka", "load-generator"})
    void everyKiwoPodMayResolveNames(String name) {
        Manifests m = Manifests.of(TARGET);
        // Only our side: the resolver's own namespace is not ours to police.
        Pod dns = outside("kube-dns", "kube-system", Map.of("k8s-app", "kube-dns"));
        for (String protocol : List.of("UDP", TCP)) {
            assertThat(admits(policies(m), pod(m, name), "Egress", dns, protocol, 53))
                    .as("%s egress to %s %s/53", name, dns, protocol).isTrue();
        }
    }

    @Test
    void theFlowsUseThePortsTheWorkloadsListenOn() {
        Manifests m = Manifests.of(TARGET);
        Stream.concat(allowedFlows(), deniedFlows()).filter(flow -> isWorkload(m, flow.to())).forEach(flow -> {
            List<Object> ports = Manifests.containers(workload(m, flow.to())).stream()
                    .flatMap(c -> Yamls.list(c.get("ports")).stream())
                    .map(p -> Yamls.map(p).get("containerPort")).toList();
            assertThat(ports).as("%s: containerPorts of %s", flow, flow.to()).contains(flow.port());
        });
    }

    @Test
    void theDefaultDenyKeepsClosedWhatNoOtherPolicyOpens() {
        Manifests m = Manifests.of(TARGET);
        List<Map<String, Object>> policies = policies(m);
        Map<String, Object> defaultDeny = policies.stream()
                .filter(p -> Yamls.map(Yamls.at(p, "spec", "podSelector")).isEmpty())
                .filter(p -> policyTypes(p).containsAll(List.of("Ingress", "Egress")))
                .filter(p -> Yamls.list(Yamls.at(p, "spec", "ingress")).isEmpty() && Yamls.list(Yamls.at(p, "spec", "egress")).isEmpty())
                .findFirst().orElseThrow(() -> new AssertionError(TARGET + ": no default-deny NetworkPolicy"));

        // With no policy at all every denied flow goes through: the denials come from the YAML, not the evaluator.
        deniedFlows().forEach(flow -> assertThat(allows(List.of(), pod(m, flow.from()), pod(m, flow.to()), TCP, flow.port()))
                .as("%s without any policy", flow).isTrue());

        // Every denied flow above is also refused by a narrower policy; the load generator's ingress is not.
        List<Map<String, Object>> withoutDefaultDeny = policies.stream().filter(p -> p != defaultDeny).toList();
        deniedFlows().forEach(flow -> assertThat(allows(withoutDefaultDeny, pod(m, flow.from()), pod(m, flow.to()), TCP, flow.port()))
                .as("%s without %s", flow, Manifests.name(defaultDeny)).isFalse());
        Pod client = pod(m, "ingress-nginx");
        Pod loadGenerator = pod(m, "load-generator");
        assertThat(allows(policies, client, loadGenerator, TCP, 8080)).as("ingress-nginx -> load-generator:8080").isFalse();
        assertThat(allows(withoutDefaultDeny, client, loadGenerator, TCP, 8080))
                .as("ingress-nginx -> load-generator:8080 without %s", Manifests.name(defaultDeny)).isTrue();
    }

    private static List<Map<String, Object>> policies(Manifests m) {
        List<Map<String, Object>> policies = m.ofKind("NetworkPolicy");
        assertThat(policies).as("%s NetworkPolicies", TARGET).isNotEmpty();
        return policies;
    }

    private static Pod pod(Manifests m, String name) {
        return switch (name) {
            // demo.sh load runs it from its own kustomization, next to the deployed services.
            case "load-generator" -> new Pod(name, NAMESPACE, kiwoNamespaceLabels(m), strings(Manifests.podLabels(
                    Manifests.of("jobs/load-generator").ofKind("Job").get(0))));
            case "keda-operator" -> outside(name, "keda", Map.of("app", "keda-operator"));
            case "impostor" -> outside(name, "other", Map.of("app", "keda-operator"));
            case "keda-metrics-apiserver" -> outside(name, "keda", Map.of("app", "keda-metrics-apiserver"));
            case "prometheus" -> outside(name, "monitoring", Map.of("app.kubernetes.io/name", "prometheus"));
            case "ingress-nginx" -> outside(name, "ingress-nginx", Map.of("app", "ingress-nginx"));
            default -> new Pod(name, NAMESPACE, kiwoNamespaceLabels(m), strings(Manifests.podLabels(workload(m, name))));
        };
    }

    private static Pod outside(String name, String namespace, Map<String, String> labels) {
        return new Pod(name, namespace, Map.of(METADATA_NAME, namespace), labels);
    }

    private static Map<String, String> kiwoNamespaceLabels(Manifests m) {
        Map<String, Object> namespace = m.find("Namespace", NAMESPACE)
                .orElseThrow(() -> new AssertionError(TARGET + ": no Namespace " + NAMESPACE));
        Map<String, String> labels = new LinkedHashMap<>(strings(Yamls.map(Yamls.at(namespace, "metadata", "labels"))));
        // Set by the API server on every namespace.
        labels.put(METADATA_NAME, NAMESPACE);
        return labels;
    }

    private static boolean isWorkload(Manifests m, String name) {
        return m.workloads().values().stream().anyMatch(w -> name.equals(Manifests.podLabels(w).get("app.kubernetes.io/name")));
    }

    private static Map<String, Object> workload(Manifests m, String name) {
        return m.workloads().values().stream()
                .filter(w -> name.equals(Manifests.podLabels(w).get("app.kubernetes.io/name")))
                .findFirst().orElseThrow(() -> new AssertionError(TARGET + ": no workload with pods named " + name));
    }

    private static Map<String, String> strings(Map<String, Object> labels) {
        Map<String, String> strings = new LinkedHashMap<>();
        labels.forEach((k, v) -> strings.put(k, Yamls.str(v)));
        return strings;
    }

    private static String explain(Manifests m, Flow flow) {
        Pod from = pod(m, flow.from());
        Pod to = pod(m, flow.to());
        return "%s: egress from %s %s, ingress to %s %s".formatted(flow,
                from, admits(policies(m), from, "Egress", to, TCP, flow.port()) ? "allowed" : "denied",
                to, admits(policies(m), to, "Ingress", from, TCP, flow.port()) ? "allowed" : "denied");
    }

    /** A connection needs both the sender's egress and the receiver's ingress. */
    private static boolean allows(List<Map<String, Object>> policies, Pod from, Pod to, String protocol, int port) {
        return admits(policies, from, "Egress", to, protocol, port) && admits(policies, to, "Ingress", from, protocol, port);
    }

    /**
     * Whether {@code pod} may exchange traffic with {@code peer} in one direction: yes when no policy of its
     * namespace isolates it that way, otherwise only when a rule of one of those policies admits the peer and port.
     */
    private static boolean admits(List<Map<String, Object>> policies, Pod pod, String policyType, Pod peer, String protocol, int port) {
        String rules = policyType.equals("Ingress") ? "ingress" : "egress";
        String peers = policyType.equals("Ingress") ? "from" : "to";
        List<Map<String, Object>> isolating = policies.stream()
                .filter(p -> pod.namespace().equals(Yamls.at(p, "metadata", "namespace")))
                .filter(p -> policyTypes(p).contains(policyType))
                .filter(p -> selects(Yamls.map(Yamls.at(p, "spec", "podSelector")), pod.labels()))
                .toList();
        return isolating.isEmpty() || isolating.stream().anyMatch(p -> Yamls.list(Yamls.at(p, "spec", rules)).stream()
                .map(Yamls::map)
                .anyMatch(rule -> peerMatches(rule.get(peers), Yamls.str(Yamls.at(p, "metadata", "namespace")), peer)
                        && portMatches(rule.get("ports"), protocol, port)));
    }

    private static List<Object> policyTypes(Map<String, Object> policy) {
        Map<String, Object> spec = Yamls.map(policy.get("spec"));
        if (spec.containsKey("policyTypes")) {
            return Yamls.list(spec.get("policyTypes"));
        }
        // Kubernetes' default when the field is absent.
        return spec.containsKey("egress") ? List.of("Ingress", "Egress") : List.of("Ingress");
    }

    /** An absent or empty peer list admits everyone; an ipBlock never matches a pod. */
    private static boolean peerMatches(Object peers, String policyNamespace, Pod peer) {
        List<Object> entries = Yamls.list(peers);
        return entries.isEmpty() || entries.stream().map(Yamls::map).anyMatch(entry -> {
            Object podSelector = entry.get("podSelector");
            Object namespaceSelector = entry.get("namespaceSelector");
            if (podSelector == null && namespaceSelector == null) {
                return false;
            }
            boolean namespace = namespaceSelector == null
                    ? peer.namespace().equals(policyNamespace) : selects(Yamls.map(namespaceSelector), peer.namespaceLabels());
            return namespace && (podSelector == null || selects(Yamls.map(podSelector), peer.labels()));
        });
    }

    /** An absent or empty port list admits every port; a named port would never match, failing loudly. */
    private static boolean portMatches(Object ports, String protocol, int port) {
        List<Object> entries = Yamls.list(ports);
        return entries.isEmpty() || entries.stream().map(Yamls::map).anyMatch(p ->
                protocol.equals(Objects.requireNonNullElse(Yamls.str(p.get("protocol")), TCP))
                        && (p.get("port") == null || Integer.valueOf(port).equals(p.get("port"))));
    }

    /** A label selector; the empty one selects everything. */
    private static boolean selects(Map<String, Object> selector, Map<String, String> labels) {
        boolean matchLabels = Yamls.map(selector.get("matchLabels")).entrySet().stream()
                .allMatch(e -> Yamls.str(e.getValue()).equals(labels.get(e.getKey())));
        return matchLabels && Yamls.list(selector.get("matchExpressions")).stream().map(Yamls::map).allMatch(expression -> {
            String key = Yamls.str(expression.get("key"));
            List<String> values = Yamls.list(expression.get("values")).stream().map(Yamls::str).toList();
            return switch (Yamls.str(expression.get("operator"))) {
                case "In" -> labels.containsKey(key) && values.contains(labels.get(key));
                case "NotIn" -> !labels.containsKey(key) || !values.contains(labels.get(key));
                case "Exists" -> labels.containsKey(key);
                case "DoesNotExist" -> !labels.containsKey(key);
                default -> throw new AssertionError("unknown selector operator in " + expression);
            };
        });
    }
}
