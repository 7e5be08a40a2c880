package dev.kiwo.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The OpenAPI v3 schema of one kind and version in a CRD manifest, applied to an object as the API server
 * does with strict field validation (what kubectl apply asks for): an unknown field, a wrong type, a value
 * outside an enum, pattern or minimum, or a missing required field is a problem. metadata is the API
 * server's ObjectMeta, not the CRD's, and is left out. Keywords it does not evaluate (CEL rules among them)
 * are reported where an object reaches them, never skipped in silence.
 */
final class CrdSchema {

    /** Keywords that describe, default or shape merges, and validate nothing. */
    private static final Set<String> INERT = Set.of("description", "default", "example", "x-kubernetes-map-type",
            "x-kubernetes-list-map-keys", "x-kubernetes-embedded-resource");

    private static final Set<String> EVALUATED = Set.of("type", "properties", "additionalProperties", "required", "items",
            "enum", "pattern", "minimum", "maximum", "format", "nullable", "anyOf", "x-kubernetes-int-or-string",
            "x-kubernetes-preserve-unknown-fields", "x-kubernetes-list-type");

    private final String apiVersion;
    private final String kind;
    private final Map<String, Object> schema;

    private CrdSchema(String apiVersion, String kind, Map<String, Object> schema) {
        this.apiVersion = apiVersion;
        this.kind = kind;
        this.schema = schema;
    }

