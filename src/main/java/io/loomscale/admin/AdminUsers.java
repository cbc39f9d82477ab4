package io.loomscale.admin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The admin interface's users (MaxScale's "inet" users), stored hashed in
 * {@code datadir/admin_users}: one line per user, {@code name:iterations:salt:hash} with
 * PBKDF2-HMAC-SHA256 and a random 16-byte salt, base64. Without the file there is one user,
 * {@code admin} with password {@code mariadb} (MaxScale's default), and a warning is logged
 * while that password is unchanged. The file is replaced atomically on each change.
 *
 * <p>Thread-safe: checks read an immutable map; changes take a lock and swap the map.
 */
final class AdminUsers {
    private static final Logger log = LoggerFactory.getLogger(AdminUsers.class);
    static final String DEFAULT_USER = "admin";
    static final String DEFAULT_PASSWORD = "mariadb";
    private static final int ITERATIONS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    record Hashed(int iterations, byte[] salt, byte[] hash) {
        boolean matches(String password) {
            return MessageDigest.isEqual(hash, pbkdf2(password, salt, iterations));
        }

        String line(String name) {
            Base64.Encoder b = Base64.getEncoder();
            return name + ":" + iterations + ":" + b.encodeToString(salt) + ":" + b.encodeToString(hash);
        }
    }

    private final Path file;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Map<String, Hashed> users;

    /** Reads {@code file} (or starts with the default user when it does not exist). */
    AdminUsers(Path file) {
        this.file = file;
        this.users = Files.exists(file) ? read(file) : Map.of(DEFAULT_USER, hash(DEFAULT_PASSWORD));
        warnIfDefault();
    }

    private static Map<String, Hashed> read(Path file) {
        Map<String, Hashed> m = new TreeMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read admin users from " + file, e);
        }
        Base64.Decoder d = Base64.getDecoder();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(":");
            try {
                m.put(f[0], new Hashed(Integer.parseInt(f[1]), d.decode(f[2]), d.decode(f[3])));
            } catch (RuntimeException e) {
                throw new IllegalStateException(file + ":" + (i + 1)
                        + ": not an admin user line; allowed: name:iterations:salt:hash as LoomScale writes it", e);
            }
        }
        return Map.copyOf(m);
    }

    boolean check(String user, String password) {
        Hashed h = users.get(user);
        return h != null && h.matches(password);
    }

    List<String> names() {
        return new ArrayList<>(new TreeMap<>(users).keySet());
    }

    boolean exists(String user) {
        return users.containsKey(user);
    }

    /** Adds a user or changes its password. */
    void put(String user, String password) {
        if (user.isEmpty() || user.contains(":") || user.contains("\n")) {
            throw new ApiException(400, "user name '" + user + "' is not allowed: it must be non-empty without ':'");
        }
        if (password.isEmpty()) {
            throw new ApiException(400, "the password of '" + user + "' must not be empty");
        }
        change(m -> m.put(user, hash(password)));
        warnIfDefault();
    }

    void remove(String user) {
        if (!users.containsKey(user)) {
            throw new ApiException(404, "no admin user named '" + user + "'");
        }
        if (users.size() == 1) {
            throw new ApiException(403, "cannot remove '" + user + "': it is the last admin user");
        }
        change(m -> m.remove(user));
    }

    private void change(java.util.function.Consumer<Map<String, Hashed>> edit) {
        lock.lock();
        try {
            Map<String, Hashed> m = new TreeMap<>(users);
            edit.accept(m);
            StringBuilder sb = new StringBuilder();
            m.forEach((k, v) -> sb.append(v.line(k)).append('\n'));
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            users = Map.copyOf(m);
        } catch (IOException e) {
            throw new ApiException(500, "cannot write admin users to " + file + ": " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    /** True while the default user still has the default password. */
    boolean defaultPasswordInUse() {
        return check(DEFAULT_USER, DEFAULT_PASSWORD);
    }

    private void warnIfDefault() {
        if (defaultPasswordInUse()) {
            log.warn("The admin interface user '{}' still has the default password: change it "
                    + "(PATCH /v1/users/inet/{} or loomscale ctl alter user)", DEFAULT_USER, DEFAULT_USER);
        }
    }

    static Hashed hash(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return new Hashed(ITERATIONS, salt, pbkdf2(password, salt, ITERATIONS));
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
        }
    }
}
