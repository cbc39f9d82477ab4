package io.loomscale.secrets;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The key file for encrypted passwords in the configuration, as MaxScale's {@code maxkeys} and
 * {@code maxpasswd} do: {@code loomscale keys DIR} writes {@code DIR/.secrets} (a random 256-bit
 * AES key, hex, readable by its owner only), {@code loomscale passwd} encrypts a password with
 * it, and the config loader decrypts any {@code password} value that is such a ciphertext when
 * {@code datadir/.secrets} exists.
 *
 * <p>A ciphertext is hex of a 12-byte nonce, the AES-GCM ciphertext and its 16-byte tag. The tag
 * makes the recognition safe: a plain password that happens to be hex does not authenticate, so
 * it stays a plain password. Immutable and thread-safe.
 */
public final class SecretsFile {
    public static final String NAME = ".secrets";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final SecretKeySpec key;

    private SecretsFile(Path file, byte[] key) {
        this.file = file;
        this.key = new SecretKeySpec(key, "AES");
    }

    public Path file() {
        return file;
    }

    /**
     * Writes a new key file in {@code dir} (created if missing), owner-read-only. Refuses to
     * replace an existing one unless {@code replace}: passwords encrypted with it would be lost.
     */
    public static SecretsFile create(Path dir, boolean replace) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve(NAME);
        if (Files.exists(f) && !replace) {
            throw new FileAlreadyExistsException(f.toString(), null,
                    "a key file exists; replacing it makes every password encrypted with it unreadable");
        }
        byte[] k = new byte[KEY_BYTES];
        RANDOM.nextBytes(k);
        Path tmp = dir.resolve(NAME + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp); // not a POSIX file system
        }
        Files.writeString(tmp, HexFormat.of().formatHex(k) + "\n", StandardCharsets.US_ASCII);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r--------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new SecretsFile(f, k);
    }

    /** Reads {@code dir/.secrets}; empty when there is none. */
    public static Optional<SecretsFile> find(Path dir) throws IOException {
        Path f = dir.resolve(NAME);
        return Files.exists(f) ? Optional.of(load(f)) : Optional.empty();
    }

    public static SecretsFile load(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        byte[] k;
        try {
            k = HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not a key file made by 'loomscale keys' (expected " + 2 * KEY_BYTES
                    + " hex digits)");
        }
        if (k.length != KEY_BYTES) {
            throw new IOException(file + " holds a " + k.length * 8 + "-bit key (expected: " + KEY_BYTES * 8 + ")");
        }
        return new SecretsFile(file, k);
    }

    /** The hex ciphertext of {@code password}. */
    public String encrypt(String password) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] ct = c.doFinal(password.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + ct.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(ct, 0, out, NONCE_BYTES, ct.length);
            return HexFormat.of().formatHex(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The password of a ciphertext made with this key; empty if {@code value} is not one. */
    public Optional<String> decrypt(String value) {
        if (value.length() < 2 * (NONCE_BYTES + TAG_BITS / 8) || value.length() % 2 != 0) {
            return Optional.empty();
        }
        byte[] raw;
        try {
            raw = HexFormat.of().parseHex(value);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 0, NONCE_BYTES));
            byte[] pt = c.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES);
            return Optional.of(new String(pt, StandardCharsets.UTF_8));
        } catch (AEADBadTagException e) {
            return Optional.empty(); // not made with this key: a plain password
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }
}
