package io.loomscale.filter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for filter rule files (cache, masking): objects become
 * {@link LinkedHashMap}s, arrays {@link List}s, numbers {@link Long} or {@link Double}, plus
 * String, Boolean and null. A syntax error is a {@link JsonException} with the line and column,
 * so a refused rules file names where it went wrong. Not for large documents (recursive).
 */
public final class Json {
    private final String text;
    private int pos;
    private int line = 1;
    private int lineStart;

    private Json(String text) {
        this.text = text;
    }

    /** A syntax error at {@link #line()}:{@link #column()}. */
    public static final class JsonException extends RuntimeException {
        private final int line;
        private final int column;

        JsonException(int line, int column, String message) {
            super("line " + line + ", column " + column + ": " + message);
            this.line = line;
            this.column = column;
        }

        public int line() {
            return line;
        }

        public int column() {
            return column;
        }
    }

    /** Parses one JSON value that must be the whole text (whitespace around it is fine). */
    public static Object parse(String text) {
        Json j = new Json(text);
        j.skipSpace();
        Object v = j.value();
        j.skipSpace();
        if (j.pos < text.length()) {
            throw j.error("unexpected '" + text.charAt(j.pos) + "' after the end of the document");
        }
        return v;
    }

    private JsonException error(String message) {
        return new JsonException(line, pos - lineStart + 1, message);
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                line++;
                lineStart = pos + 1;
            } else if (c != ' ' && c != '\t' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private Object value() {
        if (pos >= text.length()) {
            throw error("unexpected end of the document");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> word("true", Boolean.TRUE);
            case 'f' -> word("false", Boolean.FALSE);
            case 'n' -> word("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected '" + c + "' (expected: a value)");
            }
        };
    }

    private Object word(String w, Object v) {
        if (!text.startsWith(w, pos)) {
            throw error("unexpected '" + text.charAt(pos) + "' (expected: " + w + ")");
        }
        pos += w.length();
        return v;
    }

    private Map<String, Object> object() {
        pos++; // {
        Map<String, Object> m = new LinkedHashMap<>();
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == '}') {
            pos++;
            return m;
        }
        while (true) {
            skipSpace();
            if (pos >= text.length() || text.charAt(pos) != '"') {
                throw error("expected a quoted member name");
            }
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            m.put(key, value());
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
                continue;
            }
            expect('}');
            return m;
        }
    }

    private List<Object> array() {
        pos++; // [
        List<Object> l = new ArrayList<>();
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == ']') {
            pos++;
            return l;
        }
        while (true) {
            skipSpace();
            l.add(value());
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
                continue;
            }
            expect(']');
            return l;
        }
    }

    private void expect(char c) {
        if (pos >= text.length() || text.charAt(pos) != c) {
            throw error(pos >= text.length() ? "unexpected end of the document (expected: '" + c + "')"
                    : "unexpected '" + text.charAt(pos) + "' (expected: '" + c + "')");
        }
        pos++;
    }

    private String string() {
        pos++; // "
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\n') {
                throw error("line break inside a string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("bad \\u escape");
                    }
                    try {
                        sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object number() {
        int start = pos;
        if (text.charAt(pos) == '-') {
            pos++;
        }
        boolean fraction = false;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c >= '0' && c <= '9') {
                pos++;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                fraction = true;
                pos++;
            } else {
                break;
            }
        }
        String n = text.substring(start, pos);
        try {
            return fraction ? (Object) Double.parseDouble(n) : (Object) Long.parseLong(n);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("bad number '" + n + "'");
        }
    }
}
