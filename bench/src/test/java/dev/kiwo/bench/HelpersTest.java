package dev.kiwo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class HelpersTest {

    @Test
    void countsTheCpusOfATasksetList() {
        assertThat(Cpus.count("0")).isEqualTo(1);
        assertThat(Cpus.count("0,1")).isEqualTo(2);
        assertThat(Cpus.count("0-3")).isEqualTo(4);
        assertThat(Cpus.count("0,2-3")).isEqualTo(3);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(StartupExperiment.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(StartupExperiment.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(StartupExperiment.median(new double[0])).isNaN();
    }

    @Test
    void thePipeRoutesLikeTheClassifierRule() {
        assertThat(ClassifierExperiment.classify(job(49.9, 199, 49))).isEqualTo(JobClass.LIGHT);
        assertThat(ClassifierExperiment.classify(job(50, 0, 0))).isEqualTo(JobClass.HEAVY);
        assertThat(ClassifierExperiment.classify(job(1, 200, 0))).isEqualTo(JobClass.HEAVY);
        assertThat(ClassifierExperiment.classify(job(1, 0, 50))).isEqualTo(JobClass.HEAVY);
    }

    @Test
    void theIngestRecordSizeIsThatOfALightJobAsJson() {
        assertThat(IngestExperiment.recordSize()).isBetween(120, 300);
    }

    private static Job job(double mb, int pages, int images) {
        return new Job(UUID.randomUUID().toString(), "doc.pdf", mb, pages, images, Instant.now());
    }
}
