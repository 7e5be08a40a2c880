package dev.kiwo.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.kiwo.api.ApiProperties;
import dev.kiwo.api.security.ApiSecurityConfiguration;
import dev.kiwo.api.security.Tenant;
import dev.kiwo.api.status.JobStatusService;
import dev.kiwo.api.status.Submission;
import dev.kiwo.api.web.CorrelationId;
import dev.kiwo.api.web.FieldProblem;
import dev.kiwo.model.Job;
import dev.kiwo.model.Simulation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.RequestBuilder;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.web.context.request.async.WebAsyncUtils;

@WebMvcTest(controllers = JobController.class, properties = "kiwo.api.allow-simulation=true")
@Import({JobRequestReader.class, ApiSecurityConfiguration.class})
class JobControllerTest {

    private static final String VALID = """
            {"name":"report","fileSizeMb":12.5,"pageCount":30,"imageCount":2}""";
    private static final int MAX_BODY = 64 * 1024;

    @TestConfiguration
    @EnableConfigurationProperties(ApiProperties.class)
    static class Doubles {
        @Bean
        RecordingJobPublisher recordingJobPublisher() {
            return new RecordingJobPublisher();
        }
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    RecordingJobPublisher publisher;

    @Autowired
    JobRequestReader reader;

    /** The status side has its own tests on a real broker; here it only has to exist. */
    @MockitoBean
    JobStatusService status;

    @BeforeEach
    void resetPublisher() {
        publisher.reset();
        when(status.submission(any())).thenReturn(CompletableFuture.completedFuture(Optional.empty()));
    }

    @Test
    void acceptsValidJobWith202LocationAndBody() throws Exception {
        String location = postJson(VALID.getBytes(StandardCharsets.UTF_8))
                .andExpect(status().isAccepted())
                .andExpect(header().string("Location", matchesPattern("/jobs/[0-9a-f-]{36}")))
                .andExpect(jsonPath("$.status").value("ACCEPTED"))
                .andExpect(jsonPath("$.jobId").isString())
                .andExpect(jsonPath("$.submittedAt", matchesPattern("\\d{4}-\\d\\d-\\d\\dT.*Z")))
                .andReturn().getResponse().getHeader("Location");

        assertThat(publisher.published()).singleElement().satisfies(published -> {
            Job job = published.job();
            assertThat(location).isEqualTo("/jobs/" + job.jobId());
            assertThat(UUID.fromString(job.jobId())).isNotNull();
            assertThat(job.name()).isEqualTo("report");
            assertThat(job.fileSizeMb()).isEqualTo(12.5);
            assertThat(job.pageCount()).isEqualTo(30);
            assertThat(job.imageCount()).isEqualTo(2);
            assertThat(job.submittedAt()).isBetween(Instant.now().minusSeconds(10), Instant.now());
        });
    }

    @Test
    void answersWithTheSubmittedAtAndJobIdThatWerePublished() throws Exception {
        String body = postJson(VALID.getBytes(StandardCharsets.UTF_8))
                .andExpect(status().isAccepted())
                .andReturn().getResponse().getContentAsString();

        Job job = publisher.published().get(0).job();
        assertThat(body).contains("\"jobId\":\"" + job.jobId() + "\"")
                .contains("\"submittedAt\":\"" + job.submittedAt() + "\"");
    }

    @Test
    void echoesClientCorrelationIdAndPublishesIt() throws Exception {
        perform(jsonPost(VALID.getBytes(StandardCharsets.UTF_8)).header(CorrelationId.HEADER, "order-42/abc"))
                .andExpect(status().isAccepted())
                .andExpect(header().string(CorrelationId.HEADER, "order-42/abc"));

        assertThat(publisher.published()).singleElement()
                .satisfies(published -> assertThat(published.correlationId()).isEqualTo("order-42/abc"));
    }

