package dev.kiwo.classifier.decision;

import dev.kiwo.model.Job;
import dev.kiwo.model.RoutingConfig;

/**
 * Decides whether a job is light or heavy. The routing topology only knows this interface, so a different
 * model replaces the baseline {@link HeavyJobRule} by being declared as a bean of this type.
 * Implementations must be thread-safe and fast: they run on the stream threads, once per record.
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
