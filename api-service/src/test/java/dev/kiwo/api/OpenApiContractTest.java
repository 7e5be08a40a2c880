package dev.kiwo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The OpenAPI document ({@code static/openapi.yaml}, served at {@code /openapi.yaml}) against the running API on a
 * real broker: it names exactly the operations kiwo's controllers map, and every kind of answer validates against
 * what the document gives for its operation, status and content type (body schema, required and present headers).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "kiwo.api.allow-simulation=true")
class OpenApiContractTest {

    private static final String DOCUMENT = "static/openapi.yaml";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNode OPENAPI = readDocument();
    /** Formats such as uuid and date-time are asserted, not only annotations as 2020-12 has them by default. */
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            registry -> registry.schemaRegistryConfig(
                    SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    private static final String JOB = "{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0}";

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", KafkaTestBroker::bootstrapServers);
    }

    @Test
    void theApiServesTheDocument() throws Exception {
        HttpResponse<byte[]> served = http.send(request("/openapi.yaml").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(served.statusCode()).isEqualTo(200);
        try (InputStream document = resource()) {
            assertThat(served.body()).isEqualTo(document.readAllBytes());
        }
    }

    @Test
    void theDocumentNamesExactlyTheOperationsAndRequestTypesTheControllersMap() {
        Map<String, Set<String>> mapped = new TreeMap<>();
        mappings.getHandlerMethods().forEach((info, handler) -> {
            // kiwo's own controllers; Spring's error controller and the actuator are not part of the contract.
            if (!handler.getBeanType().getPackageName().startsWith("dev.kiwo.")) {
                return;
            }
            for (String path : info.getPathPatternsCondition().getPatternValues()) {
                info.getMethodsCondition().getMethods().forEach(method -> mapped
                        .computeIfAbsent(method + " " + path, operation -> new TreeSet<>())
                        .addAll(info.getConsumesCondition().getConsumableMediaTypes().stream()
                                .map(MediaType::toString).toList()));
            }
        });

        Map<String, Set<String>> documented = new TreeMap<>();
        OPENAPI.get("paths").properties().forEach(path -> path.getValue().properties().stream()
                .filter(operation -> Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace")
                        .contains(operation.getKey()))
                .forEach(operation -> documented.put(
                        operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(),
                        new TreeSet<>(operation.getValue().path("requestBody").path("content").propertyNames()))));

        assertThat(documented).isEqualTo(mapped).containsKeys("POST /jobs", "GET /jobs/{jobId}",
                "GET /jobs/{jobId}/events", "DELETE /jobs/{jobId}");
    }

    @Test
    void acceptanceStatusWaitAndCancellationAreAsDocumented() throws Exception {
        HttpResponse<String> accepted = send(post(JOB));
        assertDocumented("/jobs", "post", accepted, 202);
        String jobId = JSON.readTree(accepted.body()).get("jobId").stringValue();

        assertDocumented("/jobs", "post", send(post(JOB).header("Prefer", "wait=0")), 202);
        assertDocumented("/jobs/{jobId}", "get", send(request("/jobs/" + jobId).GET()), 200);
        assertDocumented("/jobs/{jobId}", "get", send(request("/jobs/" + jobId).header("Prefer", "wait=0").GET()),
                200);
        assertDocumented("/jobs/{jobId}", "delete", send(request("/jobs/" + jobId).DELETE()), 202);
    }

    @Test
    void anEndedJobsStatusEventsAndRefusedCancellationAreAsDocumented() throws Exception {
        String jobId = JSON.readTree(send(post(JOB)).body()).get("jobId").stringValue();
        endJob(jobId);
        HttpResponse<String> ended = await().atMost(Duration.ofSeconds(10)).until(
                () -> send(request("/jobs/" + jobId).GET()),
                response -> response.body().contains("\"SUCCEEDED\""));

        assertDocumented("/jobs/{jobId}", "get", ended, 200);
        // The stream of an ended job is its terminal event, after which the server closes it.
        assertDocumented("/jobs/{jobId}/events", "get",
                send(request("/jobs/" + jobId + "/events").header("Accept", "text/event-stream").GET()), 200);
        assertDocumented("/jobs/{jobId}", "delete", send(request("/jobs/" + jobId).DELETE()), 409);
    }

    @Test
    void problemsAreAsDocumented() throws Exception {
        String unknown = "/jobs/" + UUID.randomUUID();
        assertDocumented("/jobs", "post", send(post("{\"fileSizeMb\":\"1\",\"pageCount\":2.5,\"x\":1}")), 400);
        assertDocumented("/jobs", "post", send(post(JOB).header("X-Correlation-Id", "not visible ASCII")), 400);
        assertDocumented("/jobs", "post", send(post("{\"name\":\"" + "n".repeat(70_000) + "\"}")), 413);
        assertDocumented("/jobs", "post", send(request("/jobs").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(JOB))), 415);
        assertDocumented("/jobs", "post", send(post(JOB).header("Accept", "text/html")), 406);
        // The API takes no multipart: a multipart Content-Type without a boundary once failed every endpoint with 500.
        assertDocumented("/jobs", "post", send(request("/jobs").header("Content-Type", "multipart/form-data")
                .POST(HttpRequest.BodyPublishers.ofString(JOB))), 415);
        assertDocumented("/jobs/{jobId}", "get", send(request(unknown).header("Content-Type", "multipart/form-data")
                .GET()), 404);
        assertDocumented("/jobs/{jobId}", "get", send(request("/jobs/not-a-job").GET()), 400);
        assertDocumented("/jobs/{jobId}", "get", send(request(unknown).GET()), 404);
        assertDocumented("/jobs/{jobId}", "get", send(request(unknown).header("Accept", "text/html").GET()), 406);
        assertDocumented("/jobs/{jobId}", "delete", send(request(unknown).DELETE()), 404);
        assertDocumented("/jobs/{jobId}/events", "get", send(request(unknown + "/events").GET()), 404);
        assertDocumented("/jobs/{jobId}/events", "get", send(request("/jobs/1-1-1-1-1/events").GET()), 400);
    }

