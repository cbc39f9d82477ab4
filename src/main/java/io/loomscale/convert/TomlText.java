package io.loomscale.convert;

import io.loomscale.config.Json;

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
        return BARE.matcher(k).matches() ? k : Json.quote(k);
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
        return Json.quote(String.valueOf(v));
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
