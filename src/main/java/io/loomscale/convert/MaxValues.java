package io.loomscale.convert;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MaxScale's value syntax turned into the TOML values LoomScale reads: booleans
 * ({@code true/false/yes/no/on/off/1/0}), integers, durations ({@code 10}, {@code 10s},
 * {@code 500ms}, {@code 2min}, {@code 1h}; a bare number counts in the unit that parameter
 * had) and lists. Each converter throws {@link IllegalArgumentException} with the reason
 * when the value is not of its kind.
 */
final class MaxValues {

    /** A conversion of one MaxScale value. */
    interface Conv {
        Object apply(String raw);
    }

    private static final Pattern DURATION = Pattern.compile("(-?\\d+)\\s*(h|min|m|s|ms)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern INTEGER = Pattern.compile("-?\\d+");

    static final Conv TEXT = raw -> raw;
    static final Conv BOOL = MaxValues::bool;
    static final Conv INT = MaxValues::integer;
    static final Conv LIST = IniReader::list;
    static final Conv SECONDS = duration("s");
    static final Conv MILLIS = duration("ms");
    static final Conv SIZE = MaxValues::size;
    /** MaxScale's ssl switches: booleans, or 2.1's "required"/"disabled". */
    static final Conv SSL = raw -> isOneOfIgnoringCase(raw.strip(), "required", "enabled") ? Boolean.TRUE
            : isOneOfIgnoringCase(raw.strip(), "disabled") ? Boolean.FALSE : bool(raw);
    /** ssl_version: MAX, TLSv12, TLSv13 (the JDK has no TLS 1.0/1.1). */
    static final Conv SSL_VERSION = raw -> {
        for (String v : io.loomscale.tls.TlsConfig.VERSIONS) {
            if (v.equalsIgnoreCase(raw.strip())) {
                return v;
            }
        }
        throw new IllegalArgumentException("ssl_version '" + raw.strip() + "' is not available (LoomScale has "
                + String.join(", ", io.loomscale.tls.TlsConfig.VERSIONS) + "); the default MAX is used");
    };

    private static boolean isOneOfIgnoringCase(String v, String... options) {
        for (String o : options) {
            if (o.equalsIgnoreCase(v)) {
                return true;
            }
        }
        return false;
    }

    private static final Pattern SIZE_TEXT = Pattern.compile("(\\d+)\\s*([kmgt]i?)?", Pattern.CASE_INSENSITIVE);

    private MaxValues() {
    }

    static Boolean bool(String raw) {
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("'" + raw + "' is not a boolean (true, false, yes, no, on, off, 1, 0)");
        };
    }

    static Long integer(String raw) {
        String t = raw.strip();
        if (!INTEGER.matcher(t).matches()) {
            throw new IllegalArgumentException("'" + raw + "' is not an integer");
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + raw + "' is too large");
        }
    }

    /**
     * A size in bytes: MaxScale's {@code Ki}, {@code Mi}, {@code Gi}, {@code Ti} count in 1024s and
     * {@code k}, {@code M}, {@code G}, {@code T} in 1000s; written as a plain number of bytes.
     */
    static Long size(String raw) {
        Matcher m = SIZE_TEXT.matcher(raw.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + raw + "' is not a size (a number of bytes, optionally with k, M, G, "
                    + "T or Ki, Mi, Gi, Ti)");
        }
        try {
            long n = Long.parseLong(m.group(1));
            String suffix = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
            long base = suffix.endsWith("i") ? 1024 : 1000;
            int power = suffix.isEmpty() ? 0 : "kmgt".indexOf(suffix.charAt(0)) + 1;
            for (int i = 0; i < power; i++) {
                n = Math.multiplyExact(n, base);
            }
            return n;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + raw + "' is too large");
        }
    }

    /** A duration whose bare number counts in {@code bareUnit} ("s" or "ms"), as LoomScale's string. */
    static Conv duration(String bareUnit) {
        return raw -> {
            Matcher m = DURATION.matcher(raw.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + raw + "' is not a duration (10s, 500ms, 2min, 1h or a number)");
            }
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + raw + "' is too large");
            }
            if (n < 0) {
                throw new IllegalArgumentException("'" + raw + "' is negative");
            }
            String unit = m.group(2) == null ? bareUnit : m.group(2).toLowerCase(Locale.ROOT);
            return n + (unit.equals("min") ? "m" : unit);
        };
    }

    /**
     * A value of a module LoomScale passes through unread: {@code true/false/yes/no/on/off}
     * become booleans, whole numbers integers, anything else a string.
     */
    static Object guess(String raw) {
        String t = raw.strip();
        switch (t.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> {
                return true;
            }
            case "false", "no", "off" -> {
                return false;
            }
            default -> {
                if (INTEGER.matcher(t).matches() && t.length() < 19) {
                    return Long.parseLong(t);
                }
                return raw;
            }
        }
    }

    /** True when {@code raw} is a MaxScale "off" for ssl-like switches. */
    static boolean isOff(String raw) {
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "false", "no", "off", "0", "disabled", "" -> true;
            default -> false;
        };
    }
}
