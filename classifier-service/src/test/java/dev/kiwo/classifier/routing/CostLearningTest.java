package dev.kiwo.classifier.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.classifier.decision.Classification;
import dev.kiwo.classifier.decision.HeavyJobRule;
import dev.kiwo.classifier.decision.JobClassifier;
import dev.kiwo.classifier.decision.Thresholds;
import dev.kiwo.classifier.model.CostModel;
import dev.kiwo.classifier.model.CostModelSettings;
import dev.kiwo.classifier.model.CostModelState;
import dev.kiwo.classifier.model.LearnedCostClassifier;
import dev.kiwo.classifier.model.SharedCostModel;
import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.RoutingConfig;
import dev.kiwo.model.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cost model learns from jobs.results joined with what was routed, is published on jobs.routing.model, and
 * routes in model mode; shadow mode only records what it would have done; garbage never routes.
 */
class CostLearningTest {

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    private static final RoutingConfig SEED = RoutingConfig.seed(50, 200, 50, NOW);
    private static final Duration PUBLISH_INTERVAL = Duration.ofSeconds(5);
    /** The workers' CPU cost per MB, page and image. */
    private static final double MS_PER_MB = 20;
    private static final double MS_PER_PAGE = 5;
    private static final double MS_PER_IMAGE = 20;

    @TempDir
    Path stateDir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SharedCostModel shared = new SharedCostModel(CostModelSettings.defaults());
    private final Random random = new Random(7);
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> jobs;
    private TestInputTopic<String, byte[]> results;
    private TestInputTopic<String, byte[]> routing;
    private TestInputTopic<String, byte[]> published;
    private TestOutputTopic<String, ClassifiedJob> light;
    private TestOutputTopic<String, ClassifiedJob> heavy;
    private TestOutputTopic<String, byte[]> models;
    private int submitted;

    @AfterEach
    void closeTopology() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void learnsFromSucceededResultsPublishesTheModelAndRoutesByItInModelMode() {
        start(new LearnedCostClassifier(shared, new HeavyJobRule(new Thresholds(50, 200, 50)), registry));
        // Given: 300 jobs of varied sizes routed by the rule and ended by workers, plus failures that must not count
        for (int i = 0; i < 300; i++) {
            Job job = submit(random.nextInt(600) / 10.0, random.nextInt(300), random.nextInt(80));
            finish(job, JobStatus.SUCCEEDED, measuredCost(job));
        }
        for (int i = 0; i < 20; i++) {
            finish(submit(1, 1, 1), JobStatus.FAILED, 600_000);
        }
        assertThat(models.isEmpty()).as("nothing published before the interval").isTrue();

        // When: the publish interval passes
        driver.advanceWallClockTime(PUBLISH_INTERVAL);

        // Then: one state on jobs.routing.model, learned from the 300 successes' CPU time only, in use by the routing
        List<byte[]> states = models.readValuesToList();
        assertThat(states).hasSize(1);
        CostModelState state = CostLearning.STATE_SERDE.deserializer().deserialize("t", states.get(0));
        assertThat(state.samples()).isEqualTo(300);
        assertThat(shared.current().samples()).isEqualTo(300);
        double[] slopes = shared.current().coefficients();
        assertThat(slopes[1]).isCloseTo(MS_PER_MB, org.assertj.core.data.Offset.offset(MS_PER_MB * 0.1));
        assertThat(slopes[2]).isCloseTo(MS_PER_PAGE, org.assertj.core.data.Offset.offset(MS_PER_PAGE * 0.1));
        assertThat(slopes[3]).isCloseTo(MS_PER_IMAGE, org.assertj.core.data.Offset.offset(MS_PER_IMAGE * 0.1));

        // And: in rule mode the expensive light-looking job goes light; in model mode heavy, by the model
        light.readRecordsToList();
        heavy.readRecordsToList();
        Job byRule = submit(49, 199, 49);
        routing.pipeInput(RoutingConfig.KEY, json(SEED.with(Map.of("mode", "model"), "ops", NOW)));
        Job byModel = submit(49, 199, 49);
        Job cheap = submit(5, 20, 2);
        assertThat(routed()).containsExactly(
                List.of(byRule.jobId(), "LIGHT", "none", "1"),
                List.of(byModel.jobId(), "HEAVY", LearnedCostClassifier.COST_MODEL, "2"),
                List.of(cheap.jobId(), "LIGHT", LearnedCostClassifier.COST_MODEL, "2"));
        assertThat(models.isEmpty()).as("nothing learned since: nothing published").isTrue();
        driver.advanceWallClockTime(PUBLISH_INTERVAL);
        assertThat(models.isEmpty()).isTrue();
    }

