package dev.brink.nn.optim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/** JSON helpers shared by optimizer configs and schedules (Jackson; doubles are written so that they round-trip). */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    static ObjectNode object(String type) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("type", type);
        return n;
    }

    static String write(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** Parses {@code json} into an object node; {@code what} names the thing for error messages. */
    static ObjectNode parse(String json, String what) {
        if (json == null) throw new IllegalArgumentException(what + ": JSON is null");
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + ": invalid JSON: " + e.getOriginalMessage(), e);
        }
        return asObject(n, what);
    }

    static ObjectNode asObject(JsonNode n, String what) {
        if (n == null || !n.isObject()) throw new IllegalArgumentException(what + ": expected a JSON object, got " + n);
        return (ObjectNode) n;
    }

    /** Parses {@code json} and checks that its "type" is {@code expected}. */
    static ObjectNode parseOfType(String json, String expected, String what) {
        ObjectNode n = parse(json, what);
        String type = type(n, what);
        if (!type.equals(expected)) throw new IllegalArgumentException(what + ": type is \"" + type + "\", not \"" + expected + "\"");
        return n;
    }

    static String type(ObjectNode n, String what) {
        JsonNode t = n.get("type");
        if (t == null || !t.isTextual()) throw new IllegalArgumentException(what + ": missing string field \"type\" in " + n);
        return t.asText();
    }

    /** Fails naming the first field of {@code n} that is not {@code "type"} or one of {@code allowed}. */
    static void checkFields(ObjectNode n, String what, String... allowed) {
        List<String> ok = Arrays.asList(allowed);
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("type") && !ok.contains(f))
                throw new IllegalArgumentException(what + ": unknown field \"" + f + "\" (expected " + String.join(", ", allowed) + ")");
        }
    }

    /** A numeric field; {@code fallback} when absent (NaN fallback means required). */
    static double num(ObjectNode n, String field, double fallback, String what) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (Double.isNaN(fallback)) throw new IllegalArgumentException(what + ": missing numeric field \"" + field + "\"");
            return fallback;
        }
        if (!v.isNumber()) throw new IllegalArgumentException(what + ": field \"" + field + "\" must be a number, got " + v);
        return v.doubleValue();
    }

    /** A required integer field. */
    static int integer(ObjectNode n, String field, String what) {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber() || v.doubleValue() != Math.rint(v.doubleValue())
                || Math.abs(v.doubleValue()) > Integer.MAX_VALUE)
            throw new IllegalArgumentException(what + ": field \"" + field + "\" must be an integer, got " + v);
        return v.intValue();
    }

    /** A boolean field; {@code fallback} when absent. */
    static boolean bool(ObjectNode n, String field, boolean fallback, String what) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isBoolean()) throw new IllegalArgumentException(what + ": field \"" + field + "\" must be true or false, got " + v);
        return v.booleanValue();
    }
}
