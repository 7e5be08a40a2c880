package dev.kiwo.model;

/** How the classifier decides: by the threshold rule, by the rule while watching a model, or by the model. */
public enum DecisionMode {
    /** The threshold rule decides. */
    RULE,
    /** The rule decides; what a model would have decided is only recorded. */
    SHADOW,
    /** A cost model decides, and falls back to the rule until it can. */
    MODEL
}