    @Test
    void batchAnswersAreAsDocumented() throws Exception {
        HttpResponse<String> answer = send(request("/jobs").header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(JOB + "\n\n{\"pageCount\":-1}\n")));

        assertDocumented("/jobs", "post", answer, 200);
        assertThat(answer.body().lines()).hasSize(3);
        assertDocumented("/jobs", "post", send(request("/jobs").header("Content-Type", "application/x-ndjson")
                .header("Idempotency-Key", "k").POST(HttpRequest.BodyPublishers.ofString(JOB))), 400);
    }

    /** The document's job schema accepts exactly what the API accepts, on the edges its rules name. */
    @ParameterizedTest(name = "{0} accepted: {1}")
    @MethodSource("jobBodies")
    void theJobSchemaAcceptsWhatTheApiAccepts(String body, boolean accepted) throws Exception {
        HttpResponse<String> response = send(post(body));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(accepted ? 202 : 400);
        List<String> schemaErrors = errors(schemaAt("/paths/~1jobs/post/requestBody/content/application~1json/schema"),
                JSON.readTree(body));
        assertThat(schemaErrors.isEmpty()).as("the document accepts it; its errors: %s", schemaErrors)
                .isEqualTo(accepted);
    }

    static Stream<Arguments> jobBodies() {
        return Stream.of(
                Arguments.of(JOB, true),
                Arguments.of("{\"name\":null,\"fileSizeMb\":0,\"pageCount\":2147483647,\"imageCount\":2147483647,"
                        + "\"simulate\":null,\"deadlineSeconds\":null,\"idempotencyKey\":null}", true),
                Arguments.of("{\"name\":\"" + "n".repeat(256) + "\",\"fileSizeMb\":0.5,\"pageCount\":3.0,"
                        + "\"imageCount\":1E1,\"deadlineSeconds\":86400,\"idempotencyKey\":\"" + "~".repeat(128)
                        + "\"}", true),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":1,\"simulate\":{\"failures\":10}}",
                        true),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":1,\"simulate\":{\"permanent\":true}}",
                        true),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":2}", false),
                Arguments.of("{\"fileSizeMb\":null,\"pageCount\":2,\"imageCount\":0}", false),
                Arguments.of("{\"fileSizeMb\":\"1\",\"pageCount\":2,\"imageCount\":0}", false),
                Arguments.of("{\"fileSizeMb\":-0.5,\"pageCount\":2,\"imageCount\":0}", false),
                Arguments.of("{\"fileSizeMb\":1e400,\"pageCount\":2,\"imageCount\":0}", false),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":2.5,\"imageCount\":0}", false),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":2147483648,\"imageCount\":0}", false),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":true}", false),
                Arguments.of("{\"name\":7,\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0}", false),
                Arguments.of("{\"name\":\"" + "n".repeat(257) + "\",\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0}",
                        false),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0,\"imagecount\":0}", false),
                Arguments.of("{\"jobId\":\"x\",\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0}", false),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0,\"simulate\":{}}", false),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0,\"simulate\":{\"failures\":1,"
                        + "\"permanent\":true}}", false),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0,\"simulate\":{\"permanent\":false}}",
                        false),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0,\"simulate\":{\"failures\":11}}",
                        false),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0,\"simulate\":{\"failures\":null,"
                        + "\"permanent\":true}}", false),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0,\"deadlineSeconds\":0}", false),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0,\"deadlineSeconds\":86401}", false),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0,\"idempotencyKey\":\"a b\"}", false),
                Arguments.of("{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0,\"idempotencyKey\":\"\"}", false),
                Arguments.of("[" + JOB + "]", false));
    }

    /**
     * Asserts the answer has {@code status}, the document describes that status and content type for the
     * operation, the body validates against its schema and each documented header is there if required and valid
     * if there.
     */
    private void assertDocumented(String path, String method, HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as("%s %s answered %s", method, path, response.body()).isEqualTo(status);
        String responsePointer = resolved("/paths/" + escape(path) + "/" + method + "/responses/" + status);
        JsonNode documented = OPENAPI.at(responsePointer);
        assertThat(documented.isMissingNode()).as("%s %s %s documented", method, path, status).isFalse();
        MediaType contentType = MediaType.parseMediaType(response.headers().firstValue("Content-Type").orElseThrow());
        String type = contentType.getType() + "/" + contentType.getSubtype();
        String schemaPointer = responsePointer + "/content/" + escape(type) + "/schema";
        assertThat(documented.path("content").has(type)).as("%s in %s", type, responsePointer).isTrue();
        for (JsonNode value : bodyValues(type, response.body())) {
            assertThat(errors(schemaAt(schemaPointer), value)).as("%s of %s %s", value, method, path).isEmpty();
            if (type.equals(MediaType.TEXT_EVENT_STREAM_VALUE)) {
                // JSON Schema only annotates contentSchema; the event's data is checked against it here.
                assertThat(errors(schemaAt(schemaPointer + "/properties/data/contentSchema"),
                        JSON.readTree(value.get("data").stringValue()))).as("event data %s", value).isEmpty();
            }
        }
        documented.path("headers").properties().forEach(header -> {
            String headerPointer = resolved(responsePointer + "/headers/" + escape(header.getKey()));
            JsonNode definition = OPENAPI.at(headerPointer);
            var value = response.headers().firstValue(header.getKey());
            if (definition.path("required").asBoolean(false)) {
                assertThat(value).as("header %s of %s %s %s", header.getKey(), method, path, status).isPresent();
            }
            value.ifPresent(sent -> assertThat(errors(schemaAt(headerPointer + "/schema"),
                    headerValue(definition.get("schema"), sent))).as("header %s: %s", header.getKey(), sent).isEmpty());
        });
    }

    /** What the body's schema describes: the JSON value; each line of NDJSON, as an array; each server-sent event. */
    private static List<JsonNode> bodyValues(String type, String body) {
        if (type.equals(MediaType.APPLICATION_NDJSON_VALUE)) {
            var lines = JsonNodeFactory.instance.arrayNode();
            body.lines().map(JSON::readTree).forEach(lines::add);
            return List.of(lines);
        }
        if (type.equals(MediaType.TEXT_EVENT_STREAM_VALUE)) {
            List<JsonNode> events = new ArrayList<>();
            for (String block : body.split("\n\n")) {
                var event = JsonNodeFactory.instance.objectNode();
                block.lines().filter(line -> !line.startsWith(":") && line.contains(":")).forEach(line -> {
                    String[] field = line.split(":", 2);
                    event.put(field[0], field[1].startsWith(" ") ? field[1].substring(1) : field[1]);
                });
                if (!event.isEmpty()) {
                    events.add(event);
                }
            }
            assertThat(events).as("events in %s", body).isNotEmpty();
            return events;
        }
        return List.of(JSON.readTree(body));
    }

    /** The pointer, or where the {@code $ref} there points to. */
    private static String resolved(String pointer) {
        JsonNode node = OPENAPI.at(pointer);
        return node.has("$ref") ? node.get("$ref").stringValue().substring(1) : pointer;
    }

    private static JsonNode headerValue(JsonNode schema, String value) {
        return "integer".equals(schema.path("type").stringValue(null))
                ? JSON.readTree(value)
                : JsonNodeFactory.instance.stringNode(value);
    }

    private static Schema schemaAt(String pointer) {
        // The pointer goes into a URI fragment, where '{' and '}' of path templates must be encoded.
        String fragment = URLEncoder.encode(pointer, StandardCharsets.UTF_8).replace("%2F", "/").replace("%7E", "~");
        return SCHEMAS.getSchema(SchemaLocation.of("classpath:" + DOCUMENT + "#" + fragment));
    }

    private static List<String> errors(Schema schema, JsonNode value) {
        return schema.validate(value).stream().map(Error::toString).toList();
    }

    private static String escape(String pointerToken) {
        return pointerToken.replace("~", "~0").replace("/", "~1");
    }

    private void endJob(String jobId) throws Exception {
        Instant now = Instant.now();
        JobResult result = new JobResult(jobId, JobClass.LIGHT, JobStatus.SUCCEEDED, "light", "worker-1",
                now.minusSeconds(1), now.minusMillis(500), now.minusMillis(40), now, 40, null, null, 1);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.JOBS_RESULTS.name(), jobId, Topics.JOBS_RESULTS.valueSerde()
                    .serializer().serialize(Topics.JOBS_RESULTS.name(), result))).get(10, TimeUnit.SECONDS);
        }
    }

    private HttpRequest.Builder post(String body) {
        return request("/jobs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static InputStream resource() {
        return OpenApiContractTest.class.getClassLoader().getResourceAsStream(DOCUMENT);
    }

    private static JsonNode readDocument() {
        try (InputStream document = resource()) {
            return YAMLMapper.builder().build().readTree(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
