package io.loomscale.filter;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache's invalidation rests on these: a write's tables may be too many, never too few. */
class SqlWordsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "INSERT INTO t VALUES (1)|  t",
        "insert low_priority ignore into `My Tbl` (a) values (1)|  my tbl",
        "INSERT INTO db1.t2 SELECT * FROM other|  db1,t2",
        "REPLACE t3 SET a = 1|  t3",
        "UPDATE t SET a = 1 WHERE b = 2|  t",
        "UPDATE a JOIN b ON a.id = b.id SET a.x = b.x|  a,b",
        "UPDATE /* t_not */ t4 SET a = 'UPDATE x SET'|  t4",
        "DELETE FROM t5 WHERE k = 1|  t5",
        "DELETE t6, t7 FROM t6 JOIN t7 ON t6.k = t7.k WHERE t6.k = 1|  t6,t7",
        "TRUNCATE TABLE t8|  t8",
        "/*!40000 UPDATE t9 SET a = 1 */|  t9",
    })
    void writtenTablesIncludeEveryTargetLowerCase(String sql, String expected) {
        Set<String> got = SqlWords.writtenTables(sql.trim());
        assertTrue(got != null, sql);
        assertTrue(got.containsAll(Arrays.asList(expected.trim().split(","))), sql + " -> " + new TreeSet<>(got));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ALTER TABLE t ADD c INT",
        "UPDATE t SET a = 1; DELETE FROM u",
        "LOAD DATA INFILE 'x' INTO TABLE t",
        "CALL p()",
        "UPDATE",
    })
    void aWriteItCannotReadEmptiesEverything(String sql) {
        assertNull(SqlWords.writtenTables(sql));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "SELECT a FROM t WHERE b = 'x y' -- z;  a t where b select from",
        "SELECT `Odd``Name` FROM d.t # c;  odd`name d t select from",
    })
    void identifiersSkipStringsAndComments(String sql, String words) {
        assertEquals(new TreeSet<>(Arrays.asList(words.trim().split(" "))), new TreeSet<>(SqlWords.identifiers(sql)));
    }
}
