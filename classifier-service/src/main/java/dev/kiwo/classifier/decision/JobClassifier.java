package dev.kiwo.classifier.decision;

import dev.kiwo.model.Job;
import dev.kiwo.model.RoutingConfig;

/**
 * Decides whether a job is light or heavy. The routing topology only knows this interface: the threshold rule
 * ({@link HeavyJobRule}) decides in {@code rule} mode, and the application's bean of this type, the learned cost
 * model unless another is declared, in {@code shadow} and {@code model} modes. Implementations must be thread-safe
 * and fast: they run on the stream threads, once per record.
 */
public interface JobClassifier {

    Classification classify(Job job);

    /**
     * Decides with the routing configuration that is live now, read from {@code jobs.routing} for every record. A
     * classifier that has nothing to configure keeps the default, which ignores it.
     */
    default Classification classify(Job job, RoutingConfig config) {
        return classify(job);
    }
}
