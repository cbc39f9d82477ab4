package io.loomscale.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The module-specific keys of a {@code [monitor.NAME]}, {@code [service.NAME]} or
 * {@code [filter.NAME]} table: every key that is not one of the table's common keys, with its
 * position in the file, so that the module (router, monitor, filter) can read and validate its
 * own keys and still report {@code FILE:LINE: [table] key 'k': ...} like the loader does.
 *
 * <p>A module typically calls the typed getters it knows, then
 * {@link #rejectUnknown(Set)} with the keys it accepts. Getters throw {@link ConfigException}
 * on a wrong type and return the default when the key is absent.
 *
 * <p>Immutable and safe to share between threads. Equality compares the table name and the
 * values, not the line numbers.
 */
public final class Params {

    private static final Params EMPTY = new Params(Origin.NONE, Map.of());

    private final Origin origin;
    private final Map<String, Object> values;

    Params(Origin origin, Map<String, Object> values) {
        this.origin = Objects.requireNonNull(origin, "origin");
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** No module keys, for configs built in code. */
    public static Params empty() {
        return EMPTY;
    }

    /** A string value, or {@code dflt} when absent. */
    public String string(String key, String dflt) {
        Object v = values.get(key);
        return v == null ? dflt : Values.string(origin, key, v);
    }

    /** An integer value that fits an {@code int}, or {@code dflt} when absent. */
    public int integer(String key, int dflt) {
        Object v = values.get(key);
        return v == null ? dflt : Values.intValue(origin, key, v, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** An integer value, or {@code dflt} when absent. */
    public long longValue(String key, long dflt) {
        Object v = values.get(key);
        return v == null ? dflt : Values.longValue(origin, key, v, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** A TOML boolean ({@code true}/{@code false}), or {@code dflt} when absent. */
    public boolean bool(String key, boolean dflt) {
        Object v = values.get(key);
        return v == null ? dflt : Values.bool(origin, key, v);
    }

    /**
     * A non-negative duration, or {@code dflt} when absent: a string such as {@code "500ms"},
     * {@code "2s"}, {@code "1m"}, {@code "1h"}, or a bare TOML integer counted in
     * {@code bareIntegerUnit} (MaxScale 2.1 compatibility: each parameter had its own unit).
     */
    public Duration duration(String key, Duration dflt, ChronoUnit bareIntegerUnit) {
        Object v = values.get(key);
        return v == null ? dflt : Values.duration(origin, key, v, bareIntegerUnit);
    }

    /** A TOML list of strings, or an empty list when absent. */
    public List<String> stringList(String key) {
        Object v = values.get(key);
        return v == null ? List.of() : Values.stringList(origin, key, v);
    }

    /** The value as TOML gave it (String, Long, Boolean, Double, a list...), or null when absent. */
    public Object value(String key) {
        return values.get(key);
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The module keys, in file order. */
    public Set<String> keys() {
        return values.keySet();
    }

    /**
     * Throws a {@link ConfigException} naming the first key (in file order) that is not in
     * {@code allowed}, with its line and the allowed keys in alphabetical order.
     */
    public void rejectUnknown(Set<String> allowed) {
        for (String key : values.keySet()) {
            if (!allowed.contains(key)) {
                throw origin.error(key, "unknown key for this module",
                        allowed.isEmpty() ? "(no module keys)" : String.join(", ", new TreeSet<>(allowed)));
            }
        }
    }

    /**
     * An error about {@code key} of this table, at the key's line (or at the table header when
     * the key is absent), for checks a module does beyond types: a value out of range, an
     * unknown option in {@code router_options}, two keys that exclude each other. Any key of
     * the table can be named, including the common ones, whose lines are kept too.
     *
     * @param allowed what would be accepted, or null
     */
    public ConfigException error(String key, String problem, String allowed) {
        return origin.error(key, problem, allowed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Params p && origin.table().equals(p.origin.table()) && values.equals(p.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(origin.table(), values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Params[");
        String sep = "";
        for (Entry<String, Object> e : values.entrySet()) {
            sb.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = ", ";
        }
        return sb.append(']').toString();
    }
}