    /** The served version {@code version} of the CRD for {@code kind} in {@code group}, read from a CRD manifest. */
    static CrdSchema load(Path crdFile, String group, String kind, String version) {
        String yaml;
        try {
            yaml = Files.readString(crdFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            Map<String, Object> spec = Yamls.map(Yamls.at(doc, "spec"));
            if (!"CustomResourceDefinition".equals(Yamls.at(doc, "kind")) || !group.equals(spec.get("group"))
                    || !kind.equals(Yamls.at(spec, "names", "kind"))) {
                continue;
            }
            for (Object v : Yamls.list(spec.get("versions"))) {
                Map<String, Object> served = Yamls.map(v);
                if (version.equals(served.get("name")) && Boolean.TRUE.equals(served.get("served"))) {
                    return new CrdSchema(group + "/" + version, kind, Yamls.map(Yamls.at(served, "schema", "openAPIV3Schema")));
                }
            }
            throw new AssertionError(crdFile + ": " + kind + " does not serve " + version);
        }
        throw new AssertionError(crdFile + " defines no " + kind + " in " + group);
    }

    List<String> problems(Map<String, Object> object) {
        List<String> problems = new ArrayList<>();
        if (!apiVersion.equals(object.get("apiVersion")) || !kind.equals(object.get("kind"))) {
            problems.add("not a " + apiVersion + " " + kind + ": " + object.get("apiVersion") + " " + object.get("kind"));
        }
        Map<String, Object> withoutMetadata = new LinkedHashMap<>(object);
        withoutMetadata.remove("metadata");
        Map<String, Object> rootSchema = new LinkedHashMap<>(schema);
        Map<String, Object> properties = new LinkedHashMap<>(Yamls.map(schema.get("properties")));
        properties.remove("metadata");
        rootSchema.put("properties", properties);
        check(problems, kind.toLowerCase(Locale.ROOT) + "/" + Manifests.name(object), withoutMetadata, rootSchema);
        return problems;
    }

    private static void check(List<String> problems, String at, Object value, Map<String, Object> schema) {
        for (String keyword : schema.keySet()) {
            if (!EVALUATED.contains(keyword) && !INERT.contains(keyword)) {
                problems.add(at + ": the schema's " + keyword + " is not evaluated here; add it to " + CrdSchema.class.getSimpleName());
            }
        }
        if (value == null) {
            if (!Boolean.TRUE.equals(schema.get("nullable"))) {
                problems.add(at + " is null");
            }
            return;
        }
        if (Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"))) {
            if (!(isInteger(value) || value instanceof String)) {
                problems.add(at + " must be an integer or a string, is " + value);
            } else if (value instanceof String s) {
                pattern(problems, at, s, schema);
            }
            return;
        }
        if (schema.containsKey("anyOf")) {
            problems.add(at + ": anyOf outside x-kubernetes-int-or-string is not evaluated here");
        }
        String type = Yamls.str(schema.get("type"));
        switch (type == null ? "" : type) {
            case "object" -> object(problems, at, value, schema);
            case "array" -> {
                if (!(value instanceof List<?> list)) {
                    problems.add(at + " must be an array, is " + value);
                    return;
                }
                Map<String, Object> items = Yamls.map(schema.get("items"));
                for (int i = 0; i < list.size(); i++) {
                    check(problems, at + "[" + i + "]", list.get(i), items);
                }
                Object listType = schema.get("x-kubernetes-list-type");
                if (("set".equals(listType) || "map".equals(listType)) && new HashSet<>(list).size() < list.size()) {
                    problems.add(at + " has duplicate entries");
                }
            }
            case "string" -> {
                if (!(value instanceof String s)) {
                    problems.add(at + " must be a string, is " + value + " (quote it: YAML reads Off, yes, 1.0 as other types)");
                    return;
                }
                pattern(problems, at, s, schema);
            }
            case "integer" -> {
                if (!isInteger(value)) {
                    problems.add(at + " must be an integer, is " + value);
                    return;
                }
                BigInteger n = new BigInteger(value.toString());
                BigInteger bound = "int32".equals(schema.get("format")) ? BigInteger.valueOf(Integer.MAX_VALUE)
                        : BigInteger.valueOf(Long.MAX_VALUE);
                if (n.abs().compareTo(bound) > 0) {
                    problems.add(at + " is out of range for " + schema.get("format"));
                }
                if (schema.get("minimum") instanceof Number min && n.compareTo(new BigInteger(min.toString())) < 0) {
                    problems.add(at + " must be at least " + min + ", is " + n);
                }
                if (schema.get("maximum") instanceof Number max && n.compareTo(new BigInteger(max.toString())) > 0) {
                    problems.add(at + " must be at most " + max + ", is " + n);
                }
            }
            case "number" -> {
                if (!(value instanceof Number)) {
                    problems.add(at + " must be a number, is " + value);
                }
            }
            case "boolean" -> {
                if (!(value instanceof Boolean)) {
                    problems.add(at + " must be a boolean, is " + value);
                }
            }
            default -> {
                if (!Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"))) {
                    problems.add(at + ": schema without a type");
                }
            }
        }
        if (schema.containsKey("enum") && !Yamls.list(schema.get("enum")).contains(value)) {
            problems.add(at + " must be one of " + schema.get("enum") + ", is " + value);
        }
    }

    private static void object(List<String> problems, String at, Object value, Map<String, Object> schema) {
        if (!(value instanceof Map<?, ?>)) {
            problems.add(at + " must be an object, is " + value);
            return;
        }
        Map<String, Object> object = Yamls.map(value);
        Map<String, Object> properties = Yamls.map(schema.get("properties"));
        Object additional = schema.get("additionalProperties");
        boolean preserveUnknown = Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"));
        for (Map.Entry<String, Object> field : object.entrySet()) {
            String where = at + "." + field.getKey();
            if (properties.containsKey(field.getKey())) {
                check(problems, where, field.getValue(), Yamls.map(properties.get(field.getKey())));
            } else if (additional instanceof Map<?, ?> valueSchema) {
                check(problems, where, field.getValue(), Yamls.map(valueSchema));
            } else if (!preserveUnknown && !Boolean.TRUE.equals(additional)) {
                problems.add(where + " is not a field of the CRD");
            }
        }
        for (Object required : Yamls.list(schema.get("required"))) {
            if (!object.containsKey(Yamls.str(required))) {
                problems.add(at + "." + required + " is required");
            }
        }
    }

    private static void pattern(List<String> problems, String at, String value, Map<String, Object> schema) {
        Object pattern = schema.get("pattern");
        if (pattern != null && !Pattern.compile(Yamls.str(pattern)).matcher(value).find()) {
            problems.add(at + " does not match " + pattern + ": " + value);
        }
    }

    private static boolean isInteger(Object value) {
        return value instanceof Integer || value instanceof Long || value instanceof BigInteger;
    }
}
