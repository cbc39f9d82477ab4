package io.loomscale.cli.ctl;

import io.loomscale.config.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code loomscale ctl}: the command line of the REST admin interface (MaxScale's maxctrl),
 * one subcommand per operation. Output goes to picocli's writers (so tests capture it): aligned
 * tables by default, {@code --tsv} for scripts, {@code --json} for the API's own document. A
 * failure prints {@code Error: <the API's message>} on stderr and exits with 1.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = "Inspect and change a running LoomScale through its REST admin interface.",
        subcommands = {Listing.ListCmd.class, Listing.ShowCmd.class, Changing.SetCmd.class, Changing.ClearCmd.class,
            Changing.AlterCmd.class, Changing.CreateCmd.class, Changing.DestroyCmd.class, Changing.LinkCmd.class,
            Changing.UnlinkCmd.class, Changing.CallCmd.class, Changing.ReloadCmd.class, Changing.KillCmd.class,
            Changing.RotateCmd.class})
public final class CtlCommand {
    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8989",
            description = "The admin interface (default: ${DEFAULT-VALUE}).", scope = CommandLine.ScopeType.INHERIT)
    String host;

    @Option(names = {"-u", "--user"}, defaultValue = "admin", description = "Admin user (default: ${DEFAULT-VALUE}).",
            scope = CommandLine.ScopeType.INHERIT)
    String user;

    @Option(names = {"-p", "--password"}, defaultValue = "mariadb",
            description = "Admin password (default: ${DEFAULT-VALUE}).", scope = CommandLine.ScopeType.INHERIT)
    String password;

    @Option(names = "--secure", description = "Use HTTPS.", scope = CommandLine.ScopeType.INHERIT)
    boolean secure;

    @Option(names = "--tls-ca-cert", paramLabel = "FILE", description = "PEM CA certificate to trust for --secure.",
            scope = CommandLine.ScopeType.INHERIT)
    Path caCert;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "How long to wait for an answer; a switchover can take a while (default: ${DEFAULT-VALUE}).",
            scope = CommandLine.ScopeType.INHERIT)
    long timeoutSeconds;

    @Option(names = "--tsv", description = "Tab-separated output without headers, for scripts.",
            scope = CommandLine.ScopeType.INHERIT)
    boolean tsv;

    @Option(names = "--json", description = "Print the API's JSON document.", scope = CommandLine.ScopeType.INHERIT)
    boolean json;

    ApiClient client() {
        return new ApiClient(host, secure, caCert, user, password, java.time.Duration.ofSeconds(timeoutSeconds));
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Runs one subcommand's work: 0, or 1 with the error on stderr. */
    int run(java.util.concurrent.Callable<Object> work) {
        Object result;
        try {
            result = work.call();
        } catch (CtlException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("Error: " + e.getMessage());
            err.flush();
            return 1;
        } catch (Exception e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("Error: " + e);
            err.flush();
            return 1;
        }
        if (json && result != null) {
            out().println(Json.pretty(result));
            out().flush();
        }
        return 0;
    }

    /** True when the caller should print its own (table) output. */
    boolean human() {
        return !json;
    }

    static String str(Object json, String... path) {
        Object v = Json.at(json, path);
        if (v == null) {
            return "";
        }
        if (v instanceof Double d && d == Math.rint(d)) {
            return Long.toString(d.longValue());
        }
        return v.toString();
    }

    static java.util.List<String> relIds(Object resource, String rel) {
        Object data = Json.at(resource, "relationships", rel, "data");
        if (!(data instanceof java.util.List<?> l)) {
            return java.util.List.of();
        }
        return l.stream().map(o -> String.valueOf(((Map<?, ?>) o).get("id"))).toList();
    }
}
