package io.loomscale.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.EdECPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ed25519PasswordTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void ownSignatureVerifiesWithTheJdkAndTheDerivedKey() {
        byte[] nonce = HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        byte[] sig = Ed25519Password.sign(utf8("secret"), nonce);
        byte[] pub = Ed25519Password.publicKey(utf8("secret"));
        assertTrue(Ed25519Password.verify(pub, nonce, sig));
        assertFalse(Ed25519Password.verify(Ed25519Password.publicKey(utf8("secreT")), nonce, sig), "another password's key");
        byte[] other = nonce.clone();
        other[0] ^= 1;
        assertFalse(Ed25519Password.verify(pub, other, sig), "another nonce");
    }

    @Test
    void publicKeyOfTheBasePointScalarMatchesTheJdk() {
        // RFC 8032 test 1: secret key 9d61b1...; its SHA-512 is what MariaDB takes of the password,
        // so a 32-byte "password" equal to an RFC seed gives the RFC's public key.
        byte[] seed = HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                HexFormat.of().formatHex(Ed25519Password.publicKey(seed)));
        assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
                HexFormat.of().formatHex(Ed25519Password.sign(seed, new byte[0])));
    }

    @Test
    void storedKeyIsBase64WithoutPadding() {
        byte[] pub = Ed25519Password.publicKey(utf8("secret"));
        String stored = Base64.getEncoder().withoutPadding().encodeToString(pub);
        assertEquals(43, stored.length());
        assertArrayEquals(pub, Ed25519Password.decodeStoredKey(stored));
        assertNull(Ed25519Password.decodeStoredKey("not a key"));
        assertFalse(Ed25519Password.verify(null, new byte[32], new byte[64]));
        assertFalse(Ed25519Password.verify(pub, new byte[32], Arrays.copyOf(new byte[1], 63)));
    }
}
