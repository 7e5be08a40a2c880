package dev.kiwo.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobErrorCode;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.JobStatusEvent;
import dev.kiwo.model.Topic;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API's answers quoted in the project's README (the 202 and the 400 of {@code POST /jobs}, a finished job's
 * status after {@code Prefer: wait}, an NDJSON batch, the events of a job that fails once, the 409 of cancelling an
 * ended job) and the 400 this module's README quotes, asked again of the running API (configured as local mode runs it) on a real broker and compared with
 * the quote field for field: status, the headers the quote shows (curl prints more: date, caching and security
 * headers), and every field of the body in the quote's order. The classifier's and the workers' records a quote
 * depends on are written straight to their topics, as those services write them, with the values the quote shows.
 *
 * <p>Volatile values are normalized on both sides before comparing: UUIDs (job ids, correlation ids) and ISO-8601
 * instants. Where the README trims a string with {@code …}, the answer's must start and end as the quote's does (the
 * answer's job id replaced by the quote's); where it trims an object ({@code ,…}), the answer must hold the fields
 * shown, in that order, and may hold more.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {"kiwo.api.auth.mode=none", "kiwo.api.allow-simulation=true"})
class ReadmeExamplesTest {

    private static final Path ROOT = Path.of(System.getProperty("kiwo.root.dir", ".."));
    private static final Path README = ROOT.resolve("README.md");
    private static final Path MODULE_README = ROOT.resolve("api-service/README.md");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TRIMMED = "…";
    private static final Pattern BLOCK = Pattern.compile("(?ms)^```(\\w*)\\n(.*?)^```$");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern INSTANT = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
    private static final Pattern CURL_HEADER = Pattern.compile("-H '([^:']+): ([^']*)'");
    private static final Pattern CURL_DATA = Pattern.compile("-d '([^']*)'");
    private static final Pattern CURL_URL = Pattern.compile("localhost:8080(/\\S*)");
    private static final Pattern EVENT = Pattern.compile("^event:(\\S+)\\s+id:(\\S+)\\s+data:(.*)$");

