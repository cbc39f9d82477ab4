package io.loomscale.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One TOML table being read into a record: typed getters for the common keys, which remember
 * what they consumed, so that what is left is either an error ({@link #rejectUnknown}) or the
 * module's {@link Params} ({@link #rest}).
 *
 * <p>Mutable and short-lived: used by one loader call on one thread, then dropped.
 */
final class Section {

    private final Origin origin;
    private final Map<String, Object> values;
    private final Set<String> used = new HashSet<>();

    /** @param values the table's keys in file order, with plain values (see {@link Values}) */
    Section(Origin origin, Map<String, Object> values) {
        this.origin = origin;
        this.values = values;
    }

    Origin origin() {
        return origin;
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    private Object take(String key) {
        used.add(key);
        return values.get(key);
    }

    /** The raw value of {@code key} (marking it used), or null; for keys with mixed types. */
    Object value(String key) {
        return take(key);
    }

    /** A string that must be present and non-empty. */
    String requiredString(String key, String allowed) {
        Object v = take(key);
        if (v == null) {
            throw origin.missing(key, allowed);
        }
        String s = Values.string(origin, key, v);
        if (s.isEmpty()) {
            throw origin.error(key, "must not be empty", allowed);
        }
        return s;
    }

    /** A string that must be present; empty is allowed (an empty password). */
    String requiredStringMayBeEmpty(String key) {
        Object v = take(key);
        if (v == null) {
            throw origin.missing(key, "a string");
        }
        return Values.string(origin, key, v);
    }

    /** An optional string; when present it must not be empty. */
    String string(String key, String dflt) {
        Object v = take(key);
        if (v == null) {
            return dflt;
        }
        String s = Values.string(origin, key, v);
        if (s.isEmpty()) {
            throw origin.error(key, "must not be empty", "a non-empty string");
        }
        return s;
    }

    /** An optional string that may be empty. */
    String anyString(String key, String dflt) {
        Object v = take(key);
        return v == null ? dflt : Values.string(origin, key, v);
    }

    int integer(String key, int dflt, int min, int max) {
        Object v = take(key);
        return v == null ? dflt : Values.intValue(origin, key, v, min, max);
    }

    /** {@code "auto"} (giving {@code auto}) or an integer >= 1. */
    int autoOrPositive(String key, int dflt, int auto) {
        Object v = take(key);
        if (v == null) {
            return dflt;
        }
        if ("auto".equals(v)) {
            return auto;
        }
        if (v instanceof Long l && l >= 1 && l <= Integer.MAX_VALUE) {
            return l.intValue();
        }
        throw Values.wrongType(origin, key, "expected \"auto\" or an integer >= 1", v,
                "\"auto\" or an integer >= 1");
    }

    boolean bool(String key, boolean dflt) {
        Object v = take(key);
        return v == null ? dflt : Values.bool(origin, key, v);
    }

    Duration duration(String key, Duration dflt, ChronoUnit bareIntegerUnit, Duration min) {
        Object v = take(key);
        if (v == null) {
            return dflt;
        }
        Duration d = Values.duration(origin, key, v, bareIntegerUnit);
        if (d.compareTo(min) < 0) {
            throw origin.error(key, "duration " + Values.describe(v) + " is shorter than the minimum "
                    + min.toMillis() + "ms", Values.durationAllowed(bareIntegerUnit));
        }
        return d;
    }

    /** One of {@code allowed}, compared exactly. */
    String oneOf(String key, String dflt, List<String> allowed) {
        Object v = take(key);
        if (v == null) {
            return dflt;
        }
        String s = Values.string(origin, key, v);
        if (!allowed.contains(s)) {
            throw origin.error(key, "unknown value \"" + s + "\"", String.join(", ", allowed));
        }
        return s;
    }

    /**
     * A key kept from MaxScale's format whose value carries no information here (such as
     * {@code protocol = "MariaDBBackend"}): accepted when it is one of {@code allowed}, compared
     * ignoring case like MaxScale does, otherwise an error.
     */
    void constant(String key, List<String> allowed) {
        Object v = take(key);
        if (v == null) {
            return;
        }
        String s = Values.string(origin, key, v);
        for (String a : allowed) {
            if (a.toLowerCase(Locale.ROOT).equals(s.toLowerCase(Locale.ROOT))) {
                return;
            }
        }
        throw origin.error(key, "unsupported value \"" + s + "\"", String.join(", ", allowed));
    }

    /**
     * A list of object names: non-empty strings, each at most once. When {@code required}, the
     * key must be present and the list non-empty; otherwise an absent key gives an empty list.
     */
    List<String> names(String key, boolean required) {
        Object v = take(key);
        if (v == null) {
            if (required) {
                throw origin.missing(key, "a non-empty list of names");
            }
            return List.of();
        }
        List<String> names = Values.stringList(origin, key, v);
        if (required && names.isEmpty()) {
            throw origin.error(key, "the list must not be empty", "a non-empty list of names");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (n.isEmpty()) {
                throw origin.elementError(key, i, "element " + (i + 1) + " is an empty name", null);
            }
            if (!seen.add(n)) {
                throw origin.elementError(key, i, "'" + n + "' is listed twice", null);
            }
        }
        return names;
    }

    /** MaxScale 2.1's {@code passwd} is spelt {@code password} here; say so instead of "unknown". */
    void rejectRenamed(String oldKey, String newKey) {
        if (values.containsKey(oldKey)) {
            throw origin.error(oldKey, "'" + oldKey + "' is MaxScale's old name, write '" + newKey + "'", newKey);
        }
    }

    /** Fails on the first key, in file order, that no getter consumed. */
    void rejectUnknown(List<String> known) {
        for (String key : values.keySet()) {
            if (!used.contains(key)) {
                throw origin.error(key, "unknown key", String.join(", ", known));
            }
        }
    }

    /** The keys no getter consumed, for the module to validate. */
    Params rest() {
        Map<String, Object> rest = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (!used.contains(e.getKey())) {
                rest.put(e.getKey(), e.getValue());
            }
        }
        return new Params(origin, rest);
    }
}
