package dev.kiwo.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.kiwo.api.ApiProperties;
import dev.kiwo.api.security.ApiSecurityConfiguration;
import dev.kiwo.api.security.Tenant;
import dev.kiwo.api.status.JobStatusService;
import dev.kiwo.api.web.CorrelationId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.web.context.request.async.WebAsyncUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@WebMvcTest(JobBatchController.class)
@Import({JobRequestReader.class, ApiSecurityConfiguration.class})
class JobBatchControllerTest {

    private static final String GOOD = "{\"fileSizeMb\":1.5,\"pageCount\":3,\"imageCount\":1}";
    private static final int MAX_LINES = 1000;
    private static final int MAX_BYTES = 1024 * 1024;
    private static final JsonMapper JSON = JsonMapper.shared();

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

    /** The status side has its own tests on a real broker; here no idempotency key was used before. */
    @MockitoBean
    JobStatusService status;

    @BeforeEach
    void resetPublisher() {
        publisher.reset();
        when(status.submission(any())).thenReturn(CompletableFuture.completedFuture(Optional.empty()));
    }

    @Test
    void answersEveryLineInOrderAndPublishesTheGoodOnes() throws Exception {
        String batch = String.join("\n",
                GOOD,                                                              // 1: accepted
                "{\"fileSizeMb\":-1,\"pageCount\":2.5,\"imageCount\":1}",          // 2: two bad fields
                "{\"name\":\"second\",\"fileSizeMb\":0,\"pageCount\":0,\"imageCount\":0}", // 3: accepted
                "not json",                                                        // 4: malformed
                "[" + GOOD + "]") + "\n";                                          // 5: not an object

        List<JsonNode> answer = answer(postBatch(batch).andExpect(status().isOk())
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_NDJSON_VALUE)));

        assertThat(answer).extracting(line -> line.get("line").asInt()).containsExactly(1, 2, 3, 4, 5);
        assertThat(answer).extracting(line -> line.get("status").asString())
                .containsExactly("ACCEPTED", "400", "ACCEPTED", "400", "400");
        assertThat(answer.get(1).get("errors").toString()).isEqualTo(
                "[{\"field\":\"fileSizeMb\",\"message\":\"must be >= 0, was -1\"},"
                        + "{\"field\":\"pageCount\",\"message\":\"must be an integer, was 2.5\"}]");
        assertThat(answer.get(3).get("errors").get(0).get("message").asString()).startsWith("malformed JSON");
        assertThat(answer.get(4).get("errors").get(0).get("message").asString())
                .isEqualTo("must be a JSON object, was array");
        assertThat(publisher.published()).extracting(published -> published.job().jobId())
                .containsExactly(answer.get(0).get("jobId").asString(), answer.get(2).get("jobId").asString());
        assertThat(publisher.published().get(1).job().name()).isEqualTo("second");
    }

    @Test
    void answersABlankLineAsRejectedAndTakesCrLfAndAMissingFinalLineBreak() throws Exception {
        List<JsonNode> answer = answer(postBatch(GOOD + "\r\n\r\n   \n" + GOOD).andExpect(status().isOk()));

        assertThat(answer).extracting(JsonNode::toString).containsExactly(
                answer.get(0).toString(),
                "{\"line\":2,\"status\":400,\"errors\":[{\"field\":\"body\",\"message\":\"must not be empty\"}]}",
                "{\"line\":3,\"status\":400,\"errors\":[{\"field\":\"body\",\"message\":\"must not be empty\"}]}",
                answer.get(3).toString());
        assertThat(answer).extracting(line -> line.path("status").asString())
                .containsExactly("ACCEPTED", "400", "400", "ACCEPTED");
        assertThat(publisher.published()).hasSize(2);
    }

    @Test
    void answersABatchOfOnlyBadLinesWithoutPublishing() throws Exception {
        List<JsonNode> answer = answer(postBatch("{}\n{\"pageCount\":\"3\"}\n").andExpect(status().isOk()));

        assertThat(answer).extracting(line -> line.get("status").asInt()).containsExactly(400, 400);
        assertThat(publisher.published()).isEmpty();
    }

    @Test
    void carriesTheDeadlineAndTheCorrelationIdOfTheBatch() throws Exception {
        perform(batchPost(GOOD.replace("}", ",\"deadlineSeconds\":600}") + "\n" + GOOD)
                .header(CorrelationId.HEADER, "batch-42"))
                .andExpect(status().isOk());

        assertThat(publisher.published()).extracting(published -> published.job().deadlineSeconds())
                .containsExactly(600, null);
        assertThat(publisher.published()).extracting(RecordingJobPublisher.Published::correlationId)
                .containsOnly("batch-42");
    }

    @Test
    void derivesEachLinesJobIdFromItsIdempotencyKeySoARetryYieldsTheSameJobIds() throws Exception {
        String batch = GOOD.replace("}", ",\"idempotencyKey\":\"order-1\"}") + "\n"
                + GOOD.replace("}", ",\"idempotencyKey\":\"order-2\"}") + "\n";

        List<JsonNode> first = answer(postBatch(batch).andExpect(status().isOk()));
        List<JsonNode> retry = answer(postBatch(batch).andExpect(status().isOk()));

        assertThat(first).extracting(line -> line.get("jobId").asString())
                .containsExactly(IdempotencyKey.jobId(Tenant.DEFAULT, "order-1"), IdempotencyKey.jobId(Tenant.DEFAULT, "order-2"));
        assertThat(retry).isEqualTo(first);
    }

    @Test
    void acceptsTheMaximumNumberOfLinesBeyondTheSingleJobSizeLimit() throws Exception {
        String batch = IntStream.range(0, MAX_LINES)
                .mapToObj(i -> GOOD.replace("{", "{\"name\":\"" + "x".repeat(64) + " job " + i + "\","))
                .collect(Collectors.joining("\n", "", "\n"));
        assertThat(batch.length()).as("larger than a single job's 64 KB").isGreaterThan(64 * 1024);

        List<JsonNode> answer = answer(postBatch(batch).andExpect(status().isOk()));

        assertThat(answer).hasSize(MAX_LINES).allSatisfy(line -> assertThat(line.get("status").asString())
                .isEqualTo("ACCEPTED"));
        assertThat(publisher.published()).hasSize(MAX_LINES);
        assertThat(publisher.published().get(MAX_LINES - 1).job().name()).endsWith(" job " + (MAX_LINES - 1));
    }

    @Test
    void rejectsOneLineMoreThanTheMaximumWith413() throws Exception {
        String batch = (GOOD + "\n").repeat(MAX_LINES) + GOOD;

        postBatch(batch)
                .andExpect(status().isPayloadTooLarge())
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_PROBLEM_JSON_VALUE))
                .andExpect(jsonPath("$.errors[0].field").value("body"))
                .andExpect(jsonPath("$.errors[0].message").value("must be at most 1000 lines"));

        assertThat(publisher.published()).isEmpty();
    }

    @Test
    void rejectsABatchOverTheBatchSizeLimitWith413() throws Exception {
        String batch = GOOD + " ".repeat(MAX_BYTES - GOOD.length() + 1);

        postBatch(batch)
                .andExpect(status().isPayloadTooLarge())
                .andExpect(jsonPath("$.errors[0].message").value("must be at most " + MAX_BYTES + " bytes"));

        assertThat(publisher.published()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", " \r\n\t\n"})
    void rejectsABlankBatchAsAWhole(String batch) throws Exception {
        postBatch(batch)
                .andExpect(status().isBadRequest())
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_PROBLEM_JSON_VALUE))
                .andExpect(jsonPath("$.errors[*].field").value(contains("body")))
                .andExpect(jsonPath("$.errors[0].message").value("must not be empty"));
    }

    @Test
    void rejectsAnIdempotencyKeyHeaderBecauseEachLineCarriesItsOwn() throws Exception {
        perform(batchPost(GOOD).header(IdempotencyKey.HEADER, "batch-key"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field").value(contains(IdempotencyKey.HEADER)));

        assertThat(publisher.published()).isEmpty();
    }

    @Test
    void rejectsABadCorrelationIdAsAWhole() throws Exception {
        perform(batchPost(GOOD).header(CorrelationId.HEADER, "has space"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field").value(contains(CorrelationId.HEADER)));
    }

    @Test
    void acceptsTheMediaTypeWithACharset() throws Exception {
        perform(post("/jobs").contentType("application/x-ndjson; charset=utf-8").content(GOOD))
                .andExpect(status().isOk());

        assertThat(publisher.published()).hasSize(1);
    }

    @Test
    void answersOnlyOnceKafkaAcknowledgedEveryJob() throws Exception {
        publisher.holdAcknowledgements();

        MvcResult pending = mvc.perform(batchPost(GOOD + "\n" + GOOD)).andReturn();

        assertThat(publisher.published()).hasSize(2);
        assertThat(pending.getRequest().isAsyncStarted()).as("request released while Kafka acknowledges").isTrue();
        assertThat(WebAsyncUtils.getAsyncManager(pending.getRequest()).hasConcurrentResult()).isFalse();
        publisher.acknowledge();
        mvc.perform(asyncDispatch(pending)).andExpect(status().isOk());
    }

    @Test
    void answers503SayingWhatWasSentAndStoredAndStopsSendingAfterAFailure() throws Exception {
        publisher.failAfter(2, new JobNotPublishedException("Kafka rejected the write", Duration.ofSeconds(3), null));
        String batch = (GOOD + "\n").repeat(5);

        postBatch(batch)
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "3"))
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_PROBLEM_JSON_VALUE))
                .andExpect(jsonPath("$.status").value(503))
                .andExpect(jsonPath("$.jobs").value(5))
                .andExpect(jsonPath("$.sent").value(3))
                .andExpect(jsonPath("$.acknowledged").value(2))
                .andExpect(jsonPath("$.reason").value("Kafka rejected the write"))
                .andExpect(jsonPath("$.correlationId").isString());

        assertThat(publisher.published()).hasSize(2);
    }

    @Test
    void answersAnUnexpectedPublishFailureWith500() throws Exception {
        publisher.failWith(new IllegalStateException("secret internals"));

        postBatch(GOOD)
                .andExpect(status().isInternalServerError())
                .andExpect(jsonPath("$.detail").value("Unexpected server error"));
    }

    private ResultActions postBatch(String batch) throws Exception {
        return perform(batchPost(batch));
    }

    /** Performs the request and, when the controller answered asynchronously, the dispatch that writes the answer. */
    private ResultActions perform(MockHttpServletRequestBuilder request) throws Exception {
        ResultActions actions = mvc.perform(request);
        MvcResult result = actions.andReturn();
        return result.getRequest().isAsyncStarted() ? mvc.perform(asyncDispatch(result)) : actions;
    }

    private static MockHttpServletRequestBuilder batchPost(String batch) {
        return post("/jobs").contentType(MediaType.APPLICATION_NDJSON).content(batch.getBytes(StandardCharsets.UTF_8));
    }

    private static List<JsonNode> answer(ResultActions actions) throws Exception {
        String body = actions.andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(body).endsWith("\n");
        return body.lines().map(JSON::readTree).toList();
    }
}