    @Test
    void fallsBackToTheRuleUntilTheModelHasSeenEnoughResults() {
        start(new LearnedCostClassifier(shared, new HeavyJobRule(new Thresholds(50, 200, 50)), registry));
        routing.pipeInput(RoutingConfig.KEY, json(SEED.with(Map.of("mode", "model"), "ops", NOW)));
        for (int i = 0; i < 150; i++) {
            Job job = submit(random.nextInt(600) / 10.0, random.nextInt(300), random.nextInt(80));
            finish(job, JobStatus.SUCCEEDED, measuredCost(job));
        }
        driver.advanceWallClockTime(PUBLISH_INTERVAL);
        light.readRecordsToList();
        heavy.readRecordsToList();

        Job job = submit(49, 199, 49);

        assertThat(shared.current().samples()).isEqualTo(150);
        assertThat(routed()).containsExactly(List.of(job.jobId(), "LIGHT", "none", "2"));
        assertThat(registry.get(LearnedCostClassifier.FALLBACKS_METER).tag("reason", "too_few_samples").counter()
                .count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void shadowModeRoutesByTheRuleAndCountsWhereTheModelDisagrees() {
        start(new LearnedCostClassifier(shared, new HeavyJobRule(new Thresholds(50, 200, 50)), registry));
        shared.replace(trainedState(400));
        // A budget of 2 s: the 50 MB job (about 1 s) is heavy by the rule but within the model's budget.
        routing.pipeInput(RoutingConfig.KEY, json(SEED.with(Map.of("mode", "shadow", "modelBudgetMs", "2000"), "ops",
                NOW)));

        Job expensive = submit(49, 199, 49);
        Job cheap = submit(5, 20, 2);
        Job bigButCheap = submit(50, 0, 0);

        assertThat(routed()).containsExactly(
                List.of(expensive.jobId(), "LIGHT", "none", "2"),
                List.of(cheap.jobId(), "LIGHT", "none", "2"),
                List.of(bigButCheap.jobId(), "HEAVY", "fileSizeMb", "2"));
        assertThat(shadow(JobClass.LIGHT, JobClass.HEAVY)).isEqualTo(1);
        assertThat(shadow(JobClass.LIGHT, JobClass.LIGHT)).isEqualTo(1);
        assertThat(shadow(JobClass.HEAVY, JobClass.LIGHT)).isEqualTo(1);
        assertThat(shadow(JobClass.HEAVY, JobClass.HEAVY)).isZero();
    }

    @Test
    void aThirdModelPlugsInBehindTheSameInterfaceAndAFailingOneNeverCostsAJob() {
        // A model that knows nothing of costs: heavy when the file name says so, and it fails on nameless jobs.
        JobClassifier byName = job -> {
            if (job.name() == null) {
                throw new IllegalStateException("no file name");
            }
            return job.name().startsWith("big-")
                    ? new Classification(JobClass.HEAVY, "byName", "name starts with big-")
                    : new Classification(JobClass.LIGHT, "byName", "plain name");
        };
        start(byName);
        routing.pipeInput(RoutingConfig.KEY, json(SEED.with(Map.of("mode", "model"), "ops", NOW)));

        Job big = submit("big-scan.pdf", 1, 1, 1);
        Job plain = submit("memo.pdf", 60, 1, 1);
        Job nameless = submit(null, 60, 1, 1);

        assertThat(routed()).containsExactly(
                List.of(big.jobId(), "HEAVY", "name starts with big-", "2"),
                List.of(plain.jobId(), "LIGHT", "plain name", "2"),
                List.of(nameless.jobId(), "HEAVY", "fileSizeMb", "2"));
        assertThat(registry.get(LearnedCostClassifier.FALLBACKS_METER).tag("reason", "error").counter().count())
                .isEqualTo(1);
    }

    @Test
    void ignoresAPublishedStateThatIsGarbageAndKeepsTheModelInUse() {
        start(new LearnedCostClassifier(shared, new HeavyJobRule(new Thresholds(50, 200, 50)), registry));
        CostModelState good = trainedState(400);
        published.pipeInput(CostLearning.MODEL_KEY, CostLearning.STATE_SERDE.serializer().serialize("t", good));
        String nan = new String(CostLearning.STATE_SERDE.serializer().serialize("t", good), StandardCharsets.UTF_8)
                .replaceFirst("\"coefficients\":\\[[^,]+,", "\"coefficients\":[\"NaN\",");

        CostModelState small = trainedState(10);
        String digest = small.residualDigest();
        byte[] huge = java.util.Base64.getDecoder().decode(digest);
        java.nio.ByteBuffer.wrap(huge).putDouble(20, 1e12); // a compression that would size arrays beyond memory

        published.pipeInput(CostLearning.MODEL_KEY, "not json".getBytes(StandardCharsets.UTF_8));
        published.pipeInput(CostLearning.MODEL_KEY, nan.getBytes(StandardCharsets.UTF_8));
        published.pipeInput(CostLearning.MODEL_KEY, state(small, null));
        published.pipeInput(CostLearning.MODEL_KEY, state(small, digest.substring(0, digest.length() / 2)));
        published.pipeInput(CostLearning.MODEL_KEY, state(small, java.util.Base64.getEncoder().encodeToString(huge)));
        published.pipeInput("other", CostLearning.STATE_SERDE.serializer().serialize("t", trainedState(10)));
        routing.pipeInput(RoutingConfig.KEY, json(SEED.with(Map.of("mode", "model"), "ops", NOW)));
        Job expensive = submit(49, 199, 49);

        assertThat(shared.current().samples()).isEqualTo(400);
        assertThat(routed()).containsExactly(List.of(expensive.jobId(), "HEAVY", LearnedCostClassifier.COST_MODEL,
                "2"));
    }

    @Test
    void shadowModeCountsNothingWhileTheModelFallsBackToTheRule() {
        start(new LearnedCostClassifier(shared, new HeavyJobRule(new Thresholds(50, 200, 50)), registry));
        routing.pipeInput(RoutingConfig.KEY, json(SEED.with(Map.of("mode", "shadow"), "ops", NOW)));

        submit(49, 199, 49);
        submit(60, 1, 1);

        for (JobClass byRule : JobClass.values()) {
            for (JobClass byModel : JobClass.values()) {
                assertThat(shadow(byRule, byModel)).as(byRule + "/" + byModel).isZero();
            }
        }
        assertThat(registry.get(LearnedCostClassifier.FALLBACKS_METER).tag("reason", "too_few_samples").counter()
                .count()).isEqualTo(2);
    }

    /** The state's JSON with another residual digest (null for none). */
    private static byte[] state(CostModelState state, String residualDigest) {
        return CostLearning.STATE_SERDE.serializer().serialize("t", new CostModelState(state.version(),
                state.coefficients(), state.covariance(), state.samples(), residualDigest,
                state.recentRelativeError()));
    }

    private void start(JobClassifier model) {
        DecisionRecorder recorder = new DecisionRecorder(registry);
        StreamsBuilder builder = new StreamsBuilder();
        RoutingTopology.addTo(builder, new ModeSwitch(new HeavyJobRule(new Thresholds(50, 200, 50)), model, recorder,
                        registry), SEED, Clock.fixed(NOW, ZoneOffset.UTC), recorder, Duration.ofHours(24),
                RecordLimitProperties.DEFAULT_MAX_RECORD_BYTES);
        CostLearning.addTo(builder, shared, Duration.ofHours(24), PUBLISH_INTERVAL);
        driver = new TopologyTestDriver(builder.build(), streamsProperties());
        jobs = driver.createInputTopic(Topics.JOBS_IN.name(), new StringSerializer(), new ByteArraySerializer());
        results = driver.createInputTopic(Topics.JOBS_RESULTS.name(), new StringSerializer(),
                new ByteArraySerializer());
        routing = driver.createInputTopic(Topics.JOBS_ROUTING.name(), new StringSerializer(),
                new ByteArraySerializer());
        published = driver.createInputTopic(Topics.JOBS_ROUTING_MODEL.name(), new StringSerializer(),
                new ByteArraySerializer());
        light = driver.createOutputTopic(Topics.JOBS_LIGHT.name(), Topics.JOBS_LIGHT.keySerde().deserializer(),
                Topics.JOBS_LIGHT.valueSerde().deserializer());
        heavy = driver.createOutputTopic(Topics.JOBS_HEAVY.name(), Topics.JOBS_HEAVY.keySerde().deserializer(),
                Topics.JOBS_HEAVY.valueSerde().deserializer());
        models = driver.createOutputTopic(Topics.JOBS_ROUTING_MODEL.name(), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    private Job submit(double fileSizeMb, int pageCount, int imageCount) {
        return submit("doc.pdf", fileSizeMb, pageCount, imageCount);
    }

    private Job submit(String fileName, double fileSizeMb, int pageCount, int imageCount) {
        Job job = new Job(UUID.randomUUID().toString(), fileName, fileSizeMb, pageCount, imageCount,
                NOW.plusMillis(submitted++));
        jobs.pipeInput(job.jobId(), Topics.JOBS_IN.valueSerde().serializer().serialize(Topics.JOBS_IN.name(), job),
                job.submittedAt());
        return job;
    }

    /**
     * A worker's result: {@code cpuMs} is what the job cost; its wall time is three times that and more, as in a pool
     * whose consumers share a CPU, so a model that learned from wall time would be far off.
     */
    private void finish(Job job, JobStatus status, long cpuMs) {
        Instant started = job.submittedAt().plusMillis(10);
        long processingMs = 3 * cpuMs + random.nextInt(500);
        boolean succeeded = status == JobStatus.SUCCEEDED;
        JobResult result = new JobResult(job.jobId(), JobClass.LIGHT, status, "light", "pod", job.submittedAt(),
                job.submittedAt(), started, started.plusMillis(processingMs), processingMs,
                succeeded ? null : "failed", null, 1, null, succeeded ? cpuMs : null);
        results.pipeInput(job.jobId(),
                Topics.JOBS_RESULTS.valueSerde().serializer().serialize(Topics.JOBS_RESULTS.name(), result),
                started.plusMillis(processingMs));
    }

    /** The workers' cost with 5 % noise, as they would measure it. */
    private long measuredCost(Job job) {
        double cost = job.fileSizeMb() * MS_PER_MB + job.pageCount() * MS_PER_PAGE + job.imageCount() * MS_PER_IMAGE;
        return Math.max(0, Math.round(cost * (1 + 0.05 * random.nextGaussian())));
    }

    private CostModelState trainedState(int results) {
        CostModel model = new CostModel(CostModelSettings.defaults());
        for (int i = 0; i < results; i++) {
            Job job = new Job(UUID.randomUUID().toString(), "doc.pdf", random.nextInt(600) / 10.0,
                    random.nextInt(300), random.nextInt(80), NOW);
            model.observe(job.fileSizeMb(), job.pageCount(), job.imageCount(), measuredCost(job));
        }
        return model.state();
    }

    private double shadow(JobClass byRule, JobClass byModel) {
        return registry.get(DecisionRecorder.SHADOW_METER).tag("rule_class", byRule.name())
                .tag("model_class", byModel.name()).counter().count();
    }

    /**
     * jobId, class, rule and config version of each routed job, in the order they came. The rule is read back from
     * the reason the routed record carries (the metric has the rule, the record the reason); an unknown reason stands
     * for itself.
     */
    private List<List<String>> routed() {
        return Stream.concat(light.readRecordsToList().stream(), heavy.readRecordsToList().stream())
                .sorted(java.util.Comparator.comparing(r -> r.value().job().submittedAt()))
                .map(r -> List.of(r.key(), r.value().jobClass().name(), ruleOf(r.value()),
                        new String(r.headers().lastHeader(KiwoHeaders.ROUTING_CONFIG_VERSION).value(),
                                StandardCharsets.UTF_8)))
                .toList();
    }

    private static String ruleOf(ClassifiedJob classified) {
        String reason = classified.reason();
        if (reason.startsWith("predictedMs=")) {
            return LearnedCostClassifier.COST_MODEL;
        }
        if (reason.contains(HeavyJobRule.BELOW_ALL_THRESHOLDS)) {
            return HeavyJobRule.NONE;
        }
        if (reason.contains("fileSizeMb>=")) {
            return HeavyJobRule.FILE_SIZE_MB;
        }
        return reason;
    }

    private static byte[] json(RoutingConfig config) {
        return Topics.JOBS_ROUTING.valueSerde().serializer().serialize(Topics.JOBS_ROUTING.name(), config);
    }

    private Properties streamsProperties() {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "cost-learning-test");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        properties.putAll(RoutingTopology.ERROR_HANDLING);
        return properties;
    }
}
