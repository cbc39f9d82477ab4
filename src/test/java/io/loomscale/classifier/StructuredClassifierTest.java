package io.loomscale.classifier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StructuredClassifierTest {

    @BeforeEach
    void emptyCache() {
        StructuredClassifier.clearCache();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " -> ", quoteCharacter = '~', value = {
        "WITH c AS (SELECT 1 AS a) SELECT a FROM c -> READ",
        "WITH c AS (SELECT id FROM t2) UPDATE t SET a = 1 WHERE id IN (SELECT id FROM c) -> WRITE",
        "WITH c AS (SELECT id FROM t2) DELETE FROM t WHERE id IN (SELECT id FROM c) -> WRITE",
        "WITH c AS (SELECT 1) INSERT INTO t SELECT * FROM c -> WRITE",
        "WITH c AS (DELETE FROM t RETURNING *) SELECT * FROM c -> WRITE",
        "WITH c AS (SELECT a FROM t) SELECT * FROM c FOR UPDATE -> READ|WRITE|LOCKING_READ",
        "WITH c AS (SELECT a FROM t) SELECT LAST_INSERT_ID(), @x FROM c -> READ|MASTER_ONLY_FUNCTION|USERVAR_READ",
        "WITH c AS (SELECT 1) SELECT * FROM c; DELETE FROM t -> READ|MULTI_STATEMENT|WRITE",
        "/*!50000 WITH c AS (SELECT 1) SELECT * FROM c */ -> READ",
        "(WITH c AS (SELECT 1) SELECT * FROM c) -> READ",
        "FROBNICATE ALL THE THINGS -> WRITE",
        "@x -> WRITE",
        "WITH c AS (SELECT 1 AS a) SELECT a INTO @v FROM c -> WRITE|USERVAR_WRITE",
        "WITH c AS (SELECT 1) SELECT * FROM c LOCK IN SHARE MODE -> WRITE|LOCKING_READ",
    })
    void classifiesWhatTheLexerCannot(String sql, String expected) {
        assertEquals(LexicalClassifier.UNSURE, LexicalClassifier.classify(sql), "the lexer leaves it to the slow path");
        assertEquals(QueryType.describe(QueryType.parse(expected)), QueryType.describe(Classifier.classify(sql)));
    }

    @Test
    void aRepeatedStatementIsParsedOnce() {
        Classifier.SlowPathStats before = Classifier.slowPathStats();
        for (int i = 0; i < 100; i++) {
            assertEquals(QueryType.READ, Classifier.classify(
                    "WITH recent AS (SELECT id FROM orders WHERE created > '2024-01-0" + (i % 9 + 1) + "')"
                            + " SELECT COUNT(*) FROM recent WHERE id > " + i));
        }
        Classifier.SlowPathStats after = Classifier.slowPathStats();
        assertEquals(1, after.misses() - before.misses(), "one parse");
        assertEquals(99, after.hits() - before.hits(), "the rest are cache hits");
        assertEquals(1, after.cached());
    }

    @Test
    void aFailedParseIsCountedCachedAndAWrite() {
        Classifier.SlowPathStats before = Classifier.slowPathStats();
        String sql = "WITH c AS (SELECT 1) SELECT * FROM c INTO OUTFILE '/tmp/x'"; // jsqlparser 5.3 rejects it
        assertEquals(QueryType.WRITE, Classifier.classify(sql));
        Classifier.classify(sql);
        Classifier.SlowPathStats after = Classifier.slowPathStats();
        assertEquals(1, after.parseFailures() - before.parseFailures());
        assertEquals(1, after.misses() - before.misses());
    }

    @Test
    void aDifferentStatementIsADifferentEntry() {
        int read = Classifier.classify("WITH c AS (SELECT 1) SELECT * FROM c");
        int write = Classifier.classify("WITH c AS (SELECT 1) DELETE FROM t WHERE a IN (SELECT * FROM c)");
        assertNotEquals(read, write);
        assertEquals(2, Classifier.slowPathStats().cached());
    }

    @Test
    void sysbenchStatementsNeverTakeTheSlowPath() {
        Classifier.SlowPathStats before = Classifier.slowPathStats();
        for (String sql : ClassifierBench.SYSBENCH) {
            assertNotEquals(LexicalClassifier.UNSURE, LexicalClassifier.classify(sql), sql);
            assertTrue(Classifier.classify(sql) != 0, sql);
        }
        Classifier.SlowPathStats after = Classifier.slowPathStats();
        assertEquals(before.hits() + before.misses(), after.hits() + after.misses(), "no slow-path lookups");
    }

    @Test
    void leadingKeywordsTheLexerKnowsDoNotTakeTheSlowPath() {
        for (String sql : List.of("SELECT 1", "INSERT INTO t VALUES (1)", "SET NAMES utf8mb4", "SHOW TABLES",
                "CREATE TABLE t (a INT)", "LOCK TABLES t WRITE", "XA START 'x'", "HANDLER t OPEN", "DO 1",
                "SET STATEMENT max_statement_time=1 FOR SELECT 1", "ANALYZE SELECT 1", "LOAD DATA INFILE 'x' INTO TABLE t")) {
            assertNotEquals(LexicalClassifier.UNSURE, LexicalClassifier.classify(sql), sql);
        }
    }
}
