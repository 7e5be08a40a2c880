package dev.kiwo.classifier.model;

import com.tdunning.math.stats.MergingDigest;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.LongAdder;

/**
 * A job's processing cost in ms, learned online from what the workers measure ({@link #cost(JobResult)}): a linear model
 * of an intercept, fileSizeMb, pageCount and imageCount, fitted by recursive least squares with a forgetting
 * factor, plus a t-digest of its errors so that it can predict a high quantile of the cost rather than the mean.
 * RLS converges in a few dozen results with four features, where SGD would need tuning per feature scale.
 * <p>
 * Numerically guarded: a covariance that loses positive definiteness or winds up is reset (what was learned in the
 * coefficients is kept), non-finite coefficients reset the whole fit, and garbage observations are rejected with a
 * reason. Thread-safe: all state is behind this instance's lock.
 */
public final class CostModel {

    /** Intercept, fileSizeMb, pageCount, imageCount. */
    public static final int FEATURES = 4;

    /** Why an observation was not learned from. */
    public enum Rejection {
        /** The job did not succeed, so its time says nothing about its cost. */
        NOT_SUCCEEDED,
        /** The measured cost is NaN or infinite. */
        NOT_FINITE,
        /** The measured cost is below zero. */
        NEGATIVE,
        /** A feature is NaN, infinite or negative. */
        BAD_FEATURES
    }

    /** Why {@link #predictHighQuantile} gave no prediction, so the caller falls back to the rule. */
    public enum Fallback {
        /** Fewer results learned than the configured minimum. */
        TOO_FEW_SAMPLES,
        /** The prediction is NaN or infinite. */
        NOT_FINITE,
        /** The prediction is below zero. */
        NEGATIVE,
        /** The prediction is above the configured sane maximum. */
        ABOVE_MAX,
        /** The recent predictions were wildly off the measured costs, so none is trusted until they improve. */
        INACCURATE
    }

    /**
     * A prediction, or why there is none to trust.
     *
     * @param highQuantileMs the predicted high quantile of the cost in ms; NaN when {@code fallback} is set
     * @param fallback       null when the prediction is to be trusted, else why not
     */
    public record Prediction(double highQuantileMs, Fallback fallback) {

        public boolean trusted() {
            return fallback == null;
        }
    }

    /**
     * Weight of the newest result in the running mean of relative errors: about the last twenty results count, so a
     * model gone wrong is caught within tens of results and trusted again as soon as it has relearned.
     */
    static final double RECENT_ERROR_WEIGHT = 0.05;
    /** Relative errors are taken against at least this cost, so that jitter on tiny jobs does not read as error. */
    static final double RELATIVE_ERROR_FLOOR_MS = 100;
    private static final int DIGEST_HEADER_BYTES = 32;
    private static final double MAX_DIGEST_COMPRESSION = 1_000;

    private final CostModelSettings settings;
    private final double[] theta = new double[FEATURES];
    private final double[][] covariance = new double[FEATURES][FEATURES];
    private MergingDigest residuals;
    private long samples;
    private double recentRelativeError;
    /** The configured quantile of the errors, computed once per change of the digest rather than per prediction. */
    private double errorQuantile = Double.NaN;
    private final Map<Rejection, LongAdder> rejections = counters(Rejection.class);
    private final Map<Fallback, LongAdder> fallbacks = counters(Fallback.class);
    private final LongAdder covarianceResets = new LongAdder();

    /** An untrained model. */
    public CostModel(CostModelSettings settings) {
        this.settings = settings;
        resetCovariance();
        this.residuals = new MergingDigest(settings.compression());
    }

