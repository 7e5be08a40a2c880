package dev.kiwo.api.jobs;

import dev.kiwo.model.Simulation;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.constraints.AssertTrue;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.math.BigInteger;
import org.hibernate.validator.constraints.Range;

/**
 * The {@code simulate} property of a job: exactly one of {@code {"failures": 0..10}} (the first N attempts fail)
 * or {@code {"permanent": true}} (every attempt fails). Anything else is rejected, so a typo cannot turn a demo
 * of retries into a job that silently succeeds.
 */
@SimulationRequest.OneMode
record SimulationRequest(
        @Range(min = 0, max = MAX_FAILURES, message = "must be an integer from {min} to {max}")
        BigInteger failures,

        @AssertTrue(message = "must be true")
        Boolean permanent) {

    /** Enough to exercise every retry tier; more would only keep a demo job busy for longer. */
    static final int MAX_FAILURES = 10;

    Simulation toSimulation() {
        return new Simulation(failures == null ? null : failures.intValueExact(), permanent);
    }

    /** Exactly one of {@code failures} and {@code permanent}. */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = OneModeValidator.class)
    @interface OneMode {

        String message() default "must contain failures or permanent";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    static final class OneModeValidator implements ConstraintValidator<OneMode, SimulationRequest> {

        @Override
        public boolean isValid(SimulationRequest simulation, ConstraintValidatorContext context) {
            if (simulation == null || (simulation.failures() == null) != (simulation.permanent() == null)) {
                return true;
            }
            if (simulation.failures() != null) {
                context.disableDefaultConstraintViolation();
                context.buildConstraintViolationWithTemplate("takes either failures or permanent, not both")
                        .addConstraintViolation();
            }
            return false;
        }
    }
}
