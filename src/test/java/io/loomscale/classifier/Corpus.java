package io.loomscale.classifier;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The classification corpus, {@code classifier/corpus.tsv}: one statement and its expected flags a line. */
record Corpus(String sql, String expected) {

    /** Lines are {@code statement<TAB>FLAGS|FLAGS}; {@code \n} in a statement is a newline; # starts a comment line. */
    static List<Corpus> load() {
        try (InputStream in = Corpus.class.getResourceAsStream("/classifier/corpus.tsv")) {
            if (in == null) {
                throw new IllegalStateException("classifier/corpus.tsv is not on the test classpath");
            }
            List<Corpus> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                int tab = line.lastIndexOf('\t');
                if (tab < 0) {
                    throw new IllegalStateException("no tab in corpus line: " + line);
                }
                out.add(new Corpus(line.substring(0, tab).replace("\\n", "\n"), line.substring(tab + 1)));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
