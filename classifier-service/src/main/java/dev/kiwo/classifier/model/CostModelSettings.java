package dev.kiwo.classifier.model;

/**
 * How {@link CostModel} learns and when its predictions are trusted.
 *
 * @param forgettingFactor  weight kept by past results at each new one, in (0, 1]; 0.999 remembers about the last
 *                          thousand results, so the model follows workers that get slower or faster
 * @param initialCovariance diagonal of the covariance at start and after a reset; large means "know nothing yet"
 * @param maxCovarianceTrace above this trace the covariance has wound up (forgetting without new information) and
 *                          is reset, before it overflows
 * @param residualWarmup    results learned before errors enter the quantile sketch, so that the errors of the
 *                          untrained model do not widen the quantile for good
 * @param minSamples        results learned before a prediction is trusted at all
 * @param quantile          which quantile of the errors is added to the prediction, in (0, 1)
 * @param compression       t-digest compression: higher is more accurate and larger
 * @param maxSaneMs         a high-quantile prediction above this is treated as garbage, not as a very heavy job
 * @param maxRecentRelativeError above this running mean of recent relative errors no prediction is trusted: the
 *                          model is wildly off (the workers changed, or it learned from garbage) until it relearns
 */
public record CostModelSettings(double forgettingFactor, double initialCovariance, double maxCovarianceTrace,
                                long residualWarmup, long minSamples, double quantile, double compression,
                                double maxSaneMs, double maxRecentRelativeError) {

    public CostModelSettings {
        if (!(forgettingFactor > 0 && forgettingFactor <= 1)) {
            throw new IllegalArgumentException("forgettingFactor must be in (0, 1], was " + forgettingFactor);
        }
        if (!Double.isFinite(initialCovariance) || initialCovariance <= 0) {
            throw new IllegalArgumentException("initialCovariance must be a finite number > 0, was "
                    + initialCovariance);
        }
        if (!Double.isFinite(maxCovarianceTrace) || maxCovarianceTrace < CostModel.FEATURES * initialCovariance) {
            throw new IllegalArgumentException("maxCovarianceTrace must be finite and at least "
                    + CostModel.FEATURES + " * initialCovariance, was " + maxCovarianceTrace);
        }
        if (residualWarmup < 0) {
            throw new IllegalArgumentException("residualWarmup must be >= 0, was " + residualWarmup);
        }
        if (minSamples <= residualWarmup) {
            throw new IllegalArgumentException("minSamples must be > residualWarmup (" + residualWarmup + "), was "
                    + minSamples);
        }
        if (!(quantile > 0 && quantile < 1)) {
            throw new IllegalArgumentException("quantile must be in (0, 1), was " + quantile);
        }
        if (!Double.isFinite(compression) || compression < 20) {
            throw new IllegalArgumentException("compression must be a finite number >= 20, was " + compression);
        }
        if (!Double.isFinite(maxSaneMs) || maxSaneMs <= 0) {
            throw new IllegalArgumentException("maxSaneMs must be a finite number > 0, was " + maxSaneMs);
        }
        if (!Double.isFinite(maxRecentRelativeError) || maxRecentRelativeError <= 0) {
            throw new IllegalArgumentException("maxRecentRelativeError must be a finite number > 0, was "
                    + maxRecentRelativeError);
        }
    }

    /** Settings that suit kiwo's workers: costs from milliseconds to about a minute. */
    public static CostModelSettings defaults() {
        return new CostModelSettings(0.999, 1e6, 1e12, 50, 200, 0.9, 100, 600_000, 0.5);
    }
}
