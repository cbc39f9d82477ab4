package io.loomscale.protocol;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * MariaDB's {@code ed25519} authentication ({@code client_ed25519}): the server sends a 32-byte
 * nonce, the client answers with an Ed25519 signature of it made with a key derived from the
 * password, and the server checks it against the public key stored (base64, 43 characters) in
 * {@code mysql.user}. MariaDB's one difference from RFC 8032 is the derivation: the 64-byte hash
 * that RFC 8032 takes of a 32-byte seed is here SHA-512 of the password itself, of any length.
 *
 * <p>Verification uses the JDK's Ed25519. Signing and deriving the public key (the proxy logging
 * in to a server for a client whose password it learned over TLS) need that derivation, which
 * the JDK's API cannot take, so they use the curve arithmetic below (BigInteger, extended
 * coordinates; a few milliseconds per login, never on the statement path). Stateless.
 *
 * @see <a href="https://mariadb.com/kb/en/authentication-plugin-ed25519/">MariaDB: ed25519 plugin</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8032">RFC 8032</a>
 */
public final class Ed25519Password {
    public static final String PLUGIN = "client_ed25519";
    /** The server-side plugin name in {@code mysql.user}. */
    public static final String SERVER_PLUGIN = "ed25519";
    public static final int NONCE_LENGTH = 32;

    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    private static final BigInteger L = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
    private static final BigInteger D = BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
    private static final BigInteger D2 = D.shiftLeft(1).mod(P);
    private static final Point BASE = Point.affine(
            new BigInteger("15112221349535400772501151409588531511454012693041857206046113283949847762202"),
            new BigInteger("46316835694926478169428394003475163141307993866256225615783033603165251855960"));
    /** DER prefix of an X.509 SubjectPublicKeyInfo for a raw Ed25519 key. */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private Ed25519Password() {
    }

    /** The 32-byte public key stored in {@code mysql.user} (base64 without padding), or null if malformed. */
    public static byte[] decodeStoredKey(String stored) {
        try {
            byte[] k = Base64.getDecoder().decode(stored.length() == 43 ? stored + "=" : stored);
            return k.length == 32 ? k : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether {@code signature} is the account's signature of {@code nonce}. */
    public static boolean verify(byte[] publicKey, byte[] nonce, byte[] signature) {
        if (publicKey == null || signature == null || signature.length != 64) {
            return false;
        }
        try {
            byte[] der = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + 32);
            System.arraycopy(publicKey, 0, der, X509_PREFIX.length, 32);
            PublicKey pk = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(pk);
            s.update(nonce);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a key that is not a curve point, a malformed signature
        }
    }

    /** The public key of {@code password}, as the server stores it (raw 32 bytes). */
    public static byte[] publicKey(byte[] password) {
        byte[] h = sha512(password);
        return BASE.multiply(clampedScalar(h)).encode();
    }

    /** The 64-byte signature of {@code nonce} that a client with {@code password} sends. */
    public static byte[] sign(byte[] password, byte[] nonce) {
        byte[] h = sha512(password);
        BigInteger a = clampedScalar(h);
        byte[] pub = BASE.multiply(a).encode();
        MessageDigest md = sha512();
        md.update(h, 32, 32);
        md.update(nonce);
        BigInteger r = littleEndian(md.digest()).mod(L);
        byte[] rEnc = BASE.multiply(r).encode();
        md.update(rEnc);
        md.update(pub);
        md.update(nonce);
        BigInteger k = littleEndian(md.digest()).mod(L);
        BigInteger s = r.add(k.multiply(a)).mod(L);
        byte[] sig = new byte[64];
        System.arraycopy(rEnc, 0, sig, 0, 32);
        System.arraycopy(toLittleEndian(s), 0, sig, 32, 32);
        return sig;
    }

    private static BigInteger clampedScalar(byte[] h) {
        byte[] a = Arrays.copyOf(h, 32);
        a[0] &= (byte) 248;
        a[31] &= 127;
        a[31] |= 64;
        return littleEndian(a);
    }

    private static byte[] sha512(byte[] data) {
        return sha512().digest(data);
    }

    private static MessageDigest sha512() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-512", e);
        }
    }

    static BigInteger littleEndian(byte[] b) {
        byte[] be = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            be[i] = b[b.length - 1 - i];
        }
        return new BigInteger(1, be);
    }

    static byte[] toLittleEndian(BigInteger v) {
        byte[] be = v.toByteArray();
        byte[] le = new byte[32];
        for (int i = 0; i < 32 && i < be.length; i++) {
            le[i] = be[be.length - 1 - i];
        }
        return le;
    }

    /** A point in extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z. */
    private record Point(BigInteger x, BigInteger y, BigInteger z, BigInteger t) {
        static Point affine(BigInteger x, BigInteger y) {
            return new Point(x, y, BigInteger.ONE, x.multiply(y).mod(P));
        }

        static final Point IDENTITY = new Point(BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE, BigInteger.ZERO);

        /** Unified addition for a = -1 (also doubles). */
        Point add(Point q) {
            BigInteger a = y.subtract(x).multiply(q.y.subtract(q.x)).mod(P);
            BigInteger b = y.add(x).multiply(q.y.add(q.x)).mod(P);
            BigInteger c = t.multiply(D2).multiply(q.t).mod(P);
            BigInteger d = z.shiftLeft(1).multiply(q.z).mod(P);
            BigInteger e = b.subtract(a);
            BigInteger f = d.subtract(c);
            BigInteger g = d.add(c);
            BigInteger h = b.add(a);
            return new Point(e.multiply(f).mod(P), g.multiply(h).mod(P), f.multiply(g).mod(P), e.multiply(h).mod(P));
        }

        Point multiply(BigInteger k) {
            Point result = IDENTITY;
            Point addend = this;
            for (int i = 0; i < k.bitLength(); i++) {
                if (k.testBit(i)) {
                    result = result.add(addend);
                }
                addend = addend.add(addend);
            }
            return result;
        }

        byte[] encode() {
            BigInteger zi = z.modInverse(P);
            BigInteger ax = x.multiply(zi).mod(P);
            BigInteger ay = y.multiply(zi).mod(P);
            byte[] out = toLittleEndian(ay);
            if (ax.testBit(0)) {
                out[31] |= (byte) 0x80;
            }
            return out;
        }
    }
}
