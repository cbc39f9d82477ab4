package io.loomscale.classifier;

/**
 * A small SQL tokenizer for classification: words, user variables ({@code @a}), system variables
 * ({@code @@a}), strings and quoted identifiers (skipped as one token), numbers and single-char
 * symbols. Skips comments ({@code /* *}{@code /}, {@code -- }, {@code #}) but reads the inside of
 * MariaDB executable comments ({@code /*! ... *}{@code /}, {@code /*M!100101 ... *}{@code /}) as SQL,
 * as the server does. Allocation-free: a token is a range of the input; callers compare words in
 * place with {@link #is(String)}.
 */
final class Lexer {
    enum Kind { WORD, USERVAR, SYSVAR, STRING, NUMBER, SYMBOL, END }

    private final CharSequence s;
    private final int n;
    private int pos;
    private int inExecComment; // depth of executable comments being read as SQL

    Kind kind;
    int start;
    int end;

    Lexer(CharSequence sql) {
        this.s = sql;
        this.n = sql.length();
    }

    /** Advances to the next token and returns its kind. */
    Kind next() {
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
        if (Character.isDigit(c)) {
            while (pos < n && (isWordChar(s.charAt(pos)) || s.charAt(pos) == '.')) {
                pos++;
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
                    while (pos < n && Character.isDigit(s.charAt(pos))) {
                        pos++; // version
                    }
                    inExecComment++;
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

    /** The current token's text. Allocates; for the rare paths only. */
    String text() {
        return s.subSequence(start, end).toString();
    }
}
