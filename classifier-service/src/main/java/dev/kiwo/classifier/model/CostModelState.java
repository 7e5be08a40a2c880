package dev.kiwo.classifier.model;

import java.util.List;

/**
 * Everything {@link CostModel} has learned, in a form that serializes to JSON and back without loss, so that it can
 * be kept in a compacted topic and shared by every classifier instance. Lists rather than arrays keep equality by
 * value; doubles survive JSON exactly because Jackson writes their shortest round-trip form.
 *
 * @param version        format version, {@value #CURRENT_VERSION} today
 * @param coefficients   intercept, then ms per MB, ms per page and ms per image
 * @param covariance     the recursive least squares covariance, {@value CostModel#FEATURES} rows of as many columns
 * @param samples        results learned
 * @param residualDigest the t-digest of prediction errors (ms) in its byte encoding, Base64
 * @param recentRelativeError the running mean of recent relative errors, see {@link CostModel#recentRelativeError()}
 */
public record CostModelState(int version, List<Double> coefficients, List<List<Double>> covariance, long samples,
                             String residualDigest, double recentRelativeError) {

    public static final int CURRENT_VERSION = 1;

    public CostModelState {
        coefficients = List.copyOf(coefficients);
        covariance = covariance.stream().map(List::copyOf).toList();
    }
}
