package io.loomscale.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of Prometheus' text exposition format 0.0.4, written for the tests from the
 * format's description: {@code # HELP name text}, {@code # TYPE name counter|gauge|histogram|summary|untyped},
 * then samples {@code name{label="value",...} number}; a sample's family must have been typed
 * before it (histograms own {@code _bucket}, {@code _sum}, {@code _count}); a family is typed
 * once; label values may escape {@code \\ \" \n}. Throws {@link IllegalArgumentException} naming the line.
 */
final class PromText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\[\\\\\"n])*)\"");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    final Map<String, String> types = new LinkedHashMap<>();
    final List<Sample> samples = new ArrayList<>();

    static PromText parse(String text) {
        PromText p = new PromText();
        Map<String, String> help = new HashMap<>();
        String[] lines = text.split("\n", -1);
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("the text must end with a newline");
        }
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            String where = "line " + (i + 1) + " '" + line + "'";
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String[] f = line.substring(7).split(" ", 2);
                requireName(f[0], where);
                if (help.put(f[0], f.length > 1 ? f[1] : "") != null) {
                    throw new IllegalArgumentException(where + ": second HELP for " + f[0]);
                }
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] f = line.substring(7).split(" ");
                if (f.length != 2 || !List.of("counter", "gauge", "histogram", "summary", "untyped").contains(f[1])) {
                    throw new IllegalArgumentException(where + ": bad TYPE line");
                }
                requireName(f[0], where);
                if (p.types.put(f[0], f[1]) != null) {
                    throw new IllegalArgumentException(where + ": second TYPE for " + f[0]);
                }
                continue;
            }
            if (line.startsWith("#")) {
                continue; // a comment
            }
            p.samples.add(sample(line, where, p.types));
        }
        return p;
    }

    private static void requireName(String n, String where) {
        if (!NAME.matcher(n).matches()) {
            throw new IllegalArgumentException(where + ": '" + n + "' is not a metric name");
        }
    }

    private static Sample sample(String line, String where, Map<String, String> types) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        String name;
        Map<String, String> labels = new LinkedHashMap<>();
        String rest;
        if (brace >= 0 && (space < 0 || brace < space)) {
            name = line.substring(0, brace);
            int close = line.indexOf("} ", brace);
            if (close < 0) {
                throw new IllegalArgumentException(where + ": unterminated labels");
            }
            String inner = line.substring(brace + 1, close);
            Matcher m = LABEL.matcher(inner);
            int pos = 0;
            while (pos < inner.length()) {
                if (!m.find(pos) || m.start() != pos) {
                    throw new IllegalArgumentException(where + ": bad label at " + pos);
                }
                String v = m.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
                if (labels.put(m.group(1), v) != null) {
                    throw new IllegalArgumentException(where + ": label " + m.group(1) + " twice");
                }
                pos = m.end();
                if (pos < inner.length()) {
                    if (inner.charAt(pos) != ',') {
                        throw new IllegalArgumentException(where + ": expected ',' between labels");
                    }
                    pos++;
                }
            }
            rest = line.substring(close + 2);
        } else {
            if (space < 0) {
                throw new IllegalArgumentException(where + ": no value");
            }
            name = line.substring(0, space);
            rest = line.substring(space + 1);
        }
        requireName(name, where);
        String family = family(name, types);
        if (family == null) {
            throw new IllegalArgumentException(where + ": sample of " + name + " before its TYPE");
        }
        String[] parts = rest.trim().split(" ");
        if (parts.length > 2) {
            throw new IllegalArgumentException(where + ": too many fields after the labels");
        }
        double v;
        try {
            v = switch (parts[0]) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(parts[0]);
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": '" + parts[0] + "' is not a number");
        }
        if (parts.length == 2) {
            Long.parseLong(parts[1]); // timestamp
        }
        return new Sample(name, labels, v);
    }

    private static String family(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if ("histogram".equals(types.get(base)) || ("summary".equals(types.get(base)) && !suffix.equals("_bucket"))) {
                    return base;
                }
            }
        }
        return null;
    }

    /** The value of the one sample named {@code name} whose labels include {@code labels} (k, v, k, v...). */
    double value(String name, String... labels) {
        Double found = null;
        for (Sample s : samples) {
            if (!s.name().equals(name)) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < labels.length; i += 2) {
                match &= labels[i + 1].equals(s.labels().get(labels[i]));
            }
            if (match) {
                if (found != null) {
                    throw new IllegalArgumentException("more than one sample " + name + " " + List.of(labels));
                }
                found = s.value();
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("no sample " + name + " " + List.of(labels));
        }
        return found;
    }
}
