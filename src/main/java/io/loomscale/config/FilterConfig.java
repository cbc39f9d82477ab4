package io.loomscale.config;

import java.util.Objects;

/**
 * A {@code [filter.NAME]} table: a filter module and its own keys.
 *
 * @param name   the NAME of the table
 * @param module filter module name
 * @param params every other key of the table, validated by the module
 */
public record FilterConfig(String name, String module, Params params) {

    public FilterConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(params, "params");
    }
}
