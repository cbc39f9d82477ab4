package io.loomscale.convert;

import java.util.List;
import java.util.Map;

/**
 * Writes the small subset of TOML the converter needs: tables of strings, integers,
 * booleans and lists of strings, each table preceded by its comment lines.
 */
final class TomlText {
    private static final java.util.regex.Pattern BARE = java.util.regex.Pattern.compile("[A-Za-z0-9_-]+");
    private final StringBuilder out = new StringBuilder();

    void comment(String text) {
        for (String line : text.split("\n", -1)) {
            out.append(line.isEmpty() ? "#" : "# " + line).append('\n');
        }
    }

    void blank() {
        out.append('\n');
    }

    /** {@code [name]} then {@code key = value} for each entry, in map order. */
    void table(String name, Map<String, Object> values) {
        out.append('[').append(name).append("]\n");
        values.forEach((k, v) -> out.append(key(k)).append(" = ").append(value(v)).append('\n'));
    }

    /** A bare key when TOML allows it, otherwise a quoted one. */
    static String key(String k) {
        return BARE.matcher(k).matches() ? k : quote(k);
    }

    static String value(Object v) {
        if (v instanceof Boolean || v instanceof Long || v instanceof Integer) {
            return v.toString();
        }
        if (v instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(value(list.get(i)));
            }
            return sb.append(']').toString();
        }
        return quote(String.valueOf(v));
    }

    /** A TOML basic string. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
