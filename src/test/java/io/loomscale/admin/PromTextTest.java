package io.loomscale.admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The test-side Prometheus text parser accepts the format and rejects what breaks it (so a pass means something). */
class PromTextTest {
    @Test
    void readsTypedSamplesWithEscapedLabels() {
        PromText p = PromText.parse("""
                # HELP a_total Things.
                # TYPE a_total counter
                a_total{x="1",y="q\\"uote"} 3
                # TYPE h_seconds histogram
                h_seconds_bucket{le="0.1"} 1
                h_seconds_bucket{le="+Inf"} 2
                h_seconds_sum 0.5
                h_seconds_count 2
                """);
        assertEquals(3, p.value("a_total", "y", "q\"uote"));
        assertEquals(2, p.value("h_seconds_count"));
        assertEquals(5, p.samples.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a 1\n",                                   // no TYPE
        "# TYPE a gauge\na{x=1} 1\n",              // unquoted label
        "# TYPE a gauge\na{x=\"1\"} one\n",         // not a number
        "# TYPE a gauge\n# TYPE a gauge\na 1\n",   // typed twice
        "# TYPE a gauge\na{x=\"1\" 1\n",            // unterminated
        "# TYPE a gauge\na 1",                      // no final newline
        "# TYPE a nonsense\na 1\n",                // bad type
        "# TYPE 1a gauge\n",                       // bad name
    })
    void rejectsBrokenText(String text) {
        assertThrows(IllegalArgumentException.class, () -> PromText.parse(text));
    }
}
