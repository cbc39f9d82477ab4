package io.loomscale.classifier;

import java.util.Locale;

/**
 * A small SQL tokenizer for classification: words, user variables ({@code @a}), system variables
 * ({@code @@a}), strings and quoted identifiers (skipped as one token), numbers and single-char
 * symbols. Skips comments ({@code /* *}{@code /}, {@code -- }, {@code #}) but reads the inside of
 * MariaDB executable comments ({@code /*! ... *}{@code /}, {@code /*M!100101 ... *}{@code /}) as SQL,
 * as the server does. Allocation-free: a token is a range of the input; callers compare words in
 * place with {@link #is(String)}. One lexer per statement and thread; it does not copy the input.
 */
final class Lexer {
    enum Kind { WORD, USERVAR, SYSVAR, STRING, NUMBER, SYMBOL, END }

    /**
     * Executable comments for this server version or later are read as comments. A server runs
     * {@code /*!NNNNNN ... *}{@code /} only if its version is at least NNNNNN; all other versions are
     * read as SQL (every MariaDB runs /*!40101, /*!50000 and /*M!100100), but no server is 99.0.0:
     * mariadb-dump's {@code /*M!999999\- enable the sandbox mode *}{@code /} is a comment.
     */
    static final int NEVER_RUN_VERSION = 990000;

    private final CharSequence s;
    private final int n;
    private int pos;
    private int inExecComment; // depth of executable comments being read as SQL

    Kind kind;
    int start;
    int end;

    // The previous token, when it was a name that a '(' after it would call (see callsStoredFunction).
    private int nameStart = -1;
    private int nameEnd;
    private boolean nameQualified;
    private boolean notACall;   // the current word is a table or CTE name: its '(' opens a column list

    Lexer(CharSequence sql) {
        this.s = sql;
        this.n = sql.length();
    }

    /** Advances to the next token and returns its kind. */
    Kind next() {
        boolean dot = isSymbol('.');
        if (kind == Kind.WORD && !notACall) {
            nameQualified = nameStart == -2; // the word came right after a '.'
            nameStart = start;
            nameEnd = end;
        } else {
            nameStart = dot ? -2 : -1;
        }
        notACall = false;
        skipSpaceAndComments();
        start = pos;
        if (pos >= n) {
            end = pos;
            return kind = Kind.END;
        }
        char c = s.charAt(pos);
        if (c == '\'' || c == '"' || c == '`') {
            pos = skipQuoted(pos, c);
            end = pos;
            return kind = c == '`' ? Kind.WORD : Kind.STRING;
        }
        if (c == '@') {
            boolean sys = pos + 1 < n && s.charAt(pos + 1) == '@';
            pos += sys ? 2 : 1;
            if (pos < n && (s.charAt(pos) == '\'' || s.charAt(pos) == '"' || s.charAt(pos) == '`')) {
                pos = skipQuoted(pos, s.charAt(pos));
            } else {
                while (pos < n && (isWordChar(s.charAt(pos)) || s.charAt(pos) == '.')) {
                    pos++;
                }
            }
            end = pos;
            return kind = sys ? Kind.SYSVAR : Kind.USERVAR;
        }
        if (c >= '0' && c <= '9') {
            while (pos < n) {
                char d = s.charAt(pos);
                if ((d == '+' || d == '-') && isExponentSign(pos)) {
                    pos++; // 1.5e-3 is one number
                } else if (isWordChar(d) || d == '.') {
                    pos++;
                } else {
                    break;
                }
            }
            end = pos;
            return kind = Kind.NUMBER;
        }
        if (isWordChar(c)) {
            while (pos < n && isWordChar(s.charAt(pos))) {
                pos++;
            }
            end = pos;
            return kind = Kind.WORD;
        }
        if (c == ':' && pos + 1 < n && s.charAt(pos + 1) == '=') {
            pos += 2;
            end = pos;
            return kind = Kind.SYMBOL;
        }
        pos++;
        end = pos;
        return kind = Kind.SYMBOL;
    }