    /**
     * A model that continues from a saved state.
     *
     * @throws IllegalArgumentException if the state is of another version, malformed or not finite
     */
    public static CostModel fromState(CostModelSettings settings, CostModelState state) {
        if (state.version() != CostModelState.CURRENT_VERSION) {
            throw new IllegalArgumentException("unsupported cost model state version " + state.version());
        }
        if (state.coefficients().size() != FEATURES || state.covariance().size() != FEATURES
                || state.covariance().stream().anyMatch(row -> row.size() != FEATURES)) {
            throw new IllegalArgumentException("cost model state must have " + FEATURES + " coefficients and a "
                    + FEATURES + "x" + FEATURES + " covariance");
        }
        if (state.samples() < 0) {
            throw new IllegalArgumentException("cost model state samples must be >= 0, was " + state.samples());
        }
        CostModel model = new CostModel(settings);
        for (int i = 0; i < FEATURES; i++) {
            model.theta[i] = finite(state.coefficients().get(i), "coefficient");
            for (int j = 0; j < FEATURES; j++) {
                model.covariance[i][j] = finite(state.covariance().get(i).get(j), "covariance");
            }
        }
        model.samples = state.samples();
        if (!(state.recentRelativeError() >= 0) || !Double.isFinite(state.recentRelativeError())) {
            throw new IllegalArgumentException("cost model state recentRelativeError must be a finite number >= 0, "
                    + "was " + state.recentRelativeError());
        }
        model.recentRelativeError = state.recentRelativeError();
        model.residuals = digest(state.residualDigest());
        return model;
    }

    /** Learns from a job's result; a result that is not a success is rejected, its time is not the job's cost. */
    public Optional<Rejection> observe(Job job, JobResult result) {
        if (result.status() != JobStatus.SUCCEEDED) {
            return reject(Rejection.NOT_SUCCEEDED);
        }
        return observe(job.fileSizeMb(), job.pageCount(), job.imageCount(), cost(result));
    }

    /**
     * What a succeeded job cost, in ms: its CPU time when the worker reports it. The wall time grows with everything
     * else the pool runs at the same moment (four consumers share one CPU in the light pool); the CPU time is what
     * the job itself costs. Wall time only from workers that do not report CPU time.
     */
    public static long cost(JobResult result) {
        return result.cpuMs() != null ? result.cpuMs() : result.processingMs();
    }

