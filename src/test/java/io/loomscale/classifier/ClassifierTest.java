package io.loomscale.classifier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifierTest {

    static Stream<Arguments> corpus() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (InputStream in = ClassifierTest.class.getResourceAsStream("/classifier/corpus.tsv")) {
            assertNotNull(in, "corpus on the test classpath");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                int tab = line.lastIndexOf('\t');
                out.add(Arguments.of(line.substring(0, tab).replace("\\n", "\n"), line.substring(tab + 1)));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("corpus")
    void classifiesTheCorpus(String sql, String expected) {
        assertEquals(expected.isEmpty() ? "READ" : QueryType.describe(QueryType.parse(expected)),
                QueryType.describe(Classifier.classify(sql)), sql);
    }

    @Test
    void corpusIsLarge() throws IOException {
        assertTrue(corpus().count() >= 170, "the corpus file was read whole");
    }

    @Test
    void unterminatedQuotesAndCommentsDoNotThrow() {
        for (String sql : List.of("SELECT 'abc", "SELECT \"abc", "SELECT `a", "SELECT /* x", "/*!40101 SET NAMES",
                "SELECT @", "SELECT @@", "SET", "START", "ROLLBACK TO", "@", ";", "(((", "SELECT 1 --")) {
            int f = Classifier.classify(sql);
            assertTrue(f != 0, sql);
        }
    }
}
