package io.loomscale.cli.ctl;

import io.loomscale.config.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/** The ctl subcommands that change the running proxy; each prints {@code OK} (or the command's result). */
final class Changing {
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");

    private Changing() {
    }

    static Map<String, Object> data(String id, String type, Map<String, Object> attributes, Map<String, Object> rel) {
        Map<String, Object> d = new LinkedHashMap<>();
        if (id != null) {
            d.put("id", id);
        }
        if (type != null) {
            d.put("type", type);
        }
        if (attributes != null) {
            d.put("attributes", attributes);
        }
        if (rel != null) {
            d.put("relationships", rel);
        }
        return Map.of("data", d);
    }

    static List<Map<String, Object>> refs(List<String> ids, String type) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String id : ids) {
            out.add(Map.of("id", id, "type", type));
        }
        return out;
    }

    /** A command-line value as JSON: integers and booleans typed, everything else a string. */
    static Object typed(String v) {
        if (INTEGER.matcher(v).matches()) {
            return Long.parseLong(v);
        }
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        return v;
    }

    static int ok(CtlCommand ctl, Callable<Object> work) {
        return ctl.run(() -> {
            Object r = work.call();
            if (ctl.human()) {
                Object result = Json.at(r, "meta", "result");
                ctl.out().println(result != null ? result : "OK");
                ctl.out().flush();
            }
            return r;
        });
    }

    enum ServerOnly { server }

    @Command(name = "set", description = "Set a server's state: set server NAME maintenance|drain")
    static final class SetCmd implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;
        @Parameters(index = "0", paramLabel = "server")
        ServerOnly kind;
        @Parameters(index = "1", paramLabel = "NAME")
        String name;
        @Parameters(index = "2", paramLabel = "STATE", description = "maintenance or drain")
        String state;

        @Override
        public Integer call() {
            return ok(ctl, () -> ctl.client().send("PUT", "/v1/servers/" + Listing.encode(name) + "/set?state="
                    + Listing.encode(state), null));
        }
    }

    @Command(name = "clear", description = "Clear a server's state: clear server NAME maintenance|drain")
    static final class ClearCmd implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;
        @Parameters(index = "0", paramLabel = "server")
        ServerOnly kind;
        @Parameters(index = "1", paramLabel = "NAME")
        String name;
        @Parameters(index = "2", paramLabel = "STATE", description = "maintenance or drain")
        String state;

        @Override
        public Integer call() {
            return ok(ctl, () -> ctl.client().send("PUT", "/v1/servers/" + Listing.encode(name) + "/clear?state="
                    + Listing.encode(state), null));
        }
    }

    enum Alterable { server, service, monitor, logging, user }

    @Command(name = "alter", description = {"Change parameters at run time:",
        "alter server|service|monitor NAME KEY VALUE [KEY VALUE...]",
        "alter logging log_level LEVEL", "alter user NAME PASSWORD"})
    static final class AlterCmd implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;
        @Parameters(index = "0", paramLabel = "KIND")
        Alterable kind;
        @Parameters(index = "1..*", paramLabel = "ARGS")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() {
            return ok(ctl, () -> {
                if (kind == Alterable.user) {
                    if (args.size() != 2) {
                        throw new CtlException("alter user needs NAME PASSWORD");
                    }
                    return ctl.client().send("PATCH", "/v1/users/inet/" + Listing.encode(args.get(0)),
                            data(null, "inet", Map.of("password", args.get(1)), null));
                }
                int first = kind == Alterable.logging ? 0 : 1;
                if (args.size() <= first || (args.size() - first) % 2 != 0) {
                    throw new CtlException("alter " + kind + (first == 1 ? " NAME" : "") + " needs KEY VALUE pairs");
                }
                Map<String, Object> params = new LinkedHashMap<>();
                for (int i = first; i < args.size(); i += 2) {
                    params.put(args.get(i), typed(args.get(i + 1)));
                }
                String path = kind == Alterable.logging ? "/v1/maxscale/logs"
                        : "/v1/" + kind + "s/" + Listing.encode(args.get(0));
                return ctl.client().send("PATCH", path, data(null, null, Map.of("parameters", params), null));
            });
        }
    }

    enum Creatable { server, user }

    @Command(name = "create", description = {"create server NAME HOST PORT [--services S...] [--monitors M]",
        "create user NAME PASSWORD"})
    static final class CreateCmd implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;
        @Parameters(index = "0", paramLabel = "KIND")
        Creatable kind;
        @Parameters(index = "1..*", paramLabel = "ARGS")
        List<String> args = new ArrayList<>();
        @Option(names = "--services", arity = "1..*", description = "Link the new server to these services.")
        List<String> services = new ArrayList<>();
        @Option(names = "--monitors", arity = "1", description = "Link the new server to this monitor.")
        List<String> monitors = new ArrayList<>();

        @Override
        public Integer call() {
            return ok(ctl, () -> {
                if (kind == Creatable.user) {
                    if (args.size() != 2) {
                        throw new CtlException("create user needs NAME PASSWORD");
                    }
                    return ctl.client().send("POST", "/v1/users/inet", data(args.get(0), "inet",
                            Map.of("password", args.get(1)), null));
                }
                if (args.size() != 3) {
                    throw new CtlException("create server needs NAME HOST PORT");
                }
                Map<String, Object> params = new LinkedHashMap<>();
                params.put("address", args.get(1));
                params.put("port", typed(args.get(2)));
                Map<String, Object> rel = new LinkedHashMap<>();
                if (!services.isEmpty()) {
                    rel.put("services", Map.of("data", refs(services, "services")));
                }
                if (!monitors.isEmpty()) {
                    rel.put("monitors", Map.of("data", refs(monitors, "monitors")));
                }
                return ctl.client().send("POST", "/v1/servers", data(args.get(0), "servers",
                        Map.of("parameters", params), rel.isEmpty() ? null : rel));
            });
        }
    }

    @Command(name = "destroy", description = "destroy server NAME | destroy user NAME")
    static final class DestroyCmd implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;
        @Parameters(index = "0", paramLabel = "KIND")
        Creatable kind;
        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            String path = kind == Creatable.user ? "/v1/users/inet/" : "/v1/servers/";
            return ok(ctl, () -> ctl.client().send("DELETE", path + Listing.encode(name), null));
        }
    }

    enum Linkable { service, monitor }

    /** Adds ({@code link}) or removes servers from a service's or monitor's list. */
    static Object relink(CtlCommand ctl, Linkable kind, String name, List<String> servers, boolean add) {
        String path = "/v1/" + kind + "s/" + Listing.encode(name);
        Object doc = ctl.client().get(path);
        List<String> now = new ArrayList<>(CtlCommand.relIds(Json.at(doc, "data"), "servers"));
        for (String s : servers) {
            if (add && !now.contains(s)) {
                now.add(s);
            } else if (!add) {
                now.remove(s);
            }
        }
        return ctl.client().send("PATCH", path + "/relationships/servers", Map.of("data", refs(now, "servers")));
    }

    @Command(name = "link", description = "link service|monitor NAME SERVER...")
    static final class LinkCmd implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;
        @Parameters(index = "0", paramLabel = "KIND")
        Linkable kind;
        @Parameters(index = "1", paramLabel = "NAME")
        String name;
        @Parameters(index = "2..*", arity = "1..*", paramLabel = "SERVER")
        List<String> servers;

        @Override
        public Integer call() {
            return ok(ctl, () -> relink(ctl, kind, name, servers, true));
        }
    }

    @Command(name = "unlink", description = "unlink service|monitor NAME SERVER...")
    static final class UnlinkCmd implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;
        @Parameters(index = "0", paramLabel = "KIND")
        Linkable kind;
        @Parameters(index = "1", paramLabel = "NAME")
        String name;
        @Parameters(index = "2..*", arity = "1..*", paramLabel = "SERVER")
        List<String> servers;

        @Override
        public Integer call() {
            return ok(ctl, () -> relink(ctl, kind, name, servers, false));
        }
    }

    enum Callable1 { command }

    @Command(name = "call", description = "call command MODULE COMMAND [ARGS...], e.g. call command mariadbmon switchover MONITOR [NEW [OLD]]")
    static final class CallCmd implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;
        @Parameters(index = "0", paramLabel = "command")
        Callable1 what;
        @Parameters(index = "1", paramLabel = "MODULE")
        String module;
        @Parameters(index = "2", paramLabel = "COMMAND")
        String command;
        @Parameters(index = "3..*", paramLabel = "ARGS")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() {
            StringBuilder q = new StringBuilder();
            for (String a : args) {
                q.append(q.length() == 0 ? "?" : "&").append(Listing.encode(a));
            }
            return ok(ctl, () -> ctl.client().send("POST", "/v1/maxscale/modules/" + Listing.encode(module) + "/"
                    + Listing.encode(command) + q, null));
        }
    }

    enum ServiceOnly { service }

    @Command(name = "reload", description = "reload service NAME: reload its user accounts now")
    static final class ReloadCmd implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;
        @Parameters(index = "0", paramLabel = "service")
        ServiceOnly kind;
        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return ok(ctl, () -> ctl.client().send("POST", "/v1/services/" + Listing.encode(name) + "/reload", null));
        }
    }

    enum SessionOnly { session }

    @Command(name = "kill", description = "kill session ID: close a client session")
    static final class KillCmd implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;
        @Parameters(index = "0", paramLabel = "session")
        SessionOnly kind;
        @Parameters(index = "1", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            return ok(ctl, () -> ctl.client().send("DELETE", "/v1/sessions/" + Listing.encode(id), null));
        }
    }

    enum LogsOnly { logs }

    @Command(name = "rotate", description = "rotate logs: start a new log file (as SIGUSR1 does)")
    static final class RotateCmd implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;
        @Parameters(index = "0", paramLabel = "logs")
        LogsOnly kind;

        @Override
        public Integer call() {
            return ok(ctl, () -> ctl.client().send("POST", "/v1/maxscale/logs/flush", null));
        }
    }
}
