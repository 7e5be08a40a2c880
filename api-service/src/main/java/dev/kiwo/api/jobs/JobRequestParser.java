package dev.kiwo.api.jobs;

import dev.kiwo.api.web.FieldProblem;
import dev.kiwo.model.Job;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a job submission from raw JSON into a tree and checks every field, so that one 400 can name all bad
 * fields instead of the first one a data binder trips over. NaN and Infinity tokens are parsed on purpose,
 * so they are reported against their field rather than as malformed JSON.
 */
final class JobRequestParser {

    static final String NAME = "name";
    static final String FILE_SIZE_MB = "fileSizeMb";
    static final String PAGE_COUNT = "pageCount";
    static final String IMAGE_COUNT = "imageCount";
    static final Set<String> FIELDS = Set.of(NAME, FILE_SIZE_MB, PAGE_COUNT, IMAGE_COUNT);

    /** A job is flat; anything deeper than this is junk, and the cap keeps parsing cheap and stack-safe. */
    static final int MAX_NESTING_DEPTH = 16;

    private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JobRequestParser() {
    }

    /**
     * Parses and validates the body, adding one entry per problem.
     *
     * @return the request, or null when a problem was found
     */
    static JobRequest parse(byte[] body, List<FieldProblem> problems) {
        JsonNode root = readTree(body, problems);
        if (root == null) {
            return null;
        }
        if (!root.isObject()) {
            problems.add(new FieldProblem(FieldProblem.BODY, "must be a JSON object, was " + typeOf(root)));
            return null;
        }
        int before = problems.size();
        String name = name(root.get(NAME), problems);
        double fileSizeMb = fileSizeMb(root.get(FILE_SIZE_MB), problems);
        int pageCount = count(PAGE_COUNT, root.get(PAGE_COUNT), problems);
        int imageCount = count(IMAGE_COUNT, root.get(IMAGE_COUNT), problems);
        for (Map.Entry<String, JsonNode> property : root.properties()) {
            if (!FIELDS.contains(property.getKey())) {
                problems.add(new FieldProblem(property.getKey(),
                        "unknown field; accepted fields are name, fileSizeMb, pageCount, imageCount"));
            }
        }
        return problems.size() == before ? new JobRequest(name, fileSizeMb, pageCount, imageCount) : null;
    }

    private static JsonNode readTree(byte[] body, List<FieldProblem> problems) {
        if (body == null || body.length == 0) {
            problems.add(new FieldProblem(FieldProblem.BODY, "must not be empty"));
            return null;
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JacksonException e) {
            problems.add(new FieldProblem(FieldProblem.BODY, "malformed JSON: " + e.getOriginalMessage() + at(e)));
            return null;
        }
        if (root == null || root.isMissingNode()) {
            problems.add(new FieldProblem(FieldProblem.BODY, "must not be empty"));
            return null;
        }
        return root;
    }

    private static String at(JacksonException e) {
        TokenStreamLocation location = e.getLocation();
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    private static String name(JsonNode node, List<FieldProblem> problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString()) {
            problems.add(new FieldProblem(NAME, "must be a string, was " + typeOf(node)));
            return null;
        }
        String name = node.stringValue();
        if (name.length() > Job.MAX_NAME_LENGTH) {
            problems.add(new FieldProblem(NAME,
                    "must be at most " + Job.MAX_NAME_LENGTH + " characters, was " + name.length()));
            return null;
        }
        return name;
    }

    private static double fileSizeMb(JsonNode node, List<FieldProblem> problems) {
        if (!isPresentNumber(FILE_SIZE_MB, node, "a number", problems)) {
            return 0;
        }
        double value = node.doubleValue();
        if (!Double.isFinite(value)) {
            problems.add(new FieldProblem(FILE_SIZE_MB, "must be a finite number, was " + shown(node)));
            return 0;
        }
        if (value < 0) {
            problems.add(new FieldProblem(FILE_SIZE_MB, "must be >= 0, was " + shown(node)));
            return 0;
        }
        // -0.0 passes the check above; store it as plain zero
        return value == 0 ? 0.0 : value;
    }

    private static int count(String field, JsonNode node, List<FieldProblem> problems) {
        if (!isPresentNumber(field, node, "an integer", problems)) {
            return 0;
        }
        BigInteger value = integralValue(node);
        if (value == null) {
            problems.add(new FieldProblem(field, "must be an integer, was " + shown(node)));
            return 0;
        }
        if (value.signum() < 0) {
            problems.add(new FieldProblem(field, "must be >= 0, was " + shown(node)));
            return 0;
        }
        if (value.compareTo(INT_MAX) > 0) {
            problems.add(new FieldProblem(field, "must be at most " + Integer.MAX_VALUE + ", was "
                    + shown(node)));
            return 0;
        }
        return value.intValue();
    }

    /** The exact integer a number node holds (2.0 and 1e3 count), or null for fractions, NaN and Infinity. */
    private static BigInteger integralValue(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue();
        }
        if (node.isDouble() || node.isFloat()) {
            double d = node.doubleValue();
            if (!Double.isFinite(d)) {
                return null;
            }
        }
        BigDecimal decimal = node.decimalValue();
        try {
            return decimal.toBigIntegerExact();
        } catch (ArithmeticException fraction) {
            return null;
        }
    }

    private static boolean isPresentNumber(String field, JsonNode node, String expected,
            List<FieldProblem> problems) {
        if (node == null) {
            problems.add(new FieldProblem(field, "is required"));
            return false;
        }
        if (node.isNull()) {
            problems.add(new FieldProblem(field, "must not be null"));
            return false;
        }
        if (!node.isNumber()) {
            problems.add(new FieldProblem(field, "must be " + expected + ", was " + typeOf(node)));
            return false;
        }
        return true;
    }

    /** Echoes a rejected number, cut short so a 1000-digit literal does not bloat the problem. */
    private static String shown(JsonNode node) {
        String text = node.numberValue().toString();
        return text.length() <= 32 ? text : text.substring(0, 32) + "...";
    }

    private static String typeOf(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
