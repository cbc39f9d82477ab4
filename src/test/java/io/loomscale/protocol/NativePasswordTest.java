package io.loomscale.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class NativePasswordTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SEED = HEX.parseHex("0102030405060708090a0b0c0d0e0f1011121314");
    /** SHA1("app_pw"), and the reply to SEED, both computed outside Java. */
    private static final byte[] STAGE1 = HEX.parseHex("478f036cc2368187be39461c736d70be6a84f1ef");
    private static final byte[] REPLY = HEX.parseHex("8bb2dd0d2a7411fea31ad816d01e681069f63a43");
    /** What MariaDB 10.11 stores for IDENTIFIED BY 'app_pw'. */
    private static final String STORED = "*95BE1A04B76EE9AB97CEE8436421F2D15539B738";

    @Test
    void scrambleOfKnownPasswordMatchesFixture() {
        assertArrayEquals(REPLY, NativePassword.scramble(SEED, "app_pw".getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals(REPLY, NativePassword.scrambleWithStage1(SEED, STAGE1));
    }

    @Test
    void verifyRecoversStage1FromReply() {
        assertArrayEquals(STAGE1, NativePassword.verify(SEED, REPLY, NativePassword.parseStoredHash(STORED)));
    }

    @Test
    void verifyRejectsWrongReplyAndWrongSeed() {
        byte[] stage2 = NativePassword.parseStoredHash(STORED);
        byte[] bad = REPLY.clone();
        bad[19] ^= 0x40;
        assertNull(NativePassword.verify(SEED, bad, stage2));
        byte[] otherSeed = SEED.clone();
        otherSeed[0] = 9;
        assertNull(NativePassword.verify(otherSeed, REPLY, stage2));
        assertNull(NativePassword.verify(SEED, new byte[0], stage2));
    }

    @Test
    void seedWithTrailingNulIsCutTo20Bytes() {
        byte[] seed21 = java.util.Arrays.copyOf(SEED, 21);
        assertArrayEquals(REPLY, NativePassword.scrambleWithStage1(seed21, STAGE1));
    }

    @Test
    void emptyPasswordScramblesToEmptyReply() {
        assertEquals(0, NativePassword.scramble(SEED, new byte[0]).length);
    }

    @Test
    void storedHashIsSha1OfStage1() {
        assertArrayEquals(NativePassword.sha1(STAGE1), NativePassword.parseStoredHash(STORED));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", quoteCharacter = '"', textBlock = """
            -
            ""
            invalid
            95BE1A04B76EE9AB97CEE8436421F2D15539B738
            *95BE1A04B76EE9AB97CEE8436421F2D15539B73
            *95BE1A04B76EE9AB97CEE8436421F2D15539B7ZZ
            """)
    void malformedStoredHashesParseToNull(String stored) {
        assertNull(NativePassword.parseStoredHash(stored));
    }
}