    /** A sign at {@code p} continues a number when it follows {@code e}/{@code E} after digits and precedes a digit. */
    private boolean isExponentSign(int p) {
        if (p + 1 >= n || !Character.isDigit(s.charAt(p + 1))) {
            return false;
        }
        char e = s.charAt(p - 1);
        if (e != 'e' && e != 'E') {
            return false;
        }
        for (int i = start; i < p - 1; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && c != '.') {
                return false; // 0x1e-1 is hex minus one, 1abe-1 an identifier minus one
            }
        }
        return true;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 127;
    }

    private int skipQuoted(int p, char q) {
        p++;
        while (p < n) {
            char c = s.charAt(p);
            if (c == '\\' && q != '`') {
                p += 2;
                continue;
            }
            if (c == q) {
                if (p + 1 < n && s.charAt(p + 1) == q) {
                    p += 2; // doubled quote
                    continue;
                }
                return p + 1;
            }
            p++;
        }
        return n;
    }

    private void skipSpaceAndComments() {
        while (pos < n) {
            char c = s.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '/' && pos + 1 < n && s.charAt(pos + 1) == '*') {
                if (pos + 2 < n && (s.charAt(pos + 2) == '!' || (s.charAt(pos + 2) == 'M' && pos + 3 < n
                        && s.charAt(pos + 3) == '!'))) {
                    pos += s.charAt(pos + 2) == '!' ? 3 : 4;
                    int version = 0;
                    while (pos < n && Character.isDigit(s.charAt(pos))) {
                        version = Math.min(version * 10 + (s.charAt(pos) - '0'), 1_000_000);
                        pos++;
                    }
                    if (version >= NEVER_RUN_VERSION) {
                        int e = indexOf("*/", pos);
                        pos = e < 0 ? n : e + 2; // a plain comment for every server
                    } else {
                        inExecComment++;
                    }
                } else {
                    int e = indexOf("*/", pos + 2);
                    pos = e < 0 ? n : e + 2;
                }
            } else if (c == '*' && inExecComment > 0 && pos + 1 < n && s.charAt(pos + 1) == '/') {
                inExecComment--;
                pos += 2;
            } else if (c == '#' || (c == '-' && pos + 1 < n && s.charAt(pos + 1) == '-'
                    && (pos + 2 >= n || Character.isWhitespace(s.charAt(pos + 2))))) {
                int e = indexOf("\n", pos);
                pos = e < 0 ? n : e + 1;
            } else {
                return;
            }
        }
    }

    private int indexOf(String what, int from) {
        outer:
        for (int i = from; i <= n - what.length(); i++) {
            for (int j = 0; j < what.length(); j++) {
                if (s.charAt(i + j) != what.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Whether the current token, a {@code (}, calls a stored or loadable function: the token before
     * it is a name that is neither a built-in function nor a keyword ({@link KnownWords}), or a
     * qualified one ({@code db.f(}), and was not marked {@link #notACall()}.
     */
    boolean callsStoredFunction() {
        return isSymbol('(') && nameStart >= 0 && (nameQualified || !KnownWords.contains(s, nameStart, nameEnd));
    }

    /** The current word names a table or a common table expression: a {@code (} after it is not a call. */
    void notACall() {
        notACall = true;
    }

    /** Whether the current token is the word {@code upper} (given upper-case), case-insensitively. */
    boolean is(String upper) {
        if (kind != Kind.WORD || end - start != upper.length()) {
            return false;
        }
        for (int i = 0; i < upper.length(); i++) {
            if (Character.toUpperCase(s.charAt(start + i)) != upper.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    boolean isSymbol(char c) {
        return kind == Kind.SYMBOL && end - start == 1 && s.charAt(start) == c;
    }

    /**
     * Whether the current variable token ({@code @@autocommit}, {@code @@session.autocommit}) names the
     * variable {@code lower} (given lower-case), case-insensitively, whatever its scope prefix.
     */
    boolean isVariableNamed(String lower) {
        int from = end - lower.length();
        if (from <= start || (s.charAt(from - 1) != '@' && s.charAt(from - 1) != '.')) {
            return false;
        }
        return regionEqualsLower(from, lower);
    }

    /** Whether the current system variable has the scope prefix {@code lower} ("global."), case-insensitively. */
    boolean hasScope(String lower) {
        return kind == Kind.SYSVAR && end - start > 2 + lower.length() && regionEqualsLower(start + 2, lower);
    }

    private boolean regionEqualsLower(int from, String lower) {
        for (int i = 0; i < lower.length(); i++) {
            if (Character.toLowerCase(s.charAt(from + i)) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the current number token is written with zeros only (0, 00, 0.0). */
    boolean isZero() {
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c != '0' && c != '.') {
                return false;
            }
        }
        return true;
    }

    /** The character at {@code i} of the input, or 0 past its end: a lookahead for adjacent tokens. */
    char charAt(int i) {
        return i < n ? s.charAt(i) : 0;
    }

    /** Whether the current token can name a table or column: a word, quoted or not, or a double-quoted name. */
    boolean isIdentifier() {
        return kind == Kind.WORD || (kind == Kind.STRING && s.charAt(start) == '"');
    }

    private boolean isQuoted() {
        char c = s.charAt(start);
        return c == '`' || c == '"';
    }

    /**
     * Whether the current identifier equals {@code lower} (given lower-case), case-insensitively, with
     * its quotes removed and doubled quotes read as one. Allocation-free.
     */
    boolean identifierEquals(String lower) {
        if (!isQuoted()) {
            return end - start == lower.length() && regionEqualsLower(start, lower);
        }
        char q = s.charAt(start);
        int last = end - start >= 2 && s.charAt(end - 1) == q ? end - 1 : end;
        int j = 0;
        for (int i = start + 1; i < last; i++) {
            char c = s.charAt(i);
            if (c == q) {
                i++; // the first of a doubled quote
            }
            if (j >= lower.length() || Character.toLowerCase(c) != lower.charAt(j)) {
                return false;
            }
            j++;
        }
        return j == lower.length();
    }

    /** The current identifier without quotes, lower-cased. Allocates; for the rare paths only. */
    String identifier() {
        if (!isQuoted()) {
            return text().toLowerCase(Locale.ROOT);
        }
        char q = s.charAt(start);
        int last = end - start >= 2 && s.charAt(end - 1) == q ? end - 1 : end;
        StringBuilder b = new StringBuilder(last - start);
        for (int i = start + 1; i < last; i++) {
            char c = s.charAt(i);
            if (c == q) {
                i++;
            }
            b.append(c);
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }

    /** The current token's text. Allocates; for the rare paths only. */
    String text() {
        return s.subSequence(start, end).toString();
    }
}
