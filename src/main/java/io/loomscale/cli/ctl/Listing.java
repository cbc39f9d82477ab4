package io.loomscale.cli.ctl;

import io.loomscale.config.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ctl list KIND} and {@code ctl show KIND NAME}: read-only views of the API's resources. */
final class Listing {
    private Listing() {
    }

    enum Kind { servers, services, listeners, monitors, filters, sessions, users }

    @Command(name = "list", description = "List servers, services, listeners, monitors, filters, sessions or users.")
    static final class ListCmd implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @Parameters(index = "0", paramLabel = "KIND", description = "servers|services|listeners|monitors|filters|sessions|users")
        Kind kind;

        @Override
        public Integer call() {
            return ctl.run(() -> {
                Object doc = ctl.client().get(kind == Kind.users ? "/v1/users/inet" : "/v1/" + kind);
                if (ctl.human()) {
                    table(kind, (List<?>) Json.at(doc, "data")).print(ctl.out(), ctl.tsv);
                }
                return doc;
            });
        }
    }

    static Table table(Kind kind, List<?> data) {
        Table t = switch (kind) {
            case servers -> new Table("Server", "Address", "Port", "Connections", "State", "Lag", "GTID");
            case services -> new Table("Service", "Router", "Connections", "Total Connections", "Statements", "Servers");
            case listeners -> new Table("Name", "Port", "Host", "State", "Service", "Accepted");
            case monitors -> new Table("Monitor", "Module", "State", "Servers");
            case filters -> new Table("Filter", "Module", "Services");
            case sessions -> new Table("Id", "User", "Host", "Service", "Connected", "Idle (s)", "Backends");
            case users -> new Table("Name", "Type");
        };
        for (Object r : data) {
            switch (kind) {
                case servers -> {
                    Object lag = Json.at(r, "attributes", "replication_lag");
                    t.row(Json.at(r, "id"), CtlCommand.str(r, "attributes", "parameters", "address"),
                            CtlCommand.str(r, "attributes", "parameters", "port"),
                            CtlCommand.str(r, "attributes", "statistics", "connections"),
                            CtlCommand.str(r, "attributes", "state"),
                            lag instanceof Number n && n.longValue() >= 0 ? n.toString() : "",
                            CtlCommand.str(r, "attributes", "gtid_current_pos"));
                }
                case services -> t.row(Json.at(r, "id"), CtlCommand.str(r, "attributes", "router"),
                        CtlCommand.str(r, "attributes", "statistics", "connections"),
                        CtlCommand.str(r, "attributes", "statistics", "total_connections"),
                        CtlCommand.str(r, "attributes", "statistics", "statements"),
                        String.join(", ", CtlCommand.relIds(r, "servers")));
                case listeners -> t.row(Json.at(r, "id"), CtlCommand.str(r, "attributes", "parameters", "port"),
                        CtlCommand.str(r, "attributes", "parameters", "address"), CtlCommand.str(r, "attributes", "state"),
                        CtlCommand.str(r, "attributes", "parameters", "service"),
                        CtlCommand.str(r, "attributes", "statistics", "accepted"));
                case monitors -> t.row(Json.at(r, "id"), CtlCommand.str(r, "attributes", "module"),
                        CtlCommand.str(r, "attributes", "state"), String.join(", ", CtlCommand.relIds(r, "servers")));
                case filters -> t.row(Json.at(r, "id"), CtlCommand.str(r, "attributes", "module"),
                        String.join(", ", CtlCommand.relIds(r, "services")));
                case sessions -> {
                    List<String> backends = new ArrayList<>();
                    Object bs = Json.at(r, "attributes", "backends");
                    if (bs instanceof List<?> l) {
                        for (Object b : l) {
                            backends.add(CtlCommand.str(b, "server"));
                        }
                    }
                    t.row(Json.at(r, "id"), CtlCommand.str(r, "attributes", "user"), CtlCommand.str(r, "attributes", "remote"),
                            String.join(", ", CtlCommand.relIds(r, "services")), CtlCommand.str(r, "attributes", "connected"),
                            CtlCommand.str(r, "attributes", "idle"), String.join(", ", backends));
                }
                case users -> t.row(Json.at(r, "id"), "inet");
            }
        }
        return t;
    }

    enum One { server, service, listener, monitor, filter, session, maxscale }

    @Command(name = "show", description = "Show one server, service, listener, monitor, filter, session, or maxscale.")
    static final class ShowCmd implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @Parameters(index = "0", paramLabel = "KIND", description = "server|service|listener|monitor|filter|session|maxscale")
        One kind;

        @Parameters(index = "1", paramLabel = "NAME", arity = "0..1", description = "The object's name (session: its id).")
        String name;

        @Override
        public Integer call() {
            return ctl.run(() -> {
                if (kind != One.maxscale && name == null) {
                    throw new CtlException("show " + kind + " needs the " + kind + "'s name");
                }
                String path = kind == One.maxscale ? "/v1/maxscale" : "/v1/" + kind + "s/" + encode(name);
                Object doc = ctl.client().get(path);
                if (ctl.human()) {
                    Object data = Json.at(doc, "data");
                    Table t = new Table("Key", "Value");
                    t.row("Id", Json.at(data, "id"));
                    flatten(t, "", Json.at(data, "attributes"));
                    Object rel = Json.at(data, "relationships");
                    if (rel instanceof Map<?, ?> m) {
                        for (Object k : m.keySet()) {
                            t.row("relationships." + k, String.join(", ", CtlCommand.relIds(data, k.toString())));
                        }
                    }
                    t.print(ctl.out(), ctl.tsv);
                }
                return doc;
            });
        }
    }

    /** One row per scalar, keys joined with dots; a list of scalars is one row, a list of objects indexed. */
    static void flatten(Table t, String prefix, Object v) {
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                flatten(t, prefix.isEmpty() ? e.getKey().toString() : prefix + "." + e.getKey(), e.getValue());
            }
        } else if (v instanceof List<?> l && l.stream().anyMatch(o -> o instanceof Map || o instanceof List)) {
            for (int i = 0; i < l.size(); i++) {
                flatten(t, prefix + "[" + i + "]", l.get(i));
            }
        } else if (v instanceof List<?> l) {
            t.row(prefix, String.join(", ", l.stream().map(String::valueOf).toList()));
        } else {
            t.row(prefix, v == null ? "" : v);
        }
    }

    static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