    /**
     * The error digest of a saved state; anything that does not decode is an IllegalArgumentException. The header
     * is checked before t-digest reads it: its compression sizes the arrays the decoder allocates, so a corrupt one
     * could ask for any amount of memory.
     */
    private static MergingDigest digest(String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            throw new IllegalArgumentException("cost model state has no residualDigest");
        }
        ByteBuffer bytes;
        try {
            bytes = ByteBuffer.wrap(Base64.getDecoder().decode(encoded));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cost model state residualDigest is not Base64", e);
        }
        // t-digest's verbose encoding: int 1, double min, double max, double compression, int n, n (weight, mean)
        int length = bytes.remaining();
        if (length < DIGEST_HEADER_BYTES || bytes.getInt(0) != 1
                || !(bytes.getDouble(20) >= 20 && bytes.getDouble(20) <= MAX_DIGEST_COMPRESSION)
                || (long) DIGEST_HEADER_BYTES + 16L * bytes.getInt(28) != length) {
            throw new IllegalArgumentException("cost model state residualDigest is not a t-digest of this model");
        }
        try {
            return MergingDigest.fromBytes(bytes);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cost model state residualDigest cannot be decoded: " + e, e);
        }
    }

    /** Learns that a job of these sizes cost {@code processingMs}; empty when learned, else why not. */
    public synchronized Optional<Rejection> observe(double fileSizeMb, double pageCount, double imageCount,
                                                    double processingMs) {
        double[] x = features(fileSizeMb, pageCount, imageCount);
        if (x == null) {
            return reject(Rejection.BAD_FEATURES);
        }
        if (!Double.isFinite(processingMs)) {
            return reject(Rejection.NOT_FINITE);
        }
        if (processingMs < 0) {
            return reject(Rejection.NEGATIVE);
        }
        // The a priori error is an honest one: the model has not seen this result yet.
        double error = processingMs - dot(theta, x);
        if (samples >= settings.residualWarmup()) {
            residuals.add(error);
            errorQuantile = Double.NaN;
            double relative = Math.abs(error) / Math.max(processingMs, RELATIVE_ERROR_FLOOR_MS);
            recentRelativeError += RECENT_ERROR_WEIGHT * (relative - recentRelativeError);
        }
        update(x, error);
        samples++;
        return Optional.empty();
    }

    /**
     * The predicted high quantile of the job's cost in ms: the linear prediction plus the configured quantile of
     * the errors. Empty when it is not to be trusted; {@link #fallbacks()} counts why.
     */
    public OptionalDouble predictHighQuantile(Job job) {
        return predictHighQuantile(job.fileSizeMb(), job.pageCount(), job.imageCount());
    }

    /** {@link #predictHighQuantile(Job)} from the sizes alone. */
    public OptionalDouble predictHighQuantile(double fileSizeMb, double pageCount, double imageCount) {
        Prediction prediction = predict(fileSizeMb, pageCount, imageCount);
        return prediction.trusted() ? OptionalDouble.of(prediction.highQuantileMs()) : OptionalDouble.empty();
    }

    /** The predicted high quantile of the job's cost, or why it is not to be trusted; {@link #fallbacks()} counts. */
    public Prediction predict(Job job) {
        return predict(job.fileSizeMb(), job.pageCount(), job.imageCount());
    }

    /** {@link #predict(Job)} from the sizes alone. */
    public synchronized Prediction predict(double fileSizeMb, double pageCount, double imageCount) {
        if (samples < settings.minSamples() || residuals.size() == 0) {
            return fallBack(Fallback.TOO_FEW_SAMPLES);
        }
        if (recentRelativeError > settings.maxRecentRelativeError()) {
            return fallBack(Fallback.INACCURATE);
        }
        double[] x = features(fileSizeMb, pageCount, imageCount);
        if (Double.isNaN(errorQuantile)) {
            errorQuantile = residuals.quantile(settings.quantile());
        }
        double prediction = x == null ? Double.NaN : dot(theta, x) + errorQuantile;
        if (!Double.isFinite(prediction)) {
            return fallBack(Fallback.NOT_FINITE);
        }
        if (prediction < 0) {
            return fallBack(Fallback.NEGATIVE);
        }
        if (prediction > settings.maxSaneMs()) {
            return fallBack(Fallback.ABOVE_MAX);
        }
        return new Prediction(prediction, null);
    }

    /** The linear (mean) prediction in ms, trusted or not; for tests and diagnostics. */
    public synchronized double predictMean(double fileSizeMb, double pageCount, double imageCount) {
        double[] x = features(fileSizeMb, pageCount, imageCount);
        return x == null ? Double.NaN : dot(theta, x);
    }

    /** Intercept, then ms per MB, per page and per image. */
    public synchronized double[] coefficients() {
        return theta.clone();
    }

    public synchronized long samples() {
        return samples;
    }

    /**
     * The running mean of recent relative errors (|measured - predicted| / max(measured, 100 ms)), weighting about
     * the last twenty results; above {@link CostModelSettings#maxRecentRelativeError()} no prediction is trusted.
     */
    public synchronized double recentRelativeError() {
        return recentRelativeError;
    }

    /** Observations rejected so far, by reason. */
    public Map<Rejection, Long> rejections() {
        return snapshot(rejections);
    }

    /** Predictions withheld so far, by reason. */
    public Map<Fallback, Long> fallbacks() {
        return snapshot(fallbacks);
    }

    /** How often the covariance was reset because it lost positive definiteness, wound up or overflowed. */
    public long covarianceResets() {
        return covarianceResets.sum();
    }

    /** What the model has learned, to save and restore with {@link #fromState}. */
    public synchronized CostModelState state() {
        List<Double> coefficients = new ArrayList<>(FEATURES);
        List<List<Double>> rows = new ArrayList<>(FEATURES);
        for (int i = 0; i < FEATURES; i++) {
            coefficients.add(theta[i]);
            List<Double> row = new ArrayList<>(FEATURES);
            for (int j = 0; j < FEATURES; j++) {
                row.add(covariance[i][j]);
            }
            rows.add(row);
        }
        ByteBuffer bytes = ByteBuffer.allocate(residuals.byteSize());
        residuals.asBytes(bytes);
        // A decoded digest is laid out differently from one that was added to (merge buffers, sort direction), so
        // this instance continues from the decoded copy: it then learns exactly as an instance restored from here.
        residuals = MergingDigest.fromBytes(ByteBuffer.wrap(bytes.array()));
        errorQuantile = Double.NaN;
        return new CostModelState(CostModelState.CURRENT_VERSION, coefficients, rows, samples,
                Base64.getEncoder().encodeToString(bytes.array()), recentRelativeError);
    }

    private void update(double[] x, double error) {
        double lambda = settings.forgettingFactor();
        double[] px = new double[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            px[i] = dot(covariance[i], x);
        }
        double denominator = lambda + dot(x, px);
        if (!(denominator > 0) || !Double.isFinite(denominator)) {
            resetCovariance();
            return;
        }
        for (int i = 0; i < FEATURES; i++) {
            theta[i] += px[i] / denominator * error;
        }
        for (int i = 0; i < FEATURES; i++) {
            for (int j = i; j < FEATURES; j++) {
                // Written symmetric on purpose: rounding must not let the two halves drift apart.
                double value = (covariance[i][j] - px[i] * px[j] / denominator) / lambda;
                covariance[i][j] = value;
                covariance[j][i] = value;
            }
        }
        if (!allFinite(theta)) {
            Arrays.fill(theta, 0);
            samples = 0;
            recentRelativeError = 0;
            residuals = new MergingDigest(settings.compression());
            errorQuantile = Double.NaN;
            resetCovariance();
        } else if (!covarianceHealthy()) {
            resetCovariance();
        }
    }

    private boolean covarianceHealthy() {
        double trace = 0;
        for (int i = 0; i < FEATURES; i++) {
            double diagonal = covariance[i][i];
            if (!(diagonal > 0) || !Double.isFinite(diagonal)) {
                return false;
            }
            for (int j = 0; j < i; j++) {
                // A positive definite matrix has every 2x2 principal minor positive.
                if (!Double.isFinite(covariance[i][j])
                        || covariance[i][j] * covariance[i][j] >= diagonal * covariance[j][j]) {
                    return false;
                }
            }
            trace += diagonal;
        }
        return trace <= settings.maxCovarianceTrace();
    }

    private void resetCovariance() {
        for (int i = 0; i < FEATURES; i++) {
            Arrays.fill(covariance[i], 0);
            covariance[i][i] = settings.initialCovariance();
        }
        if (samples > 0) {
            covarianceResets.increment();
        }
    }

    private Optional<Rejection> reject(Rejection reason) {
        rejections.get(reason).increment();
        return Optional.of(reason);
    }

    private Prediction fallBack(Fallback reason) {
        fallbacks.get(reason).increment();
        return new Prediction(Double.NaN, reason);
    }

    private static double[] features(double fileSizeMb, double pageCount, double imageCount) {
        double[] x = {1, fileSizeMb, pageCount, imageCount};
        for (double value : x) {
            if (!Double.isFinite(value) || value < 0) {
                return null;
            }
        }
        return x;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < FEATURES; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static boolean allFinite(double[] values) {
        for (double value : values) {
            if (!Double.isFinite(value)) {
                return false;
            }
        }
        return true;
    }

    private static double finite(Double value, String what) {
        if (value == null || !Double.isFinite(value)) {
            throw new IllegalArgumentException("cost model state " + what + " must be finite, was " + value);
        }
        return value;
    }

    private static <E extends Enum<E>> Map<E, LongAdder> counters(Class<E> type) {
        Map<E, LongAdder> counters = new EnumMap<>(type);
        for (E reason : type.getEnumConstants()) {
            counters.put(reason, new LongAdder());
        }
        return counters;
    }

    private static <E extends Enum<E>> Map<E, Long> snapshot(Map<E, LongAdder> counters) {
        Map<E, Long> copy = new EnumMap<>(counters.keySet().iterator().next().getDeclaringClass());
        counters.forEach((reason, count) -> copy.put(reason, count.sum()));
        return copy;
    }
}
