package dev.kiwo.infra;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.assertj.core.api.Assertions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The objects one render target produces, with the look-ups the checks need. */
final class Manifests {

    private static final Map<String, Manifests> RENDERED = new ConcurrentHashMap<>();

    final RenderTarget target;
    final String yaml;
    final List<Map<String, Object>> objects;

    private Manifests(RenderTarget target, String yaml, List<Map<String, Object>> objects) {
        this.target = target;
        this.yaml = yaml;
        this.objects = objects;
    }

    /** Renders once per test JVM; a target that fails to render fails every test that uses it. */
    static Manifests of(RenderTarget target) {
        List<String> kustomize = Tools.kustomizeCommand();
        return RENDERED.computeIfAbsent(target.name(), name -> render(target, kustomize));
    }

    static Manifests of(String targetName) {
        return of(RenderTarget.named(targetName));
    }

    private static Manifests render(RenderTarget target, List<String> kustomize) {
        List<String> command = new ArrayList<>(kustomize);
        command.add(target.kustomizationDir().toString());
        Tools.Result result = Tools.run(Repo.root(), Duration.ofSeconds(60), command);
        Assertions.assertThat(result.exitCode())
                .as("%s %s failed:%n%s", String.join(" ", kustomize), target.name(), result.output()).isZero();
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(result.output())) {
            if (doc != null) {
                objects.add(Yamls.map(doc));
            }
        }
        return new Manifests(target, result.output(), List.copyOf(objects));
    }

    List<Map<String, Object>> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    Optional<Map<String, Object>> find(String kind, String name) {
        return ofKind(kind).stream().filter(o -> name.equals(name(o))).findFirst();
    }

    /** Deployments, StatefulSets and Jobs by name, each with its pod template. */
    Map<String, Map<String, Object>> workloads() {
        Map<String, Map<String, Object>> workloads = new LinkedHashMap<>();
        for (Map<String, Object> o : objects) {
            if (List.of("Deployment", "StatefulSet", "DaemonSet", "Job").contains(o.get("kind"))) {
                workloads.put(o.get("kind") + "/" + name(o), o);
            }
        }
        return workloads;
    }

    /**
     * The most pods an autoscaler may give a Deployment: the maxReplicas of the HPA or the maxReplicaCount
     * of the KEDA ScaledObject whose scaleTargetRef names it; empty when nothing scales it.
     */
    Optional<Integer> autoscalerMax(String deployment) {
        for (Map<String, Object> hpa : ofKind("HorizontalPodAutoscaler")) {
            if (deployment.equals(Yamls.at(hpa, "spec", "scaleTargetRef", "name"))) {
                return Optional.of((Integer) Yamls.at(hpa, "spec", "maxReplicas"));
            }
        }
        for (Map<String, Object> scaled : ofKind("ScaledObject")) {
            if (deployment.equals(Yamls.at(scaled, "spec", "scaleTargetRef", "name"))) {
                // KEDA's default when the field is absent.
                return Optional.of((Integer) Objects.requireNonNullElse(Yamls.at(scaled, "spec", "maxReplicaCount"), 100));
            }
        }
        return Optional.empty();
    }

    /**
     * Groups under k8s.io that are CRDs, not built into the API server: the VPA's (the autoscaling API of the
     * HPA is the group "autoscaling", without a suffix).
     */
    private static final Set<String> CRD_GROUPS_UNDER_K8S_IO = Set.of("autoscaling.k8s.io");

    /**
     * Objects of a custom resource (KEDA, Prometheus operator, VPA): an API group with a dot that is not one
     * of Kubernetes' own *.k8s.io groups. The Kubernetes schema knows nothing of them.
     */
    static boolean isCustomResource(Map<String, Object> object) {
        String apiVersion = Yamls.str(object.get("apiVersion"));
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        return group.contains(".") && (!group.endsWith(".k8s.io") || CRD_GROUPS_UNDER_K8S_IO.contains(group));
    }

    /** A ConfigMap's data by the name workloads reference (kustomize has already added the hash). */
    Map<String, Object> configMapData(String name) {
        return find("ConfigMap", name).map(cm -> Yamls.map(cm.getOrDefault("data", Map.of())))
                .orElseThrow(() -> new AssertionError(target + ": no ConfigMap " + name));
    }

    /** The environment a container sees: envFrom ConfigMaps first, then env entries with a value. */
    Map<String, String> environment(Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object from : Yamls.list(container.get("envFrom"))) {
            Object ref = Yamls.map(from).get("configMapRef");
            if (ref != null) {
                configMapData(Yamls.str(Yamls.map(ref).get("name"))).forEach((k, v) -> env.put(k, String.valueOf(v)));
            }
        }
        for (Object e : Yamls.list(container.get("env"))) {
            Map<String, Object> entry = Yamls.map(e);
            env.put(Yamls.str(entry.get("name")), entry.containsKey("value") ? String.valueOf(entry.get("value")) : null);
        }
        return env;
    }

    static String name(Map<String, Object> object) {
        return Yamls.str(Yamls.at(object, "metadata", "name"));
    }

    static Map<String, Object> podTemplate(Map<String, Object> workload) {
        return Yamls.map(Yamls.at(workload, "spec", "template"));
    }

    static Map<String, Object> podSpec(Map<String, Object> workload) {
        return Yamls.map(podTemplate(workload).get("spec"));
    }

    static Map<String, Object> podLabels(Map<String, Object> workload) {
        return Yamls.map(Yamls.at(podTemplate(workload), "metadata", "labels"));
    }

    static List<Map<String, Object>> containers(Map<String, Object> workload) {
        return Yamls.list(podSpec(workload).get("containers")).stream().map(Yamls::map).toList();
    }

    static List<Map<String, Object>> initContainers(Map<String, Object> workload) {
        return Yamls.list(podSpec(workload).get("initContainers")).stream().map(Yamls::map).toList();
    }

    @Override
    public String toString() {
        return target.name();
    }
}
