package io.loomscale.classifier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableNamesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', nullValues = "NULL", value = {
        "CREATE TEMPORARY TABLE tmp (a INT)|tmp",
        "create temporary table if not exists Tmp2 select * from t|tmp2",
        "CREATE OR REPLACE TEMPORARY TABLE db1.`My Tmp` (a INT)|my tmp",
        "CREATE TEMPORARY TABLE `a``b` LIKE t|a`b",
        "/* x */ CREATE /*!32302 TEMPORARY */ TABLE t3 (a INT)|t3",
        "CREATE TEMPORARY TABLE `db`.`T4` ENGINE=MEMORY SELECT 1|t4",
        "CREATE TEMPORARY SEQUENCE s1|s1",
        "CREATE TEMPORARY TABLE 1tmp (a INT)|1tmp",
        "CREATE TABLE t (a INT)|NULL",
        "CREATE TEMPORARY FUNCTION f|NULL",
        "SELECT 'CREATE TEMPORARY TABLE x'|NULL",
        "CREATE TEMPORARY TABLE|NULL",
        "~~|NULL",
    })
    void createdTemporaryTable(String sql, String name) {
        assertEquals(name, Classifier.createdTemporaryTable(sql));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "DROP TEMPORARY TABLE tmp|tmp",
        "DROP TABLE IF EXISTS a, db.B, `c d`|a,b,c d",
        "drop temporary table if exists `db`.`t1` , t2 RESTRICT|t1,t2",
        "DROP TABLE /*COMMENT TO SAVE*/ t1 NOWAIT|t1",
        "DROP TABLE t1 WAIT 5|t1",
        "DROP TABLES t1, t2 CASCADE|t1,t2",
        "DROP TEMPORARY SEQUENCE s|s",
        "DROP TABLE t1; DROP TABLE t2|t1",
        "DROP VIEW v|~~",
        "DROP DATABASE d|~~",
        "SELECT 1|~~",
        "DROP TABLE|~~",
    })
    void droppedTables(String sql, String names) {
        List<String> expected = names.isEmpty() ? List.of() : Arrays.asList(names.split(","));
        assertEquals(expected, Classifier.droppedTables(sql));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "SELECT * FROM tmp|true",
        "SELECT * FROM TMP WHERE id = 1|true",
        "SELECT * FROM db.tmp|true",
        "SELECT * FROM `tmp`|true",
        "SELECT * FROM `TMP`|true",
        "SELECT * FROM \"tmp\"|true",
        "SELECT t.a FROM t JOIN other ON other.id = t.id|true",
        "UPDATE t SET a = 1|false",
        "SELECT 'tmp' FROM t|false",
        "SELECT * FROM t /* tmp */|false",
        "SELECT * FROM t -- tmp|false",
        "SELECT * FROM tmp2|false",
        "SELECT * FROM tm|false",
        "SELECT @tmp|false",
        "SELECT * FROM `a``b`|true",
    })
    void referencesAny(String sql, boolean expected) {
        assertEquals(expected, Classifier.referencesAny(sql, Set.of("tmp", "other", "a`b")), sql);
    }

    @Test
    void anEmptySetReferencesNothing() {
        assertFalse(Classifier.referencesAny("SELECT * FROM tmp", Set.of()));
    }

    @Test
    void namesOfTheSameFilterBitAreStillCompared() {
        // "tmp" and a name with the same first letter and length share the filter bit.
        assertTrue(Classifier.referencesAny("SELECT * FROM tax", Set.of("tmp", "tax")));
        assertFalse(Classifier.referencesAny("SELECT * FROM top", Set.of("tmp", "tax")));
    }

    @Test
    void createdThenDroppedNameRoundTrips() {
        String name = Classifier.createdTemporaryTable("CREATE TEMPORARY TABLE `Sess_Tmp` (id INT)");
        assertEquals("sess_tmp", name);
        assertTrue(Classifier.referencesAny("SELECT * FROM sess_tmp", Set.of(name)));
        assertEquals(List.of(name), Classifier.droppedTables("DROP TEMPORARY TABLE Sess_Tmp"));
        assertNull(Classifier.createdTemporaryTable("DROP TEMPORARY TABLE Sess_Tmp"));
    }
}
