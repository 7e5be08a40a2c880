package dev.kiwo.classifier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiwo.classifier.model.CostModel.Fallback;
import dev.kiwo.classifier.model.CostModel.Rejection;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobErrorCode;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CostModelTest {

    private static final CostModelSettings DEFAULTS = CostModelSettings.defaults();

    @Test
    void convergesToTheWorkersCostFunction() {
        CostModel model = new CostModel(DEFAULTS);
        WorkerCosts costs = new WorkerCosts(13);

        costs.train(model, 200);
        double[] after200 = model.coefficients();
        double meanAfter200 = model.predictMean(49, 199, 49);
        costs.train(model, 800);
        double[] after1000 = model.coefficients();
        double meanAfter1000 = model.predictMean(49, 199, 49);

        // Over seeds 1 to 30 the worst slope was 5.9 % off after 200 results and 2.1 % after 1,000; the worst mean
        // prediction of the 49 MB / 199 pages / 49 images job 1.3 % and 0.5 % off. Bounds leave room above those.
        assertSlopesWithin(after200, 0.08);
        assertSlopesWithin(after1000, 0.03);
        double truth = WorkerCosts.trueCost(49, 199, 49);
        assertThat(meanAfter200).isCloseTo(truth, within(0.02 * truth));
        assertThat(meanAfter1000).isCloseTo(truth, within(0.01 * truth));
        assertThat(after1000[0]).as("intercept").isCloseTo(0, within(30.0));
        assertThat(model.covarianceResets()).isZero();
    }

    @Test
    void predictsTheExpensiveLightLookingJobAboveTheBudget() {
        CostModel model = new CostModel(DEFAULTS);
        new WorkerCosts(7).train(model, 300);

        // 49 MB, 199 pages, 49 images: below every rule threshold, yet about 2,955 ms of work.
        double predicted = model.predictHighQuantile(WorkerCosts.job(49, 199, 49)).orElseThrow();

        assertThat(predicted).isGreaterThanOrEqualTo(1_000);
        assertThat(predicted).as("the high quantile lies above the mean").isGreaterThan(model.predictMean(49, 199, 49));
        assertThat(predicted).isCloseTo(WorkerCosts.trueCost(49, 199, 49), within(400.0));
    }

    @Test
    void theHighQuantileCoversTheConfiguredShareOfResults() {
        CostModel model = new CostModel(DEFAULTS);
        WorkerCosts costs = new WorkerCosts(21);
        costs.train(model, 1_000);

        int covered = 0;
        int total = 2_000;
        for (int i = 0; i < total; i++) {
            Job job = costs.nextJob();
            if (costs.measure(job) <= model.predictHighQuantile(job).orElseThrow()) {
                covered++;
            }
        }

        // The errors are not identically distributed (noise grows with cost): coverage is about 90 %, not exactly.
        assertThat(covered / (double) total).isBetween(0.85, 0.95);
    }

    @Test
    void rejectsGarbageObservationsWithAReasonAndLearnsNothingFromThem() {
        CostModel model = new CostModel(DEFAULTS);
        new WorkerCosts(3).train(model, 100);
        double[] before = model.coefficients();

        assertThat(model.observe(10, 10, 10, Double.NaN)).contains(Rejection.NOT_FINITE);
        assertThat(model.observe(10, 10, 10, Double.POSITIVE_INFINITY)).contains(Rejection.NOT_FINITE);
        assertThat(model.observe(10, 10, 10, -1)).contains(Rejection.NEGATIVE);
        assertThat(model.observe(Double.NaN, 10, 10, 100)).contains(Rejection.BAD_FEATURES);
        assertThat(model.observe(10, -1, 10, 100)).contains(Rejection.BAD_FEATURES);
        assertThat(model.observe(WorkerCosts.job(10, 10, 10), result(JobStatus.FAILED, 5)))
                .contains(Rejection.NOT_SUCCEEDED);

        assertThat(model.samples()).isEqualTo(100);
        assertThat(model.coefficients()).containsExactly(before);
        assertThat(model.rejections()).containsEntry(Rejection.NOT_FINITE, 2L).containsEntry(Rejection.NEGATIVE, 1L)
                .containsEntry(Rejection.BAD_FEATURES, 2L).containsEntry(Rejection.NOT_SUCCEEDED, 1L);
        assertThat(model.observe(WorkerCosts.job(10, 10, 10), result(JobStatus.SUCCEEDED, 450))).isEmpty();
        assertThat(model.samples()).isEqualTo(101);
    }

    @Test
    void fallsBackUntilTheMinimumNumberOfResults() {
        CostModel model = new CostModel(DEFAULTS);
        WorkerCosts costs = new WorkerCosts(5);
        Job job = WorkerCosts.job(49, 199, 49);

        costs.train(model, (int) DEFAULTS.minSamples() - 1);
        assertThat(model.predictHighQuantile(job)).isEmpty();
        assertThat(model.fallbacks()).containsEntry(Fallback.TOO_FEW_SAMPLES, 1L);

        costs.train(model, 1);
        assertThat(model.predictHighQuantile(job)).isPresent();
        assertThat(model.fallbacks()).containsEntry(Fallback.TOO_FEW_SAMPLES, 1L);
    }

    @Test
    void fallsBackOnAPredictionAboveTheSaneMaximum() {
        CostModelSettings settings = new CostModelSettings(0.999, 1e6, 1e12, 50, 200, 0.9, 100, 2_000, 0.5);
        CostModel model = new CostModel(settings);
        new WorkerCosts(8).train(model, 200);

        assertThat(model.predictHighQuantile(WorkerCosts.job(49, 199, 49))).isEmpty();
        assertThat(model.predictHighQuantile(WorkerCosts.job(1, 1, 1))).isPresent();
        assertThat(model.fallbacks()).containsEntry(Fallback.ABOVE_MAX, 1L);
    }

    @Test
    void fallsBackOnANegativeOrNonFinitePrediction() {
        CostModel model = new CostModel(DEFAULTS);
        // A cost that falls with size: the fit extrapolates below zero for a large file.
        for (int i = 0; i < 200; i++) {
            double mb = i % 50;
            model.observe(mb, 0, 0, 1_000 - 15 * mb);
        }

        assertThat(model.predictHighQuantile(WorkerCosts.job(200, 0, 0))).isEmpty();
        assertThat(model.predictHighQuantile(Double.NaN, 0, 0)).isEmpty();
        assertThat(model.predictHighQuantile(WorkerCosts.job(10, 0, 0))).isPresent();
        assertThat(model.fallbacks()).containsEntry(Fallback.NEGATIVE, 1L).containsEntry(Fallback.NOT_FINITE, 1L);
    }

    @Test
    void distrustsAModelWhoseRecentPredictionsAreWildlyOffUntilItRelearns() {
        CostModel model = new CostModel(DEFAULTS);
        WorkerCosts costs = new WorkerCosts(13);
        costs.train(model, 400);
        Job job = WorkerCosts.job(20, 50, 10);
        assertThat(model.recentRelativeError()).isLessThan(0.1);
        assertThat(model.predict(job).trusted()).isTrue();

        // The workers suddenly take five times as long: predictions are wildly off for a while.
        int steps = 0;
        while (model.predict(job).trusted() && steps < 50) {
            Job next = costs.nextJob();
            model.observe(next.fileSizeMb(), next.pageCount(), next.imageCount(), 5 * costs.measure(next));
            steps++;
        }
        assertThat(model.predict(job).fallback()).isEqualTo(Fallback.INACCURATE);
        assertThat(steps).as("results until distrusted").isLessThan(50);

        int relearning = 0;
        while (!model.predict(job).trusted() && relearning < 1_000) {
            Job next = costs.nextJob();
            model.observe(next.fileSizeMb(), next.pageCount(), next.imageCount(), 5 * costs.measure(next));
            relearning++;
        }
        // Trusted again once its recent errors are back under the limit (50 %), which RLS reaches well before it
        // has fully relearned: with the default forgetting it remembers about a thousand results.
        assertThat(model.predict(job).trusted()).as("trusted again after " + relearning + " results").isTrue();
        assertThat(model.recentRelativeError()).isLessThanOrEqualTo(DEFAULTS.maxRecentRelativeError());
        assertThat(CostModel.fromState(DEFAULTS, model.state()).recentRelativeError())
                .isEqualTo(model.recentRelativeError());
    }

    @Test
    void resetsACovarianceThatIsNotPositiveDefiniteAndStillConverges() {
        CostModel trained = new CostModel(DEFAULTS);
        new WorkerCosts(11).train(trained, 10);
        CostModelState state = trained.state();
        List<List<Double>> broken = List.of(
                List.of(-1.0, 0.0, 0.0, 0.0), List.of(0.0, 1.0, 0.0, 0.0),
                List.of(0.0, 0.0, 1.0, 0.0), List.of(0.0, 0.0, 0.0, 1.0));
        CostModel model = CostModel.fromState(DEFAULTS, new CostModelState(state.version(), state.coefficients(),
                broken, state.samples(), state.residualDigest(), state.recentRelativeError()));

        new WorkerCosts(12).train(model, 500);

        assertThat(model.covarianceResets()).isGreaterThanOrEqualTo(1);
        assertSlopesWithin(model.coefficients(), 0.05);
    }

    private static void assertSlopesWithin(double[] coefficients, double relative) {
        assertThat(coefficients[1]).as("ms per MB")
                .isCloseTo(WorkerCosts.MS_PER_MB, within(relative * WorkerCosts.MS_PER_MB));
        assertThat(coefficients[2]).as("ms per page")
                .isCloseTo(WorkerCosts.MS_PER_PAGE, within(relative * WorkerCosts.MS_PER_PAGE));
        assertThat(coefficients[3]).as("ms per image")
                .isCloseTo(WorkerCosts.MS_PER_IMAGE, within(relative * WorkerCosts.MS_PER_IMAGE));
    }

    private static JobResult result(JobStatus status, long processingMs) {
        Instant at = Instant.EPOCH;
        return new JobResult("00000000-0000-0000-0000-000000000001", JobClass.LIGHT, status, "light", "worker-1", at,
                at, at, at, processingMs, status == JobStatus.SUCCEEDED ? null : "boom",
                status == JobStatus.SUCCEEDED ? null : JobErrorCode.PROCESSING_FAILED, 1);
    }
}
