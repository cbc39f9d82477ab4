package io.loomscale.classifier;

import io.loomscale.classifier.Lexer.Kind;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * The table names a router needs to track temporary tables: the one a {@code CREATE TEMPORARY
 * TABLE} creates, the ones a {@code DROP TABLE} drops, the ones a rename renames, and whether a
 * statement names any of a set. Lexer-based: a name is a (quoted or unquoted) identifier, so no parse is needed, and a
 * keyword that happens to equal a table name only costs a read on the primary. Stateless.
 */
final class TableNames {
    private TableNames() {
    }

    static String createdTemporaryTable(CharSequence sql) {
        Lexer lx = new Lexer(sql);
        lx.next();
        if (!lx.is("CREATE")) {
            return null;
        }
        lx.next();
        if (lx.is("OR")) {
            lx.next();
            if (!lx.is("REPLACE")) {
                return null;
            }
            lx.next();
        }
        if (!lx.is("TEMPORARY")) {
            return null;
        }
        lx.next();
        if (!lx.is("TABLE") && !lx.is("SEQUENCE")) {
            return null;
        }
        lx.next();
        if (lx.is("IF")) {
            lx.next(); // NOT
            lx.next(); // EXISTS
            lx.next();
        }
        return lastPartOfName(lx);
    }

    static List<String> droppedTables(CharSequence sql) {
        Lexer lx = new Lexer(sql);
        lx.next();
        if (!lx.is("DROP")) {
            return List.of();
        }
        lx.next();
        if (lx.is("TEMPORARY")) {
            lx.next();
        }
        if (!lx.is("TABLE") && !lx.is("TABLES") && !lx.is("SEQUENCE")) {
            return List.of();
        }
        lx.next();
        if (lx.is("IF")) {
            lx.next(); // EXISTS
            lx.next();
        }
        List<String> names = new ArrayList<>(2);
        while (true) {
            if (lx.is("RESTRICT") || lx.is("CASCADE") || lx.is("WAIT") || lx.is("NOWAIT")) {
                break;
            }
            String name = lastPartOfName(lx);
            if (name == null) {
                break;
            }
            names.add(name);
            if (!lx.isSymbol(',')) {
                break;
            }
            lx.next();
        }
        return Collections.unmodifiableList(names);
    }

    static List<Classifier.Rename> renamedTables(CharSequence sql) {
        Lexer lx = new Lexer(sql);
        lx.next();
        if (lx.is("ALTER")) {
            lx.next();
            while (lx.is("ONLINE") || lx.is("IGNORE")) {
                lx.next();
            }
            if (!lx.is("TABLE")) {
                return List.of();
            }
            lx.next();
            if (lx.is("IF")) {
                lx.next(); // EXISTS
                lx.next();
            }
            String from = lastPartOfName(lx);
            if (from == null) {
                return List.of();
            }
            // RENAME [TO | AS] name among the alterations; RENAME INDEX/KEY/COLUMN renames something else.
            while (lx.kind != Kind.END) {
                if (lx.is("RENAME")) {
                    lx.next();
                    if (!lx.is("INDEX") && !lx.is("KEY") && !lx.is("COLUMN")) {
                        if (lx.is("TO") || lx.is("AS")) {
                            lx.next();
                        }
                        String to = lastPartOfName(lx);
                        return to == null ? List.of() : List.of(new Classifier.Rename(from, to));
                    }
                }
                lx.next();
            }
            return List.of();
        }
        if (!lx.is("RENAME")) {
            return List.of();
        }
        lx.next();
        if (!lx.is("TABLE") && !lx.is("TABLES")) {
            return List.of();
        }
        lx.next();
        List<Classifier.Rename> renames = new ArrayList<>(1);
        while (true) {
            String from = lastPartOfName(lx);
            if (from == null || !lx.is("TO")) {
                break;
            }
            lx.next();
            String to = lastPartOfName(lx);
            if (to == null) {
                break;
            }
            renames.add(new Classifier.Rename(from, to));
            if (!lx.isSymbol(',')) {
                break;
            }
            lx.next();
        }
        return Collections.unmodifiableList(renames);
    }

    /** Reads {@code [db.]name} from the current token on; leaves the lexer after it. */
    private static String lastPartOfName(Lexer lx) {
        if (!isNamePart(lx)) {
            return null;
        }
        String name = lx.identifier();
        lx.next();
        while (lx.isSymbol('.')) {
            lx.next();
            if (!isNamePart(lx)) {
                return null;
            }
            name = lx.identifier();
            lx.next();
        }
        return name;
    }

    private static boolean isNamePart(Lexer lx) {
        // A name may start with a digit (1tmp), which the lexer reads as a number.
        return lx.kind == Kind.WORD || lx.kind == Kind.NUMBER;
    }

    static boolean referencesAny(CharSequence sql, Set<String> names) {
        if (names.isEmpty()) {
            return false;
        }
        // A 64-bit filter of (first letter, length) of the names: most words fail it without a
        // look at the set.
        long filter = 0;
        for (String name : names) {
            if (!name.isEmpty()) {
                filter |= 1L << bit(name.charAt(0), name.length());
            }
        }
        Lexer lx = new Lexer(sql);
        while (lx.next() != Kind.END) {
            if (!lx.isIdentifier()) {
                continue;
            }
            char first = lx.charAt(lx.start);
            boolean quoted = first == '`' || first == '"';
            if (!quoted && (filter & (1L << bit(first, lx.end - lx.start))) == 0) {
                continue;
            }
            for (String name : names) {
                if (lx.identifierEquals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int bit(char first, int length) {
        return (Character.toLowerCase(first) * 31 + length) & 63;
    }
}
