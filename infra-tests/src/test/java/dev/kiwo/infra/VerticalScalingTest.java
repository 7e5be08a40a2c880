package dev.kiwo.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * components/vpa, on base and on top of each overlay: one VerticalPodAutoscaler per Deployment, recommending
 * only, never on a resource an autoscaler scales the same pods on, with bounds that cover the sizing the
 * target sets and stay within the namespace's LimitRange. The fields themselves are checked against the VPA
 * CRD in {@link CustomResourcesTest}.
 */
class VerticalScalingTest {

    /** The CRD's default when controlledResources is absent. */
    private static final List<String> DEFAULT_CONTROLLED = List.of("cpu", "memory");

    static List<String> vpaTargets() {
        List<String> targets = RenderTarget.withBase().stream().map(RenderTarget::name)
                .filter(name -> !Manifests.of(name).ofKind("VerticalPodAutoscaler").isEmpty()).toList();
        // base+vpa, each overlay+vpa, base+all-components...: a renamed component must not leave this test empty.
        assertThat(targets).contains("base+vpa", "overlays/kind+vpa", "overlays/production+vpa");
        return targets;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vpaTargets")
    void everyDeploymentHasOneVpaThatOnlyRecommends(String target) {
        Manifests m = Manifests.of(target);
        Set<String> targeted = new HashSet<>();
        for (Map<String, Object> vpa : m.ofKind("VerticalPodAutoscaler")) {
            String at = target + " vpa/" + Manifests.name(vpa);
            Map<String, Object> ref = Yamls.map(Yamls.at(vpa, "spec", "targetRef"));
            assertThat(ref).as(at).containsEntry("apiVersion", "apps/v1").containsEntry("kind", "Deployment");
            String name = Yamls.str(ref.get("name"));
            Map<String, Object> deployment = m.find("Deployment", name)
                    .orElseThrow(() -> new AssertionError(at + " targets a missing Deployment " + name));
            // Two VPAs on the same pods have undefined behavior.
            assertThat(targeted.add(name)).as("%s: a second VPA for %s", at, name).isTrue();
            // Explicit: without it the CRD's default is Recreate, which evicts pods to resize them.
            assertThat(Yamls.at(vpa, "spec", "updatePolicy", "updateMode")).as("%s updateMode", at).isEqualTo("Off");
            List<Object> containers = Manifests.containers(deployment).stream().map(c -> c.get("name")).toList();
            for (Map<String, Object> policy : policies(vpa)) {
                assertThat(policy.get("containerName")).as("%s containerName", at).isIn(append(containers, "*"));
            }
        }
        assertThat(targeted).as("%s: Deployments with a VPA", target)
                .containsExactlyInAnyOrderElementsOf(m.ofKind("Deployment").stream().map(Manifests::name).toList());
    }

    /**
     * The HPA measures CPU as a share of the request: a VPA that moved the request with usage would move the
     * HPA's target under it, and the two would chase each other. Even in recommendation mode, so that
     * switching the mode later cannot start that.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vpaTargets")
    void noVpaControlsAResourceAnAutoscalerScalesTheSamePodsOn(String target) {
        Manifests m = Manifests.of(target);
        for (Map<String, Object> vpa : m.ofKind("VerticalPodAutoscaler")) {
            String deployment = Yamls.str(Yamls.at(vpa, "spec", "targetRef", "name"));
            Set<String> scaledOn = autoscaledResources(m, deployment);
            for (Map<String, Object> container : Manifests.containers(m.find("Deployment", deployment).orElseThrow())) {
                assertThat(controlled(vpa, Yamls.str(container.get("name"))).stream().filter(scaledOn::contains))
                        .as("%s vpa/%s container %s: an autoscaler scales %s on %s", target, Manifests.name(vpa),
                                container.get("name"), deployment, scaledOn)
                        .isEmpty();
            }
        }
    }

    /**
     * minAllowed at most the request and maxAllowed at least the limit, so that a recommendation can say the
     * request is too high and the limit too low; maxAllowed within the LimitRange, which would refuse a
     * container sized above it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vpaTargets")
    void boundsCoverTheRequestsAndLimitsWithinTheLimitRange(String target) {
        Manifests m = Manifests.of(target);
        Map<String, Object> rangeMax = m.ofKind("LimitRange").stream()
                .flatMap(r -> Yamls.list(Yamls.at(r, "spec", "limits")).stream()).map(Yamls::map)
                .filter(l -> "Container".equals(l.get("type"))).map(l -> Yamls.map(l.get("max")))
                .findFirst().orElseThrow(() -> new AssertionError(target + ": no LimitRange max for containers"));
        for (Map<String, Object> vpa : m.ofKind("VerticalPodAutoscaler")) {
            Map<String, Object> deployment = m.find("Deployment", Yamls.str(Yamls.at(vpa, "spec", "targetRef", "name"))).orElseThrow();
            for (Map<String, Object> container : Manifests.containers(deployment)) {
                String name = Yamls.str(container.get("name"));
                Map<String, Object> policy = policy(vpa, name);
                for (String resource : controlled(vpa, name)) {
                    String at = "%s vpa/%s container %s %s".formatted(target, Manifests.name(vpa), name, resource);
                    Object min = Yamls.at(policy, "minAllowed", resource);
                    Object max = Yamls.at(policy, "maxAllowed", resource);
                    assertThat(min).as("%s minAllowed", at).isNotNull();
                    assertThat(max).as("%s maxAllowed", at).isNotNull();
                    assertThat(Quantities.parse(min)).as("%s minAllowed against the request", at)
                            .isLessThanOrEqualTo(quantity(container, "requests", resource));
                    assertThat(Quantities.parse(max)).as("%s maxAllowed against the limit", at)
                            .isGreaterThanOrEqualTo(quantity(container, "limits", resource))
                            .isLessThanOrEqualTo(Quantities.parse(rangeMax.get(resource)));
                }
            }
        }
    }

    /** Resources an HPA (Resource or ContainerResource metric) or a KEDA cpu/memory trigger scales it on. */
    private static Set<String> autoscaledResources(Manifests m, String deployment) {
        Set<String> resources = new HashSet<>();
        for (Map<String, Object> hpa : m.ofKind("HorizontalPodAutoscaler")) {
            if (deployment.equals(Yamls.at(hpa, "spec", "scaleTargetRef", "name"))) {
                for (Object metric : Yamls.list(Yamls.at(hpa, "spec", "metrics"))) {
                    for (String type : List.of("resource", "containerResource")) {
                        Object name = Yamls.at(metric, type, "name");
                        if (name != null) {
                            resources.add(Yamls.str(name));
                        }
                    }
                }
            }
        }
        for (Map<String, Object> scaled : m.ofKind("ScaledObject")) {
            if (deployment.equals(Yamls.at(scaled, "spec", "scaleTargetRef", "name"))) {
                Yamls.list(Yamls.at(scaled, "spec", "triggers")).stream().map(t -> Yamls.str(Yamls.at(t, "type")))
                        .filter(DEFAULT_CONTROLLED::contains).forEach(resources::add);
            }
        }
        return resources;
    }

    private static List<Map<String, Object>> policies(Map<String, Object> vpa) {
        return Yamls.list(Yamls.at(vpa, "spec", "resourcePolicy", "containerPolicies")).stream().map(Yamls::map).toList();
    }

    /** The container's own policy, else the "*" one, else none (empty). */
    private static Map<String, Object> policy(Map<String, Object> vpa, String container) {
        List<Map<String, Object>> policies = policies(vpa);
        return policies.stream().filter(p -> container.equals(p.get("containerName"))).findFirst()
                .or(() -> policies.stream().filter(p -> "*".equals(p.get("containerName"))).findFirst())
                .orElse(Map.of());
    }

    /** What the VPA recommends for the container: nothing with mode Off, else controlledResources or the default. */
    private static List<String> controlled(Map<String, Object> vpa, String container) {
        Map<String, Object> policy = policy(vpa, container);
        if ("Off".equals(policy.get("mode"))) {
            return List.of();
        }
        return policy.containsKey("controlledResources")
                ? Yamls.list(policy.get("controlledResources")).stream().map(Yamls::str).toList() : DEFAULT_CONTROLLED;
    }

    private static BigDecimal quantity(Map<String, Object> container, String kind, String resource) {
        Object q = Yamls.at(container, "resources", kind, resource);
        assertThat(q).as("container %s %s.%s", container.get("name"), kind, resource).isNotNull();
        return Quantities.parse(q);
    }

    private static List<Object> append(List<Object> list, Object element) {
        List<Object> all = new ArrayList<>(list);
        all.add(element);
        return all;
    }
}
