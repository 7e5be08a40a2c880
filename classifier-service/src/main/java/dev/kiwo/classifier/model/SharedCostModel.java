package dev.kiwo.classifier.model;

import java.util.Objects;

/**
 * The cost model every stream thread of this instance predicts with: the latest state published on
 * {@code jobs.routing.model}, replaced whole when a newer one arrives. Until one arrives it is an untrained model,
 * which predicts nothing, so decisions fall back to the rule.
 */
public final class SharedCostModel {

    private final CostModelSettings settings;
    private volatile CostModel current;

    public SharedCostModel(CostModelSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.current = new CostModel(settings);
    }

    /** The model to predict with now. */
    public CostModel current() {
        return current;
    }

    public CostModelSettings settings() {
        return settings;
    }

    /**
     * Replaces the model with one restored from a published state.
     *
     * @throws IllegalArgumentException if the state cannot be restored; the current model then stays
     */
    public CostModel replace(CostModelState state) {
        CostModel next = CostModel.fromState(settings, state);
        current = next;
        return next;
    }
}
