package io.loomscale.config;

/**
 * A configuration error, pointing at the file, line and TOML key that caused it.
 *
 * <p>The message is complete and meant to be shown as is, in the form
 * {@code FILE:LINE: [table.name] key 'k': what is wrong; allowed: ...}. Parts that do not
 * apply are left out: the line when it is unknown (a file that cannot be read), the table
 * for a TOML syntax error, the key for an error about a whole table, the "allowed" part
 * when there is nothing useful to list.
 *
 * <p>Thrown while loading (on the thread that calls {@link ConfigLoader}) and by
 * {@link Params} when a module reads its own keys.
 */
public final class ConfigException extends RuntimeException {

    private final String file;
    private final int line;
    private final String keyPath;

    private ConfigException(String file, int line, String keyPath, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
        this.line = line;
        this.keyPath = keyPath;
    }

    /**
     * Builds the formatted message.
     *
     * @param file    file name as given to the loader
     * @param line    1-based line, or 0 when unknown
     * @param table   table path such as {@code service.read}, or null
     * @param key     key inside the table, or null for the table itself
     * @param problem what is wrong
     * @param allowed what would be accepted, or null
     */
    static ConfigException at(String file, int line, String table, String key, String problem, String allowed) {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(':');
        if (table != null) {
            sb.append(" [").append(table).append(']');
        }
        if (key != null) {
            sb.append(" key '").append(key).append('\'');
        }
        if (table != null || key != null) {
            sb.append(':');
        }
        sb.append(' ').append(problem);
        if (allowed != null) {
            sb.append("; allowed: ").append(allowed);
        }
        String keyPath = table == null ? (key == null ? "" : key) : (key == null ? table : table + "." + key);
        return new ConfigException(file, line, keyPath, sb.toString(), null);
    }

    /** An error about the file as a whole (cannot be read), with its cause. */
    public static ConfigException ofFile(String file, String problem, Throwable cause) {
        return new ConfigException(file, 0, "", file + ": " + problem, cause);
    }

    /** The file name as given to the loader. */
    public String file() {
        return file;
    }

    /** The 1-based line of the offending key or table header, or 0 when unknown. */
    public int line() {
        return line;
    }

    /** The full TOML key path, e.g. {@code service.read.servers}; empty when the error is not about a key. */
    public String keyPath() {
        return keyPath;
    }
}
