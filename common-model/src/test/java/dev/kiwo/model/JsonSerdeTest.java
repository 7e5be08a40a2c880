package dev.kiwo.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {

    private static final String ID = "3f1c2a52-8f0e-4f4a-9a53-6f1f0c2b7d11";

    private static Job job() {
        return new Job(ID, "report.pdf", 120.5, 10, 3, Instant.parse("2026-01-02T03:04:05.678Z"));
    }

    private static Job read(String json) {
        return Topics.JOBS_IN.valueSerde().deserializer()
                .deserialize("jobs.in", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void roundTripsEveryContractRecord() {
        Job job = job();
        ClassifiedJob classified = new ClassifiedJob(job, JobClass.HEAVY, "fileSizeMb>=50", Instant.now());
        JobResult result = new JobResult(ID, JobClass.HEAVY, JobStatus.SUCCEEDED, "heavy", "pod-1",
                job.submittedAt(), classified.classifiedAt(), Instant.now(), Instant.now(), 1200, null, null, 1);

        assertThat(roundTrip(Topics.JOBS_IN, job)).isEqualTo(job);
        assertThat(roundTrip(Topics.JOBS_HEAVY, classified)).isEqualTo(classified);
        assertThat(roundTrip(Topics.JOBS_RESULTS, result)).isEqualTo(result);
    }

    @Test
    void writesInstantsAsIsoStrings() {
        String json = new String(Topics.JOBS_IN.valueSerde().serializer().serialize("jobs.in", job()),
                StandardCharsets.UTF_8);

        assertThat(json).contains("\"submittedAt\":\"2026-01-02T03:04:05.678Z\"").doesNotContain("simulate");
    }

    @Test
    void ignoresUnknownFieldsSoNewerProducersDoNotBreakOlderConsumers() {
        Job job = read("{\"jobId\":\"" + ID + "\",\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":3,"
                + "\"submittedAt\":\"2026-01-02T03:04:05Z\",\"addedLater\":{\"x\":1}}");

        assertThat(job.pageCount()).isEqualTo(2);
        assertThat(job.name()).isNull();
    }

    @Test
    void carriesTheTenantAndReadsRecordsWrittenBeforeItWithoutOne() {
        Job job = new Job(ID, null, 1, 2, 3, Instant.parse("2026-01-02T03:04:05Z"), null, null, "acme",
                "0123456789abcdef");
        JobResult result = new JobResult(ID, JobClass.LIGHT, JobStatus.SUCCEEDED, "light", "pod-1",
                job.submittedAt(), job.submittedAt(), job.submittedAt(), job.submittedAt(), 0, null, null, 1, "acme");

        assertThat(roundTrip(Topics.JOBS_IN, job)).isEqualTo(job);
        assertThat(roundTrip(Topics.JOBS_RESULTS, result).tenant()).isEqualTo("acme");
        Job older = read("{\"jobId\":\"" + ID + "\",\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":3,"
                + "\"submittedAt\":\"2026-01-02T03:04:05Z\"}");
        assertThat(older.tenant()).isNull();
        assertThat(older.requestFingerprint()).isNull();
        JobResult olderResult = Topics.JOBS_RESULTS.valueSerde().deserializer().deserialize("jobs.results",
                ("{\"jobId\":\"" + ID + "\",\"jobClass\":\"LIGHT\",\"status\":\"SUCCEEDED\",\"processingMs\":5}")
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(olderResult.tenant()).isNull();
    }

    @Test
    void rejectsRecordsThatBreakTheContract() {
        assertThatThrownBy(() -> read("not json")).isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> read("{\"jobId\":\"" + ID + "\",\"fileSizeMb\":1,\"imageCount\":3,"
                + "\"submittedAt\":\"2026-01-02T03:04:05Z\"}"))
                .isInstanceOf(SerializationException.class).hasMessageContaining("pageCount");
        assertThatThrownBy(() -> read("{\"jobId\":\"" + ID + "\",\"fileSizeMb\":-1,\"pageCount\":2,"
                + "\"imageCount\":3,\"submittedAt\":\"2026-01-02T03:04:05Z\"}"))
                .isInstanceOf(SerializationException.class).hasMessageContaining("fileSizeMb");
        assertThatThrownBy(() -> read("{\"jobId\":\"not-a-uuid\",\"fileSizeMb\":1,\"pageCount\":2,"
                + "\"imageCount\":3,\"submittedAt\":\"2026-01-02T03:04:05Z\"}"))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void carriesASimulatedFailureWhenThereIsOne() {
        Job job = read("{\"jobId\":\"" + ID + "\",\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":3,"
                + "\"submittedAt\":\"2026-01-02T03:04:05Z\",\"simulate\":{\"failures\":2}}");

        assertThat(job.simulate().failsAttempt(1)).isTrue();
        assertThat(job.simulate().failsAttempt(2)).isTrue();
        assertThat(job.simulate().failsAttempt(3)).isFalse();
        assertThat(new Simulation(null, true).failsAttempt(99)).isTrue();
        assertThat(job().simulate()).isNull();
        assertThat(roundTrip(Topics.JOBS_IN, job)).isEqualTo(job);
        assertThatThrownBy(() -> new Simulation(-1, null)).hasMessageContaining("simulate.failures");
    }

    @Test
    void constructorEnforcesTheContract() {
        Instant now = Instant.now();
        String id = UUID.randomUUID().toString();
        assertThatThrownBy(() -> new Job(id, null, Double.NaN, 0, 0, now)).hasMessageContaining("fileSizeMb");
        assertThatThrownBy(() -> new Job(id, null, 0, -1, 0, now)).hasMessageContaining("pageCount");
        assertThatThrownBy(() -> new Job(id, null, 0, 0, -1, now)).hasMessageContaining("imageCount");
        assertThatThrownBy(() -> new Job(id, "x".repeat(257), 0, 0, 0, now)).hasMessageContaining("name");
        assertThat(new Job(id, "x".repeat(256), 0, 0, 0, now).name()).hasSize(256);
    }

    private static <V> V roundTrip(Topic<String, V> topic, V value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        return topic.valueSerde().deserializer().deserialize(topic.name(), bytes);
    }
}
