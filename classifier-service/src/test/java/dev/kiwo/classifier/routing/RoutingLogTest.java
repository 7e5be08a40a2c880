package dev.kiwo.classifier.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.classifier.decision.HeavyJobRule;
import dev.kiwo.classifier.decision.Thresholds;
import dev.kiwo.model.Job;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.RoutingConfig;
import dev.kiwo.model.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/** The routing log over the real topology: what an operator sees at INFO, interval by interval. */
@ExtendWith(OutputCaptureExtension.class)
class RoutingLogTest {

    private static final Duration INTERVAL = Duration.ofSeconds(10);

    @TempDir
    Path stateDir;

    private final DecisionRecorder recorder = new DecisionRecorder(new SimpleMeterRegistry());
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> input;
    private RoutingLog routingLog;

    @BeforeEach
    void startTopology() {
        driver = new TopologyTestDriver(RoutingTopology.build(new HeavyJobRule(new Thresholds(50, 200, 50)),
                RoutingConfig.seed(50, 200, 50, Instant.EPOCH),
                Clock.systemUTC(), recorder, Duration.ofHours(24), RecordLimitProperties.DEFAULT_MAX_RECORD_BYTES),
                streamsProperties());
        input = driver.createInputTopic(Topics.JOBS_IN.name(), new StringSerializer(), new ByteArraySerializer());
        routingLog = new RoutingLog(recorder, INTERVAL, driver::metrics);
    }

    @AfterEach
    void closeTopology() {
        driver.close();
    }

    @Test
    void countsEachClassAndTheDeadLettersOfEachInterval(CapturedOutput output) {
        // Given: the scheduler's first run, at start
        routingLog.logInterval();

        // When: 3 light, 2 heavy and a record that is not JSON, then an interval with 1 light
        pipe(job(1, 1, 1), job(2, 2, 2), job(3, 3, 3), job(60, 1, 1), job(1, 300, 1));
        input.pipeInput(UUID.randomUUID().toString(), "not json".getBytes(StandardCharsets.UTF_8));
        routingLog.logInterval();
        pipe(job(1, 1, 1));
        routingLog.logInterval();

        // Then
        assertThat(info(output, RoutingLog.class)).containsExactly(
                "Routed in the last 10s: light=3 heavy=2 dead-lettered=1 (since start: light=3 heavy=2 dead-lettered=1)",
                "Routed in the last 10s: light=1 heavy=0 dead-lettered=0 (since start: light=4 heavy=2 dead-lettered=1)");
    }

    @Test
    void logsNothingForAnIntervalWithoutRecords(CapturedOutput output) {
        // When: an idle interval, one with a job, then two idle ones
        routingLog.logInterval();
        routingLog.logInterval();
        pipe(job(1, 1, 1));
        routingLog.logInterval();
        routingLog.logInterval();
        routingLog.logInterval();

        // Then: the one interval with a job
        assertThat(info(output, RoutingLog.class)).containsExactly(
                "Routed in the last 10s: light=1 heavy=0 dead-lettered=0 (since start: light=1 heavy=0 dead-lettered=0)");
    }

    @Test
    void samplesTheFirstDecisionOfEachClassInEachInterval(CapturedOutput output) {
        // Given
        Job firstLight = job(1.5, 3, 0);
        Job firstHeavy = job(120, 10, 3);
        Job laterHeavy = job(0, 250, 60);

        // When: two intervals; each class's first decision in one is the sample
        routingLog.logInterval();
        input.pipeInput(new TestRecord<>(firstLight.jobId(), json(firstLight),
                new RecordHeaders().add(KiwoHeaders.CORRELATION_ID, "corr-1".getBytes(StandardCharsets.UTF_8))));
        pipe(job(1, 1, 1), firstHeavy, job(1, 1, 1), job(80, 1, 1), job(90, 1, 1));
        routingLog.logInterval();
        pipe(laterHeavy, job(70, 1, 1));

        // Then: no light sample in the second interval, as no light job came
        assertThat(info(output, DecisionRecorder.class)).containsExactly(
                "Sample decision: job " + firstLight.jobId() + " is LIGHT by rule none (below all thresholds), "
                        + "fileSizeMb=1.5 pageCount=3 imageCount=0 configVersion=1 correlationId=corr-1",
                "Sample decision: job " + firstHeavy.jobId() + " is HEAVY by rule fileSizeMb (fileSizeMb>=50), "
                        + "fileSizeMb=120.0 pageCount=10 imageCount=3 configVersion=1 correlationId=-",
                "Sample decision: job " + laterHeavy.jobId() + " is HEAVY by rule several "
                        + "(pageCount>=200,imageCount>=50), fileSizeMb=0.0 pageCount=250 imageCount=60 configVersion=1 "
                        + "correlationId=-");
    }

    @Test
    void offSchedulesNothingSoNothingIsLogged(CapturedOutput output) {
        // Given
        RoutingLog off = new RoutingLog(recorder, Duration.ZERO, driver::metrics);
        ScheduledTaskRegistrar registrar = new ScheduledTaskRegistrar();

        // When
        off.configureTasks(registrar);
        pipe(job(1, 1, 1), job(60, 1, 1));

        // Then
        assertThat(registrar.getFixedRateTaskList()).isEmpty();
        assertThat(info(output, DecisionRecorder.class)).isEmpty();
    }

    @Test
    void onSchedulesOneTaskAtTheInterval() {
        ScheduledTaskRegistrar registrar = new ScheduledTaskRegistrar();

        routingLog.configureTasks(registrar);

        assertThat(registrar.getFixedRateTaskList()).singleElement()
                .satisfies(task -> assertThat(task.getIntervalDuration()).isEqualTo(INTERVAL));
    }

    /** The messages of one logger's INFO lines (logback-test.xml: {@code time LEVEL [thread] logger - message}). */
    private static List<String> info(CapturedOutput output, Class<?> logger) {
        String marker = "." + logger.getSimpleName() + " - ";
        return output.getOut().lines()
                .filter(line -> line.contains(" INFO ") && line.contains(marker))
                .map(line -> line.substring(line.indexOf(marker) + marker.length()))
                .toList();
    }

    private void pipe(Job... jobs) {
        for (Job job : jobs) {
            input.pipeInput(job.jobId(), json(job));
        }
    }

    private Properties streamsProperties() {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "routing-log-test");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // at least once, as in RoutingTopologyTest: the driver drops an exactly-once dead letter that no record commits
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        properties.putAll(RoutingTopology.ERROR_HANDLING);
        return properties;
    }

    private static Job job(double fileSizeMb, int pageCount, int imageCount) {
        return new Job(UUID.randomUUID().toString(), "report.pdf", fileSizeMb, pageCount, imageCount, Instant.EPOCH);
    }

    private static byte[] json(Job job) {
        return Topics.JOBS_IN.valueSerde().serializer().serialize(Topics.JOBS_IN.name(), job);
    }
}
