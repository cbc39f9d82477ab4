package io.loomscale.classifier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DigestTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "SELECT c FROM sbtest1 WHERE id=5013|SELECT c FROM sbtest1 WHERE id=?",
        "SELECT c FROM t WHERE id BETWEEN 1 AND 100|SELECT c FROM t WHERE id BETWEEN ? AND ?",
        "~  SELECT\t c  FROM t   WHERE a = 'x'  ~|SELECT c FROM t WHERE a = ?",
        "~SELECT \"a\", 'it''s', 'a\\'b' FROM t~|SELECT ?, ?, ? FROM t",
        "SELECT 1.5, .5, 1e10, 1.5e-3, 0x1F, 0b101, X'1F', b'01', N'abc', _utf8mb4'abc'|SELECT ?, .?, ?, ?, ?, ?, ?, ?, ?, ?",
        "SELECT a FROM t WHERE b IS NULL AND c = -5|SELECT a FROM t WHERE b IS NULL AND c = -?",
        "SELECT /* a comment */ a FROM t -- trailing|SELECT a FROM t",
        "SELECT a/*x*/FROM t|SELECT a FROM t",
        "~# hash comment\nSELECT 1~|SELECT ?",
        "/*!40101 SET NAMES utf8 */|SET NAMES utf8",
        "SELECT * FROM t /*!50000 FOR UPDATE */|SELECT * FROM t FOR UPDATE",
        "/*M!100100 SELECT 1 */|SELECT ?",
        "SELECT `select`, `a b` FROM `t1`|SELECT `select`, `a b` FROM `t1`",
        "SELECT @a := 5, @@session.x|SELECT @a := ?, @@session.x",
        "SELECT * FROM 1tmp WHERE a = 1|SELECT * FROM 1tmp WHERE a = ?",
        "select Id from T where ID = 7|select Id from T where ID = ?",
        "INSERT INTO t VALUES (1, 'a'), (2, 'b')|INSERT INTO t VALUES (?, ?), (?, ?)",
        "SELECT 1 --1|SELECT ? --?",
        "SELECT ? FROM t WHERE a = ?|SELECT ? FROM t WHERE a = ?",
        "~~|~~",
    })
    void canonicalText(String sql, String digest) {
        String in = sql.replace("\\n", "\n");
        assertEquals(digest, Digest.of(in));
        assertTrue(Digest.matches(in, digest), "matches agrees with of");
        assertEquals(Digest.hash(digest), Digest.hash(in), "the hash is the digest's");
    }

    @Test
    void statementsDifferingOnlyInLiteralsCommentsAndSpacingShareDigestAndHash() {
        List<String> same = List.of(
                "SELECT c FROM t WHERE id = 5 AND name = 'bob'",
                "SELECT c FROM t WHERE id = 123456 AND name = \"alice\"",
                "SELECT   c FROM t /* hi */ WHERE id = 1.5 AND name = 'x' -- bye",
                "SELECT c\nFROM t\nWHERE id = 0x10 AND name = _latin1'y'");
        String digest = Digest.of(same.get(0));
        for (String sql : same) {
            assertEquals(digest, Digest.of(sql), sql);
            assertEquals(Digest.hash(same.get(0)), Digest.hash(sql), sql);
            assertTrue(Digest.matches(sql, digest), sql);
        }
    }

    @Test
    void differentStatementsDoNotMatch() {
        String digest = Digest.of("SELECT c FROM t WHERE id = 1");
        for (String sql : List.of("SELECT c FROM t WHERE id > 1", "SELECT c FROM t WHERE id = 1 FOR UPDATE",
                "SELECT c FROM u WHERE id = 1", "SELECT c FROM t WHERE id =", "select c from t where id = 1",
                "SELECT c FROM t WHERE id = NULL")) {
            assertFalse(Digest.matches(sql, digest), sql);
            assertNotEquals(Digest.hash("SELECT c FROM t WHERE id = 1"), Digest.hash(sql), sql);
        }
    }

    @Test
    void parserTextKeepsLiteralsAndStopsAtTheFirstStatement() {
        assertEquals("SELECT 'a;b' FROM t WHERE x = 1 FOR UPDATE",
                Digest.firstStatementForParser("SELECT 'a;b' /* c */ FROM t WHERE x = 1 /*!50000 FOR UPDATE */; DELETE FROM t"));
        assertEquals("WITH c AS (SELECT x'1F') SELECT * FROM c",
                Digest.firstStatementForParser("WITH c AS (SELECT x'1F') SELECT * FROM c"));
    }

    @Test
    void unterminatedInputDoesNotThrow() {
        for (String sql : List.of("SELECT 'abc", "SELECT `a", "SELECT /* x", "/*!40101 SET", "SELECT x'", "SELECT 1e",
                "SELECT 1e-", "@", "@@")) {
            assertTrue(Digest.matches(sql, Digest.of(sql)), sql);
        }
    }
}
