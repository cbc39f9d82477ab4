package io.loomscale.router.readwritesplit;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows renames of a session's temporary tables ({@code ALTER TABLE t RENAME [TO] u},
 * {@code RENAME TABLE t TO u, ...}), so that reads of the new name still go to the primary.
 * Only statements of a session that has temporary tables get here, so a regular expression
 * over the text is cheap enough.
 */
final class TempTableRenames {
    private static final String NAME = "(?:`[^`]+`|[\\p{L}\\p{N}_$]+)";
    private static final String QUALIFIED = "(?:" + NAME + "\\s*\\.\\s*)?(" + NAME + ")";
    private static final Pattern ALTER = Pattern.compile("(?is)^\\s*ALTER\\s+(?:ONLINE\\s+|IGNORE\\s+)*TABLE\\s+"
            + "(?:IF\\s+EXISTS\\s+)?" + QUALIFIED + "\\s.*?\\bRENAME\\s+(?!(?:INDEX|KEY|COLUMN)\\s)(?:TO\\s+|AS\\s+)?" + QUALIFIED + ".*");
    private static final Pattern RENAME = Pattern.compile("(?is)^\\s*RENAME\\s+TABLES?\\s+(.*)");
    private static final Pattern PAIR = Pattern.compile("(?is)\\s*" + QUALIFIED + "\\s+TO\\s+" + QUALIFIED + "\\s*");

    private TempTableRenames() {
    }

    /** Applies the renames of {@code sql} to {@code temporary} (lower-case names). */
    static void apply(CharSequence sql, Set<String> temporary) {
        String text = sql.toString();
        Matcher m = ALTER.matcher(text);
        if (m.matches()) {
            rename(temporary, m.group(1), m.group(2));
            return;
        }
        m = RENAME.matcher(text);
        if (m.matches()) {
            for (String pair : m.group(1).split(",")) {
                Matcher p = PAIR.matcher(pair);
                if (p.matches()) {
                    rename(temporary, p.group(1), p.group(2));
                }
            }
        }
    }

    private static void rename(Set<String> temporary, String from, String to) {
        String f = plain(from);
        if (temporary.remove(f)) {
            temporary.add(plain(to));
        }
    }

    private static String plain(String name) {
        String n = name.startsWith("`") ? name.substring(1, name.length() - 1) : name;
        return n.toLowerCase(Locale.ROOT);
    }
}
