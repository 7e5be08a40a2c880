package dev.kiwo.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.DeadLetterHeaders;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobErrorCode;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Simulation;
import dev.kiwo.model.TopicLayout;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import dev.kiwo.worker.processing.SimulatedFailureException;
import dev.kiwo.worker.retry.Attempts;
import dev.kiwo.worker.retry.RetryTopicNames;
import dev.kiwo.worker.retry.UnprocessableRecordException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.KafkaHeaders;

class WorkerIntegrationTest extends BrokerBackedTest {

    private static final String FIRST_RETRY = RetryTopicNames.retryTopic(Topics.JOBS_LIGHT.name(), Duration.ofMillis(200));
    private static final String SECOND_RETRY = RetryTopicNames.retryTopic(Topics.JOBS_LIGHT.name(), Duration.ofMillis(400));

    @Test
    void publishesExactlyOneResultPerJobWithTheCorrelationId() {
        Map<String, ClassifiedJob> sent = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            ClassifiedJob job = classified(lightJob(), JobClass.LIGHT);
            sent.put(job.job().jobId(), job);
            send(null, job.job().jobId(), json(job), "corr-" + job.job().jobId());
        }

        Map<String, List<ConsumerRecord<String, JobResult>>> results =
                awaitRecords(Topics.JOBS_RESULTS.name(), Topics.JOBS_RESULTS.valueSerde().deserializer(), sent.keySet());

