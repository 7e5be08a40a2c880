package dev.kiwo.classifier.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

class DecisionRecorderTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DecisionRecorder recorder = new DecisionRecorder(registry);

    @Test
    void countsEachClassAndRuleOnce() {
        recorder.record(classified(JobClass.HEAVY), "pageCount", 1, "c1");
        recorder.record(classified(JobClass.HEAVY), "pageCount", 1, "c2");
        recorder.record(classified(JobClass.LIGHT), "none", 1, "c3");

        assertThat(count(JobClass.HEAVY, "pageCount")).isEqualTo(2.0);
        assertThat(count(JobClass.LIGHT, "none")).isEqualTo(1.0);
        assertThat(registry.find(DecisionRecorder.DECISIONS_METER).counters()).hasSize(2);
    }

    @Test
    void boundsTheRulesOfAClassWhenAModelPutsPerJobValuesIntoThem() {
        int distinct = DecisionRecorder.MAX_RULES_PER_CLASS + 10;
        for (int i = 0; i < distinct; i++) {
            recorder.record(classified(JobClass.HEAVY), "score=" + i, 1, "c" + i);
        }
        recorder.record(classified(JobClass.HEAVY), "score=0", 1, "again");

        assertThat(registry.find(DecisionRecorder.DECISIONS_METER).tag("class", "HEAVY").counters())
                .hasSize(DecisionRecorder.MAX_RULES_PER_CLASS + 1);
        assertThat(count(JobClass.HEAVY, DecisionRecorder.OTHER_RULE)).isEqualTo(10.0);
        assertThat(count(JobClass.HEAVY, "score=0")).isEqualTo(2.0);
        // the bound is per class: the other class still gets its own rules
        recorder.record(classified(JobClass.LIGHT), "none", 1, "light");
        assertThat(count(JobClass.LIGHT, "none")).isEqualTo(1.0);
    }

    @Test
    void tagsTheConfigVersionAndKeepsTheCountersOfTheLatestTwoVersionsOnly() {
        recorder.record(classified(JobClass.HEAVY), "pageCount", 1, "c1");
        recorder.record(classified(JobClass.HEAVY), "pageCount", 2, "c2");
        recorder.record(classified(JobClass.HEAVY), "pageCount", 3, "c3");
        // a thread still on version 1 counts under the oldest kept version
        recorder.record(classified(JobClass.HEAVY), "pageCount", 1, "c4");

        assertThat(registry.find(DecisionRecorder.DECISIONS_METER).counters())
                .extracting(c -> c.getId().getTag("config_version"), Counter::count)
                .containsExactlyInAnyOrder(org.assertj.core.api.Assertions.tuple("2", 2.0),
                        org.assertj.core.api.Assertions.tuple("3", 1.0));
        assertThat(recorder.decisions(JobClass.HEAVY)).isEqualTo(4);
    }

    @Test
    void sumsTheCountersOfAClassOverItsRules() {
        recorder.record(classified(JobClass.HEAVY), "pageCount", 1, "c1");
        recorder.record(classified(JobClass.HEAVY), "imageCount", 1, "c2");
        recorder.record(classified(JobClass.LIGHT), "none", 1, "c3");

        assertThat(recorder.decisions(JobClass.HEAVY)).isEqualTo(2);
        assertThat(recorder.decisions(JobClass.LIGHT)).isEqualTo(1);
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void takesOneSamplePerClassOnceArmedWhateverTheThreads(CapturedOutput output) throws InterruptedException {
        // Given: nothing is sampled before the routing log arms the samples
        recorder.record(classified(JobClass.HEAVY), "pageCount", 1, "before");
        recorder.armSamples();

        // When: four threads record 1,000 decisions of each class at once
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < 4; t++) {
            threads.execute(() -> {
                awaitQuietly(start);
                for (int i = 0; i < 250; i++) {
                    recorder.record(classified(JobClass.HEAVY), "pageCount", 1, "c");
                    recorder.record(classified(JobClass.LIGHT), "none", 1, "c");
                }
            });
        }
        start.countDown();
        threads.shutdown();
        assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        // Then
        assertThat(output.getOut().lines().filter(line -> line.contains("Sample decision: job ")))
                .satisfiesExactlyInAnyOrder(line -> assertThat(line).contains(" is HEAVY by rule pageCount "),
                        line -> assertThat(line).contains(" is LIGHT by rule none "));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private double count(JobClass jobClass, String rule) {
        Counter counter = registry.find(DecisionRecorder.DECISIONS_METER).tag("class", jobClass.name())
                .tag("rule", rule).counter();
        assertThat(counter).as("counter %s/%s", jobClass, rule).isNotNull();
        return counter.count();
    }

    private static ClassifiedJob classified(JobClass jobClass) {
        Job job = new Job(UUID.randomUUID().toString(), "doc.pdf", 1, 1, 1, Instant.EPOCH);
        return new ClassifiedJob(job, jobClass, "a reason", Instant.EPOCH);
    }
}
