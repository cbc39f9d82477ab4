package io.loomscale.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A {@code [service.NAME]} table: a router module over a set of servers, with a filter chain.
 *
 * <p>{@link #toString()} hides the password so a logged config does not leak it.
 *
 * @param name              the NAME of the table
 * @param router            router module name, e.g. {@code readconnroute}
 * @param servers           the servers, in order: those listed in {@code servers}, or those of
 *                          the monitor named by {@code cluster}
 * @param cluster           the monitor whose servers the service uses, or null when
 *                          {@code servers} was given
 * @param user              user for loading the users of the backends
 * @param password          its password
 * @param routerOptions     {@code router_options} as written, {@code ""} when absent; the router
 *                          parses it
 * @param filters           filter names in chain order (first sees statements first)
 * @param maxConnections    client sessions allowed at once, 0 = unlimited
 * @param connectionTimeout idle time after which a client session is closed, ZERO = never
 * @param enableRootUser    whether clients may log in as root through the service
 * @param params            the router's own keys
 * @param auth              {@code users_refresh_time}, {@code localhost_match_wildcard_host},
 *                          {@code skip_authentication}
 */
public record ServiceConfig(String name, String router, List<String> servers, String cluster, String user,
        String password, String routerOptions, List<String> filters, int maxConnections,
        Duration connectionTimeout, boolean enableRootUser, Params params, Auth auth) {

    /**
     * How the service's authenticator treats clients (MaxScale's names).
     *
     * @param usersRefreshTime           the shortest time between two reloads of the accounts
     *                                   (an unknown user or wrong password triggers one); default 5s
     * @param localhostMatchWildcardHost whether a client on 127.0.0.1 or a unix socket matches
     *                                   {@code 'user'@'%'}; default true
     * @param skipAuthentication         the proxy does not check passwords and database grants
     *                                   itself and lets the servers refuse (it still needs the
     *                                   account, to log in for the client); default false
     */
    public record Auth(Duration usersRefreshTime, boolean localhostMatchWildcardHost, boolean skipAuthentication) {
        public static final Auth DEFAULTS = new Auth(Duration.ofSeconds(5), true, false);

        public Auth {
            Objects.requireNonNull(usersRefreshTime, "usersRefreshTime");
        }
    }

    /** A service with the default {@link Auth}. */
    public ServiceConfig(String name, String router, List<String> servers, String cluster, String user,
            String password, String routerOptions, List<String> filters, int maxConnections,
            Duration connectionTimeout, boolean enableRootUser, Params params) {
        this(name, router, servers, cluster, user, password, routerOptions, filters, maxConnections, connectionTimeout,
                enableRootUser, params, Auth.DEFAULTS);
    }

    public ServiceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(router, "router");
        servers = List.copyOf(servers);
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        routerOptions = routerOptions == null ? "" : routerOptions;
        filters = List.copyOf(filters);
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(auth, "auth");
    }

    @Override
    public String toString() {
        return "ServiceConfig[name=" + name + ", router=" + router + ", servers=" + servers + ", cluster="
                + cluster + ", user=" + user + ", password=***, routerOptions=" + routerOptions + ", filters="
                + filters + ", maxConnections=" + maxConnections + ", connectionTimeout=" + connectionTimeout
                + ", enableRootUser=" + enableRootUser + ", params=" + params + ", auth=" + auth + "]";
    }
}
