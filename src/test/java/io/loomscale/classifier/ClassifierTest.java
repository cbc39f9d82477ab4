package io.loomscale.classifier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifierTest {

    static Stream<Arguments> corpus() {
        return Corpus.load().stream().map(c -> Arguments.of(c.sql(), c.expected()));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("corpus")
    void classifiesTheCorpus(String sql, String expected) {
        assertEquals(expected.isEmpty() ? "READ" : QueryType.describe(QueryType.parse(expected)),
                QueryType.describe(Classifier.classify(sql)), sql);
    }

    @Test
    void corpusIsLargeAndHasNoDuplicates() {
        List<Corpus> all = Corpus.load();
        assertTrue(all.size() >= 450, "the corpus file was read whole: " + all.size());
        Set<String> seen = new HashSet<>();
        for (Corpus c : all) {
            assertTrue(seen.add(c.sql()), "duplicate corpus statement: " + c.sql());
        }
    }

    @Test
    void unterminatedQuotesAndCommentsDoNotThrow() {
        for (String sql : List.of("SELECT 'abc", "SELECT \"abc", "SELECT `a", "SELECT /* x", "/*!40101 SET NAMES",
                "SELECT @", "SELECT @@", "SET", "START", "ROLLBACK TO", "@", ";", "(((", "SELECT 1 --", "SET STATEMENT",
                "SET STATEMENT x=1 FOR", "ANALYZE FORMAT", "SHOW", "CREATE OR", "EXECUTE", "LOAD", "WITH", "x'")) {
            int f = Classifier.classify(sql);
            assertTrue(f != 0, sql);
        }
    }
}
