package dev.kiwo.classifier.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.kiwo.classifier.decision.HeavyJobRule;
import dev.kiwo.classifier.decision.Thresholds;
import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.JobStatusEvent;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.RoutingConfig;
import dev.kiwo.model.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingTopologyTest {

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    private static final Instant SUBMITTED = Instant.parse("2026-01-02T03:04:00Z");
    private static final Duration RETENTION = Duration.ofHours(24);
    private static final int MAX_RECORD_BYTES = RecordLimitProperties.DEFAULT_MAX_RECORD_BYTES;
    private static final RoutingConfig SEED = RoutingConfig.seed(50, 200, 50, NOW);

    @TempDir
    Path stateDir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** One output record in a form that compares by value, whatever topic it landed on. */
    record Routed(String topic, String key, JobClass jobClass, String reason, Instant classifiedAt) {
    }

    /** Where a record went and the correlation id it carried there. */
    record Traced(String topic, String key, String correlationId) {
    }

    /** One record on jobs.status and the correlation id it carried there. */
    record Queued(String key, JobStatusEvent event, String correlationId) {
    }

    /** One dead letter: the original bytes and the headers that say why. */
    record DeadLetter(String key, String value, String exception, String message, String sourceTopic,
                      String sourcePartition, String sourceOffset, String correlationId) {
    }

    @Test
    void routesEachJobByTheThresholdsItReaches() {
        // Given
        Job small = job(10, 5, 1);            // light: far below every threshold
        Job edgeLight = job(49.99, 199, 49);  // light: one step below each threshold
        Job bigFile = job(50, 0, 0);          // heavy: file size reaches its threshold exactly
        Job manyPages = job(0, 200, 0);       // heavy: page count reaches its threshold exactly
        Job pagesAndImages = job(1, 500, 50); // heavy: two thresholds fire, both named

        // When
        Output output = run(input -> {
            for (Job job : List.of(small, edgeLight, bigFile, manyPages, pagesAndImages)) {
                input.pipeInput(job.jobId(), json(job));
            }
        });

        // Then
        assertThat(output).satisfies(
                o -> assertThat(o.routed()).containsExactly(
                        light(small), light(edgeLight),
                        new Routed(Topics.JOBS_HEAVY.name(), bigFile.jobId(), JobClass.HEAVY, "fileSizeMb>=50", NOW),
                        new Routed(Topics.JOBS_HEAVY.name(), manyPages.jobId(), JobClass.HEAVY, "pageCount>=200", NOW),
                        new Routed(Topics.JOBS_HEAVY.name(), pagesAndImages.jobId(), JobClass.HEAVY,
                                "pageCount>=200,imageCount>=50", NOW)),
                o -> assertThat(o.dlq()).isEmpty(),
                o -> assertThat(o.droppedRecords()).isZero(),
                o -> assertThat(registry.find(DecisionRecorder.DECISIONS_METER).counters())
                        .extracting(c -> c.getId().getTag("class") + "/" + c.getId().getTag("rule"), c -> c.count())
                        .containsExactlyInAnyOrder(tuple("LIGHT/none", 2.0), tuple("HEAVY/fileSizeMb", 1.0),
                                tuple("HEAVY/pageCount", 1.0), tuple("HEAVY/several", 1.0)));
    }

    @Test
    void keepsTheCorrelationIdOnTheRoutedRecord() {
        // Given
        Job heavy = job(80, 1, 1);
        Job light = job(1, 1, 1);

        // When
        Output output = run(input -> {
            input.pipeInput(new TestRecord<>(heavy.jobId(), json(heavy), traced("corr-heavy"))); // heavy: 80 MB
            input.pipeInput(new TestRecord<>(light.jobId(), json(light), traced("corr-light"))); // light: small
        });

        // Then
        assertThat(output.traced()).containsExactly(
                new Traced(Topics.JOBS_LIGHT.name(), light.jobId(), "corr-light"),
                new Traced(Topics.JOBS_HEAVY.name(), heavy.jobId(), "corr-heavy"));
    }

    @Test
    void announcesEachRoutedJobAsQueuedOnceAtItsClassificationTime() {
        // Given
        Job light = job(1, 1, 1);
        Job heavy = job(80, 1, 1);
        Job misKeyed = job(1, 1, 1);
        Instant lightClassifiedAt = NOW;
        Instant heavyClassifiedAt = NOW.plusSeconds(1);

        // When: the clock moves on at every reading, so an event timed by a reading of its own would differ
        Output output = run(steppingClock(), input -> {
            // routed light: one QUEUED
            input.pipeInput(new TestRecord<>(light.jobId(), json(light), traced("corr-light")));
            // routed heavy: one QUEUED
            input.pipeInput(new TestRecord<>(heavy.jobId(), json(heavy), traced("corr-heavy")));
            // dropped as a repeat of the light job: no second QUEUED
            input.pipeInput(new TestRecord<>(light.jobId(), json(light), traced("corr-retry")));
            // dead-lettered by the deserializer: no QUEUED
            input.pipeInput(uuid(), utf8("not json"));
            // dead-lettered by the topology, a job under another key: no QUEUED
            input.pipeInput(uuid(), json(misKeyed));
        });

        // Then
        assertThat(output).satisfies(
                o -> assertThat(o.routed()).containsExactly(
                        new Routed(Topics.JOBS_LIGHT.name(), light.jobId(), JobClass.LIGHT,
                                HeavyJobRule.BELOW_ALL_THRESHOLDS, lightClassifiedAt),
                        new Routed(Topics.JOBS_HEAVY.name(), heavy.jobId(), JobClass.HEAVY, "fileSizeMb>=50",
                                heavyClassifiedAt)),
                o -> assertThat(o.queued()).containsExactly(
                        new Queued(light.jobId(), new JobStatusEvent(light.jobId(), JobStatus.QUEUED,
                                lightClassifiedAt, JobClass.LIGHT, null, null, null), "corr-light"),
                        new Queued(heavy.jobId(), new JobStatusEvent(heavy.jobId(), JobStatus.QUEUED,
                                heavyClassifiedAt, JobClass.HEAVY, null, null, null), "corr-heavy")),
                o -> assertThat(o.dlq()).hasSize(2));
    }

    @Test
    void forwardsTheTraceContextUnchanged() {
        // Given
        Job light = job(1, 1, 1);
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

        // When
        Output output = run(input -> input.pipeInput(new TestRecord<>(light.jobId(), json(light),
                traced("corr-light").add(RoutingTopology.TRACEPARENT, utf8(traceparent)))));

        // Then
        assertThat(output.light()).singleElement().satisfies(routed ->
                assertThat(text(routed.headers().lastHeader(RoutingTopology.TRACEPARENT))).isEqualTo(traceparent));
    }

    @Test
    void sendsBadRecordsToTheDeadLetterTopicAndKeepsRoutingGoodOnes() {
        // Given
        Job before = job(1, 1, 1);
        Job other = job(1, 1, 1);
        Job keyless = job(1, 1, 1);
        Job after = job(60, 1, 1);
        String notJson = "this is not json";
        String missingField = """
                {"jobId":"%s","name":"n","fileSizeMb":1.0,"pageCount":1,"imageCount":1}""".formatted(uuid());
        String negativeCount = """
                {"jobId":"%s","name":"n","fileSizeMb":1.0,"pageCount":-1,"imageCount":1,"submittedAt":"%s"}"""
                .formatted(uuid(), SUBMITTED);

        // When
        Output output = run(input -> {
            // offset 0: good, routes light
            input.pipeInput(before.jobId(), json(before));
            // offset 1: not JSON at all; its correlation id must survive into the dead letter
            input.pipeInput(new TestRecord<>(uuid(), utf8(notJson), traced("corr-bad")));
            // offset 2: JSON, but submittedAt is missing
            input.pipeInput(uuid(), utf8(missingField));
            // offset 3: well-formed, but the Job constructor rejects a negative page count
            input.pipeInput(uuid(), utf8(negativeCount));
            // offset 4: a valid job under another job's key
            input.pipeInput(before.jobId(), json(other));
            // offset 5: a valid job without a key
            input.pipeInput(null, json(keyless));
            // offset 6: a tombstone, no job at all
            input.pipeInput(uuid(), (byte[]) null);
            // offset 7: good after all the bad ones, routes heavy
            input.pipeInput(after.jobId(), json(after));
        });

        // Then
        assertThat(output).satisfies(
                o -> assertThat(o.routed()).containsExactly(light(before),
                        new Routed(Topics.JOBS_HEAVY.name(), after.jobId(), JobClass.HEAVY, "fileSizeMb>=50", NOW)),
                o -> assertThat(o.queued()).as("no dead letter is announced as queued")
                        .extracting(Queued::key).containsExactly(before.jobId(), after.jobId()),
                o -> assertThat(o.deadLetters()).satisfiesExactly(
                        dead -> assertThat(dead).returns(notJson, DeadLetter::value)
                                .returns("org.apache.kafka.common.errors.SerializationException", DeadLetter::exception)
                                .returns("1", DeadLetter::sourceOffset)
                                .returns("corr-bad", DeadLetter::correlationId),
                        dead -> assertThat(dead).returns(missingField, DeadLetter::value)
                                .returns("2", DeadLetter::sourceOffset)
                                .extracting(DeadLetter::message).asString().contains("submittedAt"),
                        dead -> assertThat(dead).returns(negativeCount, DeadLetter::value)
                                .returns("3", DeadLetter::sourceOffset)
                                .extracting(DeadLetter::message).asString().contains("pageCount must be >= 0"),
                        dead -> assertThat(dead).returns(before.jobId(), DeadLetter::key)
                                .returns(RejectedRecordException.class.getName(), DeadLetter::exception)
                                .returns("record key " + before.jobId() + " does not equal the jobId " + other.jobId(),
                                        DeadLetter::message)
                                .returns(Topics.JOBS_IN.name(), DeadLetter::sourceTopic)
                                .returns("0", DeadLetter::sourcePartition)
                                .returns("4", DeadLetter::sourceOffset),
                        dead -> assertThat(dead).returns(null, DeadLetter::key)
                                .returns(utf8(json(keyless)), DeadLetter::value)
                                .returns("record key is missing: expected the jobId " + keyless.jobId(),
                                        DeadLetter::message),
                        dead -> assertThat(dead).returns(null, DeadLetter::value)
                                .returns("record value is null: a job is required", DeadLetter::message)),
                o -> assertThat(o.droppedRecords()).as("dead letters counted by Kafka Streams").isEqualTo(6.0),
                o -> assertThat(registry.get(DecisionRecorder.DECISIONS_METER).tag("class", "HEAVY").counter().count())
                        .isEqualTo(1.0));
    }

    @Test
    void dropsARepeatedJobIdWithinTheRetentionAndRoutesItAgainAfterwards() {
        // Given
        Job job = job(1, 1, 1);
        Job other = job(1, 1, 1);
        Instant first = SUBMITTED;

        // When
        Output output = run(input -> {
            // routed: first time this jobId is seen
            input.pipeInput(new TestRecord<>(job.jobId(), json(job), traced("corr-first"), first));
            // dropped: the same jobId an hour later, as a retried POST with the same Idempotency-Key produces
            input.pipeInput(new TestRecord<>(job.jobId(), json(job), traced("corr-retry"), first.plus(Duration.ofHours(1))));
            // dropped: a repeat stamped earlier than the first, as from a replica whose clock is behind
            input.pipeInput(job.jobId(), json(job), first.minusSeconds(5));
            // routed: a new jobId is not held up by the repeats
            input.pipeInput(other.jobId(), json(other), first.plus(Duration.ofHours(2)));
            // routed again: more than the retention after the first routing, the jobId is forgotten
            input.pipeInput(new TestRecord<>(job.jobId(), json(job), traced("corr-later"),
                    first.plus(RETENTION).plusMillis(1)));
        });

        // Then
        assertThat(output).satisfies(
                o -> assertThat(o.traced()).containsExactly(
                        new Traced(Topics.JOBS_LIGHT.name(), job.jobId(), "corr-first"),
                        new Traced(Topics.JOBS_LIGHT.name(), other.jobId(), null),
                        new Traced(Topics.JOBS_LIGHT.name(), job.jobId(), "corr-later")),
                o -> assertThat(o.queued()).as("queued once per routing, never for a dropped repeat")
                        .extracting(Queued::key, Queued::correlationId).containsExactly(
                                tuple(job.jobId(), "corr-first"), tuple(other.jobId(), null),
                                tuple(job.jobId(), "corr-later")),
                o -> assertThat(o.dlq()).isEmpty(),
                o -> assertThat(o.droppedRecords()).as("duplicates are not dead letters").isZero(),
                o -> assertThat(registry.get(DecisionRecorder.DUPLICATES_METER).counter().count()).isEqualTo(2.0),
                o -> assertThat(registry.get(DecisionRecorder.DECISIONS_METER).tag("class", "LIGHT").counter().count())
                        .isEqualTo(3.0));
    }

    @Test
    void aRecordThatFailedDoesNotMarkItsJobIdAsRouted() {
        // Given
        Job job = job(1, 1, 1);

        // When
        Output output = run(input -> {
            // dead-lettered: valid job under a missing key; must not count as routed
            input.pipeInput(null, json(job));
            // routed: the same job, now correctly keyed
            input.pipeInput(job.jobId(), json(job));
        });

        // Then
        assertThat(output).satisfies(
                o -> assertThat(o.routed()).containsExactly(light(job)),
                o -> assertThat(o.dlq()).hasSize(1));
    }

    /** What came out, and Kafka Streams' own count of records its exception handlers skipped (dead-lettered). */
    private record Output(List<TestRecord<String, ClassifiedJob>> light, List<TestRecord<String, ClassifiedJob>> heavy,
                          List<TestRecord<String, JobStatusEvent>> status, List<TestRecord<byte[], byte[]>> dlq,
                          double droppedRecords) {

        List<Routed> routed() {
            List<Routed> routed = new ArrayList<>();
            light.forEach(r -> routed.add(routed(Topics.JOBS_LIGHT.name(), r)));
            heavy.forEach(r -> routed.add(routed(Topics.JOBS_HEAVY.name(), r)));
            return routed;
        }

        List<Queued> queued() {
            return status.stream().map(r -> new Queued(r.key(), r.value(), correlationId(r.headers()))).toList();
        }

        List<Traced> traced() {
            List<Traced> traced = new ArrayList<>();
            light.forEach(r -> traced.add(new Traced(Topics.JOBS_LIGHT.name(), r.key(), correlationId(r.headers()))));
            heavy.forEach(r -> traced.add(new Traced(Topics.JOBS_HEAVY.name(), r.key(), correlationId(r.headers()))));
            dlq.forEach(r -> traced.add(new Traced(Topics.JOBS_DLQ.name(), utf8(r.key()), correlationId(r.headers()))));
            return traced;
        }

        List<DeadLetter> deadLetters() {
            return dlq.stream().map(r -> new DeadLetter(
                    utf8(r.key()),
                    utf8(r.value()),
                    text(r.headers().lastHeader("__streams.errors.exception")),
                    text(r.headers().lastHeader("__streams.errors.message")),
                    text(r.headers().lastHeader("__streams.errors.topic")),
                    text(r.headers().lastHeader("__streams.errors.partition")),
                    text(r.headers().lastHeader("__streams.errors.offset")),
                    correlationId(r.headers()))).toList();
        }

        private static Routed routed(String topic, TestRecord<String, ClassifiedJob> record) {
            ClassifiedJob value = record.value();
            return new Routed(topic, record.key(), value.jobClass(), value.reason(), value.classifiedAt());
        }
    }

    private Output run(Consumer<TestInputTopic<String, byte[]>> feed) {
        return run(Clock.fixed(NOW, ZoneOffset.UTC), feed);
    }

    private Output run(Clock clock, Consumer<TestInputTopic<String, byte[]>> feed) {
        Thresholds thresholds = new Thresholds(50, 200, 50);
        try (TopologyTestDriver driver = new TopologyTestDriver(
                RoutingTopology.build(new HeavyJobRule(thresholds), SEED, clock, new DecisionRecorder(registry),
                        RETENTION, MAX_RECORD_BYTES),
                streamsProperties())) {
            feed.accept(driver.createInputTopic(Topics.JOBS_IN.name(), new StringSerializer(),
                    new ByteArraySerializer()));
            return new Output(
                    driver.createOutputTopic(Topics.JOBS_LIGHT.name(), Topics.JOBS_LIGHT.keySerde().deserializer(),
                            Topics.JOBS_LIGHT.valueSerde().deserializer()).readRecordsToList(),
                    driver.createOutputTopic(Topics.JOBS_HEAVY.name(), Topics.JOBS_HEAVY.keySerde().deserializer(),
                            Topics.JOBS_HEAVY.valueSerde().deserializer()).readRecordsToList(),
                    driver.createOutputTopic(Topics.JOBS_STATUS.name(), Topics.JOBS_STATUS.keySerde().deserializer(),
                            Topics.JOBS_STATUS.valueSerde().deserializer()).readRecordsToList(),
                    driver.createOutputTopic(Topics.JOBS_DLQ.name(), Topics.JOBS_DLQ.keySerde().deserializer(),
                            Topics.JOBS_DLQ.valueSerde().deserializer()).readRecordsToList(),
                    droppedRecords(driver));
        }
    }

    /** The task-level metric Micrometer exposes as kafka_stream_task_dropped_records_total. */
    private static double droppedRecords(TopologyTestDriver driver) {
        return driver.metrics().entrySet().stream()
                .filter(m -> m.getKey().name().equals("dropped-records-total")
                        && m.getKey().group().equals("stream-task-metrics"))
                .mapToDouble(m -> ((Number) m.getValue().metricValue()).doubleValue())
                .sum();
    }

    private Properties streamsProperties() {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "routing-topology-test");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // At least once here: under exactly-once the driver's MockProducer drops a transaction's records that no
        // processed record commits, which is what a dead letter from the deserializer is. The broker test covers EOS.
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        properties.putAll(RoutingTopology.ERROR_HANDLING);
        return properties;
    }

    private static Routed light(Job job) {
        return new Routed(Topics.JOBS_LIGHT.name(), job.jobId(), JobClass.LIGHT, HeavyJobRule.BELOW_ALL_THRESHOLDS,
                NOW);
    }

    /** Starts at {@link #NOW} and moves one second further at every reading. */
    private static Clock steppingClock() {
        AtomicLong readings = new AtomicLong();
        return new Clock() {
            @Override
            public Instant instant() {
                return NOW.plusSeconds(readings.getAndIncrement());
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException("the topology reads instants only");
            }
        };
    }

    private static Job job(double fileSizeMb, int pageCount, int imageCount) {
        return new Job(uuid(), "report.pdf", fileSizeMb, pageCount, imageCount, SUBMITTED);
    }

    private static byte[] json(Job job) {
        return Topics.JOBS_IN.valueSerde().serializer().serialize(Topics.JOBS_IN.name(), job);
    }

    private static String uuid() {
        return UUID.randomUUID().toString();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Headers traced(String correlationId) {
        return new RecordHeaders().add(KiwoHeaders.CORRELATION_ID, utf8(correlationId));
    }

    private static String correlationId(Headers headers) {
        return text(headers.lastHeader(KiwoHeaders.CORRELATION_ID));
    }

    private static String utf8(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static String text(Header header) {
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
