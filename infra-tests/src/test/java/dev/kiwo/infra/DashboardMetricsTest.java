package dev.kiwo.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Grafana dashboard of components/monitoring parses, is provisioned the way Grafana's sidecar finds
 * it, and queries only what exists: every metric name in its PromQL is one the services really expose
 * (MetricsSnapshot, from real scrapes) or one kube-state-metrics exposes, every label matcher names a
 * label the metric has (or one the scrape adds), and every quantile is computed from a real histogram.
 */
class DashboardMetricsTest {

    /** kube-state-metrics series the scaling panels use (documented in its docs/metrics/workload). */
    private static final Set<String> KUBE_STATE_METRICS = Set.of(
            "kube_horizontalpodautoscaler_status_current_replicas", "kube_horizontalpodautoscaler_status_desired_replicas",
            "kube_horizontalpodautoscaler_spec_max_replicas", "kube_deployment_status_replicas_ready");
    private static final Set<String> KUBE_STATE_LABELS = Set.of("namespace", "horizontalpodautoscaler", "deployment");
    /** Labels Prometheus adds when it scrapes a pod through components/monitoring's PodMonitor. */
    private static final Set<String> SCRAPE_LABELS = Set.of("namespace", "pod", "container", "job", "instance",
            "endpoint", "app_kubernetes_io_name");
    /**
     * Label values the dashboard filters on that a healthy snapshot run cannot show: nothing is dead-lettered
     * when every job is valid. The metric and label are real (checked); the value is the topic's name.
     */
    private static final Set<String> VALUES_ONLY_SEEN_ON_FAILURE = Set.of(
            "kafka_producer_topic_record_send_total/topic=jobs.dlq");
    /** PromQL words that are not metric names. */
    private static final Set<String> PROMQL = Set.of("sum", "max", "min", "avg", "count", "rate", "irate", "increase",
            "histogram_quantile", "by", "without", "and", "or", "unless", "on", "ignoring", "group_left", "group_right",
            "label_values", "topk", "bottomk", "clamp_min", "abs", "offset", "bool");

    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private final MetricsSnapshot snapshot = MetricsSnapshot.load();

    @Test
    void theDashboardIsAConfigMapGrafanasSidecarLoads() throws IOException {
        Manifests monitoring = Manifests.of("base+monitoring");
        Map<String, Object> configMap = monitoring.find("ConfigMap", "kiwo-grafana-dashboard").orElseThrow();

        assertThat(Yamls.map(Yamls.at(configMap, "metadata", "labels"))).containsEntry("grafana_dashboard", "1");
        String json = Yamls.str(monitoring.configMapData("kiwo-grafana-dashboard").get("kiwo.json"));
        assertThat(json).isEqualTo(Files.readString(dashboardFile()));
        JsonNode dashboard = JsonMapper.builder().build().readTree(json);
        assertThat(dashboard.path("uid").asString()).isEqualTo("kiwo-overview");
        assertThat(panels(dashboard)).allSatisfy(panel -> {
            assertThat(panel.path("datasource").path("uid").asString()).as(panel.path("title").asString())
                    .isEqualTo("${datasource}");
            assertThat(panel.path("targets").isEmpty()).as(panel.path("title").asString()).isFalse();
        });
    }

