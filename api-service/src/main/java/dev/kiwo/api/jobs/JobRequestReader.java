package dev.kiwo.api.jobs;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import dev.kiwo.api.ApiProperties;
import dev.kiwo.api.web.FieldProblem;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.NumericNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.type.LogicalType;

/**
 * Reads a job, the body of {@code POST /jobs} or one line of a batch, with Jackson and validates it with Bean
 * Validation, reporting every bad field at once, in the order of the body (missing fields last).
 *
 * <p>Jackson is strict here: no coercion between strings, numbers and booleans, no fraction for an integer, no
 * unknown properties, duplicate keys, comments or trailing content, and nesting is capped. As Jackson stops at
 * the first value that does not bind, a body that does not bind as a whole has each property bound on its own
 * through the record's deserializer; the properties that bind then make up the object that Bean Validation checks
 * for missing fields and ranges. NaN and Infinity tokens are read on purpose, so they are reported against their
 * field rather than as malformed JSON.
 */
@Component
class JobRequestReader {

    /** A job is flat; anything deeper than this is junk, and the cap keeps parsing cheap and stack-safe. */
    static final int MAX_NESTING_DEPTH = 16;

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .build())
                    .build())
            .nodeFactory(new IntegralNumbers())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            // No string to number or boolean, no number to boolean; numbers and booleans are no strings either.
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Textual, strings -> strings
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private static final String SIMULATE = "simulate";

    /** How much of a rejected number a problem echoes, so a 1000-digit literal does not bloat it. */
    private static final int MAX_SHOWN = 32;

    /** The components of a record by name, in declaration order; looked up for every job, so kept per class. */
    private static final ClassValue<Map<String, RecordComponent>> COMPONENTS = new ClassValue<>() {
        @Override
        protected Map<String, RecordComponent> computeValue(Class<?> type) {
            Map<String, RecordComponent> components = new LinkedHashMap<>();
            for (RecordComponent component : type.getRecordComponents()) {
                components.put(component.getName(), component);
            }
            return Collections.unmodifiableMap(components);
        }
    };

    private final Validator validator;
    private final boolean allowSimulation;

    JobRequestReader(Validator validator, ApiProperties properties) {
        this.validator = validator;
        this.allowSimulation = properties.allowSimulation();
    }

    /**
     * Reads and validates one job, adding one entry per problem.
     *
     * @return the request, or null when a problem was found
     */
    JobRequest read(byte[] json, List<FieldProblem> problems) {
        ObjectNode object = readObject(json, problems);
        if (object == null) {
            return null;
        }
        // Refused whatever it holds, so it is checked no further.
        JsonNode simulate = allowSimulation ? null : object.remove(SIMULATE);
        JobRequest request = bind(object, JobRequest.class, problems);
        if (simulate != null && !simulate.isNull()) {
            problems.add(new FieldProblem(SIMULATE, "is not allowed: this deployment runs no simulated failures"));
            return null;
        }
        return request;
    }

    private static ObjectNode readObject(byte[] json, List<FieldProblem> problems) {
        if (json == null || json.length == 0) {
            problems.add(new FieldProblem(FieldProblem.BODY, "must not be empty"));
            return null;
        }
        if (!isUtf8(json)) {
            problems.add(new FieldProblem(FieldProblem.BODY, "is not valid UTF-8"));
            return null;
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            problems.add(new FieldProblem(FieldProblem.BODY, "malformed JSON: " + e.getOriginalMessage() + at(e)));
            return null;
        }
        if (root == null || root.isMissingNode()) {
            problems.add(new FieldProblem(FieldProblem.BODY, "must not be empty"));
            return null;
        }
        if (!root.isObject()) {
            problems.add(new FieldProblem(FieldProblem.BODY, "must be a JSON object, was " + typeOf(root)));
            return null;
        }
        return (ObjectNode) root;
    }

    /**
     * ASCII, what clients nearly always send, is valid UTF-8 as it is. Anything else goes through the JDK's strict
     * decoder: Jackson's lets some malformed UTF-8 through (overlong forms).
     */
    private static boolean isUtf8(byte[] json) {
        for (byte b : json) {
            if (b < 0) {
                try {
                    StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(json));
                    return true;
                } catch (CharacterCodingException e) {
                    return false;
                }
            }
        }
        return true;
    }

    private <T extends Record> T bind(ObjectNode object, Class<T> type, List<FieldProblem> problems) {
        List<FieldProblem> found = new ArrayList<>();
        // Usually the whole object binds; only when it does not is each property bound on its own to name the bad ones.
        T value = plain(object, type) ? bindWhole(object, type) : null;
        if (value == null) {
            value = MAPPER.treeToValue(bindable(object, type, "", found), type);
        }
        for (ConstraintViolation<T> violation : validator.validate(value)) {
            String field = violation.getPropertyPath().toString();
            // A property left out for being bad is also missing, and its object may look incomplete: said once.
            if (found.stream().noneMatch(problem -> problem.field().equals(field)
                    || problem.field().startsWith(field + "."))) {
                JsonNode sent = object.at("/" + field.replace('.', '/'));
                found.add(new FieldProblem(field, violation.getMessage() + was(sent)));
            }
        }
        if (found.isEmpty()) {
            return value;
        }
        List<String> present = List.copyOf(object.propertyNames());
        List<String> declared = List.copyOf(COMPONENTS.get(type).keySet());
        found.sort(Comparator.comparingInt(problem -> position(present, declared, problem.field())));
        problems.addAll(found);
        return null;
    }

    /**
     * Whether {@link #bindable} would report nothing about this object before binding its properties: every property
     * is known, none is null, no string stands where a number goes, and nested objects are alike. Such an object
     * binds as a whole exactly when each of its properties binds on its own.
     */
    private static boolean plain(ObjectNode object, Class<?> type) {
        Map<String, RecordComponent> components = COMPONENTS.get(type);
        for (Map.Entry<String, JsonNode> property : object.properties()) {
            RecordComponent component = components.get(property.getKey());
            JsonNode value = property.getValue();
            if (component == null || value.isNull()
                    || (value.isString() && Number.class.isAssignableFrom(component.getType()))
                    || (component.getType().isRecord() && value.isObject()
                            && !plain((ObjectNode) value, component.getType()))) {
                return false;
            }
        }
        return true;
    }

    /** The object bound as a whole, or null when some property does not bind. */
    private static <T> T bindWhole(ObjectNode object, Class<T> type) {
        try {
            return MAPPER.treeToValue(object, type);
        } catch (JacksonException e) {
            return null;
        }
    }

    /**
     * The properties of {@code object} that bind to {@code type}, each tried on its own; every other one is
     * reported. A nested object is gone through the same way, so each of its bad properties is named too.
     */
    private static ObjectNode bindable(ObjectNode object, Class<?> type, String path, List<FieldProblem> problems) {
        Map<String, RecordComponent> components = COMPONENTS.get(type);
        ObjectNode bindable = object.objectNode();
        for (Map.Entry<String, JsonNode> property : object.properties()) {
            String name = property.getKey();
            JsonNode value = property.getValue();
            String field = path + name;
            RecordComponent component = components.get(name);
            if (component == null) {
                problems.add(new FieldProblem(field,
                        "unknown field; accepted fields are " + String.join(", ", components.keySet())));
            } else if (value.isNull()) {
                if (!nullMeansAbsent(component)) {
                    problems.add(new FieldProblem(field, "must not be null"));
                }
            } else if (component.getType().isRecord() && value.isObject()) {
                bindable.set(name, bindable((ObjectNode) value, component.getType(), field + ".", problems));
            } else if (value.isString() && Number.class.isAssignableFrom(component.getType())) {
                // Jackson reads "NaN" and "Infinity" as doubles even with coercion off; no string is a number.
                problems.add(new FieldProblem(field, mismatch(component, value)));
            } else {
                try {
                    MAPPER.treeToValue(object.objectNode().set(name, value), type);
                    bindable.set(name, value);
                } catch (JacksonException e) {
                    problems.add(new FieldProblem(field, e.getCause() instanceof IllegalArgumentException refused
                            ? refused.getMessage()
                            : mismatch(component, value)));
                }
            }
        }
        return bindable;
    }

    private static boolean nullMeansAbsent(RecordComponent component) {
        JsonSetter setter = component.getAccessor().getAnnotation(JsonSetter.class);
        return setter != null && setter.nulls() == Nulls.SKIP;
    }

    private static String mismatch(RecordComponent component, JsonNode value) {
        return "must be " + expected(component.getType()) + ", was " + actual(value, component);
    }

    private static String expected(Class<?> type) {
        if (type == BigInteger.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        return type == Boolean.class ? "a boolean" : "an object";
    }

    /** The rejected number itself where a number was expected, else the JSON type that came instead. */
    private static String actual(JsonNode value, RecordComponent component) {
        return value.isNumber() && Number.class.isAssignableFrom(component.getType())
                ? shown(value)
                : typeOf(value);
    }

    /** The number or boolean as the client sent it; other values are not echoed. */
    private static String was(JsonNode value) {
        return value.isNumber() || value.isBoolean() ? ", was " + shown(value) : "";
    }

    private static String shown(JsonNode value) {
        String text = value.isNumber() ? value.numberValue().toString() : value.toString();
        return text.length() <= MAX_SHOWN ? text : text.substring(0, MAX_SHOWN) + "...";
    }

    private static String typeOf(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** Where a field's problem goes: in the order of the body, then missing fields in declaration order. */
    private static int position(List<String> present, List<String> declared, String field) {
        String property = field.split("\\.", 2)[0];
        int index = present.indexOf(property);
        return index >= 0 ? index : present.size() + declared.indexOf(property);
    }

    private static String at(JacksonException e) {
        TokenStreamLocation location = e.getLocation();
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    /**
     * Reads a JSON number without a fractional part as an integer however it is written ({@code 3.0},
     * {@code 1E1}), so an integer field takes it while {@code 2.5} stays a fraction that it refuses.
     */
    private static final class IntegralNumbers extends JsonNodeFactory {

        @Override
        public NumericNode numberNode(double value) {
            return Double.isFinite(value) && value == Math.rint(value)
                    ? (NumericNode) numberNode(new BigDecimal(value).toBigInteger())
                    : super.numberNode(value);
        }
    }
}
