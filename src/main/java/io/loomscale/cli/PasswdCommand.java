package io.loomscale.cli;

import io.loomscale.secrets.SecretsFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code loomscale passwd [-d DIR] [PASSWORD]}: prints PASSWORD encrypted with {@code DIR/.secrets}
 * (MaxScale's {@code maxpasswd}), for a {@code password} key in the config; without PASSWORD it
 * reads one line from standard input (so the password stays out of the shell history).
 */
@Command(name = "passwd", mixinStandardHelpOptions = true,
        description = "Encrypt a password with DIR/.secrets for use as a 'password' value in the config.")
final class PasswdCommand implements Callable<Integer> {
    @Option(names = {"-d", "--dir"}, paramLabel = "DIR", defaultValue = "/var/lib/loomscale",
            description = "Directory of the key file: the config's datadir (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PASSWORD",
            description = "The password (default: one line read from standard input).")
    String password;

    @Override
    public Integer call() throws IOException {
        SecretsFile f;
        try {
            f = SecretsFile.load(dir.resolve(SecretsFile.NAME));
        } catch (NoSuchFileException e) {
            System.err.println("loomscale passwd: no key file " + e.getFile() + "; make one with: loomscale keys " + dir);
            return 1;
        } catch (IOException e) {
            System.err.println("loomscale passwd: " + e.getMessage());
            return 1;
        }
        String p = password;
        if (p == null) {
            p = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (p == null) {
                System.err.println("loomscale passwd: no password given (argument or a line on standard input)");
                return 1;
            }
        }
        System.out.println(f.encrypt(p));
        return 0;
    }
}
