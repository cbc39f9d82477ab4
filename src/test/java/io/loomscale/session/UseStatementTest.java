package io.loomscale.session;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class UseStatementTest {
    private static byte[] query(String sql) {
        byte[] s = sql.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[5 + s.length];
        p[0] = (byte) (s.length + 1);
        p[4] = 0x03;
        System.arraycopy(s, 0, p, 5, s.length);
        return p;
    }

    static Stream<Arguments> statements() {
        return Stream.of(
                arguments("USE test", "test"),
                arguments("use test;", "test"),
                arguments("  Use   sb_test  ;  ", "sb_test"),
                arguments("/* hi */ USE `we``ird db`", "we`ird db"),
                arguments("-- c\nUSE x", "x"),
                arguments("# c\nUSE x", "x"),
                arguments("USE/**/y", "y"),
                arguments("USEFUL", null),
                arguments("USE", null),
                arguments("USE a b", null),
                arguments("SELECT 1", null),
                arguments("USE `unterminated", null),
                arguments("/*!40101 USE x */", null));
    }

    @ParameterizedTest
    @MethodSource("statements")
    void findsTheDatabaseOfUse(String sql, String db) {
        assertEquals(db, UseStatement.database(query(sql)));
    }

    @org.junit.jupiter.api.Test
    void onlyUseAndCommentsLeaveTheFastPath() {
        org.junit.jupiter.api.Assertions.assertTrue(UseStatement.mayBeUse(query("USE test")));
        org.junit.jupiter.api.Assertions.assertTrue(UseStatement.mayBeUse(query("  use`x`")));
        org.junit.jupiter.api.Assertions.assertTrue(UseStatement.mayBeUse(query("/* c */ SELECT 1")));
        org.junit.jupiter.api.Assertions.assertFalse(UseStatement.mayBeUse(query("UPDATE t SET a = 1")));
        org.junit.jupiter.api.Assertions.assertFalse(UseStatement.mayBeUse(query("USER")));
        org.junit.jupiter.api.Assertions.assertFalse(UseStatement.mayBeUse(query("SELECT 1")));
        org.junit.jupiter.api.Assertions.assertFalse(UseStatement.mayBeUse(query("use")));
    }
}