    private static KafkaProducer<String, byte[]> producer;

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        SharedBrokerProperties.register(registry);
    }

    @BeforeAll
    static void startProducer() {
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaTestBroker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stopProducer() {
        producer.close();
    }

    /** Each {@code curl -si -XPOST …/jobs} of the README with the answer quoted after it: the 202 and the 400. */
    @Test
    void postedJobsAreAnsweredAsQuoted() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        List<Block> blocks = blocks();
        for (int i = 0; i + 1 < blocks.size(); i++) {
            Block command = blocks.get(i);
            Block answer = blocks.get(i + 1);
            if (command.is("bash") && command.text().contains("curl -si -XPOST localhost:8080/jobs")
                    && answer.is("text") && answer.text().startsWith("HTTP/1.1 ")) {
                HttpResponse<String> response = send(command.text());
                assertAnswer(answer.text(), response, Map.of());
                statuses.add(response.statusCode());
            }
        }
        assertThat(statuses).as("the README's quoted POST answers").containsExactly(202, 400);
    }

    /** This module's README quotes the same 400 problem in its section on errors. */
    @Test
    void theModuleReadmesProblemIsTheAnswerToTheRejectedPost() throws Exception {
        List<Block> blocks = blocks();
        int rejected = indexOf(blocks, "text", "HTTP/1.1 400");
        Block example = blocks(MODULE_README).get(indexOf(blocks(MODULE_README), "json", "Invalid job request"));

        HttpResponse<String> response = send(blocks.get(rejected - 1).text());

        assertThat(response.statusCode()).isEqualTo(400);
        assertJson(MODULE_README.toString(), example.text(), response.body(), Map.of());
    }

    /** The README's job, submitted as quoted, then its {@code Prefer: wait} status once a worker finished it. */
    @Test
    void aFinishedJobIsShownAsQuoted() throws Exception {
        List<Block> blocks = blocks();
        int get = indexOf(blocks, "bash", "curl -si localhost:8080/jobs/");
        Block submit = blocks.get(indexOf(blocks, "bash", "curl -si -XPOST localhost:8080/jobs"));
        Block quoted = blocks.get(get + 1);
        String quotedJobId = jobIdIn(blocks.get(get).text());
        JsonNode shown = JSON.readTree(body(quoted.text()));
        HttpResponse<String> accepted = send(submit.text());
        assertThat(accepted.statusCode()).isEqualTo(202);
        String jobId = JSON.readTree(accepted.body()).get("jobId").stringValue();
        JobClass jobClass = JobClass.valueOf(shown.get("jobClass").stringValue());
        String pool = shown.get("pool").stringValue();
        int attempt = shown.get("attempt").intValue();
        Instant now = Instant.now();

        write(Topics.JOBS_STATUS, jobId, new JobStatusEvent(jobId, JobStatus.QUEUED, now, jobClass, null, null, null));
        write(Topics.JOBS_STATUS, jobId,
                new JobStatusEvent(jobId, JobStatus.RUNNING, now, jobClass, pool, attempt, null));
        write(Topics.JOBS_RESULTS, jobId, new JobResult(jobId, jobClass, JobStatus.valueOf(text(shown, "status")),
                pool, "worker-1", now, now, now, now, shown.get("processingMs").longValue(), null, null, attempt,
                null, 100L));
        HttpResponse<String> response = send(blocks.get(get).text().replace(quotedJobId, jobId));

        assertAnswer(quoted.text(), response, Map.of(jobId, quotedJobId));
    }

    /** The quoted NDJSON batch, answered line by line. */
    @Test
    void aBatchIsAnsweredAsQuoted() throws Exception {
        List<String> lines = blocks().get(indexOf(blocks(), "text", "$ cat jobs.ndjson")).text().lines().toList();
        int curl = indexOfLine(lines, "$ curl -s -XPOST localhost:8080/jobs");
        List<String> input = lines.subList(1, curl);
        List<String> quoted = lines.subList(curl + 1, lines.size());
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/jobs"))
                .header("Content-Type", "application/x-ndjson")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", input) + "\n"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        List<String> answered = response.body().lines().toList();
        assertThat(answered).as("answer lines").hasSize(quoted.size());
        for (int i = 0; i < quoted.size(); i++) {
            assertJson("line " + (i + 1), quoted.get(i), answered.get(i), Map.of());
        }
    }

    /**
     * The quoted event stream of a job that fails once: each record that makes the next event is written once the
     * stream sent the one before, so that none is folded into a later state.
     */
    @Test
    void aJobThatFailsOnceStreamsTheQuotedEvents() throws Exception {
        Block quoted = blocks().get(indexOf(blocks(), "text", "event:status"));
        List<Matcher> events = quoted.text().lines().map(EVENT::matcher).filter(Matcher::matches).toList();
        assertThat(events).as("quoted events").hasSizeGreaterThanOrEqualTo(3);
        String jobId = submit("{\"fileSizeMb\":2,\"pageCount\":3,\"imageCount\":0,\"simulate\":{\"failures\":1}}");
        BlockingQueue<Map<String, String>> received = new LinkedBlockingQueue<>();
        HttpResponse<Stream<String>> stream = http.send(HttpRequest.newBuilder(uri("/jobs/" + jobId + "/events"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> readEvents(stream.body(), received));
        try {
            JobClass jobClass = JobClass.LIGHT;
            String pool = "light";
            for (int i = 0; i < events.size(); i++) {
                Matcher event = events.get(i);
                JsonNode data = JSON.readTree(trimmedJson(event.group(3)));
                JobStatus status = JobStatus.valueOf(text(data, "status"));
                jobClass = data.has("jobClass") ? JobClass.valueOf(text(data, "jobClass")) : jobClass;
                pool = data.has("pool") ? text(data, "pool") : pool;
                if (i > 0) {
                    writeRecordOf(jobId, status, jobClass, pool, data);
                }
                Map<String, String> sent = received.poll(30, TimeUnit.SECONDS);
                assertThat(sent).as("event %s", event.group(2)).isNotNull();
                assertThat(sent.get("event")).as("event name").isEqualTo(event.group(1));
                assertThat(sent.get("id")).as("event id").isEqualTo(event.group(2));
                assertJson(event.group(2), event.group(3), sent.get("data"), Map.of());
            }
            reading.get(30, TimeUnit.SECONDS);
            assertThat(received).as("events after the last quoted one").isEmpty();
        } finally {
            stream.body().close();
        }
    }

    /** The quoted answer to cancelling a job that was already cancelled. */
    @Test
    void cancellingAnEndedJobIsAnsweredAsQuoted() throws Exception {
        List<String> lines = blocks().get(indexOf(blocks(), "text", "$ curl -s -XDELETE")).text().lines().toList();
        int delete = indexOfLine(lines, "$ curl -s -XDELETE localhost:8080/jobs/");
        String quotedJobId = jobIdIn(lines.get(delete));
        String quoted = lines.get(delete + 1);
        JsonNode shown = JSON.readTree(trimmedJson(quoted));
        String jobId = submit("{\"fileSizeMb\":120,\"pageCount\":10,\"imageCount\":3}");
        Instant now = Instant.now();
        write(Topics.JOBS_RESULTS, jobId, new JobResult(jobId, JobClass.HEAVY,
                JobStatus.valueOf(text(shown, "jobStatus")), "heavy", "worker-1", now, now, now, now, 3953,
                "Cancelled at " + now + ", during attempt 1", JobErrorCode.CANCELLED, 1, null));
        awaitStatus(jobId, text(shown, "jobStatus"));

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/jobs/" + jobId)).DELETE()
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(shown.get("status").intValue());
        assertJson("409", quoted, response.body(), Map.of(jobId, quotedJobId));
    }

    private void writeRecordOf(String jobId, JobStatus status, JobClass jobClass, String pool, JsonNode data)
            throws Exception {
        Integer attempt = data.has("attempt") ? data.get("attempt").intValue() : null;
        Instant now = Instant.now();
        switch (status) {
            case QUEUED -> write(Topics.JOBS_STATUS, jobId,
                    new JobStatusEvent(jobId, status, now, jobClass, null, null, null));
            case RUNNING -> write(Topics.JOBS_STATUS, jobId,
                    new JobStatusEvent(jobId, status, now, jobClass, pool, attempt, null));
            case RETRYING -> write(Topics.JOBS_STATUS, jobId, new JobStatusEvent(jobId, status, now, jobClass, pool,
                    attempt, untrimmed(text(data.get("error"), "message"))));
            case SUCCEEDED -> write(Topics.JOBS_RESULTS, jobId, new JobResult(jobId, jobClass, status, pool,
                    "worker-1", now, now, now, now, data.get("processingMs").longValue(), null, null, attempt, null,
                    100L));
            default -> throw new IllegalArgumentException("no record written for a quoted " + status);
        }
    }

    /** Server-sent events as maps of their fields; comments (heartbeats) are skipped. */
    private static void readEvents(Stream<String> lines, BlockingQueue<Map<String, String>> events) {
        Map<String, String> event = new LinkedHashMap<>();
        for (String line : (Iterable<String>) lines::iterator) {
            if (line.isEmpty()) {
                if (!event.isEmpty()) {
                    events.add(event);
                    event = new LinkedHashMap<>();
                }
            } else if (!line.startsWith(":")) {
                String[] field = line.split(":", 2);
                event.merge(field[0], field.length > 1 ? field[1] : "", (a, b) -> a + "\n" + b);
            }
        }
    }

    /** Sends the quoted curl command (POST with {@code -d}, else GET) to this API, with its headers. */
    private HttpResponse<String> send(String curl) throws Exception {
        String command = curl.replace("\\\n", " ");
        Matcher url = CURL_URL.matcher(command);
        assertThat(url.find()).as("a localhost:8080 URL in %s", command).isTrue();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(url.group(1))).timeout(Duration.ofSeconds(40));
        Matcher header = CURL_HEADER.matcher(command);
        while (header.find()) {
            request.header(header.group(1), header.group(2));
        }
        Matcher data = CURL_DATA.matcher(command);
        request = data.find() ? request.POST(HttpRequest.BodyPublishers.ofString(data.group(1))) : request.GET();
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Status line, each quoted header and the body; the answer's job ids become the quote's ({@code ids}). */
    private static void assertAnswer(String quoted, HttpResponse<String> response, Map<String, String> ids) {
        List<String> head = quoted.lines().takeWhile(line -> !line.isBlank()).toList();
        assertThat(head.get(0)).as("status line").isEqualTo("HTTP/1.1 " + response.statusCode());
        for (String line : head.subList(1, head.size())) {
            String[] header = line.split(": ", 2);
            assertThat(response.headers().firstValue(header[0]).map(value -> normalized(replaced(value, ids))))
                    .as("header %s", header[0]).hasValue(normalized(header[1]));
        }
        assertJson(head.get(0), body(quoted), response.body(), ids);
    }

    private static void assertJson(String what, String quoted, String answered, Map<String, String> ids) {
        assertMatches(what, JSON.readTree(trimmedJson(quoted)), JSON.readTree(replaced(answered, ids)));
    }

    private static void assertMatches(String path, JsonNode quoted, JsonNode answered) {
        assertThat(answered).as("%s in the answer", path).isNotNull();
        if (quoted.isObject()) {
            assertThat(answered.isObject()).as("%s is an object", path).isTrue();
            List<String> shown = quoted.propertyNames().stream().filter(name -> !name.equals(TRIMMED)).toList();
            List<String> fields = List.copyOf(answered.propertyNames());
            if (quoted.has(TRIMMED)) {
                assertThat(fields).as("fields of %s", path).containsSubsequence(shown);
            } else {
                assertThat(fields).as("fields of %s", path).containsExactlyElementsOf(shown);
            }
            shown.forEach(name -> assertMatches(path + "." + name, quoted.get(name), answered.get(name)));
        } else if (quoted.isArray()) {
            assertThat(answered.size()).as("size of %s", path).isEqualTo(quoted.size());
            for (int i = 0; i < quoted.size(); i++) {
                assertMatches(path + "[" + i + "]", quoted.get(i), answered.get(i));
            }
        } else if (quoted.isString() && quoted.stringValue().contains(TRIMMED)) {
            String[] ends = quoted.stringValue().split(TRIMMED, 2);
            assertThat(answered.stringValue()).as(path).startsWith(ends[0]).endsWith(ends[1]);
        } else if (quoted.isString()) {
            assertThat(answered.isString()).as("%s is a string", path).isTrue();
            assertThat(normalized(answered.stringValue())).as(path).isEqualTo(normalized(quoted.stringValue()));
        } else {
            assertThat(answered.toString()).as(path).isEqualTo(quoted.toString());
        }
    }

    /** A quoted object trimmed as {@code ,…}} made readable, the trim kept as a marker property. */
    private static String trimmedJson(String quoted) {
        return quoted.replace("," + TRIMMED + "}", ",\"" + TRIMMED + "\":true}");
    }

    private static String untrimmed(String quoted) {
        return quoted.replace(TRIMMED, "failed on purpose");
    }

    private static String normalized(String text) {
        return INSTANT.matcher(UUID.matcher(text).replaceAll("<uuid>")).replaceAll("<instant>");
    }

    private static String replaced(String text, Map<String, String> ids) {
        String result = text;
        for (Map.Entry<String, String> id : ids.entrySet()) {
            result = result.replace(id.getKey(), id.getValue());
        }
        return result;
    }

    private static String body(String quotedAnswer) {
        return quotedAnswer.split("\n\n", 2)[1];
    }

    private static String text(JsonNode node, String field) {
        return node.get(field).stringValue();
    }

    private static String jobIdIn(String text) {
        Matcher id = UUID.matcher(text);
        assertThat(id.find()).as("a job id in %s", text).isTrue();
        return id.group();
    }

    private String submit(String job) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(job))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return JSON.readTree(response.body()).get("jobId").stringValue();
    }

    private void awaitStatus(String jobId, String status) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/jobs/" + jobId))
                .header("Prefer", "wait=30").timeout(Duration.ofSeconds(40)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(text(JSON.readTree(response.body()), "status")).isEqualTo(status);
    }

    private <V> void write(Topic<String, V> topic, String jobId, V value) throws Exception {
        producer.send(new ProducerRecord<>(topic.name(), jobId,
                topic.valueSerde().serializer().serialize(topic.name(), value))).get(10, TimeUnit.SECONDS);
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static List<Block> blocks() throws IOException {
        return blocks(README);
    }

    private static List<Block> blocks(Path markdown) throws IOException {
        List<Block> blocks = new ArrayList<>();
        Matcher block = BLOCK.matcher(Files.readString(markdown));
        while (block.find()) {
            blocks.add(new Block(block.group(1), block.group(2)));
        }
        return blocks;
    }

    private static int indexOf(List<Block> blocks, String info, String content) {
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i).is(info) && blocks.get(i).text().contains(content)) {
                return i;
            }
        }
        throw new AssertionError("no " + info + " block with " + content);
    }

    private static int indexOfLine(List<String> lines, String start) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start)) {
                return i;
            }
        }
        throw new AssertionError("no line starting with " + start);
    }

    /** A fenced block of the README: its info string ({@code bash}, {@code text}) and its lines. */
    private record Block(String info, String text) {

        boolean is(String language) {
            return info.toLowerCase(Locale.ROOT).equals(language);
        }
    }
}