        sent.forEach((jobId, job) -> {
            assertThat(results.get(jobId)).hasSize(1);
            ConsumerRecord<String, JobResult> record = results.get(jobId).get(0);
            JobResult result = record.value();
            assertThat(record.key()).isEqualTo(jobId);
            assertThat(header(record, KiwoHeaders.CORRELATION_ID)).isEqualTo("corr-" + jobId);
            assertThat(result.jobId()).isEqualTo(jobId);
            assertThat(result.jobClass()).isEqualTo(JobClass.LIGHT);
            assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(result.pool()).isEqualTo("light");
            assertThat(result.instance()).isEqualTo("worker-core-test");
            assertThat(result.submittedAt()).isEqualTo(job.job().submittedAt());
            assertThat(result.classifiedAt()).isEqualTo(job.classifiedAt());
            assertThat(result.startedAt()).isAfterOrEqualTo(job.classifiedAt());
            assertThat(result.finishedAt()).isAfterOrEqualTo(result.startedAt());
            assertThat(result.processingMs())
                    .isEqualTo(Duration.between(result.startedAt(), result.finishedAt()).toMillis());
            assertThat(result.error()).isNull();
            assertThat(result.errorCode()).isNull();
            assertThat(result.attempts()).isEqualTo(1);
        });
        assertThat(meters.get("kiwo.worker.jobs").tags("pool", "light", "outcome", "succeeded").counter().count())
                .isGreaterThanOrEqualTo(sent.size());
        assertThat(meters.get("kiwo.worker.processing").tag("pool", "light").timer().count())
                .isGreaterThanOrEqualTo(sent.size());
        assertThat(meters.get("kiwo.worker.end.to.end").tag("class", "light").timer().count())
                .isGreaterThanOrEqualTo(sent.size());
    }

    @Test
    void continuesTheTraceOfTheJobRecordOnItsResult() throws Exception {
        ClassifiedJob job = classified(lightJob(), JobClass.LIGHT);
        String jobId = job.job().jobId();
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String parentSpanId = "00f067aa0ba902b7";
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.JOBS_LIGHT.name(), jobId, json(job));
        record.headers().add(KiwoHeaders.CORRELATION_ID, ("corr-" + jobId).getBytes(StandardCharsets.UTF_8));
        record.headers().add("traceparent",
                ("00-" + traceId + "-" + parentSpanId + "-01").getBytes(StandardCharsets.UTF_8));
        producer.send(record).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        ConsumerRecord<String, JobResult> result = single(awaitRecords(Topics.JOBS_RESULTS.name(),
                Topics.JOBS_RESULTS.valueSerde().deserializer(), List.of(jobId)), jobId);

        String traceparent = header(result, "traceparent");
        assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(traceparent.substring(3, 35)).isEqualTo(traceId);
        assertThat(traceparent.substring(36, 52)).isNotEqualTo(parentSpanId);
    }

    @Test
    void sendsUnreadableRecordsToTheDlqWithTheOriginalBytesAndKeepsProcessingTheRest() {
        String notJson = UUID.randomUUID().toString();
        String wrongSchema = UUID.randomUUID().toString();
        String brokenContract = UUID.randomUUID().toString();
        String noValue = UUID.randomUUID().toString();
        ClassifiedJob valid = classified(lightJob(), JobClass.LIGHT);
        String breaking = new String(json(valid), StandardCharsets.UTF_8).replace("\"pageCount\":3", "\"pageCount\":-1");
        Map<String, byte[]> bad = new HashMap<>();
        bad.put(notJson, "this is not json".getBytes(StandardCharsets.UTF_8));
        bad.put(wrongSchema, "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8));
        bad.put(brokenContract, breaking.replace(valid.job().jobId(), brokenContract).getBytes(StandardCharsets.UTF_8));
        List<String> good = new ArrayList<>();
        // One partition so that the good records come strictly after the bad ones.
        for (String key : List.of(notJson, wrongSchema, brokenContract)) {
            send(0, key, bad.get(key), "corr-" + key);
        }
        send(0, noValue, null, "corr-" + noValue);
        // A readable job under another key (a keyless record takes the same path): not the classifier's.
        String wrongKey = UUID.randomUUID().toString();
        ClassifiedJob misKeyed = classified(lightJob(), JobClass.LIGHT);
        send(0, wrongKey, json(misKeyed), "corr-" + wrongKey);
        for (int i = 0; i < 3; i++) {
            ClassifiedJob job = classified(lightJob(), JobClass.LIGHT);
            good.add(job.job().jobId());
            send(0, job.job().jobId(), json(job), "corr-" + job.job().jobId());
        }

        Map<String, List<ConsumerRecord<String, byte[]>>> dead = awaitRecords(Topics.JOBS_DLQ.name(),
                Serdes.ByteArray().deserializer(), List.of(notJson, wrongSchema, brokenContract, noValue, wrongKey));
        Map<String, List<ConsumerRecord<String, JobResult>>> results =
                awaitRecords(Topics.JOBS_RESULTS.name(), Topics.JOBS_RESULTS.valueSerde().deserializer(), good);

        bad.forEach((key, bytes) -> {
            assertThat(dead.get(key)).hasSize(1);
            ConsumerRecord<String, byte[]> record = dead.get(key).get(0);
            assertThat(record.value()).isEqualTo(bytes);
            assertThat(header(record, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(Topics.JOBS_LIGHT.name());
            assertThat(header(record, KafkaHeaders.DLT_EXCEPTION_FQCN)).endsWith("DeserializationException");
            assertThat(header(record, KafkaHeaders.DLT_EXCEPTION_MESSAGE)).isNotBlank();
            assertThat(header(record, KiwoHeaders.CORRELATION_ID)).isEqualTo("corr-" + key);
            assertThat(header(record, DeadLetterHeaders.ATTEMPTS)).isEqualTo("1");
            assertThat(header(record, DeadLetterHeaders.ERROR_CLASS)).endsWith("DeserializationException");
        });
        assertThat(header(dead.get(notJson).get(0), KafkaHeaders.DLT_EXCEPTION_STACKTRACE))
                .contains("Cannot read ClassifiedJob from jobs.light");
        assertThat(header(dead.get(wrongSchema).get(0), KafkaHeaders.DLT_EXCEPTION_STACKTRACE))
                .contains("job is required");
        assertThat(header(dead.get(brokenContract).get(0), KafkaHeaders.DLT_EXCEPTION_STACKTRACE))
                .contains("pageCount must be >= 0");
        ConsumerRecord<String, byte[]> tombstone = dead.get(noValue).get(0);
        assertThat(tombstone.value()).isNull();
        assertThat(header(tombstone, KafkaHeaders.DLT_EXCEPTION_CAUSE_FQCN))
                .isEqualTo(UnprocessableRecordException.class.getName());
        assertThat(header(tombstone, DeadLetterHeaders.ERROR_CLASS)).isEqualTo(UnprocessableRecordException.class.getName());
        ConsumerRecord<String, byte[]> misKeyedDead = dead.get(wrongKey).get(0);
        assertThat(misKeyedDead.value()).isEqualTo(json(misKeyed));
        assertThat(header(misKeyedDead, DeadLetterHeaders.ERROR_MESSAGE)).contains("expected its jobId");
        assertThat(readToEnd(Topics.JOBS_RESULTS.name(), "read_uncommitted")).doesNotContainKey(misKeyed.job().jobId());
        // Straight to the DLQ: no retry, no result.
        assertThat(readToEnd(FIRST_RETRY, "read_uncommitted").keySet()).doesNotContainAnyElementsOf(dead.keySet());
        assertThat(readToEnd(Topics.JOBS_RESULTS.name(), "read_uncommitted").keySet())
                .doesNotContainAnyElementsOf(dead.keySet());
        good.forEach(jobId -> assertThat(results.get(jobId)).hasSize(1));
        assertThat(meters.get("kiwo.worker.jobs").tags("pool", "light", "outcome", "dead_lettered").counter().count())
                .isGreaterThanOrEqualTo(5);
    }

    @Test
    void retriesAFailingJobThroughTheRetryTopicsUntilItSucceeds() {
        ClassifiedJob job = classified(lightJob(new Simulation(2, null)), JobClass.LIGHT);
        String jobId = job.job().jobId();
        send(null, jobId, json(job), "corr-" + jobId);

        ConsumerRecord<String, JobResult> result = single(
                awaitRecords(Topics.JOBS_RESULTS.name(), Topics.JOBS_RESULTS.valueSerde().deserializer(), List.of(jobId)),
                jobId);
        assertThat(result.value().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(result.value().error()).isNull();
        assertThat(result.value().attempts()).isEqualTo(3);
        assertThat(header(result, KiwoHeaders.CORRELATION_ID)).isEqualTo("corr-" + jobId);

        ConsumerRecord<String, ClassifiedJob> firstRetry = single(awaitRecords(FIRST_RETRY,
                Topics.JOBS_LIGHT.valueSerde().deserializer(), List.of(jobId)), jobId);
        ConsumerRecord<String, ClassifiedJob> secondRetry = single(awaitRecords(SECOND_RETRY,
                Topics.JOBS_LIGHT.valueSerde().deserializer(), List.of(jobId)), jobId);
        assertThat(Attempts.of(firstRetry)).isEqualTo(2);
        assertThat(Attempts.of(secondRetry)).isEqualTo(3);
        assertThat(firstRetry.value()).isEqualTo(job);
        assertThat(header(firstRetry, DeadLetterHeaders.ATTEMPTS)).isEqualTo("1");
        assertThat(header(secondRetry, DeadLetterHeaders.ATTEMPTS)).isEqualTo("2");
        assertThat(header(secondRetry, DeadLetterHeaders.ERROR_CLASS)).isEqualTo(SimulatedFailureException.class.getName());
        assertThat(header(secondRetry, DeadLetterHeaders.ERROR_MESSAGE)).contains("attempt 2");
        assertThat(header(secondRetry, KiwoHeaders.CORRELATION_ID)).isEqualTo("corr-" + jobId);
        // Everything committed so far: one result, no dead letter.
        assertThat(readToEnd(Topics.JOBS_RESULTS.name(), "read_committed").get(jobId)).hasSize(1);
        assertThat(readToEnd(Topics.JOBS_DLQ.name(), "read_committed")).doesNotContainKey(jobId);
    }

    @Test
    void deadLettersAPermanentlyFailingJobWithOneFailedResultAfterTheLastAttempt() throws Exception {
        ClassifiedJob job = classified(lightJob(new Simulation(null, true)), JobClass.LIGHT);
        String jobId = job.job().jobId();
        RecordMetadata sent = send(null, jobId, json(job), "corr-" + jobId);

        ConsumerRecord<String, byte[]> dead = single(
                awaitRecords(Topics.JOBS_DLQ.name(), Serdes.ByteArray().deserializer(), List.of(jobId)), jobId);
        ConsumerRecord<String, JobResult> result = single(
                awaitRecords(Topics.JOBS_RESULTS.name(), Topics.JOBS_RESULTS.valueSerde().deserializer(), List.of(jobId)),
                jobId);

        assertThat(Topics.JOBS_LIGHT.valueSerde().deserializer().deserialize(Topics.JOBS_LIGHT.name(), dead.value()))
                .isEqualTo(job);
        assertThat(header(dead, DeadLetterHeaders.ERROR_CLASS)).isEqualTo(SimulatedFailureException.class.getName());
        assertThat(header(dead, DeadLetterHeaders.ERROR_MESSAGE)).contains("attempt 3", jobId);
        assertThat(header(dead, DeadLetterHeaders.ATTEMPTS)).isEqualTo("3");
        assertThat(header(dead, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(Topics.JOBS_LIGHT.name());
        assertThat(header(dead, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo(Integer.toString(sent.partition()));
        assertThat(header(dead, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo(Long.toString(sent.offset()));
        assertThat(header(dead, DeadLetterHeaders.POOL)).isEqualTo("light");
        assertThat(Instant.parse(header(dead, DeadLetterHeaders.FAILED_AT))).isAfterOrEqualTo(job.classifiedAt());
        assertThat(header(dead, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(Topics.JOBS_LIGHT.name());
        assertThat(header(dead, KiwoHeaders.CORRELATION_ID)).isEqualTo("corr-" + jobId);

        assertThat(result.value().status()).isEqualTo(JobStatus.FAILED);
        assertThat(result.value().error()).startsWith(SimulatedFailureException.class.getName()).contains("attempt 3");
        assertThat(result.value().errorCode()).isEqualTo(JobErrorCode.PROCESSING_FAILED);
        assertThat(result.value().attempts()).isEqualTo(3);
        assertThat(result.value().pool()).isEqualTo("light");
        assertThat(header(result, KiwoHeaders.CORRELATION_ID)).isEqualTo("corr-" + jobId);

        assertThat(readToEnd(Topics.JOBS_RESULTS.name(), "read_committed").get(jobId)).hasSize(1);
        assertThat(readToEnd(Topics.JOBS_DLQ.name(), "read_committed").get(jobId)).hasSize(1);
        assertThat(meters.get("kiwo.worker.jobs").tags("pool", "light", "outcome", "failed").counter().count())
                .isGreaterThanOrEqualTo(1);
        assertThat(meters.get("kiwo.worker.jobs").tags("pool", "light", "outcome", "retried").counter().count())
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void hidesTheResultOfAnAbortedTransactionAndStillEndsWithExactlyOne() {
        ClassifiedJob job = classified(lightJob(), JobClass.LIGHT);
        String jobId = job.job().jobId();
        WorkerTestApplication.CRASH_BEFORE_COMMIT.add(jobId);
        send(null, jobId, json(job), "corr-" + jobId);

        ConsumerRecord<String, JobResult> result = single(
                awaitRecords(Topics.JOBS_RESULTS.name(), Topics.JOBS_RESULTS.valueSerde().deserializer(), List.of(jobId)),
                jobId);
        assertThat(result.value().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(WorkerTestApplication.CRASH_BEFORE_COMMIT).doesNotContain(jobId);
        // The aborted attempt did write its result, but only read_uncommitted consumers can see it.
        assertThat(readToEnd(Topics.JOBS_RESULTS.name(), "read_uncommitted").get(jobId)).hasSize(2);
        assertThat(readToEnd(Topics.JOBS_RESULTS.name(), "read_committed").get(jobId)).hasSize(1);
        assertThat(Attempts.of(single(awaitRecords(FIRST_RETRY, Topics.JOBS_LIGHT.valueSerde().deserializer(),
                List.of(jobId)), jobId))).isEqualTo(2);
    }

    @Test
    void neitherRetriesNorAddsAResultWhenTheContainerFailsAfterTheResultWasCommitted() {
        ClassifiedJob job = classified(lightJob(), JobClass.LIGHT);
        String jobId = job.job().jobId();
        // A pending wakeup aborts the container's own offset commit after the listener: the record "fails" after
        // its result and offset were committed in the result's transaction.
        WorkerTestApplication.WAKE_UP_CONSUMER.add(jobId);
        send(0, jobId, json(job), "corr-" + jobId);
        // Same partition, so the same consumer takes it only once the job's error handling is over.
        ClassifiedJob next = classified(lightJob(), JobClass.LIGHT);
        String nextId = next.job().jobId();
        send(0, nextId, json(next), "corr-" + nextId);

        Map<String, List<ConsumerRecord<String, JobResult>>> results = awaitRecords(Topics.JOBS_RESULTS.name(),
                Topics.JOBS_RESULTS.valueSerde().deserializer(), List.of(jobId, nextId));

        assertThat(WorkerTestApplication.WAKE_UP_CONSUMER).doesNotContain(jobId);
        assertThat(WorkerTestApplication.FIRST_FAILURE.get(jobId)).isInstanceOf(WakeupException.class);
        assertThat(results.get(jobId)).hasSize(1);
        assertThat(results.get(jobId).get(0).value().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(readToEnd(FIRST_RETRY, "read_uncommitted")).doesNotContainKey(jobId);
        assertThat(readToEnd(Topics.JOBS_DLQ.name(), "read_uncommitted")).doesNotContainKey(jobId);
        assertThat(readToEnd(Topics.JOBS_RESULTS.name(), "read_uncommitted").get(jobId)).hasSize(1);
    }

    @Test
    void declaresTheRetryTopicsWithThePartitionsOfTheirJobTopic() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaTestBroker.bootstrapServers()))) {
            Map<String, TopicDescription> topics = admin.describeTopics(
                    List.of(Topics.JOBS_LIGHT.name(), FIRST_RETRY, SECOND_RETRY, Topics.JOBS_DLQ.name()))
                    .allTopicNames().get();
            int light = topics.get(Topics.JOBS_LIGHT.name()).partitions().size();
            assertThat(topics.get(FIRST_RETRY).partitions()).hasSize(light);
            assertThat(topics.get(SECOND_RETRY).partitions()).hasSize(light);
            assertThat(topics.get(Topics.JOBS_DLQ.name()).partitions()).hasSize(TopicLayout.DEFAULTS.dlqPartitions());
        }
    }

}
