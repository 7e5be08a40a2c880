package dev.kiwo.api.jobs;

import dev.kiwo.api.web.FieldProblem;
import dev.kiwo.model.Job;
import dev.kiwo.model.Simulation;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
    static final String SIMULATE = "simulate";
    static final Set<String> FIELDS = Set.of(NAME, FILE_SIZE_MB, PAGE_COUNT, IMAGE_COUNT, SIMULATE);

    static final String SIMULATE_FAILURES = "failures";
    static final String SIMULATE_PERMANENT = "permanent";
    static final Set<String> SIMULATE_FIELDS = Set.of(SIMULATE_FAILURES, SIMULATE_PERMANENT);

    /** Enough to exercise every retry tier; more would only keep a demo job busy for longer. */
    static final int MAX_SIMULATED_FAILURES = 10;

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
        Simulation simulate = simulation(root.get(SIMULATE), problems);
        for (Map.Entry<String, JsonNode> property : root.properties()) {
            if (!FIELDS.contains(property.getKey())) {
                problems.add(new FieldProblem(property.getKey(),
                        "unknown field; accepted fields are name, fileSizeMb, pageCount, imageCount, simulate"));
            }
        }
        return problems.size() == before
                ? new JobRequest(name, fileSizeMb, pageCount, imageCount, simulate)
                : null;
    }

    /**
     * The optional failure simulation: exactly one of {@code {"failures": 0..10}} or {@code {"permanent": true}}.
     * Anything else is rejected, so a typo cannot turn a demo of retries into a job that silently succeeds.
     */
    private static Simulation simulation(JsonNode node, List<FieldProblem> problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            problems.add(new FieldProblem(SIMULATE, "must be an object, was " + typeOf(node)));
            return null;
        }
        int before = problems.size();
        for (Map.Entry<String, JsonNode> property : node.properties()) {
            if (!SIMULATE_FIELDS.contains(property.getKey())) {
                problems.add(new FieldProblem(SIMULATE + "." + property.getKey(),
                        "unknown field; accepted fields are failures, permanent"));
            }
        }
        JsonNode failuresNode = node.get(SIMULATE_FAILURES);
        JsonNode permanentNode = node.get(SIMULATE_PERMANENT);
        Integer failures = failuresNode == null ? null : simulatedFailures(failuresNode, problems);
        Boolean permanent = permanentNode == null ? null : permanent(permanentNode, problems);
        if (problems.size() > before) {
            return null;
        }
        if (failures == null && permanent == null) {
            problems.add(new FieldProblem(SIMULATE, "must contain failures or permanent"));
            return null;
        }
        if (failures != null && permanent != null) {
            problems.add(new FieldProblem(SIMULATE, "takes either failures or permanent, not both"));
            return null;
        }
        return new Simulation(failures, permanent);
    }

    private static Integer simulatedFailures(JsonNode node, List<FieldProblem> problems) {
        String field = SIMULATE + "." + SIMULATE_FAILURES;
        String range = "an integer from 0 to " + MAX_SIMULATED_FAILURES;
        BigInteger value = node.isNumber() ? integralValue(node) : null;
        if (value == null) {
            problems.add(new FieldProblem(field, "must be " + range + ", was "
                    + (node.isNumber() ? shown(node) : typeOf(node))));
            return null;
        }
        if (value.signum() < 0 || value.compareTo(BigInteger.valueOf(MAX_SIMULATED_FAILURES)) > 0) {
            problems.add(new FieldProblem(field, "must be " + range + ", was " + shown(node)));
            return null;
        }
        return value.intValue();
    }

    private static Boolean permanent(JsonNode node, List<FieldProblem> problems) {
        if (!node.isBoolean() || !node.booleanValue()) {
            problems.add(new FieldProblem(SIMULATE + "." + SIMULATE_PERMANENT, "must be true, was "
                    + (node.isBoolean() ? "false" : typeOf(node))));
            return null;
        }
        return Boolean.TRUE;
    }

    private static JsonNode readTree(byte[] body, List<FieldProblem> problems) {
        if (body == null || body.length == 0) {
            problems.add(new FieldProblem(FieldProblem.BODY, "must not be empty"));
            return null;
        }
        try {
            // Jackson's decoder lets some malformed UTF-8 through (overlong forms); the JDK's strict one does not.
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            problems.add(new FieldProblem(FieldProblem.BODY, "is not valid UTF-8"));
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
