package io.loomscale.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Loads a LoomScale TOML file into a validated {@link LoomScaleConfig}.
 *
 * <p>The file has one table per object, as MaxScale 2.1 has one section per object:
 * {@code [loomscale]} for the global settings, then {@code [server.NAME]},
 * {@code [monitor.NAME]}, {@code [service.NAME]}, {@code [listener.NAME]} and
 * {@code [filter.NAME]}. Nothing else may appear at the top level.
 *
 * <p>Loading has three steps: tomlj parses the text (its first syntax error becomes a
 * {@link ConfigException}); each table is copied into a {@link Section} of plain values with
 * the line of every key; {@link ObjectReaders} turns the sections into records, kind by kind
 * so that references can be checked (servers, then monitors, filters, services, listeners),
 * whatever the order of the tables in the file. The first error stops the load.
 *
 * <p>Stateless; runs on the caller's thread (at startup, or for a reload).
 */
public final class ConfigLoader {

    static final List<String> KINDS = List.of("loomscale", "server", "monitor", "service", "listener", "filter");

    private static final String TOP_LEVEL_ALLOWED =
            "[loomscale], [server.NAME], [monitor.NAME], [service.NAME], [listener.NAME], [filter.NAME]";

    /** Object names: TOML bare-key characters without '.', so that a key path has one reading. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    private ConfigLoader() {
    }

    /** Reads and validates {@code file} (UTF-8). Messages name the file as given. */
    public static LoomScaleConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw ConfigException.ofFile(file.toString(), "the file is not valid UTF-8", e);
        } catch (IOException e) {
            throw ConfigException.ofFile(file.toString(), "cannot read the file (" + e + ")", e);
        }
        return parse(text, file.toString());
    }

    /** Parses and validates TOML text; {@code fileNameForMessages} is used in every message. */
    public static LoomScaleConfig parse(String toml, String fileNameForMessages) {
        String file = fileNameForMessages;
        TomlParseResult root = Toml.parse(toml);
        if (root.hasErrors()) {
            TomlParseError e = root.errors().get(0);
            throw ConfigException.at(file, line(e.position()), null, null, "invalid TOML: " + e.getMessage(), null);
        }
        Map<String, Integer> keyLines = new HashMap<>();
        Section global = null;
        Map<String, Map<String, Section>> objects = new HashMap<>();
        for (String kind : KINDS) {
            objects.put(kind, new LinkedHashMap<>());
        }
        for (String top : root.keySet()) {
            List<String> path = List.of(top);
            int line = line(root.inputPositionOf(path));
            if (!KINDS.contains(top)) {
                throw ConfigException.at(file, line, null, top, "unknown top-level table or key", TOP_LEVEL_ALLOWED);
            }
            Object value = root.get(path);
            if (!(value instanceof TomlTable table)) {
                throw ConfigException.at(file, line, null, top, "expected a table, got " + describeRaw(value),
                        TOP_LEVEL_ALLOWED);
            }
            if (top.equals("loomscale")) {
                global = section(file, "loomscale", root, path, table, keyLines, toml);
                continue;
            }
            for (String name : table.keySet()) {
                List<String> objectPath = List.of(top, name);
                int objectLine = line(root.inputPositionOf(objectPath));
                Object object = table.get(List.of(name));
                if (!(object instanceof TomlTable objectTable)) {
                    throw ConfigException.at(file, objectLine, top, name,
                            "expected a table [" + top + "." + name + "], got " + describeRaw(object),
                            "[" + top + ".NAME] tables");
                }
                if (!NAME.matcher(name).matches()) {
                    throw ConfigException.at(file, objectLine, top, name,
                            name.isEmpty() ? "an object name cannot be empty" : "invalid object name",
                            "letters, digits, '_' and '-'");
                }
                objects.get(top).put(name,
                        section(file, top + "." + name, root, objectPath, objectTable, keyLines, toml));
            }
        }
        return ObjectReaders.read(file, global, objects, keyLines);
    }

    /**
     * Copies one table into a {@link Section}: plain values in file order and the line of
     * every key (also recorded in {@code keyLines} under the full key path). Nested tables are
     * rejected here, since no key of any object takes one.
     */
    private static Section section(String file, String tableName, TomlTable root, List<String> path,
            TomlTable table, Map<String, Integer> keyLines, String text) {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        Map<String, List<Integer>> elementLines = new HashMap<>();
        int header = line(root.inputPositionOf(path));
        for (String key : table.keySet()) {
            List<String> keyPath = List.of(key);
            int line = line(table.inputPositionOf(keyPath));
            if (header == 0) {
                header = line;
            }
            Object raw = table.get(keyPath);
            if (raw instanceof TomlTable) {
                throw ConfigException.at(file, line, tableName, key,
                        "a nested table is not allowed here (object names cannot contain '.')",
                        "a string, integer, boolean or list");
            }
            if (raw instanceof TomlArray array) {
                List<Integer> elements = new ArrayList<>(array.size());
                for (int i = 0; i < array.size(); i++) {
                    elements.add(elementLine(text, array.inputPositionOf(i)));
                }
                elementLines.put(key, elements);
                values.put(key, plain(file, tableName, key, line, array));
            } else {
                values.put(key, raw);
            }
            lines.put(key, line);
            keyLines.put(tableName + "." + key, line);
        }
        keyLines.put(tableName, header);
        return new Section(new Origin(file, tableName, header, lines, elementLines), values);
    }

    /** A TOML array as an immutable list of plain values; nested arrays are kept as lists. */
    private static List<Object> plain(String file, String table, String key, int line, TomlArray array) {
        List<Object> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            Object element = array.get(i);
            if (element instanceof TomlTable) {
                throw ConfigException.at(file, line, table, key, "a list of tables is not allowed here",
                        "a list of strings, integers or booleans");
            }
            out.add(element instanceof TomlArray nested ? plain(file, table, key, line, nested) : element);
        }
        return List.copyOf(out);
    }

    private static String describeRaw(Object value) {
        if (value instanceof TomlArray) {
            return "a list (use [kind.NAME] headers, not [[kind]])";
        }
        return Values.describe(value);
    }

    /**
     * The line of a list element. tomlj places an element where the text after the previous
     * comma (or the '[') starts, so for a list written one element per line it gives the line
     * before; skip blanks, newlines and comments from there to the element itself.
     */
    static int elementLine(String text, TomlPosition position) {
        if (position == null) {
            return 0;
        }
        int line = 1;
        int i = 0;
        while (line < position.line() && i < text.length()) {
            if (text.charAt(i++) == '\n') {
                line++;
            }
        }
        i += position.column() - 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '#') {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '\n') {
                line++;
                i++;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                i++;
            } else {
                break;
            }
        }
        return line;
    }

    private static int line(TomlPosition position) {
        return position == null ? 0 : position.line();
    }
}
