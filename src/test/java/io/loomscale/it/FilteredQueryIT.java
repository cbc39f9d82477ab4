package io.loomscale.it;

import io.loomscale.filter.qlafilter.QlaFilter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * QueryIT's transparency tests through a service whose filter chain is qlafilter, regexfilter,
 * topfilter and maxrows ({@link TestProxy#filtered()}): every statement passes four filters, two
 * follow each reply's end and one has each result collected whole before it goes on, and the
 * client must still get exactly what the server sent. Afterwards
 * the query log must hold the statements, with their reply times, proving they did pass the chain.
 */
class FilteredQueryIT extends QueryIT {
    @BeforeAll
    static void throughFilters() {
        proxy = TestProxy.filtered();
    }

    @AfterAll
    static void statementsWereLogged() throws IOException {
        QlaFilter qla = (QlaFilter) proxy.runtime().filters().get("qla");
        assertTrue(qla.flush(5000));
        Path log = TestProxy.projectDir().resolve("target/it/filtered/qla.unified");
        long lines = Files.readAllLines(log).stream()
                .filter(l -> l.startsWith("write,") && l.contains("it_query_types") && l.split(",").length >= 6)
                .count();
        assertTrue(lines >= 5, "statements on it_query_types in the query log: " + lines);
        Object checked = proxy.runtime().filters().get("limit").diagnostics().get("result_sets_checked");
        assertTrue((Long) checked >= 20, "result sets collected by maxrows: " + checked);
    }
}
