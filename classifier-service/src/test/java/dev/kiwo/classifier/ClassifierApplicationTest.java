package dev.kiwo.classifier;

import static dev.kiwo.classifier.ClassifierTestClients.producer;
import static dev.kiwo.classifier.ClassifierTestClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiwo.classifier.routing.RoutingCommand;
import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobStatusEvent;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The whole service against a real broker: exactly-once routing, dead letters, readiness, the routing log. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "kiwo.classifier.routing-log.interval=1s") // the routing log's line within the test's wait
class ClassifierApplicationTest {

    /** One partition for all of this test's input, so "after the poison" means after it in the same stream task. */
    private static final int PARTITION = 0;

    @TempDir
    static Path stateDir;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", KafkaTestBroker::bootstrapServers);
        registry.add("spring.kafka.streams.state-dir", stateDir::toString);
    }

    @LocalServerPort
    int port;

    /**
     * What a read_committed reader sees for one of this test's records. {@code status} is the status a
     * {@code jobs.status} record announces; {@code at} its time, or the routed record's classifiedAt.
     */
    record Seen(String topic, String key, String jobClass, String status, String correlationId, String exception,
                Instant at) {
    }

    /**
     * Also proves the service declares {@code jobs.status}: the test broker creates no topic on its own, and a
     * write to a missing one would fail the transaction.
     */
    @Test
    void routesCommittedJobsAnnouncesThemQueuedAndSendsAPoisonRecordToTheDeadLetterTopic() {
        // Given
        Job light = job(1.5, 3, 0);
        Job heavy = job(120, 3, 0);
        String poisonKey = UUID.randomUUID().toString();
        Job afterPoison = job(0, 250, 0);

        // When
        try (KafkaProducer<String, byte[]> producer = producer()) {
            // light: below all thresholds
            producer.send(jobRecord(light, "corr-light"));
            // heavy: 120 MB
            producer.send(jobRecord(heavy, "corr-heavy"));
            // not a job, cut off mid-object: must become a dead letter without stopping the stream
            producer.send(new ProducerRecord<>(Topics.JOBS_IN.name(), PARTITION, poisonKey,
                    "{\"jobId\":".getBytes(StandardCharsets.UTF_8)));
            // heavy by pages, behind the poison on the same partition: proves the stream moved on
            producer.send(jobRecord(afterPoison, "corr-after"));
        }

        // Then
        Set<String> ours = Set.of(light.jobId(), heavy.jobId(), poisonKey, afterPoison.jobId());
        List<Seen> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = readCommitted("classifier-test")) {
            consumer.subscribe(List.of(Topics.JOBS_LIGHT.name(), Topics.JOBS_HEAVY.name(), Topics.JOBS_STATUS.name(),
                    Topics.JOBS_DLQ.name()));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    Seen one = seen(record);
                    if (ours.contains(one.key())) {
                        seen.add(one);
                    }
                });
                assertThat(seen).usingRecursiveFieldByFieldElementComparatorIgnoringFields("at")
                        .containsExactlyInAnyOrder(
                                new Seen(Topics.JOBS_LIGHT.name(), light.jobId(), "LIGHT", null, "corr-light", null,
                                        null),
                                new Seen(Topics.JOBS_STATUS.name(), light.jobId(), "LIGHT", "QUEUED", "corr-light",
                                        null, null),
                                new Seen(Topics.JOBS_HEAVY.name(), heavy.jobId(), "HEAVY", null, "corr-heavy", null,
                                        null),
                                new Seen(Topics.JOBS_STATUS.name(), heavy.jobId(), "HEAVY", "QUEUED", "corr-heavy",
                                        null, null),
                                new Seen(Topics.JOBS_DLQ.name(), poisonKey, null, null, null,
                                        "org.apache.kafka.common.errors.SerializationException", null),
                                new Seen(Topics.JOBS_HEAVY.name(), afterPoison.jobId(), "HEAVY", null, "corr-after",
                                        null, null),
                                new Seen(Topics.JOBS_STATUS.name(), afterPoison.jobId(), "HEAVY", "QUEUED",
                                        "corr-after", null, null));
            });
        }
        Map<String, Set<Instant>> timesByJob = seen.stream().filter(one -> one.at() != null)
                .collect(Collectors.groupingBy(Seen::key, Collectors.mapping(Seen::at, Collectors.toSet())));
        assertThat(timesByJob).as("each QUEUED event is timed at its job's classifiedAt").hasSize(3)
                .allSatisfy((jobId, times) -> assertThat(times).hasSize(1));
    }

    @Test
    void reportsReadyOnceTheStreamsClientRuns() {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest readiness = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).build();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(http.send(readiness, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200));
    }

    @Test
    void exposesDecisionsByClassAndRuleAndStreamsMetrics() {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest prometheus = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build();

        try (KafkaProducer<String, byte[]> producer = producer()) {
            // heavy by its image count alone
            producer.send(jobRecord(job(1, 1, 64), "corr-metrics"));
        }

        // Micrometer binds Kafka client metrics created after start-up (the stream task's) on its refresh, once a
        // minute from start-up, so the task metrics can take up to a minute to appear.
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                assertThat(http.send(prometheus, HttpResponse.BodyHandlers.ofString()).body())
                        .containsPattern("kiwo_classifier_decisions_total\\{class=\"HEAVY\",config_version=\"\\d+\","
                                + "rule=\"imageCount\"} [1-9]")
                        .contains("kafka_stream_thread_process_total{", "kafka_stream_task_dropped_records_total{"));
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void logsASummaryAndASampledDecisionAtInfo(CapturedOutput output) {
        Job heavy = job(0, 1, 70);

        try (KafkaProducer<String, byte[]> producer = producer()) {
            // heavy by its image count; the only record of this test, so the first heavy one of its interval
            producer.send(jobRecord(heavy, "corr-log"));
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(output.getOut())
                .containsPattern("INFO .*Sample decision: job " + heavy.jobId() + " is HEAVY by rule imageCount "
                        + "\\(imageCount>=50\\), fileSizeMb=0.0 pageCount=1 imageCount=70 configVersion=\\d+ "
                        + "correlationId=corr-log")
                .containsPattern("INFO .*Routed in the last 1s: light=\\d+ heavy=[1-9]\\d* dead-lettered=\\d+ "
                        + "\\(since start: light=\\d+ heavy=[1-9]\\d* dead-lettered=\\d+\\)"));
    }

    /**
     * The way demo.sh changes the routing: the command writes the next version and the running classifier routes the
     * next job with it within seconds, the version on its header; a bad value is refused and writes nothing.
     */
    @Test
    void appliesARoutingChangeToTheNextJobWithinSeconds() {
        // Given: the classifier runs, and a job of 120 pages is light by the seed's 200
        Job before = job(1, 120, 0);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(jobRecord(before, "corr-before"));
        }
        Seen light = routed(before, Duration.ofSeconds(60));
        assertThat(light.jobClass()).isEqualTo("LIGHT");
        long version = Long.parseLong(light.correlationId());

        // When: a bad value and an unknown key are refused, then the page threshold drops to 100
        assertThat(routing("set", "pageCount=100", "imageCount=0")).isEqualTo(RoutingCommand.REFUSED);
        assertThat(routing("set", "pageCont=100")).isEqualTo(RoutingCommand.REFUSED);
        assertThat(routing("set", "pageCount=100")).isZero();
        try {
            Instant changed = Instant.now();
            Job after = job(1, 120, 0);
            try (KafkaProducer<String, byte[]> producer = producer()) {
                producer.send(jobRecord(after, "corr-after-change"));
            }

            // Then: the next job is heavy, decided by the next version, seconds after the change
            Seen heavy = routed(after, Duration.ofSeconds(10));
            assertThat(heavy.jobClass()).isEqualTo("HEAVY");
            assertThat(heavy.correlationId()).isEqualTo(Long.toString(version + 1));
            assertThat(Duration.between(changed, heavy.at())).isLessThan(Duration.ofSeconds(5));
        } finally {
            // the other tests of this class expect the seed's thresholds
            assertThat(routing("set", "pageCount=200")).isZero();
        }
    }

    private static int routing(String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-servers", KafkaTestBroker.bootstrapServers()));
        all.addAll(List.of(args));
        all.addAll(List.of("--by", "test"));
        return RoutingCommand.run(all, "test", Clock.systemUTC(), System.out, System.out);
    }

    /** The job as routed, its routing config version in place of the correlation id. */
    private static Seen routed(Job job, Duration within) {
        List<Seen> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = readCommitted("classifier-routing-test")) {
            consumer.subscribe(List.of(Topics.JOBS_LIGHT.name(), Topics.JOBS_HEAVY.name()));
            await().atMost(within).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (job.jobId().equals(new String(record.key(), StandardCharsets.UTF_8))) {
                        Seen one = seen(record);
                        seen.add(new Seen(one.topic(), one.key(), one.jobClass(), null,
                                text(record.headers().lastHeader(KiwoHeaders.ROUTING_CONFIG_VERSION)), null,
                                one.at()));
                    }
                });
                assertThat(seen).hasSize(1);
            });
        }
        return seen.get(0);
    }

    private static Seen seen(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        String correlationId = text(record.headers().lastHeader(KiwoHeaders.CORRELATION_ID));
        if (record.topic().equals(Topics.JOBS_DLQ.name())) {
            return new Seen(record.topic(), key, null, null, null,
                    text(record.headers().lastHeader("__streams.errors.exception")), null);
        }
        if (record.topic().equals(Topics.JOBS_STATUS.name())) {
            JobStatusEvent event = Topics.JOBS_STATUS.valueSerde().deserializer()
                    .deserialize(record.topic(), record.value());
            return new Seen(record.topic(), key, event.jobClass().name(), event.status().name(), correlationId, null,
                    event.at());
        }
        ClassifiedJob classified = Topics.JOBS_LIGHT.valueSerde().deserializer()
                .deserialize(record.topic(), record.value());
        return new Seen(record.topic(), key, classified.jobClass().name(), null, correlationId, null,
                classified.classifiedAt());
    }

    private static ProducerRecord<String, byte[]> jobRecord(Job job, String correlationId) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.JOBS_IN.name(), PARTITION, job.jobId(),
                Topics.JOBS_IN.valueSerde().serializer().serialize(Topics.JOBS_IN.name(), job));
        record.headers().add(KiwoHeaders.CORRELATION_ID, correlationId.getBytes(StandardCharsets.UTF_8));
        return record;
    }

    private static Job job(double fileSizeMb, int pageCount, int imageCount) {
        return new Job(UUID.randomUUID().toString(), "it", fileSizeMb, pageCount, imageCount, Instant.now());
    }

    private static String text(Header header) {
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
