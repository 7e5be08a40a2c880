package dev.kiwo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.launcher.App;
import dev.kiwo.launcher.KiwoService;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import dev.kiwo.testsupport.TopicReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bad input never takes a service down: malformed HTTP requests get a 4xx problem from the API, and poison
 * records written straight to the topics end in jobs.dlq with a reason while good jobs keep flowing.
 */
class BadInputTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
    private static final String JSON_TYPE = "application/json";
    private static final String GOOD = "{\"name\":\"good.pdf\",\"fileSizeMb\":1.5,\"pageCount\":3,\"imageCount\":1}";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    private static final List<KiwoService> services = new ArrayList<>();
    private static KiwoService api;

    @BeforeAll
    static void startPipeline() {
        String kafka = KafkaTestBroker.bootstrapServers();
        api = ServiceJars.startAs("bad-input-api", App.API, kafka);
        services.add(api);
        services.add(ServiceJars.startAs("bad-input-classifier", App.CLASSIFIER, kafka,
                "--spring.kafka.streams.state-dir=" + System.getProperty("kiwo.logs.dir", "target")
                        + "/bad-input-streams-state"));
        for (App pool : List.of(App.WORKER_LIGHT, App.WORKER_HEAVY)) {
            services.add(ServiceJars.startAs("bad-input-" + pool.id(), pool, kafka, "--kiwo.worker.cost.scale=0.01",
                    "--kiwo.worker.cost.max=500ms"));
        }
        services.forEach(s -> s.awaitReady(START_TIMEOUT));
    }

    @AfterAll
    static void stopPipeline() {
        ServiceJars.stopAll();
    }

    static Stream<Arguments> malformedRequests() {
        List<Arguments> cases = new ArrayList<>();
        // Not a JSON object at all.
        cases.add(json("empty body", ""));
        cases.add(json("only whitespace", "   \n\t "));
        cases.add(json("null", "null"));
        cases.add(json("a boolean", "true"));
        cases.add(json("a number", "42"));
        cases.add(json("a string", "\"report.pdf\""));
        cases.add(json("an empty array", "[]"));
        cases.add(json("an array of jobs", "[" + GOOD + "]"));
        cases.add(json("an empty object", "{}"));
        cases.add(json("plain text", "please run my job"));
        cases.add(json("truncated JSON", "{\"name\":\"a.pdf\",\"fileSizeMb\":1"));
        cases.add(json("trailing garbage", GOOD + " x"));
        cases.add(json("two objects", GOOD + GOOD));
        cases.add(json("single quotes", "{'name':'a.pdf','fileSizeMb':1,'pageCount':1,'imageCount':1}"));
        cases.add(json("a comment", "/* hi */" + GOOD));
        cases.add(json("a raw NUL inside a string", "{\"name\":\"a\u0000b\",\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":1}"));
        cases.add(json("a duplicate field", "{\"name\":\"a\",\"name\":\"b\",\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":1}"));
        // Wrong types and values, field by field.
        cases.add(job("name as a number", "name", "12"));
        cases.add(job("name as an object", "name", "{\"x\":1}"));
        cases.add(job("name as an array", "name", "[\"a\"]"));
        cases.add(job("name of 257 characters", "name", "\"" + "n".repeat(257) + "\""));
        cases.add(job("fileSizeMb as a string", "fileSizeMb", "\"12\""));
        cases.add(job("fileSizeMb NaN", "fileSizeMb", "NaN"));
        cases.add(job("fileSizeMb Infinity", "fileSizeMb", "Infinity"));
        cases.add(job("fileSizeMb -Infinity", "fileSizeMb", "-Infinity"));
        cases.add(job("fileSizeMb \"NaN\" as a string", "fileSizeMb", "\"NaN\""));
        cases.add(job("fileSizeMb negative", "fileSizeMb", "-1"));
        cases.add(job("fileSizeMb slightly negative", "fileSizeMb", "-0.0001"));
        cases.add(job("fileSizeMb beyond a double", "fileSizeMb", "1e400"));
        cases.add(job("fileSizeMb a boolean", "fileSizeMb", "true"));
        cases.add(job("fileSizeMb null", "fileSizeMb", "null"));
        cases.add(job("fileSizeMb an object", "fileSizeMb", "{\"mb\":1}"));
        cases.add(job("fileSizeMb in hex", "fileSizeMb", "0x10"));
        cases.add(job("fileSizeMb with a leading plus", "fileSizeMb", "+1"));
        cases.add(job("pageCount negative", "pageCount", "-1"));
        cases.add(job("pageCount a fraction", "pageCount", "2.5"));
        cases.add(job("pageCount above int range", "pageCount", "2147483648"));
        cases.add(job("pageCount a huge integer", "pageCount", "99999999999999999999999999999"));
        cases.add(job("pageCount as a string", "pageCount", "\"10\""));
        cases.add(job("pageCount NaN", "pageCount", "NaN"));
        cases.add(job("pageCount with leading zeros", "pageCount", "007"));
        cases.add(job("imageCount negative", "imageCount", "-5"));
        cases.add(job("imageCount 1e308", "imageCount", "1e308"));
        cases.add(job("imageCount an array", "imageCount", "[1]"));
        cases.add(job("imageCount Infinity", "imageCount", "Infinity"));
        cases.add(json("fileSizeMb missing", "{\"name\":\"a.pdf\",\"pageCount\":1,\"imageCount\":1}"));
        cases.add(json("pageCount missing", "{\"name\":\"a.pdf\",\"fileSizeMb\":1,\"imageCount\":1}"));
        cases.add(json("imageCount missing", "{\"name\":\"a.pdf\",\"fileSizeMb\":1,\"pageCount\":1}"));
        cases.add(job("an unknown field", "priority", "\"urgent\""));
        cases.add(job("a client-chosen jobId", "jobId", "\"" + UUID.randomUUID() + "\""));
        cases.add(job("simulate not an object", "simulate", "\"fail\""));
        cases.add(job("simulate negative failures", "simulate", "{\"failures\":-1}"));
        cases.add(job("simulate failures as a string", "simulate", "{\"failures\":\"two\"}"));
        cases.add(job("simulate permanent false", "simulate", "{\"permanent\":false}"));
        cases.add(job("simulate an unknown field", "simulate", "{\"explode\":true}"));
        // Depth and size.
        cases.add(json("an object nested 10,000 deep", "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000)));
        cases.add(json("arrays nested 100,000 deep", "[".repeat(100_000) + "]".repeat(100_000)));
        cases.add(job("a nested name", "name", "{\"a\":".repeat(50) + "1" + "}".repeat(50)));
        cases.add(job("a 10 MB name", "name", "\"" + "x".repeat(10 * 1024 * 1024) + "\""));
        cases.add(json("10 MB of garbage", "z".repeat(10 * 1024 * 1024)));
        // Bytes that are not UTF-8.
        cases.add(bytes("invalid UTF-8 in the name", JSON_TYPE, concat("{\"name\":\"", new byte[] {(byte) 0xff,
                (byte) 0xfe}, "\",\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":1}")));
        cases.add(bytes("an overlong UTF-8 sequence", JSON_TYPE, concat("{\"name\":\"a", new byte[] {(byte) 0xc0,
                (byte) 0xaf}, "\",\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":1}")));
        cases.add(bytes("a truncated UTF-8 sequence", JSON_TYPE, concat("{\"name\":\"", new byte[] {(byte) 0xe2,
                (byte) 0x82}, "\",\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":1}")));
        cases.add(bytes("random binary", JSON_TYPE, new byte[] {0, 1, 2, (byte) 0x80, (byte) 0xff, 0x7f}));
        // Wrong content types for a good body.
        cases.add(bytes("text/plain", "text/plain", GOOD.getBytes(StandardCharsets.UTF_8)));
        cases.add(bytes("application/xml", "application/xml", GOOD.getBytes(StandardCharsets.UTF_8)));
        cases.add(bytes("a form", "application/x-www-form-urlencoded", "name=a.pdf&fileSizeMb=1".getBytes(
                StandardCharsets.UTF_8)));
        cases.add(bytes("multipart", "multipart/form-data; boundary=x", GOOD.getBytes(StandardCharsets.UTF_8)));
        cases.add(bytes("no content type", null, GOOD.getBytes(StandardCharsets.UTF_8)));
        cases.add(bytes("an octet stream", "application/octet-stream", GOOD.getBytes(StandardCharsets.UTF_8)));
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("malformedRequests")
    void malformedRequestGetsAClientErrorAsProblemDetails(String description, String contentType, byte[] body)
            throws Exception {
        HttpResponse<String> response = post(contentType, body);

        assertThat(response.statusCode()).as("%s: %s", description, response.body()).isBetween(400, 499);
        assertThat(response.headers().firstValue("Content-Type")).as(description)
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(JSON.readTree(response.body()).path("status").asInt()).isEqualTo(response.statusCode());
    }

    @Test
    void apiStaysReadyAndAcceptsGoodJobsAfterEveryMalformedRequest() throws Exception {
        List<Arguments> cases = malformedRequests().toList();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(50);
        for (Arguments c : cases) {
            Object[] args = c.get();
            assertThat(post((String) args[1], (byte[]) args[2]).statusCode()).as((String) args[0]).isBetween(400, 499);
        }

        assertThat(api.ready()).isTrue();
        HttpResponse<String> good = post(JSON_TYPE, GOOD.getBytes(StandardCharsets.UTF_8));
        assertThat(good.statusCode()).as(good.body()).isEqualTo(202);
    }

    @Test
    void poisonRecordsOnEveryTopicReachTheDeadLetterTopicWhileGoodJobsKeepFlowing() throws Exception {
        String kafka = KafkaTestBroker.bootstrapServers();
        Set<String> markers = new HashSet<>();
        Map<String, String> poisonTopic = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(kafka))) {
            for (String topic : List.of(Topics.JOBS_IN.name(), Topics.JOBS_LIGHT.name(), Topics.JOBS_HEAVY.name())) {
                // Not JSON, on every partition, so that every good job below shares a partition with poison.
                int partitions = producer.partitionsFor(topic).size();
                for (int p = 0; p < partitions; p++) {
                    String marker = marker(markers, poisonTopic, topic);
                    producer.send(new ProducerRecord<>(topic, p, utf8(UUID.randomUUID().toString()),
                            utf8("not json " + marker))).get();
                }
                String wrongSchema = marker(markers, poisonTopic, topic);
                producer.send(new ProducerRecord<>(topic, utf8(UUID.randomUUID().toString()),
                        utf8("{\"jobId\":\"" + wrongSchema + "\",\"colour\":\"blue\"}"))).get();
                String wrongType = marker(markers, poisonTopic, topic);
                producer.send(new ProducerRecord<>(topic, utf8(UUID.randomUUID().toString()),
                        utf8("[\"" + wrongType + "\"]"))).get();
                // A well-formed record of the topic's own type, but without the key every record must carry.
                String noKey = UUID.randomUUID().toString();
                markers.add(noKey);
                poisonTopic.put(noKey, topic + " without a key");
                producer.send(new ProducerRecord<>(topic, null, utf8(wellFormed(topic, noKey)))).get();
            }
        }

        Set<String> goodJobs = new HashSet<>();
        for (int i = 0; i < 24; i++) {
            String body = i % 2 == 0 ? GOOD : "{\"name\":\"big.pdf\",\"fileSizeMb\":70,\"pageCount\":10,\"imageCount\":1}";
            HttpResponse<String> response = post(JSON_TYPE, body.getBytes(StandardCharsets.UTF_8));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            goodJobs.add(JSON.readTree(response.body()).path("jobId").asString());
        }

        Map<String, List<Header>> deadLetters = new HashMap<>();
        Map<String, JobStatus> results = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.fromBeginning(
                new KafkaConsumer<>(consumerProperties(kafka)), Topics.JOBS_DLQ.name(), Topics.JOBS_RESULTS.name())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline
                    && !(deadLetters.keySet().containsAll(markers) && results.keySet().containsAll(goodJobs))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(250))) {
                    if (record.topic().equals(Topics.JOBS_DLQ.name())) {
                        String value = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
                        markers.stream().filter(value::contains).findFirst()
                                .ifPresent(m -> deadLetters.put(m, Arrays.asList(record.headers().toArray())));
                    } else {
                        String key = new String(record.key(), StandardCharsets.UTF_8);
                        if (goodJobs.contains(key)) {
                            JobResult result = Topics.JOBS_RESULTS.valueSerde().deserializer()
                                    .deserialize(record.topic(), record.value());
                            results.put(key, result.status());
                        }
                    }
                }
            }
        }

        Map<String, String> notDeadLettered = new HashMap<>();
        markers.stream().filter(m -> !deadLetters.containsKey(m)).forEach(m -> notDeadLettered.put(m, poisonTopic.get(m)));
        assertThat(notDeadLettered).as("poison records that never reached %s", Topics.JOBS_DLQ.name()).isEmpty();
        deadLetters.forEach((marker, headers) -> assertThat(headers)
                .as("headers of the dead letter from %s", poisonTopic.get(marker))
                .anySatisfy(h -> {
                    assertThat(h.key().toLowerCase(Locale.ROOT)).containsAnyOf("exception", "error", "reason");
                    assertThat(h.value()).isNotEmpty();
                }));
        assertThat(results).as("results of the good jobs posted after the poison").hasSize(goodJobs.size())
                .allSatisfy((jobId, status) -> assertThat(status).isEqualTo(JobStatus.SUCCEEDED));
        assertThat(services).allSatisfy(s -> assertThat(s.ready()).isTrue());
    }

    private static String marker(Set<String> markers, Map<String, String> poisonTopic, String topic) {
        String marker = "poison-" + UUID.randomUUID();
        markers.add(marker);
        poisonTopic.put(marker, topic);
        return marker;
    }

    /** A value of the topic's own type, valid in every respect but the missing key. */
    private static String wellFormed(String topic, String jobId) {
        String job = "{\"jobId\":\"" + jobId + "\",\"name\":\"keyless.pdf\",\"fileSizeMb\":1.0,\"pageCount\":1,"
                + "\"imageCount\":1,\"submittedAt\":\"2026-01-01T00:00:00Z\"}";
        if (topic.equals(Topics.JOBS_IN.name())) {
            return job;
        }
        String jobClass = topic.equals(Topics.JOBS_HEAVY.name()) ? "HEAVY" : "LIGHT";
        return "{\"job\":" + job + ",\"jobClass\":\"" + jobClass + "\",\"reason\":\"test\","
                + "\"classifiedAt\":\"2026-01-01T00:00:01Z\"}";
    }

    private static Arguments json(String description, String body) {
        return bytes(description, JSON_TYPE, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A good job with one field replaced (or added) as raw JSON. */
    private static Arguments job(String description, String field, String rawValue) {
        Map<String, String> fields = new java.util.LinkedHashMap<>(Map.of("name", "\"a.pdf\"", "fileSizeMb", "1",
                "pageCount", "1", "imageCount", "1"));
        fields.put(field, rawValue);
        StringBuilder body = new StringBuilder("{");
        fields.forEach((k, v) -> body.append(body.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return json(description, body.append('}').toString());
    }

    private static Arguments bytes(String description, String contentType, byte[] body) {
        return Arguments.of(description, contentType, body);
    }

    private static byte[] concat(String before, byte[] middle, String after) {
        byte[] head = utf8(before);
        byte[] tail = utf8(after);
        byte[] all = new byte[head.length + middle.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(middle, 0, all, head.length, middle.length);
        System.arraycopy(tail, 0, all, head.length + middle.length, tail.length);
        return all;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> post(String contentType, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.uri("/jobs")).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Properties producerProperties(String kafka) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return props;
    }

    private static Properties consumerProperties(String kafka) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return props;
    }
}
