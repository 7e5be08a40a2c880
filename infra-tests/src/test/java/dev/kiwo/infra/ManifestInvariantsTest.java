package dev.kiwo.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.JobClass;
import dev.kiwo.model.TopicLayout;
import dev.kiwo.model.Topics;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** kiwo's rules for its manifests, checked on every render target. */
class ManifestInvariantsTest {

    /** Room for one rolling-update surge pod per Deployment on top of the HPA maximum. */
    private static final int SURGE = 1;

    static List<RenderTarget> targets() {
        return RenderTarget.all();
    }

    /**
     * For rules about the services, their pools and base's guard rails: a standalone Job target brings none of
     * them, so there is nothing there to check. Its own pod is held to the rules above in every other test.
     */
    static List<RenderTarget> targetsWithBase() {
        return RenderTarget.withBase();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void everyHpaScalesAnExistingDeploymentOnCpuThatItsContainersRequest(RenderTarget target) {
        Manifests m = Manifests.of(target);
        for (Map<String, Object> hpa : m.ofKind("HorizontalPodAutoscaler")) {
            Map<String, Object> ref = Yamls.map(Yamls.at(hpa, "spec", "scaleTargetRef"));
            assertThat(ref).as("%s hpa/%s", target, Manifests.name(hpa))
                    .containsEntry("kind", "Deployment").containsEntry("apiVersion", "apps/v1");
            Map<String, Object> deployment = m.find("Deployment", Yamls.str(ref.get("name")))
                    .orElseThrow(() -> new AssertionError(target + ": hpa/" + Manifests.name(hpa) + " targets a missing Deployment"));
            assertThat(Yamls.list(Yamls.at(hpa, "spec", "metrics"))).as("%s hpa/%s metrics", target, Manifests.name(hpa))
                    .anySatisfy(metric -> assertThat(Yamls.at(metric, "resource", "name")).isEqualTo("cpu"));
            assertThat(Manifests.containers(deployment)).allSatisfy(c -> assertThat(Yamls.at(c, "resources", "requests", "cpu"))
                    .as("%s %s requests cpu", target, c.get("name")).isNotNull());
            Map<String, Object> spec = Yamls.map(hpa.get("spec"));
            assertThat((Integer) spec.get("minReplicas")).as("%s hpa/%s", target, Manifests.name(hpa))
                    .isPositive().isLessThanOrEqualTo((Integer) spec.get("maxReplicas"));
            assertThat(Yamls.at(deployment, "spec", "replicas")).as("%s: the HPA owns replicas of %s", target,
                    Manifests.name(deployment)).isNull();
        }
    }

    /**
     * base/hpa-behavior.yaml is the one scaling behavior: every autoscaler, each HPA and the HPA of each KEDA
     * ScaledObject, has exactly it plus its own scale-up window. An HPA that a component or overlay adds after
     * base's patches ran would miss it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targetsWithBase")
    void everyAutoscalerHasTheOneBehaviorOfBaseWithItsOwnScaleUpWindow(RenderTarget target) throws IOException {
        Object patch = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(Repo.k8s().resolve("base/hpa-behavior.yaml")));
        Map<String, Object> shared = Yamls.map(Yamls.at(patch, "spec", "behavior"));
        assertThat(Yamls.map(shared.get("scaleUp"))).as("the patch would override every HPA's own window")
                .isNotEmpty().doesNotContainKey("stabilizationWindowSeconds");

        Manifests m = Manifests.of(target);
        Map<String, Object> behaviors = new LinkedHashMap<>();
        m.ofKind("HorizontalPodAutoscaler").forEach(hpa ->
                behaviors.put("hpa/" + Manifests.name(hpa), Yamls.at(hpa, "spec", "behavior")));
        m.ofKind("ScaledObject").forEach(scaled -> behaviors.put("scaledobject/" + Manifests.name(scaled),
                Yamls.at(scaled, "spec", "advanced", "horizontalPodAutoscalerConfig", "behavior")));
        assertThat(behaviors).as("%s: autoscalers", target).isNotEmpty();
        behaviors.forEach((name, behavior) -> {
            Map<String, Object> scaleUp = new LinkedHashMap<>(Yamls.map(Yamls.at(behavior, "scaleUp")));
            assertThat(scaleUp.remove("stabilizationWindowSeconds")).as("%s %s: its own scale-up window", target, name)
                    .isInstanceOf(Integer.class);
            Map<String, Object> rest = new LinkedHashMap<>(Yamls.map(behavior));
            rest.put("scaleUp", scaleUp);
            assertThat(rest).as("%s %s: behavior apart from its scale-up window", target, name).isEqualTo(shared);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targetsWithBase")
    void workerPoolsNeverRunMoreConsumersThanTheirTopicHasPartitions(RenderTarget target) {
        Manifests m = Manifests.of(target);
        for (JobClass jobClass : JobClass.values()) {
            String pool = "worker-" + jobClass.name().toLowerCase(Locale.ROOT);
            int maxReplicas = m.autoscalerMax(pool)
                    .orElseThrow(() -> new AssertionError(target + ": no HPA or ScaledObject scales " + pool));
            Map<String, String> env = m.environment(Manifests.containers(m.find("Deployment", pool).orElseThrow()).get(0));
            TopicLayout layout = TopicLayout.of(integer(env.get("KIWO_TOPICS_LIGHTPARTITIONS")),
                    integer(env.get("KIWO_TOPICS_HEAVYPARTITIONS")), integer(env.get("KIWO_TOPICS_PARTITIONS")),
                    integer(env.get("KIWO_TOPICS_DLQPARTITIONS")), null);
            int partitions = layout.newTopics().stream().filter(t -> t.name().equals(Topics.forClass(jobClass).name()))
                    .mapToInt(NewTopic::numPartitions).findFirst().orElseThrow();

            // Each pod runs `concurrency` consumers; consumers beyond the partition count would sit idle.
            String concurrency = env.get("SPRING_KAFKA_LISTENER_CONCURRENCY");
            assertThat(concurrency).as("%s: %s sets its listener concurrency explicitly", target, pool).isNotNull();
            int consumers = maxReplicas * Integer.parseInt(concurrency);

            assertThat(consumers)
                    .as("%s: %s at max runs %d consumers on %s (%d partitions)", target, pool, consumers,
                            Topics.forClass(jobClass).name(), partitions)
                    .isLessThanOrEqualTo(partitions);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void selectorsMatchPodTemplateLabels(RenderTarget target) {
        Manifests m = Manifests.of(target);
        m.workloads().forEach((name, w) -> assertThat(Manifests.podLabels(w)).as("%s %s", target, name)
                .containsAllEntriesOf(Yamls.map(Yamls.at(w, "spec", "selector", "matchLabels"))));
        for (Map<String, Object> pdb : m.ofKind("PodDisruptionBudget")) {
            assertThat(selected(m, Yamls.map(Yamls.at(pdb, "spec", "selector", "matchLabels"))))
                    .as("%s pdb/%s selects a workload", target, Manifests.name(pdb)).isNotEmpty();
        }
        for (Map<String, Object> service : m.ofKind("Service")) {
            assertThat(selected(m, Yamls.map(Yamls.at(service, "spec", "selector"))))
                    .as("%s service/%s selects a workload", target, Manifests.name(service)).isNotEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void serviceTargetPortsAreContainerPorts(RenderTarget target) {
        Manifests m = Manifests.of(target);
        for (Map<String, Object> service : m.ofKind("Service")) {
            List<Map<String, Object>> ports = new ArrayList<>();
            selected(m, Yamls.map(Yamls.at(service, "spec", "selector"))).forEach(w -> Manifests.containers(w)
                    .forEach(c -> Yamls.list(c.get("ports")).forEach(p -> ports.add(Yamls.map(p)))));
            for (Object p : Yamls.list(Yamls.at(service, "spec", "ports"))) {
                Object targetPort = Yamls.map(p).getOrDefault("targetPort", Yamls.map(p).get("port"));
                assertThat(ports).as("%s service/%s targetPort %s", target, Manifests.name(service), targetPort)
                        .anySatisfy(port -> assertThat(targetPort instanceof Integer ? port.get("containerPort") : port.get("name"))
                                .isEqualTo(targetPort));
            }
        }
    }

    /**
     * The API's actuator (probes, metrics) is on its own port, which its probes use and no Service exposes: a client
     * that reaches the API reaches only the API. The port agrees with MANAGEMENT_SERVER_PORT in the API's config.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void apiProbesUseTheManagementPortThatNoServiceExposes(RenderTarget target) {
        Manifests m = Manifests.of(target);
        Optional<Map<String, Object>> deployment = m.find("Deployment", "api");
        if (deployment.isEmpty()) {
            return;
        }
        Map<String, Object> api = Manifests.containers(deployment.get()).get(0);
        Map<String, Object> management = Yamls.list(api.get("ports")).stream().map(Yamls::map)
                .filter(p -> "management".equals(p.get("name"))).findFirst().orElseThrow();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(Yamls.at(api, probe, "httpGet", "port")).as("%s api %s port", target, probe).isEqualTo("management");
        }
        String config = m.ofKind("ConfigMap").stream().map(Manifests::name).filter(n -> n.startsWith("api-config"))
                .findFirst().orElseThrow();
        assertThat(m.configMapData(config).get("MANAGEMENT_SERVER_PORT")).as("%s %s", target, config)
                .isEqualTo(String.valueOf(management.get("containerPort")));
        for (Map<String, Object> service : m.ofKind("Service")) {
            for (Object p : Yamls.list(Yamls.at(service, "spec", "ports"))) {
                Object targetPort = Yamls.map(p).getOrDefault("targetPort", Yamls.map(p).get("port"));
                assertThat(targetPort).as("%s service/%s", target, Manifests.name(service))
                        .isNotIn("management", management.get("containerPort"));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void everyContainerHasProbesResourcesAndARestrictedSecurityContext(RenderTarget target) {
        Manifests m = Manifests.of(target);
        m.workloads().forEach((name, w) -> {
            Map<String, Object> pod = Manifests.podSpec(w);
            assertThat(pod.get("terminationGracePeriodSeconds")).as("%s %s grace period", target, name).isNotNull();
            List<Map<String, Object>> all = new ArrayList<>(Manifests.containers(w));
            all.addAll(Manifests.initContainers(w));
            for (Map<String, Object> c : all) {
                String where = target + " " + name + " container " + c.get("name");
                for (String kind : List.of("requests", "limits")) {
                    assertThat(Yamls.map(Yamls.at(c, "resources", kind))).as("%s %s", where, kind).containsKeys("cpu", "memory");
                }
                Map<String, Object> sc = Yamls.map(c.get("securityContext"));
                Map<String, Object> podSc = Yamls.map(pod.get("securityContext"));
                assertThat(Objects.requireNonNullElse(sc.get("runAsNonRoot"), podSc.get("runAsNonRoot"))).as(where).isEqualTo(true);
                assertThat(sc).as(where).containsEntry("allowPrivilegeEscalation", false).containsEntry("readOnlyRootFilesystem", true);
                assertThat(Yamls.list(Yamls.at(sc, "capabilities", "drop"))).as(where).contains("ALL");
                assertThat(Objects.requireNonNullElse(Yamls.at(sc, "seccompProfile", "type"), Yamls.at(podSc, "seccompProfile", "type")))
                        .as(where).isEqualTo("RuntimeDefault");
            }
            if ("Job".equals(w.get("kind"))) {
                // A Job's pod runs to completion and serves nothing: no traffic for readiness to gate, and with
                // restartPolicy Never no restart for liveness to trigger. A deadline bounds a hung run instead.
                assertThat(Yamls.at(w, "spec", "activeDeadlineSeconds")).as("%s %s deadline", target, name).isNotNull();
                assertThat(Yamls.at(w, "spec", "ttlSecondsAfterFinished")).as("%s %s clean-up", target, name).isNotNull();
                return;
            }
            for (Map<String, Object> c : Manifests.containers(w)) {
                String where = target + " " + name + " container " + c.get("name");
                assertThat(c).as(where).containsKeys("startupProbe", "livenessProbe", "readinessProbe");
                // The services' actuator health groups; the broker (kiwo/kafka) has none, it is probed on its ports.
                if (JibImages.isSpringBootApplication(Yamls.str(c.get("image")))) {
                    assertThat(Yamls.at(c, "livenessProbe", "httpGet", "path")).as(where).isEqualTo("/actuator/health/liveness");
                    assertThat(Yamls.at(c, "readinessProbe", "httpGet", "path")).as(where).isEqualTo("/actuator/health/readiness");
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targetsWithBase")
    void workersOutliveTheirLongestJobAndTheHeavyPoolGetsTheBiggerPods(RenderTarget target) {
        Manifests m = Manifests.of(target);
        Map<String, Object> light = m.find("Deployment", "worker-light").orElseThrow();
        Map<String, Object> heavy = m.find("Deployment", "worker-heavy").orElseThrow();
        for (Map<String, Object> pool : List.of(light, heavy)) {
            Map<String, String> env = m.environment(Manifests.containers(pool).get(0));
            Duration longestJob = Quantities.duration(Objects.requireNonNullElse(env.get("KIWO_WORKER_COST_MAX"), "30s"));
            Duration shutdownPhase = Quantities.duration(Objects.requireNonNullElse(env.get("SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE"), "30s"));
            long grace = ((Integer) Manifests.podSpec(pool).get("terminationGracePeriodSeconds")).longValue();
            assertThat(Duration.ofSeconds(grace)).as("%s %s grace period", target, Manifests.name(pool))
                    .isGreaterThan(longestJob.plusSeconds(5)).isGreaterThan(shutdownPhase);
            assertThat(shutdownPhase).as("%s %s shutdown phase", target, Manifests.name(pool)).isGreaterThan(longestJob);
        }
        for (String resource : List.of("cpu", "memory")) {
            assertThat(limit(heavy, resource)).as("%s heavy %s limit", target, resource).isGreaterThan(limit(light, resource));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void imagesAreTheOnesJibBuildsAndEveryImageIsPinned(RenderTarget target) {
        Manifests m = Manifests.of(target);
        var jib = JibImages.byImage();
        assertThat(jib).as("images declared by <kiwo.image.name> in the module poms").isNotEmpty();
        m.workloads().forEach((name, w) -> {
            List<Map<String, Object>> all = new ArrayList<>(Manifests.containers(w));
            all.addAll(Manifests.initContainers(w));
            for (Map<String, Object> c : all) {
                String image = Yamls.str(c.get("image"));
                assertThat(JibImages.tag(image)).as("%s %s image %s has a pinned tag", target, name, image)
                        .isNotBlank().isNotEqualTo("latest");
                String repository = JibImages.kiwoRepository(image);
                // Every Deployment is a kiwo service; other workloads (Kafka) may use third-party images.
                if (repository != null || name.startsWith("Deployment/")) {
                    assertThat(jib).as("%s %s image %s", target, name, image).containsKey(repository);
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targetsWithBase")
    void theApiAndTheLightPoolOutrankTheHeavyPool(RenderTarget target) {
        Manifests m = Manifests.of(target);
        int heavy = priority(m, "worker-heavy");
        assertThat(priority(m, "worker-light")).as("%s", target).isGreaterThan(heavy);
        assertThat(priority(m, "api")).as("%s", target).isGreaterThan(heavy);
        String heavyClass = Yamls.str(Manifests.podSpec(m.find("Deployment", "worker-heavy").orElseThrow()).get("priorityClassName"));
        assertThat(Yamls.at(m.find("PriorityClass", heavyClass).orElseThrow(), "preemptionPolicy")).isEqualTo("Never");
    }

    /** A pool that may evict another starves it: on a 2-CPU node new light and API pods preempted every heavy pod. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targetsWithBase")
    void noPriorityClassPreempts(RenderTarget target) {
        for (Map<String, Object> priorityClass : Manifests.of(target).ofKind("PriorityClass")) {
            assertThat(Yamls.at(priorityClass, "preemptionPolicy")).as("%s %s", target, Manifests.name(priorityClass))
                    .isEqualTo("Never");
        }
    }

    /** A budget that allows no eviction at the workload's smallest size blocks every node drain. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targetsWithBase")
    void everyDisruptionBudgetAllowsAnEvictionAtTheWorkloadsMinimum(RenderTarget target) {
        Manifests m = Manifests.of(target);
        for (Map<String, Object> pdb : m.ofKind("PodDisruptionBudget")) {
            for (Map<String, Object> w : selected(m, Yamls.map(Yamls.at(pdb, "spec", "selector", "matchLabels")))) {
                int smallest = minReplicas(m, w);
                Object minAvailable = Yamls.at(pdb, "spec", "minAvailable");
                Object maxUnavailable = Yamls.at(pdb, "spec", "maxUnavailable");
                String what = target + " pdb/" + Manifests.name(pdb) + " at " + smallest + " replica(s)";
                if (minAvailable != null) {
                    assertThat((Integer) minAvailable).as(what).isLessThan(smallest);
                } else {
                    assertThat((Integer) maxUnavailable).as(what).isGreaterThanOrEqualTo(1);
                }
            }
        }
    }

    /**
     * The test cluster is one 2-CPU node: every pool at its HPA maximum, Kafka, the load Job and the cluster's
     * CoreDNS must fit its allocatable CPU together, and the heavy pool must be able to triple.
     */
    @Test
    void theTestClusterOverlayHoldsEveryPoolAtItsMaximumOnOneTwoCpuNode() {
        Manifests m = Manifests.of("overlays/test-cluster");
        List<Map<String, Object>> workloads = new ArrayList<>(m.workloads().values());
        workloads.addAll(Manifests.of("jobs/load-generator").workloads().values());
        BigDecimal requested = new BigDecimal("0.050"); // CoreDNS, infra/test-cluster/addons/coredns.yaml
        for (Map<String, Object> w : workloads) {
            int replicas = "Deployment".equals(w.get("kind"))
                    ? m.autoscalerMax(Manifests.name(w)).orElse(1)
                    : (Integer) Objects.requireNonNullElse(Yamls.at(w, "spec", "replicas"), 1);
            BigDecimal perPod = Manifests.containers(w).stream()
                    .map(c -> Quantities.parse(Yamls.at(c, "resources", "requests", "cpu")))
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            requested = requested.add(perPod.multiply(BigDecimal.valueOf(replicas)));
        }
        assertThat(requested).as("CPU requested with every HPA at its maximum").isLessThanOrEqualTo(new BigDecimal("2"));
        assertThat(m.autoscalerMax("worker-heavy")).hasValueSatisfying(max -> assertThat(max).isGreaterThanOrEqualTo(3));
    }

    private static int minReplicas(Manifests m, Map<String, Object> workload) {
        for (Map<String, Object> hpa : m.ofKind("HorizontalPodAutoscaler")) {
            if (Manifests.name(workload).equals(Yamls.at(hpa, "spec", "scaleTargetRef", "name"))) {
                return (Integer) Objects.requireNonNullElse(Yamls.at(hpa, "spec", "minReplicas"), 1);
            }
        }
        for (Map<String, Object> scaled : m.ofKind("ScaledObject")) {
            if (Manifests.name(workload).equals(Yamls.at(scaled, "spec", "scaleTargetRef", "name"))) {
                // KEDA's default when the field is absent.
                return (Integer) Objects.requireNonNullElse(Yamls.at(scaled, "spec", "minReplicaCount"), 0);
            }
        }
        return (Integer) Objects.requireNonNullElse(Yamls.at(workload, "spec", "replicas"), 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void everyPodsPriorityClassExists(RenderTarget target) {
        Manifests m = Manifests.of(target);
        // A standalone Job relies on base's PriorityClasses, as it relies on base's namespace.
        Manifests classes = target.isStandaloneJob() ? Manifests.of("base") : m;
        m.workloads().forEach((name, w) -> {
            String className = Yamls.str(Manifests.podSpec(w).get("priorityClassName"));
            assertThat(className).as("%s %s priorityClassName", target, name).isNotBlank();
            assertThat(classes.find("PriorityClass", className)).as("%s %s PriorityClass %s", target, name, className)
                    .isPresent();
        });
    }

    /** The standalone Jobs run in the same namespace, next to the services: the quota must hold them too. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targetsWithBase")
    void theQuotaHoldsEveryWorkloadAtItsMaximumScale(RenderTarget target) {
        Manifests m = Manifests.of(target);
        Map<String, Object> hard = Yamls.map(Yamls.at(m.ofKind("ResourceQuota").get(0), "spec", "hard"));
        List<Map<String, Object>> workloads = new ArrayList<>(m.workloads().values());
        RenderTarget.all().stream().filter(RenderTarget::isStandaloneJob)
                .forEach(job -> workloads.addAll(Manifests.of(job).workloads().values()));
        for (String key : List.of("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")) {
            String[] parts = key.split("\\.");
            BigDecimal needed = BigDecimal.ZERO;
            int pods = 0;
            for (Map<String, Object> w : workloads) {
                int replicas = maxReplicas(m, w);
                pods += replicas;
                BigDecimal perPod = Manifests.containers(w).stream()
                        .map(c -> Quantities.parse(Yamls.at(c, "resources", parts[0], parts[1])))
                        .reduce(BigDecimal.ZERO, BigDecimal::add);
                needed = needed.add(perPod.multiply(BigDecimal.valueOf(replicas)));
            }
            assertThat(needed).as("%s %s needed at full scale", target, key).isLessThanOrEqualTo(Quantities.parse(hard.get(key)));
            assertThat(pods).as("%s pods at full scale", target).isLessThanOrEqualTo(Integer.parseInt(Yamls.str(hard.get("pods"))));
        }
    }

    private static int maxReplicas(Manifests m, Map<String, Object> workload) {
        if ("Deployment".equals(workload.get("kind"))) {
            return m.autoscalerMax(Manifests.name(workload))
                    .orElseGet(() -> (Integer) Objects.requireNonNullElse(Yamls.at(workload, "spec", "replicas"), 1)) + SURGE;
        }
        if ("Job".equals(workload.get("kind"))) {
            return (Integer) Objects.requireNonNullElse(Yamls.at(workload, "spec", "parallelism"), 1);
        }
        return (Integer) Objects.requireNonNullElse(Yamls.at(workload, "spec", "replicas"), 1);
    }

    private static int priority(Manifests m, String deployment) {
        String className = Yamls.str(Manifests.podSpec(m.find("Deployment", deployment).orElseThrow()).get("priorityClassName"));
        return (Integer) m.find("PriorityClass", className)
                .orElseThrow(() -> new AssertionError(m + ": no PriorityClass " + className)).get("value");
    }

    private static BigDecimal limit(Map<String, Object> workload, String resource) {
        return Quantities.parse(Yamls.at(Manifests.containers(workload).get(0), "resources", "limits", resource));
    }

    private static List<Map<String, Object>> selected(Manifests m, Map<String, Object> selector) {
        return m.workloads().values().stream()
                .filter(w -> !selector.isEmpty() && Manifests.podLabels(w).entrySet().containsAll(selector.entrySet()))
                .toList();
    }

    private static Integer integer(String value) {
        return value == null ? null : Integer.valueOf(value);
    }
}
