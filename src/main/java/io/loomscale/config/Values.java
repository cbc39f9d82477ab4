package io.loomscale.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads of the plain values taken out of TOML, shared by {@link Section} (the common keys)
 * and {@link Params} (the module keys) so both report the same messages.
 *
 * <p>Values are what {@link ConfigLoader} stores: {@code String}, {@code Long}, {@code Double},
 * {@code Boolean}, a {@code java.time} temporal, or an immutable {@code List} of those.
 * Stateless; every method throws {@link ConfigException} naming the key and its line.
 */
final class Values {

    /** A duration string: a non-negative integer followed by one unit, as in MaxScale 2.1+. */
    private static final Pattern DURATION = Pattern.compile("([0-9]+)(ms|s|m|h)");

    private Values() {
    }

    static String string(Origin o, String key, Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(o, key, "expected a string", v, null);
    }

    static long longValue(Origin o, String key, Object v, long min, long max) {
        if (!(v instanceof Long l)) {
            throw wrongType(o, key, "expected an integer", v, range(min, max));
        }
        if (l < min || l > max) {
            throw o.error(key, "value " + l + " is out of range", range(min, max));
        }
        return l;
    }

    static int intValue(Origin o, String key, Object v, int min, int max) {
        return (int) longValue(o, key, v, min, max);
    }

    static boolean bool(Origin o, String key, Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(o, key, "expected a boolean", v, "true, false");
    }

    /**
     * A duration: a TOML integer counted in {@code bareIntegerUnit}, or a string such as
     * {@code "500ms"}, {@code "2s"}, {@code "1m"}, {@code "1h"}. Negative values are rejected.
     */
    static Duration duration(Origin o, String key, Object v, ChronoUnit bareIntegerUnit) {
        String allowed = durationAllowed(bareIntegerUnit);
        try {
            if (v instanceof Long l) {
                if (l < 0) {
                    throw o.error(key, "a duration cannot be negative", allowed);
                }
                return Duration.of(l, bareIntegerUnit);
            }
            if (v instanceof String s) {
                Matcher m = DURATION.matcher(s);
                if (!m.matches()) {
                    throw wrongType(o, key, "expected a duration like \"500ms\", \"2s\", \"1m\"", v, allowed);
                }
                long amount = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                };
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw o.error(key, "duration " + describe(v) + " is too large", allowed);
        }
        throw wrongType(o, key, "expected a duration like \"500ms\", \"2s\", \"1m\"", v, allowed);
    }

    static String durationAllowed(ChronoUnit bareIntegerUnit) {
        return "an integer number of " + unitName(bareIntegerUnit)
                + ", or a string \"<n>ms\", \"<n>s\", \"<n>m\" or \"<n>h\"";
    }

    static List<String> stringList(Origin o, String key, Object v) {
        if (!(v instanceof List<?> list)) {
            throw wrongType(o, key, "expected a list of strings", v, "a list like [\"a\", \"b\"]");
        }
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw o.elementError(key, i, "expected a list of strings, element " + (i + 1) + " is "
                        + describe(list.get(i)), "a list like [\"a\", \"b\"]");
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    static ConfigException wrongType(Origin o, String key, String expected, Object v, String allowed) {
        return o.error(key, expected + ", got " + describe(v), allowed);
    }

    /** A short description of a value for messages, e.g. {@code the string "x"}. */
    static String describe(Object v) {
        if (v instanceof String s) {
            return "the string \"" + s + "\"";
        }
        if (v instanceof Long || v instanceof Double) {
            return (v instanceof Long ? "the integer " : "the float ") + v;
        }
        if (v instanceof Boolean b) {
            return "the boolean " + b;
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        if (v instanceof Temporal) {
            return "a date/time";
        }
        return "a " + (v == null ? "missing value" : v.getClass().getSimpleName());
    }

    private static String range(long min, long max) {
        boolean noMin = min == Long.MIN_VALUE || min == Integer.MIN_VALUE;
        boolean noMax = max == Long.MAX_VALUE || max == Integer.MAX_VALUE;
        return noMax && !noMin ? "an integer >= " + min : "an integer from " + min + " to " + max;
    }

    private static String unitName(ChronoUnit unit) {
        return switch (unit) {
            case MILLIS -> "milliseconds";
            case SECONDS -> "seconds";
            case MINUTES -> "minutes";
            case HOURS -> "hours";
            default -> unit.toString().toLowerCase(Locale.ROOT);
        };
    }
}
