package dev.kiwo.worker.processing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.Job;
import dev.kiwo.worker.config.WorkerProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CostModelTest {

    private static final WorkerProperties.Cost DEFAULTS = new WorkerProperties.Cost(1.0, 20, 5, 20, Duration.ofSeconds(30));

    private static Job job(double fileSizeMb, int pageCount, int imageCount) {
        return new Job(UUID.randomUUID().toString(), "test", fileSizeMb, pageCount, imageCount, Instant.now());
    }

    private static long costMs(WorkerProperties.Cost cost, Job job) {
        return new CostModel(cost).costMs(job);
    }

    @Test
    void chargesMillisecondsPerMegabyte() {
        assertThat(costMs(DEFAULTS, job(50, 0, 0))).isEqualTo(1000);
        assertThat(costMs(DEFAULTS, job(0.5, 0, 0))).isEqualTo(10);
    }

    @Test
    void chargesMillisecondsPerPage() {
        assertThat(costMs(DEFAULTS, job(0, 200, 0))).isEqualTo(1000);
    }

    @Test
    void chargesMillisecondsPerImage() {
        assertThat(costMs(DEFAULTS, job(0, 0, 50))).isEqualTo(1000);
    }

    @Test
    void addsTheCostsOfSizePagesAndImages() {
        assertThat(costMs(DEFAULTS, job(1, 3, 0))).isEqualTo(35);
        assertThat(costMs(DEFAULTS, job(2, 10, 4))).isEqualTo(40 + 50 + 80);
    }

    @Test
    void usesTheConfiguredCoefficients() {
        WorkerProperties.Cost cost = new WorkerProperties.Cost(1.0, 1, 2, 3, Duration.ofSeconds(30));
        assertThat(costMs(cost, job(10, 10, 10))).isEqualTo(10 + 20 + 30);
    }

    @Test
    void multipliesByTheScale() {
        WorkerProperties.Cost half = new WorkerProperties.Cost(0.5, 20, 5, 20, Duration.ofSeconds(30));
        assertThat(costMs(half, job(50, 200, 50))).isEqualTo(1500);
        WorkerProperties.Cost tenfold = new WorkerProperties.Cost(10, 20, 5, 20, Duration.ofSeconds(30));
        assertThat(costMs(tenfold, job(1, 3, 0))).isEqualTo(350);
    }

    @Test
    void capsTheCostAtTheMaximum() {
        assertThat(costMs(DEFAULTS, job(1_000_000, 0, 0))).isEqualTo(30_000);
        assertThat(costMs(DEFAULTS, job(Double.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE))).isEqualTo(30_000);
        WorkerProperties.Cost smallCap = new WorkerProperties.Cost(1.0, 20, 5, 20, Duration.ofMillis(100));
        assertThat(costMs(smallCap, job(50, 0, 0))).isEqualTo(100);
    }

    @Test
    void costsNothingForAnEmptyJobOrAZeroScale() {
        assertThat(costMs(DEFAULTS, job(0, 0, 0))).isZero();
        WorkerProperties.Cost free = new WorkerProperties.Cost(0, 20, 5, 20, Duration.ofSeconds(30));
        assertThat(costMs(free, job(50, 200, 50))).isZero();
    }
}
