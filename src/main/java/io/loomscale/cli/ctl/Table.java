package io.loomscale.cli.ctl;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A table of text cells, printed for people with box-drawing borders and columns padded to
 * their widest cell (as MaxScale's maxctrl does), or for scripts as tab-separated lines without
 * a header ({@code --tsv}; tabs and newlines inside cells become spaces).
 */
final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    Table row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "" : c.toString());
        }
        rows.add(r);
        return this;
    }

    void print(PrintWriter out, boolean tsv) {
        if (tsv) {
            for (List<String> r : rows) {
                out.println(String.join("\t", r.stream().map(c -> c.replace('\t', ' ').replace('\n', ' ')).toList()));
            }
            out.flush();
            return;
        }
        int n = header.size();
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            w[i] = header.get(i).length();
        }
        List<List<String[]>> lines = new ArrayList<>();
        for (List<String> r : rows) {
            List<String[]> split = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String[] parts = (i < r.size() ? r.get(i) : "").split("\n", -1);
                for (String p : parts) {
                    w[i] = Math.max(w[i], p.length());
                }
                split.add(parts);
            }
            lines.add(split);
        }
        out.println(border('┌', '┬', '┐', w));
        out.println(line(header.stream().map(h -> new String[] {h}).toList(), w, 0));
        out.println(border('├', '┼', '┤', w));
        for (List<String[]> r : lines) {
            int height = r.stream().mapToInt(p -> p.length).max().orElse(1);
            for (int k = 0; k < height; k++) {
                out.println(line(r, w, k));
            }
        }
        out.println(border('└', '┴', '┘', w));
        out.flush();
    }

    private static String border(char left, char mid, char right, int[] w) {
        StringBuilder sb = new StringBuilder().append(left);
        for (int i = 0; i < w.length; i++) {
            sb.append("─".repeat(w[i] + 2)).append(i == w.length - 1 ? right : mid);
        }
        return sb.toString();
    }

    private static String line(List<String[]> cells, int[] w, int k) {
        StringBuilder sb = new StringBuilder("│");
        for (int i = 0; i < w.length; i++) {
            String[] parts = cells.get(i);
            String c = k < parts.length ? parts[k] : "";
            sb.append(' ').append(c).append(" ".repeat(w[i] - c.length())).append(" │");
        }
        return sb.toString();
    }
}
