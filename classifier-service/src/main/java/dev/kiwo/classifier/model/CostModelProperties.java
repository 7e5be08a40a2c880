package dev.kiwo.classifier.model;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code kiwo.classifier.model.*}: how the cost model learns, when its predictions are trusted, and how often the
 * learner publishes it. Defaults in application.yaml; docs/configuration.md describes each.
 *
 * @param minSamples             results learned before a prediction is trusted
 * @param quantile               which quantile of the prediction errors is added to the linear prediction
 * @param forgettingFactor       weight kept by past results at each new one, in (0, 1]
 * @param maxSaneMs              a prediction above this is garbage, not a very heavy job
 * @param maxRecentRelativeError above this running mean of recent relative errors no prediction is trusted
 * @param publishInterval        how often the learner writes the model to {@code jobs.routing.model}, when it
 *                               learned something since
 */
@ConfigurationProperties("kiwo.classifier.model")
public record CostModelProperties(long minSamples, double quantile, double forgettingFactor, double maxSaneMs,
                                  double maxRecentRelativeError, Duration publishInterval) {

    public CostModelProperties {
        if (publishInterval == null || publishInterval.isNegative() || publishInterval.isZero()) {
            throw new IllegalArgumentException("kiwo.classifier.model.publish-interval must be positive, was "
                    + publishInterval);
        }
        // the rest is checked by the settings, with the same names
        settings(minSamples, quantile, forgettingFactor, maxSaneMs, maxRecentRelativeError);
    }

    /** The model's settings: these values, and the defaults of {@link CostModelSettings#defaults()} for the rest. */
    public CostModelSettings settings() {
        return settings(minSamples, quantile, forgettingFactor, maxSaneMs, maxRecentRelativeError);
    }

    private static CostModelSettings settings(long minSamples, double quantile, double forgettingFactor,
                                              double maxSaneMs, double maxRecentRelativeError) {
        CostModelSettings defaults = CostModelSettings.defaults();
        return new CostModelSettings(forgettingFactor, defaults.initialCovariance(), defaults.maxCovarianceTrace(),
                Math.min(defaults.residualWarmup(), Math.max(0, minSamples - 1)), minSamples, quantile,
                defaults.compression(), maxSaneMs, maxRecentRelativeError);
    }
}
