package io.loomscale.protocol;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * mysql_native_password scramble maths. The client sends
 * {@code SHA1(pw) XOR SHA1(seed + SHA1(SHA1(pw)))}; the server stores {@code SHA1(SHA1(pw))}
 * (as "*HEX"). Knowing the stored hash, a proxy recovers {@code SHA1(pw)} from a client's reply
 * and can then log in to any backend with that backend's own seed.
 *
 * @see <a href="https://mariadb.com/kb/en/connection/#mysql_native_password-plugin">MariaDB: mysql_native_password</a>
 */
public final class NativePassword {
    public static final String PLUGIN = "mysql_native_password";

    private NativePassword() {
    }

    static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] sha1(byte[]... parts) {
        MessageDigest md = sha1();
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    /** The client's reply for a clear-text password (empty reply for an empty password). */
    public static byte[] scramble(byte[] seed, byte[] password) {
        if (password.length == 0) {
            return new byte[0];
        }
        return scrambleWithStage1(seed, sha1(password));
    }

    /** The client's reply computed from {@code stage1 = SHA1(password)}. */
    public static byte[] scrambleWithStage1(byte[] seed, byte[] stage1) {
        byte[] stage2 = sha1(stage1);
        byte[] mask = sha1(seed20(seed), stage2);
        byte[] out = new byte[20];
        for (int i = 0; i < 20; i++) {
            out[i] = (byte) (stage1[i] ^ mask[i]);
        }
        return out;
    }

    /**
     * Checks a client reply against the stored {@code SHA1(SHA1(pw))} and returns the recovered
     * {@code SHA1(pw)}, or null if the password is wrong.
     */
    public static byte[] verify(byte[] seed, byte[] reply, byte[] stage2) {
        if (reply.length != 20 || stage2.length != 20) {
            return null;
        }
        byte[] mask = sha1(seed20(seed), stage2);
        byte[] stage1 = new byte[20];
        for (int i = 0; i < 20; i++) {
            stage1[i] = (byte) (reply[i] ^ mask[i]);
        }
        return MessageDigest.isEqual(sha1(stage1), stage2) ? stage1 : null;
    }

    /**
     * {@code SHA1(pw)} as the reply would give it if it were right, unchecked (skip_authentication:
     * the servers check it); null for a malformed reply or hash.
     */
    public static byte[] recover(byte[] seed, byte[] reply, byte[] stage2) {
        if (reply.length != 20 || stage2 == null || stage2.length != 20) {
            return null;
        }
        byte[] mask = sha1(seed20(seed), stage2);
        byte[] stage1 = new byte[20];
        for (int i = 0; i < 20; i++) {
            stage1[i] = (byte) (reply[i] ^ mask[i]);
        }
        return stage1;
    }

    /** Parses MariaDB's stored form "*" + 40 hex digits; null if it is not that form. */
    public static byte[] parseStoredHash(String stored) {
        if (stored == null || stored.length() != 41 || stored.charAt(0) != '*') {
            return null;
        }
        try {
            return HexFormat.of().parseHex(stored, 1, 41);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] seed20(byte[] seed) {
        return seed.length > 20 ? java.util.Arrays.copyOf(seed, 20) : seed;
    }
}
