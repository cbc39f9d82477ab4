package io.loomscale.config;

import java.util.List;
import java.util.Map;

/**
 * Where one TOML table and its keys sit in the file, so that any later check can point at
 * the right line.
 *
 * <p>Built once per table by {@link ConfigLoader} and then only read, so it is safe to share.
 *
 * @param file         file name as given to the loader
 * @param table        table path, e.g. {@code service.read} or {@code loomscale}
 * @param headerLine   line of the table header (or of its first key), 0 if unknown
 * @param keyLines     line of each key of the table
 * @param elementLines line of each element of the keys whose value is a list
 */
record Origin(String file, String table, int headerLine, Map<String, Integer> keyLines,
        Map<String, List<Integer>> elementLines) {

    /** An origin for objects that were not read from a file. */
    static final Origin NONE = new Origin("<no file>", "", 0, Map.of(), Map.of());

    Origin {
        keyLines = Map.copyOf(keyLines);
        elementLines = Map.copyOf(elementLines);
    }

    /** Line of {@code key}, or of the table header when the key is absent. */
    int line(String key) {
        Integer line = keyLines.get(key);
        return line == null ? headerLine : line;
    }

    /** Line of element {@code index} of the list under {@code key}, or of the key itself. */
    int elementLine(String key, int index) {
        List<Integer> lines = elementLines.get(key);
        if (lines == null || index >= lines.size() || lines.get(index) <= 0) {
            return line(key);
        }
        return lines.get(index);
    }

    /** An error about {@code key}, at its line. */
    ConfigException error(String key, String problem, String allowed) {
        return ConfigException.at(file, line(key), table, key, problem, allowed);
    }

    /** An error about element {@code index} of the list under {@code key}, at the element's line. */
    ConfigException elementError(String key, int index, String problem, String allowed) {
        return ConfigException.at(file, elementLine(key, index), table, key, problem, allowed);
    }

    /** An error about the table as a whole, at its header. */
    ConfigException tableError(String problem, String allowed) {
        return ConfigException.at(file, headerLine, table, null, problem, allowed);
    }

    /** A required key that is absent: reported at the table header, where it should have been. */
    ConfigException missing(String key, String allowed) {
        return ConfigException.at(file, headerLine, table, key, "missing required key", allowed);
    }
}
