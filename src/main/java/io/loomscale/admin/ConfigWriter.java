package io.loomscale.admin;

import io.loomscale.config.FilterConfig;
import io.loomscale.config.GlobalConfig;
import io.loomscale.config.Json;
import io.loomscale.config.ListenerConfig;
import io.loomscale.config.LoomScaleConfig;
import io.loomscale.config.MonitorConfig;
import io.loomscale.config.Params;
import io.loomscale.config.ServerConfig;
import io.loomscale.config.ServiceConfig;
import org.tomlj.TomlArray;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes configuration records back as TOML tables that {@link io.loomscale.config.ConfigLoader}
 * reads to the same records. The admin interface edits these tables (one map of key to value per
 * object) and parses the result, so a runtime change is checked exactly as the file is, and the
 * same text is what it persists under {@code datadir}. Durations are written in milliseconds.
 */
final class ConfigWriter {
    private ConfigWriter() {
    }

    /** Every object of {@code cfg} as {@code "server.NAME" -> {key: value}} in file order. */
    static Map<String, Map<String, Object>> tables(LoomScaleConfig cfg) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        cfg.servers().values().forEach(s -> out.put("server." + s.name(), server(s)));
        cfg.monitors().values().forEach(m -> out.put("monitor." + m.name(), monitor(m)));
        cfg.filters().values().forEach(f -> out.put("filter." + f.name(), filter(f)));
        cfg.services().values().forEach(s -> out.put("service." + s.name(), service(s)));
        cfg.listeners().values().forEach(l -> out.put("listener." + l.name(), listener(l)));
        return out;
    }

    static Map<String, Object> server(ServerConfig s) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("address", s.address());
        t.put("port", (long) s.port());
        t.put("weight", (long) s.weight());
        t.put("persistpoolmax", (long) s.persistpoolmax());
        t.put("persistmaxtime", ms(s.persistmaxtime()));
        tls(t, s.tls(), true);
        if (s.proxyProtocol()) {
            t.put("proxy_protocol", true);
        }
        return t;
    }

    /** The {@code ssl*} keys of an enabled TLS setup (none when TLS is off). */
    private static void tls(Map<String, Object> t, io.loomscale.tls.TlsConfig c, boolean server) {
        if (!c.enabled()) {
            return;
        }
        t.put("ssl", true);
        if (c.cert() != null) {
            t.put("ssl_cert", c.cert().toString());
            t.put("ssl_key", c.key().toString());
        }
        if (c.caCert() != null) {
            t.put("ssl_ca_cert", c.caCert().toString());
        }
        t.put("ssl_version", c.version());
        if (!c.ciphers().isEmpty()) {
            t.put("ssl_cipher", c.ciphers());
        }
        t.put("ssl_verify_peer_certificate", c.verifyPeerCertificate());
        if (server) {
            t.put("ssl_verify_peer_host", c.verifyPeerHost());
        }
    }

    static Map<String, Object> monitor(MonitorConfig m) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("module", m.module());
        t.put("servers", m.servers());
        t.put("user", m.user());
        t.put("password", m.password());
        t.put("monitor_interval", ms(m.monitorInterval()));
        params(t, m.params());
        return t;
    }

    static Map<String, Object> filter(FilterConfig f) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("module", f.module());
        params(t, f.params());
        return t;
    }

    static Map<String, Object> service(ServiceConfig s) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("router", s.router());
        if (s.cluster() != null) {
            t.put("cluster", s.cluster());
        } else {
            t.put("servers", s.servers());
        }
        t.put("user", s.user());
        t.put("password", s.password());
        if (s.routerOptions() != null && !s.routerOptions().isEmpty()) {
            t.put("router_options", s.routerOptions());
        }
        if (!s.filters().isEmpty()) {
            t.put("filters", s.filters());
        }
        t.put("max_connections", (long) s.maxConnections());
        t.put("connection_timeout", ms(s.connectionTimeout()));
        t.put("enable_root_user", s.enableRootUser());
        t.put("users_refresh_time", ms(s.auth().usersRefreshTime()));
        t.put("localhost_match_wildcard_host", s.auth().localhostMatchWildcardHost());
        t.put("skip_authentication", s.auth().skipAuthentication());
        params(t, s.params());
        return t;
    }

    static Map<String, Object> listener(ListenerConfig l) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("service", l.service());
        t.put("address", l.address());
        if (l.port() > 0) {
            t.put("port", (long) l.port());
        }
        if (l.socket() != null) {
            t.put("socket", l.socket());
        }
        tls(t, l.tls(), false);
        if (!l.proxyProtocolNetworks().isEmpty()) {
            t.put("proxy_protocol_networks", l.proxyProtocolNetworks());
        }
        return t;
    }

    private static void params(Map<String, Object> t, Params p) {
        for (String k : p.keys()) {
            t.put(k, p.value(k));
        }
    }

    private static String ms(Duration d) {
        return d.toMillis() + "ms";
    }

    /** The {@code [loomscale]} table of {@code g}. */
    static Map<String, Object> global(GlobalConfig g) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("threads", (long) g.threads());
        t.put("session_threads", (long) g.sessionThreads());
        t.put("log_level", g.logLevel());
        t.put("logdir", g.logdir().toString());
        t.put("datadir", g.datadir().toString());
        t.put("libdir", g.libdir().toString());
        t.put("admin_enabled", g.admin().enabled());
        t.put("admin_host", g.admin().host());
        t.put("admin_port", (long) g.admin().port());
        if (g.admin().sslKey() != null) {
            t.put("admin_ssl_key", g.admin().sslKey().toString());
            t.put("admin_ssl_cert", g.admin().sslCert().toString());
        }
        if (g.admin().sslCaCert() != null) {
            t.put("admin_ssl_ca_cert", g.admin().sslCaCert().toString());
        }
        return t;
    }

    /** TOML text of {@code tables}, each {@code [kind.NAME]}. */
    static String toml(Map<String, Map<String, Object>> tables) {
        StringBuilder sb = new StringBuilder();
        tables.forEach((name, t) -> {
            sb.append('[').append(name).append("]\n");
            t.forEach((k, v) -> sb.append(k).append(" = ").append(value(v)).append('\n'));
            sb.append('\n');
        });
        return sb.toString();
    }

    static String value(Object v) {
        if (v instanceof String s) {
            return Json.quote(s);
        }
        if (v instanceof Boolean || v instanceof Long || v instanceof Integer) {
            return v.toString();
        }
        if (v instanceof Double d) {
            return d.toString();
        }
        if (v instanceof TomlArray a) {
            return value(a.toList());
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(value(l.get(i)));
            }
            return sb.append(']').toString();
        }
        throw new ApiException(400, "a value of type " + (v == null ? "null" : v.getClass().getSimpleName())
                + " cannot be a configuration value; allowed: string, integer, boolean, list");
    }

}
