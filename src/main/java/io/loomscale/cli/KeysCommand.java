package io.loomscale.cli;

import io.loomscale.secrets.SecretsFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code loomscale keys [DIR]}: makes the key file {@code DIR/.secrets} for encrypted passwords
 * (MaxScale's {@code maxkeys}). DIR is the proxy's {@code datadir}.
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Create the key file DIR/.secrets for encrypted passwords (DIR: the datadir).")
final class KeysCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", defaultValue = "/var/lib/loomscale",
            description = "Directory of the key file: the config's datadir (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--replace", description = "Replace an existing key file (passwords encrypted with it become unreadable).")
    boolean replace;

    @Override
    public Integer call() {
        try {
            SecretsFile f = SecretsFile.create(dir, replace);
            System.out.println("wrote " + f.file() + "; encrypt passwords with: loomscale passwd -d " + dir);
            return 0;
        } catch (FileAlreadyExistsException e) {
            System.err.println("loomscale keys: " + e.getFile() + " exists (" + e.getReason() + "); use --replace to do it anyway");
            return 1;
        } catch (IOException e) {
            System.err.println("loomscale keys: cannot write the key file in " + dir + ": " + e);
            return 1;
        }
    }
}
