package dev.kiwo.classifier;

import static dev.kiwo.classifier.ClassifierTestClients.producer;
import static dev.kiwo.classifier.ClassifierTestClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiwo.model.DeadLetterHeaders;
import dev.kiwo.model.Job;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Liveness against a real broker: up while the Streams client runs, down once it lost a stream thread or failed
 * for good after the thread-replacement policy; and a routed record over the record limit dead-lettered while the
 * classifier keeps routing. The Streams producer's max.request.size is lowered so that "over the limit" means
 * "the producer would refuse it". Each test gets a fresh application; the one that kills it runs last, because the
 * poison record it leaves uncommitted would kill the next one too.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.streams.application-id=kiwo-classifier-liveness-test",
        "spring.kafka.streams.properties.producer.max.request.size=" + ClassifierLivenessTest.PRODUCER_MAX_BYTES,
        "kiwo.classifier.max-record-bytes=" + ClassifierLivenessTest.MAX_RECORD_BYTES,
        "kiwo.classifier.stream-threads.max-replacements=1",
        "management.endpoint.health.show-details=always"})
@Import(ClassifierLivenessTest.PoisonSource.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClassifierLivenessTest {

    static final int PRODUCER_MAX_BYTES = 16_384;
    static final int MAX_RECORD_BYTES = 15_360;

    /** A topic only this test's topology reads; a record on it makes its processor throw. */
    static final String POISON_TOPIC = "classifier-liveness-test.poison";

    /** One partition for this test's jobs, so "the next job" is behind the big one in the same stream task. */
    private static final int PARTITION = 1;

    @TempDir
    static Path stateDir;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", KafkaTestBroker::bootstrapServers);
        registry.add("spring.kafka.streams.state-dir", stateDir::toString);
        // The failed thread's consumer does not leave the group: its partition moves to the replacement once the
        // session expires, 6 s here (the broker's minimum) instead of 45 s.
        registry.add("spring.kafka.streams.properties.session.timeout.ms", () -> "6000");
        registry.add("spring.kafka.streams.properties.heartbeat.interval.ms", () -> "2000");
    }

    @LocalServerPort
    int port;

    @Autowired
    StreamsBuilderFactoryBean factory;

    /**
     * A ClassCastException right behind a source is not offered to the processing exception handler: Kafka Streams
     * takes it for a serde bug, wraps it and lets it kill the stream thread, as any error no handler takes would.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class PoisonSource {

        @Bean
        NewTopic poisonTopic() {
            return new NewTopic(POISON_TOPIC, 1, (short) 1);
        }

        @Bean
        KStream<String, String> poison(StreamsBuilder builder) {
            KStream<String, String> poison = builder.stream(POISON_TOPIC, Consumed.with(Serdes.String(),
                    Serdes.String()));
            poison.process(Poison::new);
            return poison;
        }
    }

    private static final class Poison implements Processor<String, String, Void, Void> {

        @Override
        public void process(Record<String, String> record) {
            throw new ClassCastException("poison record " + record.key());
        }
    }

    @Test
    @Order(1)
    void isLiveWhileStreamsRunsAndDownOnceAStreamThreadIsLost() throws Exception {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(liveness())
                .returns(200, HttpResponse::statusCode)
                .extracting(HttpResponse::body).asString().contains("\"state\":\"RUNNING\""));

        Optional<String> removed = factory.getKafkaStreams().removeStreamThread();

        assertThat(removed).isPresent();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(liveness())
                .returns(503, HttpResponse::statusCode)
                .extracting(HttpResponse::body).asString()
                .contains("\"liveStreamThreads\":0", "\"expectedStreamThreads\":1"));
    }

    @Test
    @Order(2)
    void deadLettersAJobWhoseRoutedRecordIsOverTheLimitAndRoutesTheNext() throws Exception {
        // Given: the same job would route fine without the header; with it, the routed record is over both the
        // record limit and the producer's max.request.size
        Job big = job();
        Job next = job();
        byte[] padding = new byte[20_000];
        Arrays.fill(padding, (byte) 'x');
        awaitLive();

        // When
        try (KafkaProducer<String, byte[]> producer = producer()) {
            ProducerRecord<String, byte[]> bigRecord = jobRecord(big);
            bigRecord.headers().add("padding", padding);
            producer.send(bigRecord);
            producer.send(jobRecord(next));
        }

        // Then
        List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = readCommitted("classifier-liveness-test")) {
            consumer.subscribe(List.of(Topics.JOBS_LIGHT.name(), Topics.JOBS_HEAVY.name(), Topics.JOBS_DLQ.name()));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
                    if (big.jobId().equals(key) || next.jobId().equals(key)) {
                        seen.add(record);
                    }
                });
                assertThat(seen).extracting(record -> record.topic() + " " + utf8(record.key()))
                        .containsExactlyInAnyOrder(Topics.JOBS_DLQ.name() + " " + big.jobId(),
                                Topics.JOBS_LIGHT.name() + " " + next.jobId());
            });
        }
        ConsumerRecord<byte[], byte[]> deadLetter = seen.stream()
                .filter(record -> record.topic().equals(Topics.JOBS_DLQ.name())).findFirst().orElseThrow();
        assertThat(header(deadLetter, DeadLetterHeaders.ERROR_CLASS))
                .isEqualTo("dev.kiwo.classifier.routing.OversizedRecordException");
        assertThat(header(deadLetter, DeadLetterHeaders.ERROR_MESSAGE))
                .contains("over the limit of " + MAX_RECORD_BYTES + " bytes");
        assertThat(header(deadLetter, "__streams.errors.topic")).isEqualTo(Topics.JOBS_IN.name());
        assertThat(Integer.parseInt(header(deadLetter, DeadLetterHeaders.ORIGINAL_BYTES)))
                .as("the original did not fit").isGreaterThan(MAX_RECORD_BYTES);
        assertThat(deadLetter.headers().lastHeader("padding")).as("cut down to fit").isNull();
        assertThat(Topics.JOBS_IN.valueSerde().deserializer().deserialize(Topics.JOBS_IN.name(), deadLetter.value()))
                .as("the job itself fits and is kept").isEqualTo(big);
        assertThat(liveness().statusCode()).isEqualTo(200);
    }

    @Test
    @Order(3)
    @ExtendWith(OutputCaptureExtension.class)
    void replacesAFailedStreamThreadOnceThenShutsTheClientDownAndLivenessFails(CapturedOutput output)
            throws Exception {
        awaitLive();

        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(POISON_TOPIC, "poison", "boom".getBytes(StandardCharsets.UTF_8)));
        }

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(liveness())
                .returns(503, HttpResponse::statusCode)
                .extracting(HttpResponse::body).asString().contains("\"state\":\"ERROR\""));
        assertThat(factory.getKafkaStreams().state()).isEqualTo(KafkaStreams.State.ERROR);
        assertThat(output.getOut())
                .contains("A stream thread failed, replacing it (1 of 1 in PT10M)")
                .contains("A stream thread failed (1 replaced in the last PT10M): shutting the Streams client down");
    }

    private void awaitLive() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(liveness().body())
                .contains("\"state\":\"RUNNING\""));
    }

    private HttpResponse<String> liveness() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/actuator/health/liveness")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static ProducerRecord<String, byte[]> jobRecord(Job job) {
        return new ProducerRecord<>(Topics.JOBS_IN.name(), PARTITION, job.jobId(),
                Topics.JOBS_IN.valueSerde().serializer().serialize(Topics.JOBS_IN.name(), job));
    }

    private static Job job() {
        return new Job(UUID.randomUUID().toString(), "it", 1, 1, 0, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : utf8(header.value());
    }

    private static String utf8(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
