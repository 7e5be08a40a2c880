package dev.kiwo.api.web;

/**
 * One entry of the {@code errors} property of a 400 problem, or of a rejected line of a batch's answer.
 *
 * @param field   the JSON property ({@code simulate.failures} inside {@code simulate}), request header or
 *                {@code body} when the body, or the batch line, as a whole is unusable
 * @param message what is wrong with it
 */
public record FieldProblem(String field, String message) {

    /** The field name used for problems of the body as a whole (empty, malformed, not an object, too large). */
    public static final String BODY = "body";
}