    @Test
    void generatesCorrelationIdWhenAbsent() throws Exception {
        String echoed = postJson(VALID.getBytes(StandardCharsets.UTF_8))
                .andExpect(status().isAccepted())
                .andReturn().getResponse().getHeader(CorrelationId.HEADER);

        assertThat(UUID.fromString(echoed)).isNotNull();
        assertThat(publisher.published().get(0).correlationId()).isEqualTo(echoed);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"fileSizeMb\":0,\"pageCount\":0,\"imageCount\":0}",
            "{\"name\":null,\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":1}",
            "{\"name\":\"\",\"fileSizeMb\":1e2,\"pageCount\":3.0,\"imageCount\":1E1}",
            "{\"fileSizeMb\":-0.0,\"pageCount\":2147483647,\"imageCount\":0}",
            "  {\"imageCount\":1,\"pageCount\":1,\"fileSizeMb\":1}  \n"})
    void acceptsBoundaryValuesAndOptionalName(String body) throws Exception {
        postJson(body.getBytes(StandardCharsets.UTF_8)).andExpect(status().isAccepted());

        assertThat(publisher.published()).hasSize(1);
    }

    @Test
    void acceptsNameOfExactlyMaxLength() throws Exception {
        postJson(withName("n".repeat(Job.MAX_NAME_LENGTH))).andExpect(status().isAccepted());

        assertThat(publisher.published().get(0).job().name()).hasSize(Job.MAX_NAME_LENGTH);
    }

    static Stream<Arguments> malformedBodies() {
        String nested = "[".repeat(10_000) + "]".repeat(10_000);
        return Stream.of(
                bad("missing fileSizeMb", "{\"pageCount\":1,\"imageCount\":1}", "fileSizeMb", "is required"),
                bad("missing pageCount", "{\"fileSizeMb\":1,\"imageCount\":1}", "pageCount", "is required"),
                bad("missing imageCount", "{\"fileSizeMb\":1,\"pageCount\":1}", "imageCount", "is required"),
                bad("null fileSizeMb", valid("fileSizeMb", "null"), "fileSizeMb", "must not be null"),
                bad("null pageCount", valid("pageCount", "null"), "pageCount", "must not be null"),
                bad("null imageCount", valid("imageCount", "null"), "imageCount", "must not be null"),
                bad("string fileSizeMb", valid("fileSizeMb", "\"12\""), "fileSizeMb", "must be a number, was string"),
                bad("string pageCount", valid("pageCount", "\"30\""), "pageCount", "must be an integer, was string"),
                bad("object fileSizeMb", valid("fileSizeMb", "{}"), "fileSizeMb", "was object"),
                bad("array imageCount", valid("imageCount", "[1]"), "imageCount", "was array"),
                bad("boolean fileSizeMb", valid("fileSizeMb", "true"), "fileSizeMb", "was boolean"),
                bad("NaN token fileSizeMb", valid("fileSizeMb", "NaN"), "fileSizeMb", "must be a finite number"),
                bad("Infinity token fileSizeMb", valid("fileSizeMb", "Infinity"), "fileSizeMb",
                        "must be a finite number"),
                bad("-Infinity token fileSizeMb", valid("fileSizeMb", "-Infinity"), "fileSizeMb",
                        "must be a finite number"),
                bad("NaN string fileSizeMb", valid("fileSizeMb", "\"NaN\""), "fileSizeMb", "must be a number"),
                bad("Infinity string fileSizeMb", valid("fileSizeMb", "\"Infinity\""), "fileSizeMb",
                        "must be a number"),
                bad("overflowing double fileSizeMb", valid("fileSizeMb", "1e400"), "fileSizeMb",
                        "must be a finite number"),
                bad("negative fileSizeMb", valid("fileSizeMb", "-0.5"), "fileSizeMb", "must be >= 0"),
                bad("negative pageCount", valid("pageCount", "-1"), "pageCount", "must be >= 0"),
                bad("negative imageCount", valid("imageCount", "-3"), "imageCount", "must be >= 0"),
                bad("fractional pageCount", valid("pageCount", "2.5"), "pageCount", "must be an integer"),
                bad("fractional imageCount", valid("imageCount", "0.1"), "imageCount", "must be an integer"),
                bad("NaN token pageCount", valid("pageCount", "NaN"), "pageCount", "must be an integer"),
                bad("1e20 pageCount", valid("pageCount", "1e20"), "pageCount", "must be at most 2147483647"),
                bad("int overflow imageCount", valid("imageCount", "2147483648"), "imageCount",
                        "must be at most 2147483647"),
                bad("huge integer pageCount", valid("pageCount", "9".repeat(40)), "pageCount",
                        "must be at most 2147483647"),
                bad("name too long", withName("x".repeat(Job.MAX_NAME_LENGTH + 1)), "name",
                        "must be at most 256 characters"),
                bad("number name", valid("name", "42"), "name", "must be a string, was number"),
                bad("object name", valid("name", "{\"a\":1}"), "name", "must be a string, was object"),
                bad("typo in field name", VALID.replace("}", ",\"imagecount\":1}"), "imagecount", "unknown field"),
                bad("client-chosen jobId", VALID.replace("{", "{\"jobId\":\"" + UUID.randomUUID() + "\","),
                        "jobId", "unknown field"),
                bad("truncated JSON", "{\"fileSizeMb\":1,", "body", "malformed JSON"),
                bad("unquoted property name", "{fileSizeMb:1,\"pageCount\":1,\"imageCount\":1}", "body",
                        "malformed JSON"),
                bad("single quotes", "{'fileSizeMb':1,'pageCount':1,'imageCount':1}", "body", "malformed JSON"),
                bad("comment", "/* c */" + VALID, "body", "malformed JSON"),
                bad("trailing garbage", VALID + " x", "body", "malformed JSON"),
                bad("two objects", VALID + VALID, "body", "malformed JSON"),
                bad("duplicate property", VALID.replace("}", ",\"pageCount\":7}"), "body", "Duplicate"),
                bad("empty body", "", "body", "must not be empty"),
                bad("whitespace body", "  \n ", "body", "must not be empty"),
                bad("JSON array", "[" + VALID + "]", "body", "must be a JSON object, was array"),
                bad("JSON string", "\"job\"", "body", "must be a JSON object, was string"),
                bad("JSON null", "null", "body", "must be a JSON object, was null"),
                bad("JSON number", "42", "body", "must be a JSON object, was number"),
                bad("deeply nested array", nested, "body", "malformed JSON"),
                bad("deeply nested unknown field", "{\"x\":" + nested + "}", "body", "malformed JSON"),
                bad("simulate not an object", withSimulate("2"), "simulate", "must be an object, was number"),
                bad("simulate empty", withSimulate("{}"), "simulate", "must contain failures or permanent"),
                bad("simulate both", withSimulate("{\"failures\":1,\"permanent\":true}"), "simulate",
                        "either failures or permanent, not both"),
                bad("simulate unknown sub-field", withSimulate("{\"failure\":1}"), "simulate.failure",
                        "unknown field; accepted fields are failures, permanent"),
                bad("simulate negative failures", withSimulate("{\"failures\":-1}"), "simulate.failures",
                        "must be an integer from 0 to 10, was -1"),
                bad("simulate too many failures", withSimulate("{\"failures\":11}"), "simulate.failures",
                        "must be an integer from 0 to 10, was 11"),
                bad("simulate fractional failures", withSimulate("{\"failures\":1.5}"), "simulate.failures",
                        "must be an integer, was 1.5"),
                bad("simulate string failures", withSimulate("{\"failures\":\"2\"}"), "simulate.failures",
                        "was string"),
                bad("simulate null failures", withSimulate("{\"failures\":null}"), "simulate.failures",
                        "must not be null"),
                bad("simulate permanent false", withSimulate("{\"permanent\":false}"), "simulate.permanent",
                        "must be true, was false"),
                bad("simulate permanent string", withSimulate("{\"permanent\":\"yes\"}"), "simulate.permanent",
                        "must be a boolean, was string"),
                bad("invalid UTF-8 in name", concat("{\"name\":\"", new byte[] {(byte) 0xff, (byte) 0xfe},
                        "\",\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":1}"), "body", "UTF-8"),
                bad("truncated UTF-8 sequence", concat("{\"name\":\"a", new byte[] {(byte) 0xc3},
                        "\",\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":1}"), "body", "UTF-8"),
                bad("overlong UTF-8 encoding of '/'", concat("{\"name\":\"", new byte[] {(byte) 0xc0, (byte) 0xaf},
                        "\",\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":1}"), "body", "UTF-8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedBodies")
    void rejectsMalformedBodyWithProblemNamingTheField(String label, byte[] body, String field, String message)
            throws Exception {
        postJson(body)
                .andExpect(status().isBadRequest())
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_PROBLEM_JSON_VALUE))
                .andExpect(jsonPath("$.status").value(400))
                .andExpect(jsonPath("$.title").value("Invalid job request"))
                .andExpect(jsonPath("$.instance").value("/jobs"))
                .andExpect(jsonPath("$.correlationId").isString())
                .andExpect(jsonPath("$.errors[?(@.field == '" + field + "')].message",
                        hasItem(containsString(message))));

        assertThat(publisher.published()).isEmpty();
    }

    static Stream<Arguments> simulations() {
        return Stream.of(
                Arguments.of("{\"failures\":0}", new Simulation(0, null)),
                Arguments.of("{\"failures\":2}", new Simulation(2, null)),
                Arguments.of("{\"failures\":10.0}", new Simulation(10, null)),
                Arguments.of("{\"permanent\":true}", new Simulation(null, true)),
                Arguments.of("null", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("simulations")
    void publishesTheRequestedSimulationWithTheJob(String simulate, Simulation expected) throws Exception {
        postJson(withSimulate(simulate)).andExpect(status().isAccepted());

        assertThat(publisher.published()).singleElement()
                .satisfies(published -> assertThat(published.job().simulate()).isEqualTo(expected));
    }

    @Test
    void publishesARealJobWithoutSimulation() throws Exception {
        postJson(VALID.getBytes(StandardCharsets.UTF_8)).andExpect(status().isAccepted());

        assertThat(publisher.published().get(0).job().simulate()).isNull();
    }

    @Test
    void namesEveryBadSimulationSubFieldInOneProblem() throws Exception {
        postJson(withSimulate("{\"failures\":99,\"permanent\":0,\"delay\":5}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field").value(Matchers.containsInAnyOrder(
                        "simulate.failures", "simulate.permanent", "simulate.delay")));

        assertThat(publisher.published()).isEmpty();
    }

    @Test
    void retryWithTheSameIdempotencyKeyGetsTheSameJobIdAndIsNotPublishedAgain() throws Exception {
        String first = postWithKey("order-42/attempt").andExpect(status().isAccepted())
                .andReturn().getResponse().getHeader("Location");
        Job published = publisher.published().get(0).job();
        when(status.submission(published.jobId())).thenReturn(CompletableFuture.completedFuture(
                Optional.of(new Submission(published.requestFingerprint(), published.submittedAt()))));
        String second = postWithKey("order-42/attempt").andExpect(status().isAccepted())
                .andExpect(jsonPath("$.submittedAt").value(published.submittedAt().toString()))
                .andReturn().getResponse().getHeader("Location");

        assertThat(second).isEqualTo(first);
        assertThat(publisher.published()).extracting(job -> job.job().jobId())
                .containsExactly(IdempotencyKey.jobId(Tenant.DEFAULT, "order-42/attempt"));
        assertThat(first).isEqualTo("/jobs/" + IdempotencyKey.jobId(Tenant.DEFAULT, "order-42/attempt"));
        assertThat(published.tenant()).isEqualTo(Tenant.DEFAULT);
        assertThat(published.requestFingerprint()).matches("[0-9a-f]{16}");
    }

    @Test
    void anIdempotencyKeyReusedForAnotherRequestIs422NamingTheKey() throws Exception {
        String jobId = IdempotencyKey.jobId(Tenant.DEFAULT, "order-43");
        when(status.submission(jobId)).thenReturn(CompletableFuture.completedFuture(
                Optional.of(new Submission("0123456789abcdef", Instant.now()))));

        postWithKey("order-43")
                .andExpect(status().isUnprocessableContent())
                .andExpect(header().string("Content-Type", "application/problem+json"))
                .andExpect(jsonPath("$.title").value("Idempotency key reused"))
                .andExpect(jsonPath("$.detail").value(containsString("'order-43'")))
                .andExpect(jsonPath("$.errors[0].field").value(IdempotencyKey.HEADER));

        assertThat(publisher.published()).isEmpty();
    }

    @Test
    void theFingerprintIgnoresTheKeyThePropertyOrderAndHowANumberIsWritten() {
        List<FieldProblem> problems = new ArrayList<>();
        JobRequest one = reader.read("{\"fileSizeMb\":1,\"pageCount\":3,\"imageCount\":0,\"idempotencyKey\":\"a\"}"
                .getBytes(StandardCharsets.UTF_8), problems);
        JobRequest same = reader.read("{\"imageCount\":0,\"pageCount\":3.0,\"fileSizeMb\":1.0,\"name\":null}"
                .getBytes(StandardCharsets.UTF_8), problems);
        JobRequest other = reader.read("{\"fileSizeMb\":1,\"pageCount\":3,\"imageCount\":0,\"name\":\"x\"}"
                .getBytes(StandardCharsets.UTF_8), problems);

        assertThat(problems).isEmpty();
        assertThat(same.requestFingerprint()).isEqualTo(one.requestFingerprint());
        assertThat(other.requestFingerprint()).isNotEqualTo(one.requestFingerprint());
    }

    @Test
    void theJobIdOfAKeyDependsOnTheTenant() {
        assertThat(IdempotencyKey.jobId("acme", "order-1")).isNotEqualTo(IdempotencyKey.jobId("globex", "order-1"));
        // The line feed between tenant and key keeps the name unambiguous.
        assertThat(IdempotencyKey.jobId("a", "b-c")).isNotEqualTo(IdempotencyKey.jobId("a\nb", "c"));
    }

    @Test
    void derivesANameBasedUuidThatDiffersPerKey() {
        UUID one = UUID.fromString(IdempotencyKey.jobId(Tenant.DEFAULT, "key-1"));
        UUID two = UUID.fromString(IdempotencyKey.jobId(Tenant.DEFAULT, "key-2"));

        assertThat(one.version()).isEqualTo(5);
        assertThat(one.variant()).isEqualTo(2);
        assertThat(one).isNotEqualTo(two);
        assertThat(IdempotencyKey.jobId(Tenant.DEFAULT, "key-1")).isEqualTo(one.toString());
    }

    @Test
    void withoutIdempotencyKeyEverySubmissionGetsANewJobId() throws Exception {
        postJson(VALID.getBytes(StandardCharsets.UTF_8)).andExpect(status().isAccepted());
        postJson(VALID.getBytes(StandardCharsets.UTF_8)).andExpect(status().isAccepted());

        assertThat(publisher.published()).extracting(published -> published.job().jobId()).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @ValueSource(strings = {"has space", "tab\there", "caf\u00e9", ""})
    void rejectsIdempotencyKeyThatIsNotVisibleAscii(String value) throws Exception {
        postWithKey(value)
                .andExpect(status().isBadRequest())
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_PROBLEM_JSON_VALUE))
                .andExpect(jsonPath("$.errors[0].field").value(IdempotencyKey.HEADER))
                .andExpect(jsonPath("$.errors[0].message").value("must be 1 to 128 visible ASCII characters"));

        assertThat(publisher.published()).isEmpty();
    }

    @Test
    void acceptsIdempotencyKeyOf128CharactersAndRejects129() throws Exception {
        postWithKey("k".repeat(128)).andExpect(status().isAccepted());
        postWithKey("k".repeat(129))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value(IdempotencyKey.HEADER));

        assertThat(publisher.published()).hasSize(1);
    }

    @Test
    void namesEveryBadFieldInOneProblem() throws Exception {
        String body = "{\"name\":7,\"fileSizeMb\":-1,\"pageCount\":2.5,\"imageCount\":\"x\",\"color\":\"red\"}";

        postJson(body.getBytes(StandardCharsets.UTF_8))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value("5 invalid fields"))
                .andExpect(jsonPath("$.errors", hasSize(5)))
                .andExpect(jsonPath("$.errors[*].field").value(
                        contains("name", "fileSizeMb", "pageCount", "imageCount", "color")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"has space", "tab\there", "caf\u00e9", ""})
    void rejectsCorrelationIdThatIsNotVisibleAscii(String value) throws Exception {
        perform(jsonPost(VALID.getBytes(StandardCharsets.UTF_8)).header(CorrelationId.HEADER, value))
                .andExpect(status().isBadRequest())
                .andExpect(header().string(CorrelationId.HEADER, matchesPattern("[0-9a-f-]{36}")))
                .andExpect(jsonPath("$.errors[0].field").value(CorrelationId.HEADER));

        assertThat(publisher.published()).isEmpty();
    }

    @Test
    void rejectsCorrelationIdLongerThan128Characters() throws Exception {
        perform(jsonPost(VALID.getBytes(StandardCharsets.UTF_8)).header(CorrelationId.HEADER, "a".repeat(129)))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value(CorrelationId.HEADER));
    }

    @Test
    void acceptsCorrelationIdOfExactly128Characters() throws Exception {
        String id = "a".repeat(128);
        perform(jsonPost(VALID.getBytes(StandardCharsets.UTF_8)).header(CorrelationId.HEADER, id))
                .andExpect(status().isAccepted())
                .andExpect(header().string(CorrelationId.HEADER, id));
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/xml", "application/x-www-form-urlencoded",
            "application/problem+json"})
    void rejectsWrongContentTypeWith415(String contentType) throws Exception {
        perform(post("/jobs").contentType(contentType).content(VALID))
                .andExpect(status().isUnsupportedMediaType())
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_PROBLEM_JSON_VALUE))
                .andExpect(jsonPath("$.status").value(415));
    }

    @Test
    void rejectsMissingContentTypeWith415() throws Exception {
        perform(post("/jobs").content(VALID))
                .andExpect(status().isUnsupportedMediaType())
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_PROBLEM_JSON_VALUE));
    }

    @Test
    void acceptsBodyOfExactlyTheMaximumSize() throws Exception {
        byte[] body = padded(MAX_BODY);

        postJson(body).andExpect(status().isAccepted());
    }

    @Test
    void rejectsBodyOneByteOverTheMaximumWith413() throws Exception {
        postJson(padded(MAX_BODY + 1))
                .andExpect(status().isPayloadTooLarge())
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_PROBLEM_JSON_VALUE))
                .andExpect(jsonPath("$.status").value(413))
                .andExpect(jsonPath("$.errors[0].field").value("body"));

        assertThat(publisher.published()).isEmpty();
    }

    @Test
    void rejectsHugeBodyWith413() throws Exception {
        postJson(padded(10 * MAX_BODY)).andExpect(status().isPayloadTooLarge());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH"})
    void rejectsOtherMethodsWith405(String method) throws Exception {
        MockHttpServletRequestBuilder request = request(HttpMethod.valueOf(method), "/jobs")
                .contentType(MediaType.APPLICATION_JSON).content(VALID);
        perform(request)
                .andExpect(status().isMethodNotAllowed())
                .andExpect(header().string("Allow", "POST"))
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_PROBLEM_JSON_VALUE))
                .andExpect(jsonPath("$.status").value(405));
    }

    @Test
    void answersUnknownPathWith404Problem() throws Exception {
        perform(get("/nope"))
                .andExpect(status().isNotFound())
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_PROBLEM_JSON_VALUE));
    }

    @Test
    void answers503WithRetryAfterWhenJobCannotBeStored() throws Exception {
        publisher.failWith(new JobNotPublishedException("no acknowledgement from Kafka within PT2S",
                Duration.ofSeconds(3), null));

        postJson(VALID.getBytes(StandardCharsets.UTF_8))
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "3"))
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_PROBLEM_JSON_VALUE))
                .andExpect(jsonPath("$.status").value(503))
                .andExpect(jsonPath("$.correlationId").isString());
    }

    @Test
    void answersUnexpectedFailureWith500ProblemWithoutInternals() throws Exception {
        publisher.failWith(new IllegalStateException("secret internals"));

        postJson(VALID.getBytes(StandardCharsets.UTF_8))
                .andExpect(status().isInternalServerError())
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_PROBLEM_JSON_VALUE))
                .andExpect(jsonPath("$.detail").value("Unexpected server error"));
    }

    @Test
    void answersOnlyOnceKafkaAcknowledgedTheJob() throws Exception {
        publisher.holdAcknowledgements();

        MvcResult pending = mvc.perform(jsonPost(VALID.getBytes(StandardCharsets.UTF_8))).andReturn();

        assertThat(pending.getRequest().isAsyncStarted()).as("request released while Kafka acknowledges").isTrue();
        assertThat(WebAsyncUtils.getAsyncManager(pending.getRequest()).hasConcurrentResult()).isFalse();
        publisher.acknowledge();
        mvc.perform(asyncDispatch(pending)).andExpect(status().isAccepted());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3600, JobRequest.MAX_DEADLINE_SECONDS})
    void publishesTheDeadline(int deadlineSeconds) throws Exception {
        postJson(withDeadline(Integer.toString(deadlineSeconds))).andExpect(status().isAccepted());

        Job job = publisher.published().get(0).job();
        assertThat(job.deadlineSeconds()).isEqualTo(deadlineSeconds);
        assertThat(job.deadline()).isEqualTo(job.submittedAt().plusSeconds(deadlineSeconds));
    }

    @Test
    void publishesNoDeadlineWhenAbsentOrNull() throws Exception {
        postJson(VALID.getBytes(StandardCharsets.UTF_8)).andExpect(status().isAccepted());
        postJson(withDeadline("null")).andExpect(status().isAccepted());

        assertThat(publisher.published()).extracting(published -> published.job().deadlineSeconds())
                .containsExactly(null, null);
    }

    static Stream<Arguments> badDeadlines() {
        return Stream.of(
                Arguments.of("0", "must be an integer from 1 to 86400, was 0"),
                Arguments.of("-5", "must be an integer from 1 to 86400, was -5"),
                Arguments.of("86401", "must be an integer from 1 to 86400, was 86401"),
                Arguments.of("1e30", "must be an integer from 1 to 86400, was 1000000000000000019884624838656"),
                Arguments.of("2.5", "must be an integer, was 2.5"),
                Arguments.of("\"60\"", "must be an integer, was string"),
                Arguments.of("true", "must be an integer, was boolean"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDeadlines")
    void rejectsADeadlineThatIsNoWholeNumberOfSecondsUpToADay(String deadline, String message) throws Exception {
        postJson(withDeadline(deadline))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field").value(contains("deadlineSeconds")))
                .andExpect(jsonPath("$.errors[0].message").value(message));

        assertThat(publisher.published()).isEmpty();
    }

    @Test
    void derivesTheJobIdFromAnIdempotencyKeyPropertyLikeFromTheHeader() throws Exception {
        postJson(VALID.replace("}", ",\"idempotencyKey\":\"order-7\"}").getBytes(StandardCharsets.UTF_8))
                .andExpect(status().isAccepted())
                .andExpect(header().string("Location", "/jobs/" + IdempotencyKey.jobId(Tenant.DEFAULT, "order-7")));
    }

    @Test
    void rejectsAnIdempotencyKeyGivenAsPropertyAndHeader() throws Exception {
        perform(jsonPost(VALID.replace("}", ",\"idempotencyKey\":\"order-7\"}").getBytes(StandardCharsets.UTF_8))
                .header(IdempotencyKey.HEADER, "order-7"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field").value(contains("idempotencyKey")));

        assertThat(publisher.published()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"has space\"", "\"\"", "7"})
    void rejectsAnIdempotencyKeyPropertyThatIsNotVisibleAscii(String key) throws Exception {
        postJson(VALID.replace("}", ",\"idempotencyKey\":" + key + "}").getBytes(StandardCharsets.UTF_8))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field").value(contains("idempotencyKey")));
    }

    @Test
    void namesFieldsInTheOrderOfTheBodyAndMissingOnesLast() throws Exception {
        postJson("{\"imageCount\":-1,\"simulate\":{},\"name\":1}".getBytes(StandardCharsets.UTF_8))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field").value(
                        contains("imageCount", "simulate", "name", "fileSizeMb", "pageCount")));
    }

    private ResultActions postWithKey(String idempotencyKey) throws Exception {
        return perform(jsonPost(VALID.getBytes(StandardCharsets.UTF_8))
                .header(IdempotencyKey.HEADER, idempotencyKey));
    }

    private static byte[] withDeadline(String rawValue) {
        return VALID.replace("}", ",\"deadlineSeconds\":" + rawValue + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] withSimulate(String rawValue) {
        return VALID.replace("}", ",\"simulate\":" + rawValue + "}").getBytes(StandardCharsets.UTF_8);
    }

    private ResultActions postJson(byte[] body) throws Exception {
        return perform(jsonPost(body));
    }

    /** Performs the request and, when the controller answered asynchronously, the dispatch that writes the answer. */
    private ResultActions perform(RequestBuilder request) throws Exception {
        ResultActions actions = mvc.perform(request);
        MvcResult result = actions.andReturn();
        return result.getRequest().isAsyncStarted() ? mvc.perform(asyncDispatch(result)) : actions;
    }

    private static MockHttpServletRequestBuilder jsonPost(byte[] body) {
        return post("/jobs").contentType(MediaType.APPLICATION_JSON).content(body);
    }

    private static Arguments bad(String label, String body, String field, String message) {
        return Arguments.of(label, body.getBytes(StandardCharsets.UTF_8), field, message);
    }

    private static String valid(String field, String rawValue) {
        return VALID.replaceFirst("\"" + field + "\":(\"[^\"]*\"|[^,}]*)", "\"" + field + "\":"
                + Matcher.quoteReplacement(rawValue));
    }

    private static byte[] withName(String name) {
        return VALID.replace("\"report\"", "\"" + name + "\"").getBytes(StandardCharsets.UTF_8);
    }

    private static Arguments bad(String label, byte[] body, String field, String message) {
        return Arguments.of(label, body, field, message);
    }

    /** A valid job padded with trailing whitespace to exactly {@code size} bytes. */
    private static byte[] padded(int size) {
        byte[] json = VALID.getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(json, size);
        Arrays.fill(body, json.length, size, (byte) ' ');
        return body;
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] t = tail.getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(h, h.length + middle.length + t.length);
        System.arraycopy(middle, 0, all, h.length, middle.length);
        System.arraycopy(t, 0, all, h.length + middle.length, t.length);
        return all;
    }
}
