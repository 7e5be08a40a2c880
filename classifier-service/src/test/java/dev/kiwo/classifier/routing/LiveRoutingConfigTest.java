package dev.kiwo.classifier.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.kiwo.classifier.decision.HeavyJobRule;
import dev.kiwo.classifier.decision.Thresholds;
import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.DecisionMode;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
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
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** The routing topology decides with the latest valid record of jobs.routing, from the next job on. */
@ExtendWith(OutputCaptureExtension.class)
class LiveRoutingConfigTest {

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    private static final RoutingConfig SEED = RoutingConfig.seed(50, 200, 50, NOW);

    @TempDir
    Path stateDir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> jobs;
    private TestInputTopic<String, byte[]> routing;
    private TestOutputTopic<String, ClassifiedJob> light;
    private TestOutputTopic<String, ClassifiedJob> heavy;

    @BeforeEach
    void startTopology() {
        driver = new TopologyTestDriver(RoutingTopology.build(new HeavyJobRule(new Thresholds(50, 200, 50)), SEED,
                Clock.fixed(NOW, ZoneOffset.UTC), new DecisionRecorder(registry), Duration.ofHours(24),
                RecordLimitProperties.DEFAULT_MAX_RECORD_BYTES), streamsProperties());
        jobs = driver.createInputTopic(Topics.JOBS_IN.name(), new StringSerializer(), new ByteArraySerializer());
        routing = driver.createInputTopic(Topics.JOBS_ROUTING.name(), new StringSerializer(),
                new ByteArraySerializer());
        light = driver.createOutputTopic(Topics.JOBS_LIGHT.name(), Topics.JOBS_LIGHT.keySerde().deserializer(),
                Topics.JOBS_LIGHT.valueSerde().deserializer());
        heavy = driver.createOutputTopic(Topics.JOBS_HEAVY.name(), Topics.JOBS_HEAVY.keySerde().deserializer(),
                Topics.JOBS_HEAVY.valueSerde().deserializer());
    }

    @AfterEach
    void closeTopology() {
        driver.close();
    }

    @Test
    void decidesWithTheSeedWhileTheTopicIsEmptyAndWithAChangeFromTheNextJob() {
        // Given: 120 pages is light by the seed's 200
        Job before = submit(120);
        // When: the threshold drops to 100 pages
        routing.pipeInput(RoutingConfig.KEY, json(SEED.with(java.util.Map.of("pageCount", "100"), "ops", NOW)));
        Job after = submit(120);

        // Then
        assertThat(routed()).containsExactly(tuple(before.jobId(), JobClass.LIGHT, "1"),
                tuple(after.jobId(), JobClass.HEAVY, "2"));
        assertThat(heavy.getQueueSize()).isZero();
        assertThat(registry.find(DecisionRecorder.DECISIONS_METER).counters())
                .extracting(c -> c.getId().getTag("class") + "/" + c.getId().getTag("config_version"))
                .containsExactlyInAnyOrder("LIGHT/1", "HEAVY/2");
    }

    @Test
    void ignoresAnInvalidOrStaleRecordWithAWarningAndKeepsThePreviousConfig(CapturedOutput output) {
        // Given: version 2 lowers the page threshold to 100
        RoutingConfig v2 = SEED.with(java.util.Map.of("pageCount", "100"), "ops", NOW);
        routing.pipeInput(RoutingConfig.KEY, json(v2));

        // When: an invalid version 3 (every threshold changed, one of them to 0), garbage, a tombstone, another key
        // and a stale version come along
        String invalid = new String(json(new RoutingConfig(10, 5, 5, DecisionMode.RULE, 1000L, 3, "ops", NOW)),
                StandardCharsets.UTF_8).replace("\"imageCount\":5", "\"imageCount\":0");
        routing.pipeInput(RoutingConfig.KEY, invalid.getBytes(StandardCharsets.UTF_8));
        routing.pipeInput(RoutingConfig.KEY, "not json".getBytes(StandardCharsets.UTF_8));
        routing.pipeInput(new TestRecord<String, byte[]>(RoutingConfig.KEY, null));
        routing.pipeInput("other", json(v2.with(java.util.Map.of("pageCount", "300"), "ops", NOW)));
        routing.pipeInput(RoutingConfig.KEY, json(SEED));
        Job job = submit(120);

        // Then: version 2 decides, whole: 120 pages is heavy, and a 20 MB job of 50 pages, heavy by the invalid
        // version's 10 MB and 5 pages, stays light
        Job small = submit(50, 20);
        assertThat(routed()).containsExactly(tuple(job.jobId(), JobClass.HEAVY, "2"),
                tuple(small.jobId(), JobClass.LIGHT, "2"));
        List<String> warnings = output.getOut().lines().filter(line -> line.contains("Ignored")).toList();
        assertThat(warnings).hasSize(5).allSatisfy(line -> assertThat(line).contains("WARN", "version 2 stays"));
        assertThat(warnings).anySatisfy(line -> assertThat(line).contains("Ignored an invalid routing configuration")
                        .contains("imageCount must be > 0"))
                .anySatisfy(line -> assertThat(line).contains("Ignored a tombstone"))
                .anySatisfy(line -> assertThat(line).contains("under key other"))
                .anySatisfy(line -> assertThat(line).contains("Ignored routing configuration version 1"));
    }

    @Test
    void ofTwoRecordsOfOneVersionTheLaterWinsAsCompactionKeepsIt() {
        // Given: two changes raced and both wrote version 2
        routing.pipeInput(RoutingConfig.KEY, json(SEED.with(java.util.Map.of("pageCount", "100"), "alice", NOW)));
        routing.pipeInput(RoutingConfig.KEY, json(SEED.with(java.util.Map.of("pageCount", "150"), "bob", NOW)));

        // When
        Job job = submit(120);

        // Then: bob's, the later, decides: 120 pages are light under 150
        assertThat(routed()).containsExactly(tuple(job.jobId(), JobClass.LIGHT, "2"));
    }

    /** Heavy or light, each with the version header it carried, in the order the jobs came. */
    private List<org.assertj.core.groups.Tuple> routed() {
        return Stream.concat(light.readRecordsToList().stream(), heavy.readRecordsToList().stream())
                .sorted(java.util.Comparator.comparing(r -> r.value().job().submittedAt()))
                .map(r -> tuple(r.key(), r.value().jobClass(), new String(
                        r.headers().lastHeader(KiwoHeaders.ROUTING_CONFIG_VERSION).value(), StandardCharsets.UTF_8)))
                .toList();
    }

    private int submitted;

    private Job submit(int pageCount) {
        return submit(pageCount, 1);
    }

    private Job submit(int pageCount, double fileSizeMb) {
        Job job = new Job(UUID.randomUUID().toString(), "report.pdf", fileSizeMb, pageCount, 1,
                NOW.plusSeconds(submitted++));
        jobs.pipeInput(job.jobId(), Topics.JOBS_IN.valueSerde().serializer().serialize(Topics.JOBS_IN.name(), job));
        return job;
    }

    private static byte[] json(RoutingConfig config) {
        return Topics.JOBS_ROUTING.valueSerde().serializer().serialize(Topics.JOBS_ROUTING.name(), config);
    }

    private Properties streamsProperties() {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "live-routing-config-test");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        properties.putAll(RoutingTopology.ERROR_HANDLING);
        return properties;
    }
}
