package dev.kiwo.classifier.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HeavyJobRuleTest {

    private static final HeavyJobRule RULE = new HeavyJobRule(new Thresholds(50, 200, 50));

    @ParameterizedTest(name = "{0} MB, {1} pages, {2} images -> {3} by {4} ({5})")
    @CsvSource(delimiter = '|', textBlock = """
            0       | 0          | 0          | LIGHT | none       | below all thresholds
            49.99   | 199        | 49         | LIGHT | none       | below all thresholds
            50      | 0          | 0          | HEAVY | fileSizeMb | fileSizeMb>=50
            0       | 200        | 0          | HEAVY | pageCount  | pageCount>=200
            0       | 0          | 50         | HEAVY | imageCount | imageCount>=50
            0       | 200        | 50         | HEAVY | several    | pageCount>=200,imageCount>=50
            50      | 200        | 50         | HEAVY | several    | fileSizeMb>=50,pageCount>=200,imageCount>=50
            1e300   | 0          | 0          | HEAVY | fileSizeMb | fileSizeMb>=50
            0       | 2147483647 | 2147483647 | HEAVY | several    | pageCount>=200,imageCount>=50
            """)
    void classifiesByTheInclusiveThresholds(double fileSizeMb, int pageCount, int imageCount, JobClass expectedClass,
                                            String expectedRule, String expectedReason) {
        Classification decision = RULE.classify(job(fileSizeMb, pageCount, imageCount));

        assertThat(decision).isEqualTo(new Classification(expectedClass, expectedRule, expectedReason));
    }

    @Test
    void appliesCustomThresholdsAndNamesThemInTheReason() {
        HeavyJobRule strict = new HeavyJobRule(new Thresholds(2.5, 10, 3));

        assertThat(new Classification[] {
                strict.classify(job(2.49, 9, 2)),
                strict.classify(job(2.5, 0, 0)),
                strict.classify(job(0, 10, 3))})
                .containsExactly(
                        new Classification(JobClass.LIGHT, "none", "below all thresholds"),
                        new Classification(JobClass.HEAVY, "fileSizeMb", "fileSizeMb>=2.5"),
                        new Classification(JobClass.HEAVY, "several", "pageCount>=10,imageCount>=3"));
    }

    @Test
    void rejectsAThresholdThatWouldMakeEveryJobHeavy() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Thresholds(50, 0, 50))
                .withMessageContaining("page-count");
    }

    private static Job job(double fileSizeMb, int pageCount, int imageCount) {
        return new Job(UUID.randomUUID().toString(), "scan", fileSizeMb, pageCount, imageCount, Instant.EPOCH);
    }
}
