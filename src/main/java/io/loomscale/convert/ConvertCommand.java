package io.loomscale.convert;

import io.loomscale.config.ConfigException;
import io.loomscale.config.ConfigLoader;
import io.loomscale.config.GlobalConfig;
import io.loomscale.config.LoomScaleConfig;
import io.loomscale.module.Modules;
import io.loomscale.service.LoomScale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code loomscale convert maxscale.cnf}: writes the LoomScale TOML equivalent of a MaxScale
 * 2.1-2.5 configuration (the file and its {@code .d} directory) to standard output or
 * {@code -o FILE}, lists on standard error every parameter it did not carry over or changed,
 * with the reason, then validates its own output as {@code loomscale check} would.
 *
 * <p>Exit status: 0 when the output passes the check (parameters may have been dropped:
 * they are listed), 1 when the MaxScale file cannot be read or parsed or the output does not
 * pass the check (the TOML is still written, so it can be fixed by hand).
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a MaxScale 2.1-2.5 configuration (and its .d directory) to LoomScale TOML.",
                "Writes the TOML to standard output, and every parameter it could not carry over to standard error."})
public final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MAXSCALE_CNF", description = "The MaxScale configuration, e.g. /etc/maxscale.cnf.")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the TOML to FILE instead of standard output.")
    Path output;

    @Override
    public Integer call() throws IOException {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        return run(input, output, System.out, System.err);
    }

    static int run(Path input, Path output, PrintStream out, PrintStream err) throws IOException {
        Modules modules = Modules.load(GlobalConfig.defaults().libdir());
        Set<String> filters = new TreeSet<>();
        modules.filterNames().forEach(n -> filters.add(n.toLowerCase(Locale.ROOT)));
        Conversion conversion;
        try {
            conversion = MaxScaleConverter.convert(input, filters);
        } catch (IniReader.IniException e) {
            err.println("loomscale convert: " + e.getMessage());
            return 1;
        }
        if (output == null) {
            out.print(conversion.toml());
            out.flush();
        } else {
            Files.writeString(output, conversion.toml(), StandardCharsets.UTF_8);
        }
        for (Note n : conversion.notes()) {
            err.println(n);
        }
        int dropped = conversion.notes(Note.Kind.DROPPED).size();
        String name = output == null ? "<converted " + input + ">" : output.toString();
        try {
            LoomScaleConfig cfg = ConfigLoader.parse(conversion.toml(), name);
            LoomScale.check(cfg, modules);
        } catch (ConfigException e) {
            err.println("loomscale convert: the converted configuration does not pass loomscale check: "
                    + e.getMessage());
            return 1;
        }
        err.println("loomscale convert: " + input + ": converted; " + dropped + " parameter(s) or section(s) not "
                + "carried over, " + conversion.notes(Note.Kind.CHANGED).size() + " changed (listed above); "
                + "the result passes loomscale check");
        return 0;
    }
}