    @Test
    void everyQueryUsesOnlyMetricsAndLabelsThatReallyExist() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String expr : expressions()) {
            Set<String> metrics = new HashSet<>();
            Matcher selector = SELECTOR.matcher(expr);
            while (selector.find()) {
                String metric = selector.group(1);
                metrics.add(metric);
                boolean kube = KUBE_STATE_METRICS.contains(metric);
                if (!kube && !snapshot.exposes(metric)) {
                    problems.add(metric + " is not exposed by any service (" + expr + ")");
                    continue;
                }
                Matcher matcher = MATCHER.matcher(selector.group(2));
                while (matcher.find()) {
                    String label = matcher.group(1);
                    boolean known = kube ? KUBE_STATE_LABELS.contains(label)
                            : SCRAPE_LABELS.contains(label) || snapshot.labels.get(metric).contains(label);
                    if (!known) {
                        problems.add(metric + " has no label " + label + " (" + expr + ")");
                    } else if ("=".equals(matcher.group(2)) && !kube && !SCRAPE_LABELS.contains(label)
                            && !snapshot.values(metric, label).contains(matcher.group(3))
                            && !VALUES_ONLY_SEEN_ON_FAILURE.contains(metric + "/" + label + "=" + matcher.group(3))) {
                        problems.add(metric + "{" + label + "=\"" + matcher.group(3) + "\"} never seen; seen "
                                + snapshot.values(metric, label));
                    }
                }
                if (metric.endsWith("_bucket")) {
                    String family = metric.substring(0, metric.length() - "_bucket".length());
                    if (!"histogram".equals(snapshot.types.get(family))) {
                        problems.add(family + " is not a Prometheus histogram: no quantiles across pods");
                    }
                }
            }
            // A metric written without braces would escape the check above: there must be none.
            String rest = expr.replaceAll("\"[^\"]*\"", "\"\"").replaceAll("\\{[^}]*}", "").replaceAll("\\[[^]]*]", "")
                    .replaceAll("(by|without)\\s*\\([^)]*\\)", "");
            Matcher word = IDENTIFIER.matcher(rest);
            while (word.find()) {
                if (!PROMQL.contains(word.group()) && !metrics.contains(word.group())) {
                    problems.add("bare identifier " + word.group() + " in " + expr + ": write metrics as name{...}");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void failureOnlyValuesAreStillUnseenInTheSnapshot() {
        // Once a snapshot run exercises failures, these move from the exception list to the real check.
        for (String entry : VALUES_ONLY_SEEN_ON_FAILURE) {
            String[] parts = entry.split("[/=]");
            assertThat(snapshot.labels.get(parts[0])).as(entry).contains(parts[1]);
            assertThat(snapshot.values(parts[0], parts[1])).as(entry).doesNotContain(parts[2]);
        }
    }

    @Test
    void theDashboardShowsWhatTheIssueAsksFor() throws IOException {
        String all = String.join("\n", expressions());
        assertThat(all).contains("kiwo_classifier_decisions_total", "kiwo_worker_jobs_total",
                "histogram_quantile(0.95", "histogram_quantile(0.99", "kiwo_worker_end_to_end_seconds_bucket",
                "kiwo_worker_processing_seconds_bucket", "kafka_consumer_fetch_manager_records_lag{",
                "by (topic, partition)", "jobs.dlq", "error!=\"none\"", "kiwo_api_publish_seconds_bucket",
                "kube_horizontalpodautoscaler_status_current_replicas", "kube_horizontalpodautoscaler_status_desired_replicas",
                "http_server_requests_seconds_count", "status=~\"5..\"");
    }

    private static java.nio.file.Path dashboardFile() {
        return Repo.k8s().resolve("components/monitoring/dashboards/kiwo.json");
    }

    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            if (!"row".equals(p.path("type").asString())) {
                panels.add(p);
            }
        });
        return panels;
    }

    /** Every PromQL expression: panel targets and the templating variables' queries. */
    private static Set<String> expressions() throws IOException {
        JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(dashboardFile()));
        Set<String> expressions = new TreeSet<>();
        panels(dashboard).forEach(p -> p.path("targets").forEach(t -> expressions.add(t.path("expr").asString())));
        dashboard.path("templating").path("list").forEach(v -> {
            if ("query".equals(v.path("type").asString())) {
                // label_values(metric, label) asks for what count by (label) (metric{}) returns.
                expressions.add(v.path("query").path("query").asString()
                        .replaceAll("label_values\\((\\w+),\\s*(\\w+)\\)", "count by ($2) ($1{})"));
            }
        });
        assertThat(expressions).isNotEmpty().doesNotContain("");
        return expressions;
    }
}
