package io.loomscale.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of configuration error, each with the exact message: file, line, table, key,
 * problem and what is allowed.
 */
class ConfigErrorsTest {

    /** Two servers, a monitor and a service that the cases below refer to (lines 1-13). */
    private static final String BASE = """
            [server.a]
            address = "10.0.0.1"
            [server.b]
            address = "10.0.0.2"
            [monitor.m]
            module = "mariadbmon"
            servers = ["a", "b"]
            user = "u"
            password = "p"
            [service.s]
            router = "readconnroute"
            cluster = "m"
            user = "u"
            password = "p"
            """;

    private static final String TOP = "[loomscale], [server.NAME], [monitor.NAME], [service.NAME], [listener.NAME], "
            + "[filter.NAME]";

    static Stream<Arguments> errors() {
        return Stream.of(
                // top level
                arguments("[maxscale]\nthreads = 1\n",
                        "t.toml:1: key 'maxscale': unknown top-level table or key; allowed: " + TOP, "maxscale"),
                arguments("threads = 4\n",
                        "t.toml:1: key 'threads': unknown top-level table or key; allowed: " + TOP, "threads"),
                arguments("[[server]]\naddress = \"h\"\n",
                        "t.toml:1: key 'server': expected a table, got a list (use [kind.NAME] headers, not [[kind]]);"
                                + " allowed: " + TOP, "server"),
                arguments("server = \"a\"\n",
                        "t.toml:1: key 'server': expected a table, got the string \"a\"; allowed: " + TOP, "server"),
                arguments("[server]\naddress = \"h\"\n",
                        "t.toml:2: [server] key 'address': expected a table [server.address], got the string \"h\";"
                                + " allowed: [server.NAME] tables", "server.address"),
                arguments("[server.\"a b\"]\naddress = \"h\"\n",
                        "t.toml:1: [server] key 'a b': invalid object name; allowed: letters, digits, '_' and '-'",
                        "server.a b"),
                arguments("[server.\"\"]\naddress = \"h\"\n",
                        "t.toml:1: [server] key '': an object name cannot be empty; allowed: letters, digits, '_'"
                                + " and '-'", "server."),
                arguments("[server.a.b]\naddress = \"h\"\n",
                        "t.toml:1: [server.a] key 'b': a nested table is not allowed here (object names cannot contain"
                                + " '.'); allowed: a string, integer, boolean or list", "server.a.b"),
                // [loomscale]
                arguments("[loomscale]\nthreads = 2\nworkers = 3\n",
                        "t.toml:3: [loomscale] key 'workers': unknown key; allowed: threads, session_threads, log_level,"
                                + " logdir, datadir, libdir, admin_enabled, admin_host, admin_port, admin_ssl_key, admin_ssl_cert,"
                                + " admin_ssl_ca_cert", "loomscale.workers"),
                arguments("[loomscale]\nthreads = 0\n",
                        "t.toml:2: [loomscale] key 'threads': expected \"auto\" or an integer >= 1, got the integer 0;"
                                + " allowed: \"auto\" or an integer >= 1", "loomscale.threads"),
                arguments("[loomscale]\nsession_threads = \"many\"\n",
                        "t.toml:2: [loomscale] key 'session_threads': expected \"auto\" or an integer >= 1, got the"
                                + " string \"many\"; allowed: \"auto\" or an integer >= 1", "loomscale.session_threads"),
                arguments("[loomscale]\nlog_level = \"verbose\"\n",
                        "t.toml:2: [loomscale] key 'log_level': unknown value \"verbose\"; allowed: error, warn, notice,"
                                + " info, debug", "loomscale.log_level"),
                arguments("[loomscale]\nlogdir = 5\n",
                        "t.toml:2: [loomscale] key 'logdir': expected a string, got the integer 5",
                        "loomscale.logdir"),
                arguments("[loomscale]\ndatadir = \"\"\n",
                        "t.toml:2: [loomscale] key 'datadir': must not be empty; allowed: a non-empty string",
                        "loomscale.datadir"),
                arguments("[loomscale]\nlibdir = \"a\\u0000b\"\n",
                        "t.toml:2: [loomscale] key 'libdir': invalid path: Nul character not allowed; allowed: a file"
                                + " system path", "loomscale.libdir"),
                arguments("[loomscale]\n\n[loomscale.x]\ny = 1\n",
                        "t.toml:3: [loomscale] key 'x': a nested table is not allowed here (object names cannot contain"
                                + " '.'); allowed: a string, integer, boolean or list", "loomscale.x"),
                // [server.NAME]
                arguments("\n[server.a]\nport = 3307\n",
                        "t.toml:2: [server.a] key 'address': missing required key; allowed: a host name or IP address",
                        "server.a.address"),
                arguments("[server.a]\naddress = \"\"\n",
                        "t.toml:2: [server.a] key 'address': must not be empty; allowed: a host name or IP address",
                        "server.a.address"),
                arguments("[server.a]\naddress = \"h\"\nport = 0\n",
                        "t.toml:3: [server.a] key 'port': value 0 is out of range; allowed: an integer from 1 to 65535",
                        "server.a.port"),
                arguments("[server.a]\naddress = \"h\"\nport = \"3306\"\n",
                        "t.toml:3: [server.a] key 'port': expected an integer, got the string \"3306\"; allowed: an"
                                + " integer from 1 to 65535", "server.a.port"),
                arguments("[server.a]\naddress = \"h\"\nport = 3306.0\n",
                        "t.toml:3: [server.a] key 'port': expected an integer, got the float 3306.0; allowed: an"
                                + " integer from 1 to 65535", "server.a.port"),
                arguments("[server.a]\naddress = \"h\"\nweight = -1\n",
                        "t.toml:3: [server.a] key 'weight': value -1 is out of range; allowed: an integer >= 0",
                        "server.a.weight"),
                arguments("[server.a]\naddress = \"h\"\npersistpoolmax = 99999999999\n",
                        "t.toml:3: [server.a] key 'persistpoolmax': value 99999999999 is out of range; allowed: an"
                                + " integer >= 0", "server.a.persistpoolmax"),
                arguments("[server.a]\naddress = \"h\"\npersistmaxtime = \"10 seconds\"\n",
                        "t.toml:3: [server.a] key 'persistmaxtime': expected a duration like \"500ms\", \"2s\", \"1m\","
                                + " got the string \"10 seconds\"; allowed: an integer number of seconds, or a string"
                                + " \"<n>ms\", \"<n>s\", \"<n>m\" or \"<n>h\"", "server.a.persistmaxtime"),
                arguments("[server.a]\naddress = \"h\"\nprotocol = \"PostgresBackend\"\n",
                        "t.toml:3: [server.a] key 'protocol': unsupported value \"PostgresBackend\"; allowed:"
                                + " MariaDBBackend, MySQLBackend", "server.a.protocol"),
                arguments("[server.a]\ntype = \"service\"\naddress = \"h\"\n",
                        "t.toml:2: [server.a] key 'type': unsupported value \"service\"; allowed: server",
                        "server.a.type"),
                arguments("[server.a]\naddress = \"h\"\nadress = \"h\"\n",
                        "t.toml:3: [server.a] key 'adress': unknown key; allowed: address, port, weight, persistpoolmax,"
                                + " persistmaxtime, type, protocol, proxy_protocol, ssl, ssl_cert, ssl_key, ssl_ca_cert,"
                                + " ssl_version, ssl_cipher, ssl_verify_peer_certificate, ssl_verify_peer_host",
                        "server.a.adress"),
                // TLS towards a server
                arguments("[server.a]\naddress = \"h\"\nssl = \"maybe\"\n",
                        "t.toml:3: [server.a] key 'ssl': expected a boolean, got the string \"maybe\"; allowed: true, false,"
                                + " \"required\", \"disabled\"", "server.a.ssl"),
                arguments("[server.a]\naddress = \"h\"\nssl = true\nssl_version = \"TLSv10\"\n",
                        "t.toml:4: [server.a] key 'ssl_version': unknown value \"TLSv10\"; allowed: MAX, TLSv12, TLSv13",
                        "server.a.ssl_version"),
                arguments("[server.a]\naddress = \"h\"\nssl = true\nssl_cipher = \"RC4-MD5\"\n",
                        "t.toml:4: [server.a] key 'ssl_cipher': unknown cipher suite 'RC4-MD5'; allowed: cipher suite"
                                + " names as the JDK (IANA) spells them, e.g. TLS_AES_128_GCM_SHA256,"
                                + " TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                        "server.a.ssl_cipher"),
                arguments("[server.a]\naddress = \"h\"\nssl = true\nssl_ca_cert = \"/nonexistent/ca.pem\"\n",
                        "t.toml:4: [server.a] key 'ssl_ca_cert': cannot read file '/nonexistent/ca.pem'; allowed: a"
                                + " readable PEM file", "server.a.ssl_ca_cert"),
                arguments("[server.a]\naddress = \"h\"\nssl = true\nssl_ca_cert = \"pom.xml\"\n",
                        "t.toml:4: [server.a] key 'ssl_ca_cert': not a PEM certificate file: pom.xml: No certificate data"
                                + " found; allowed: a PEM file of CA certificates",
                        "server.a.ssl_ca_cert"),
                // [monitor.NAME]
                arguments(BASE + "[monitor.n]\nservers = []\n",
                        "t.toml:15: [monitor.n] key 'module': missing required key; allowed: a monitor module name,"
                                + " e.g. mariadbmon", "monitor.n.module"),
                arguments(BASE + "[monitor.n]\nmodule = \"mariadbmon\"\nuser = \"u\"\n",
                        "t.toml:15: [monitor.n] key 'servers': missing required key; allowed: a non-empty list of"
                                + " names", "monitor.n.servers"),
                arguments(BASE + "[monitor.n]\nmodule = \"mariadbmon\"\nservers = []\n",
                        "t.toml:17: [monitor.n] key 'servers': the list must not be empty; allowed: a non-empty list"
                                + " of names", "monitor.n.servers"),
                arguments(BASE + "[monitor.n]\nmodule = \"mariadbmon\"\nservers = \"a,b\"\n",
                        "t.toml:17: [monitor.n] key 'servers': expected a list of strings, got the string \"a,b\";"
                                + " allowed: a list like [\"a\", \"b\"]", "monitor.n.servers"),
                arguments("[server.a]\naddress = \"h\"\n[monitor.n]\nmodule = \"mariadbmon\"\nservers = [\n  \"a\",\n"
                                + "  \"zz\",\n]\n",
                        "t.toml:7: [monitor.n] key 'servers': server 'zz' is not defined; allowed: a",
                        "monitor.n.servers"),
                arguments("[server.a]\naddress = \"h\"\n[monitor.n]\nmodule = \"mariadbmon\"\nservers = [\"a\",\n"
                                + "  # the replicas\n\n  \"r1\", \"r2\"]\n",
                        "t.toml:8: [monitor.n] key 'servers': server 'r1' is not defined; allowed: a",
                        "monitor.n.servers"),
                arguments("[monitor.n]\nmodule = \"mariadbmon\"\nservers = [\"a\"]\n",
                        "t.toml:3: [monitor.n] key 'servers': server 'a' is not defined; allowed: (no server is"
                                + " defined)", "monitor.n.servers"),
                arguments("[server.a]\naddress = \"h\"\n[monitor.n]\nmodule = \"mariadbmon\"\nservers = [\"a\", 7]\n",
                        "t.toml:5: [monitor.n] key 'servers': expected a list of strings, element 2 is the integer 7;"
                                + " allowed: a list like [\"a\", \"b\"]", "monitor.n.servers"),
                arguments("[server.a]\naddress = \"h\"\n[monitor.n]\nmodule = \"mariadbmon\"\nservers = [\"a\", \"a\"]\n",
                        "t.toml:5: [monitor.n] key 'servers': 'a' is listed twice", "monitor.n.servers"),
                arguments(BASE + "[monitor.n]\nmodule = \"mariadbmon\"\nservers = [\"b\"]\n",
                        "t.toml:17: [monitor.n] key 'servers': server 'b' is already monitored by [monitor.m]; allowed:"
                                + " each server in at most one monitor", "monitor.n.servers"),
                arguments("[server.a]\naddress = \"h\"\n[monitor.n]\nmodule = \"mariadbmon\"\nservers = [\"a\"]\n"
                                + "user = \"u\"\npasswd = \"p\"\n",
                        "t.toml:7: [monitor.n] key 'passwd': 'passwd' is MaxScale's old name, write 'password'; allowed:"
                                + " password", "monitor.n.passwd"),
                arguments("[server.a]\naddress = \"h\"\n[monitor.n]\nmodule = \"mariadbmon\"\nservers = [\"a\"]\n"
                                + "user = \"u\"\n",
                        "t.toml:3: [monitor.n] key 'password': missing required key; allowed: a string",
                        "monitor.n.password"),
                arguments("[server.a]\naddress = \"h\"\n[monitor.n]\nmodule = \"mariadbmon\"\nservers = [\"a\"]\n"
                                + "user = \"u\"\npassword = \"p\"\nmonitor_interval = \"50ms\"\n",
                        "t.toml:8: [monitor.n] key 'monitor_interval': duration the string \"50ms\" is shorter than the"
                                + " minimum 100ms; allowed: an integer number of milliseconds, or a string \"<n>ms\","
                                + " \"<n>s\", \"<n>m\" or \"<n>h\"", "monitor.n.monitor_interval"),
                arguments("[server.a]\naddress = \"h\"\n[monitor.n]\nmodule = \"mariadbmon\"\nservers = [\"a\"]\n"
                                + "user = \"u\"\npassword = \"p\"\nmonitor_interval = -1\n",
                        "t.toml:8: [monitor.n] key 'monitor_interval': a duration cannot be negative; allowed: an"
                                + " integer number of milliseconds, or a string \"<n>ms\", \"<n>s\", \"<n>m\" or"
                                + " \"<n>h\"", "monitor.n.monitor_interval"),
                arguments("[server.a]\naddress = \"h\"\n[monitor.n]\nmodule = \"mariadbmon\"\nservers = [\"a\"]\n"
                                + "opts = { a = 1 }\n",
                        "t.toml:6: [monitor.n] key 'opts': a nested table is not allowed here (object names cannot"
                                + " contain '.'); allowed: a string, integer, boolean or list", "monitor.n.opts"),
                arguments("[server.a]\naddress = \"h\"\n[monitor.n]\nmodule = \"mariadbmon\"\nservers = [\"a\"]\n"
                                + "opts = [{ a = 1 }]\n",
                        "t.toml:6: [monitor.n] key 'opts': a list of tables is not allowed here; allowed: a list of"
                                + " strings, integers or booleans", "monitor.n.opts"),
                // [service.NAME]
                arguments(BASE + "[service.t]\nrouter = \"readconnroute\"\nuser = \"u\"\npassword = \"p\"\n",
                        "t.toml:15: [service.t]: a service needs servers or cluster; allowed: servers = [\"NAME\", ...]"
                                + " or cluster = \"MONITOR\"", "service.t"),
                arguments(BASE + "[service.t]\nrouter = \"readconnroute\"\nservers = [\"a\"]\ncluster = \"m\"\n",
                        "t.toml:18: [service.t] key 'cluster': a service takes servers or cluster, not both; allowed:"
                                + " servers = [\"NAME\", ...] or cluster = \"MONITOR\"", "service.t.cluster"),
                arguments(BASE + "[service.t]\nrouter = \"readconnroute\"\ncluster = \"nope\"\n",
                        "t.toml:17: [service.t] key 'cluster': monitor 'nope' is not defined; allowed: m",
                        "service.t.cluster"),
                arguments(BASE + "[service.t]\nrouter = \"readconnroute\"\nservers = [\"a\", \"c\"]\n",
                        "t.toml:17: [service.t] key 'servers': server 'c' is not defined; allowed: a, b",
                        "service.t.servers"),
                arguments(BASE + "[service.t]\nrouter = \"readconnroute\"\nservers = []\n",
                        "t.toml:17: [service.t] key 'servers': the list must not be empty; allowed: a non-empty list of"
                                + " names", "service.t.servers"),
                arguments(BASE + "[service.t]\ncluster = \"m\"\nuser = \"u\"\npassword = \"p\"\n",
                        "t.toml:15: [service.t] key 'router': missing required key; allowed: a router module name, e.g."
                                + " readconnroute", "service.t.router"),
                arguments(BASE + "[service.t]\nrouter = \"readconnroute\"\ncluster = \"m\"\npassword = \"p\"\n",
                        "t.toml:15: [service.t] key 'user': missing required key; allowed: a user name",
                        "service.t.user"),
                arguments(BASE + "[service.t]\nrouter = \"readconnroute\"\ncluster = \"m\"\nuser = \"u\"\n",
                        "t.toml:15: [service.t] key 'password': missing required key; allowed: a string",
                        "service.t.password"),
                arguments(BASE + "[service.t]\nrouter = \"readconnroute\"\ncluster = \"m\"\nuser = \"u\"\n"
                                + "password = \"p\"\nfilters = [\"f\"]\n",
                        "t.toml:20: [service.t] key 'filters': filter 'f' is not defined; allowed: (no filter is"
                                + " defined)", "service.t.filters"),
                arguments(BASE + "[service.t]\nrouter = \"readconnroute\"\ncluster = \"m\"\nuser = \"u\"\n"
                                + "password = \"p\"\nmax_connections = -1\n",
                        "t.toml:20: [service.t] key 'max_connections': value -1 is out of range; allowed: an integer"
                                + " >= 0", "service.t.max_connections"),
                arguments(BASE + "[service.t]\nrouter = \"readconnroute\"\ncluster = \"m\"\nuser = \"u\"\n"
                                + "password = \"p\"\nconnection_timeout = \"soon\"\n",
                        "t.toml:20: [service.t] key 'connection_timeout': expected a duration like \"500ms\", \"2s\","
                                + " \"1m\", got the string \"soon\"; allowed: an integer number of seconds, or a string"
                                + " \"<n>ms\", \"<n>s\", \"<n>m\" or \"<n>h\"", "service.t.connection_timeout"),
                arguments(BASE + "[service.t]\nrouter = \"readconnroute\"\ncluster = \"m\"\nuser = \"u\"\n"
                                + "password = \"p\"\nenable_root_user = \"yes\"\n",
                        "t.toml:20: [service.t] key 'enable_root_user': expected a boolean, got the string \"yes\";"
                                + " allowed: true, false", "service.t.enable_root_user"),
                arguments(BASE + "[service.t]\nrouter = \"readconnroute\"\ncluster = \"m\"\nuser = \"u\"\n"
                                + "password = \"p\"\nrouter_options = [\"master\"]\n",
                        "t.toml:20: [service.t] key 'router_options': expected a string, got a list",
                        "service.t.router_options"),
                // [listener.NAME]
                arguments(BASE + "[listener.l]\nport = 4006\n",
                        "t.toml:15: [listener.l] key 'service': missing required key; allowed: the name of a service",
                        "listener.l.service"),
                arguments(BASE + "[listener.l]\nservice = \"nope\"\nport = 4006\n",
                        "t.toml:16: [listener.l] key 'service': service 'nope' is not defined; allowed: s",
                        "listener.l.service"),
                arguments(BASE + "[listener.l]\nservice = \"s\"\n",
                        "t.toml:15: [listener.l] key 'port': missing required key; allowed: 1..65535, or a socket path"
                                + " in 'socket'", "listener.l.port"),
                arguments(BASE + "[listener.l]\nservice = \"s\"\nport = 65536\n",
                        "t.toml:17: [listener.l] key 'port': value 65536 is out of range; allowed: an integer from 1 to"
                                + " 65535", "listener.l.port"),
                arguments(BASE + "[listener.l]\nservice = \"s\"\nport = 4006\nhost = \"x\"\n",
                        "t.toml:18: [listener.l] key 'host': unknown key; allowed: service, address, port, socket, type,"
                                + " protocol, authenticator, ssl, ssl_cert, ssl_key, ssl_ca_cert, ssl_version, ssl_cipher,"
                                + " ssl_verify_peer_certificate, proxy_protocol_networks", "listener.l.host"),
                arguments(BASE + "[listener.l]\nservice = \"s\"\nport = 4006\nproxy_protocol_networks = \"lb.example\"\n",
                        "t.toml:18: [listener.l] key 'proxy_protocol_networks': 'lb.example' is not an IP address or"
                                + " network; allowed: IP addresses and networks such as \"10.0.0.0/8, ::1\", or \"*\"",
                        "listener.l.proxy_protocol_networks"),
                arguments(BASE + "[listener.l]\nservice = \"s\"\nport = 4006\nssl = true\n",
                        "t.toml:15: [listener.l] key 'ssl_cert': missing required key; allowed: a PEM certificate file"
                                + " (ssl = true needs ssl_cert and ssl_key)", "listener.l.ssl_cert"),
                arguments(BASE + "[listener.l]\nservice = \"s\"\nport = 4006\nssl = true\nssl_cert = \"pom.xml\"\n"
                        + "ssl_key = \"pom.xml\"\n",
                        "t.toml:19: [listener.l] key 'ssl_cert': not a PEM certificate file: pom.xml: No certificate data"
                                + " found; allowed: a PEM certificate file",
                        "listener.l.ssl_cert"),
                arguments(BASE + "[listener.l]\nservice = \"s\"\nport = 4006\nprotocol = \"HTTP\"\n",
                        "t.toml:18: [listener.l] key 'protocol': unsupported value \"HTTP\"; allowed: MariaDBClient,"
                                + " MySQLClient", "listener.l.protocol"),
                arguments(BASE + "[listener.l]\nservice = \"s\"\nport = 4006\nauthenticator = \"PAM\"\n",
                        "t.toml:18: [listener.l] key 'authenticator': unsupported value \"PAM\"; allowed: MariaDBAuth,"
                                + " MySQLAuth", "listener.l.authenticator"),
                arguments(BASE + "[listener.l]\nservice = \"s\"\naddress = \"127.0.0.1\"\nport = 4006\n"
                                + "[listener.k]\nservice = \"s\"\naddress = \"127.0.0.1\"\nport = 4006\n",
                        "t.toml:22: [listener.k] key 'port': address '127.0.0.1' port 4006 is already used by"
                                + " [listener.l] (address '127.0.0.1', line 15); allowed: an address and port no other"
                                + " listener binds", "listener.k.port"),
                arguments(BASE + "[listener.l]\nservice = \"s\"\nport = 4006\n"
                                + "[listener.k]\nservice = \"s\"\naddress = \"127.0.0.1\"\nport = 4006\n",
                        "t.toml:21: [listener.k] key 'port': address '127.0.0.1' port 4006 is already used by"
                                + " [listener.l] (address '::', line 15); allowed: an address and port no other"
                                + " listener binds", "listener.k.port"),
                arguments(BASE + "[listener.l]\nservice = \"s\"\nsocket = \"/tmp/x.sock\"\n"
                                + "[listener.k]\nservice = \"s\"\nsocket = \"/tmp/x.sock\"\n",
                        "t.toml:20: [listener.k] key 'socket': socket '/tmp/x.sock' is already used by [listener.l]"
                                + " (line 15); allowed: a socket path no other listener uses", "listener.k.socket"),
                // [filter.NAME]
                arguments("[filter.f]\nmatch = \"x\"\n",
                        "t.toml:1: [filter.f] key 'module': missing required key; allowed: a filter module name",
                        "filter.f.module"),
                arguments("[filter.f]\nmodule = \"regexfilter\"\ntype = \"monitor\"\n",
                        "t.toml:3: [filter.f] key 'type': unsupported value \"monitor\"; allowed: filter",
                        "filter.f.type"));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void badConfigIsRejectedWithFileLineAndKey(String toml, String message, String keyPath) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(toml, "t.toml"));

        assertEquals(message, e.getMessage());
        assertEquals("t.toml", e.file());
        assertEquals(Integer.parseInt(message.split(":")[1]), e.line());
        assertEquals(keyPath, e.keyPath());
    }
}
