package io.loomscale.convert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads a MaxScale configuration as MaxScale's INI reader does: the main file, then every
 * {@code *.cnf} file under the directory of the same name followed by {@code .d} (for
 * {@code /etc/maxscale.cnf}, {@code /etc/maxscale.cnf.d}), recursively, in path order.
 *
 * <p>The format, from MaxScale's configuration guide: {@code [name]} starts a section;
 * {@code key=value} lines follow (both trimmed); a line whose first non-blank character is
 * {@code #} or {@code ;} is a comment, and a comment after a value is part of the value; a
 * non-blank line that starts with whitespace continues the previous key's value, the parts
 * joined with a comma (the documented use is a list spread over lines); a key given twice in
 * one section is joined the same way. A section may appear only once across all files.
 *
 * <p>Stateless; {@link #read} runs on the caller's thread.
 */
final class IniReader {

    /** One {@code key=value}, with where its first line is. */
    record Value(String text, String file, int line) {
    }

    /** One {@code [name]} section with its keys in file order. */
    record Section(String name, String file, int line, Map<String, Value> values) {
        String get(String key) {
            Value v = values.get(key);
            return v == null ? null : v.text();
        }

        String where(String key) {
            Value v = values.get(key);
            return v == null ? file + ":" + line : v.file() + ":" + v.line();
        }
    }

    /** A file that cannot be read or parsed; the message names the file and line. */
    static final class IniException extends RuntimeException {
        IniException(String message) {
            super(message);
        }
    }

    private IniReader() {
    }

    /** The sections of {@code file} and of its {@code .d} directory, in reading order. */
    static List<Section> read(Path file) {
        Map<String, Section> sections = new LinkedHashMap<>();
        parse(file, sections);
        Path dir = file.resolveSibling(file.getFileName() + ".d");
        if (Files.isDirectory(dir)) {
            List<Path> extra;
            try (Stream<Path> s = Files.walk(dir)) {
                extra = s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".cnf"))
                        .sorted().toList();
            } catch (IOException e) {
                throw new IniException(dir + ": cannot list the directory (" + e.getMessage() + ")");
            }
            for (Path p : extra) {
                parse(p, sections);
            }
        }
        return List.copyOf(sections.values());
    }

    /** Parses text as if it were the file {@code name}; for tests and for {@link #read}. */
    static void parse(String text, String name, Map<String, Section> into) {
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        String[] lines = text.split("\n", -1);
        Section current = null;
        String lastKey = null;
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String raw = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            String line = raw.strip();
            if (line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == ';') {
                continue;
            }
            boolean indented = Character.isWhitespace(raw.charAt(0));
            if (indented && lastKey != null) {
                Value prev = current.values().get(lastKey);
                current.values().put(lastKey, new Value(join(prev.text(), line), prev.file(), prev.line()));
                continue;
            }
            if (line.charAt(0) == '[') {
                int end = line.indexOf(']');
                if (end < 0) {
                    throw new IniException(name + ":" + lineNo + ": section header without ']': " + line);
                }
                String section = line.substring(1, end).strip();
                if (section.isEmpty()) {
                    throw new IniException(name + ":" + lineNo + ": empty section name");
                }
                Section earlier = into.get(section);
                if (earlier != null) {
                    throw new IniException(name + ":" + lineNo + ": section [" + section + "] is already defined at "
                            + earlier.file() + ":" + earlier.line());
                }
                current = new Section(section, name, lineNo, new LinkedHashMap<>());
                into.put(section, current);
                lastKey = null;
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                eq = line.indexOf(':');
            }
            if (eq <= 0) {
                throw new IniException(name + ":" + lineNo + ": expected key=value or [section], got: " + line);
            }
            if (current == null) {
                throw new IniException(name + ":" + lineNo + ": parameter outside of any [section]: " + line);
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            Value prev = current.values().get(key);
            current.values().put(key, prev == null ? new Value(value, name, lineNo)
                    : new Value(join(prev.text(), value), prev.file(), prev.line()));
            lastKey = key;
        }
    }

    private static void parse(Path file, Map<String, Section> into) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IniException(file + ": cannot read the file (" + e + ")");
        }
        parse(text, file.toString(), into);
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "," + b;
    }

    /** A comma-separated MaxScale list: trimmed items, empty ones (from "a,\n b") skipped. */
    static List<String> list(String value) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",")) {
            String p = part.strip();
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }
}
