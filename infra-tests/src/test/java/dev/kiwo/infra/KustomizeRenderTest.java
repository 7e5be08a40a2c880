package dev.kiwo.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every Kustomize target renders, and each overlay composes what it promises. */
class KustomizeRenderTest {

    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "PriorityClass");

    static List<RenderTarget> targets() {
        return RenderTarget.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void rendersNamespacedObjectsIntoWorkloadDemo(RenderTarget target) {
        Manifests manifests = Manifests.of(target);

        assertThat(manifests.objects).isNotEmpty();
        for (Map<String, Object> o : manifests.objects) {
            assertThat(o).as("%s: %s", target, o.get("kind")).containsKeys("apiVersion", "kind", "metadata");
            String namespace = Yamls.str(Yamls.at(o, "metadata", "namespace"));
            if (CLUSTER_SCOPED.contains(o.get("kind"))) {
                assertThat(namespace).as("%s %s is cluster-scoped", target, Manifests.name(o)).isNull();
            } else {
                assertThat(namespace).as("%s %s/%s", target, o.get("kind"), Manifests.name(o)).isEqualTo("workload-demo");
            }
            assertThat(Yamls.map(Yamls.at(o, "metadata", "labels")))
                    .as("%s %s/%s", target, o.get("kind"), Manifests.name(o))
                    .containsEntry("app.kubernetes.io/part-of", "kiwo");
        }
    }

    @Test
    void kindOverlayRunsKafkaInClusterAndExposesTheApiOnNodePort30080() {
        Manifests kind = Manifests.of("overlays/kind");

        assertThat(kind.find("StatefulSet", "kafka")).isPresent();
        Map<String, Object> api = kind.find("Service", "api").orElseThrow();
        assertThat(Yamls.at(api, "spec", "type")).isEqualTo("NodePort");
        assertThat(Yamls.list(Yamls.at(api, "spec", "ports")))
                .anySatisfy(p -> assertThat(Yamls.map(p)).containsEntry("nodePort", 30080));
    }

    @Test
    void productionOverlayUsesAnExternalKafkaAndRegistryImages() {
        Manifests production = Manifests.of("overlays/production");

        assertThat(production.ofKind("StatefulSet")).isEmpty();
        assertThat(production.find("Service", "kafka")).isEmpty();
        String common = production.ofKind("ConfigMap").stream().map(Manifests::name)
                .filter(n -> n.startsWith("kiwo-common-")).findFirst().orElseThrow();
        assertThat(production.configMapData(common).get("SPRING_KAFKA_BOOTSTRAPSERVERS"))
                .asString().doesNotStartWith("kafka:");
        production.workloads().values().stream().flatMap(w -> Manifests.containers(w).stream())
                .forEach(c -> assertThat(Yamls.str(c.get("image"))).contains("/kiwo/").doesNotEndWith(":dev"));
        assertThat(production.ofKind("NetworkPolicy")).isNotEmpty();
    }
}
