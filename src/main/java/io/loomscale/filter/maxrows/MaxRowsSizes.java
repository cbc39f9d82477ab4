package io.loomscale.filter.maxrows;

import io.loomscale.config.Params;

/** Size values as MaxScale writes them (maxrows, cache). */
public final class MaxRowsSizes {
    private MaxRowsSizes() {
    }

    /** A size: bytes as an integer, or a string with a K/M/G (1000) or Ki/Mi/Gi (1024) suffix; 0 or less = no limit. */
    public static long size(Params p, String key, long dflt) {
        Object v = p.value(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Long l) {
            return l;
        }
        String s = p.string(key, "").trim();
        long mult = 1;
        String num = s;
        String[][] units = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"K", "1000"}, {"M", "1000000"},
                {"G", "1000000000"}, {"k", "1000"}, {"m", "1000000"}, {"g", "1000000000"}};
        for (String[] u : units) {
            if (s.endsWith(u[0])) {
                mult = Long.parseLong(u[1]);
                num = s.substring(0, s.length() - u[0].length());
                break;
            }
        }
        try {
            return Long.parseLong(num.trim()) * mult;
        } catch (NumberFormatException e) {
            throw p.error(key, "not a size: '" + s + "'", "bytes, or a number with K, M, G, Ki, Mi or Gi");
        }
    }

}
