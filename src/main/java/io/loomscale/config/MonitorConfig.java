package io.loomscale.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A {@code [monitor.NAME]} table: a monitor module watching a set of servers.
 *
 * <p>{@link #toString()} hides the password so a logged config does not leak it.
 *
 * @param name            the NAME of the table
 * @param module          module name as written, e.g. {@code mariadbmon} or its alias
 *                        {@code mysqlmon} (the module registry resolves aliases)
 * @param servers         names of monitored servers, in file order, each defined
 * @param user            user the monitor logs in as
 * @param password        its password
 * @param monitorInterval time between two monitor passes (default 2s)
 * @param params          the module's own keys
 */
public record MonitorConfig(String name, String module, List<String> servers, String user, String password,
        Duration monitorInterval, Params params) {

    public MonitorConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(module, "module");
        servers = List.copyOf(servers);
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(monitorInterval, "monitorInterval");
        Objects.requireNonNull(params, "params");
    }

    @Override
    public String toString() {
        return "MonitorConfig[name=" + name + ", module=" + module + ", servers=" + servers + ", user=" + user
                + ", password=***, monitorInterval=" + monitorInterval + ", params=" + params + "]";
    }
}
