package io.loomscale.classifier;

import io.loomscale.classifier.Lexer.Kind;

/**
 * Classifies one SQL text by cheap lexing: the leading keywords decide the statement kind, and
 * for reads one pass over the rest finds what forces the primary (locking reads, connection-bound
 * functions, variable assignment, several statements). No full parse: a statement costs one scan
 * at most, and allocates nothing but the lexer. Stateless and thread-safe.
 *
 * <p>Unknown statements are classified {@link QueryType#WRITE}: sending a read to the primary is
 * slower, sending a write to a replica is wrong.
 */
public final class Classifier {
    private Classifier() {
    }

    /** The {@link QueryType} flags of {@code sql}. */
    public static int classify(CharSequence sql) {
        Lexer lx = new Lexer(sql);
        if (lx.next() == Kind.END) {
            return READ_NOTHING;
        }
        if (lx.isSymbol('(')) {
            // (SELECT ...) UNION (SELECT ...)
            while (lx.kind == Kind.SYMBOL && lx.isSymbol('(')) {
                lx.next();
            }
        }
        if (lx.is("SELECT") || lx.is("WITH") || lx.is("VALUES") || lx.is("TABLE")) {
            return scanRead(lx, QueryType.READ);
        }
        if (lx.is("SHOW") || lx.is("DESCRIBE") || lx.is("DESC") || lx.is("EXPLAIN") || lx.is("HELP")) {
            return scanRead(lx, QueryType.READ);
        }
        if (lx.is("DO")) {
            return scanRead(lx, QueryType.READ);
        }
        if (lx.is("SET")) {
            return set(lx);
        }
        if (lx.is("USE")) {
            return QueryType.SESSION_WRITE | rest(lx);
        }
        if (lx.is("BEGIN")) {
            lx.next();
            if (lx.is("NOT") || lx.is("ATOMIC")) {
                return QueryType.WRITE; // a compound statement, not a transaction
            }
            if (lx.is("WORK")) {
                lx.next();
            }
            return QueryType.BEGIN_TRX | restAfterCurrent(lx);
        }
        if (lx.is("START")) {
            lx.next();
            if (lx.is("TRANSACTION")) {
                return startTransaction(lx);
            }
            return QueryType.WRITE; // START SLAVE and the like
        }
        if (lx.is("COMMIT")) {
            return QueryType.COMMIT | rest(lx);
        }
        if (lx.is("ROLLBACK")) {
            lx.next();
            if (lx.is("WORK")) {
                lx.next();
            }
            if (lx.is("TO")) {
                return QueryType.WRITE; // ROLLBACK TO SAVEPOINT: inside the transaction
            }
            return QueryType.ROLLBACK | restAfterCurrent(lx);
        }
        if (lx.is("SAVEPOINT") || lx.is("RELEASE")) {
            return QueryType.WRITE;
        }
        if (lx.is("XA")) {
            return QueryType.XA | QueryType.WRITE;
        }
        if (lx.is("PREPARE")) {
            return QueryType.PREPARE_NAMED | QueryType.SESSION_WRITE | rest(lx);
        }
        if (lx.is("EXECUTE")) {
            return QueryType.EXECUTE_NAMED | rest(lx);
        }
        if (lx.is("DEALLOCATE")) {
            return QueryType.DEALLOCATE | QueryType.SESSION_WRITE | rest(lx);
        }
        if (lx.is("DROP")) {
            lx.next();
            if (lx.is("PREPARE")) {
                return QueryType.DEALLOCATE | QueryType.SESSION_WRITE | rest(lx);
            }
            if (lx.is("TEMPORARY")) {
                return QueryType.WRITE; // no implicit commit for temporary tables
            }
            return QueryType.WRITE | QueryType.IMPLICIT_COMMIT;
        }
        if (lx.is("CREATE")) {
            lx.next();
            if (lx.is("OR")) {
                return QueryType.WRITE | QueryType.IMPLICIT_COMMIT;
            }
            if (lx.is("TEMPORARY")) {
                return QueryType.WRITE | QueryType.CREATE_TMP_TABLE;
            }
            return QueryType.WRITE | QueryType.IMPLICIT_COMMIT;
        }
        if (lx.is("ALTER") || lx.is("RENAME") || lx.is("TRUNCATE") || lx.is("GRANT") || lx.is("REVOKE")
                || lx.is("ANALYZE") || lx.is("OPTIMIZE") || lx.is("REPAIR")) {
            return QueryType.WRITE | QueryType.IMPLICIT_COMMIT;
        }
        if (lx.is("LOCK")) {
            return QueryType.WRITE | QueryType.IMPLICIT_COMMIT | QueryType.SESSION_WRITE;
        }
        if (lx.is("UNLOCK")) {
            return QueryType.WRITE | QueryType.SESSION_WRITE;
        }
        if (lx.is("CALL")) {
            return QueryType.CALL | QueryType.WRITE | rest(lx);
        }
        // INSERT, UPDATE, DELETE, REPLACE, LOAD, FLUSH, KILL, HANDLER, CHECKSUM, INSTALL... and
        // anything unknown: the primary.
        return QueryType.WRITE | rest(lx);
    }

    private static final int READ_NOTHING = QueryType.READ;

    /** A read: scans the rest for what would make it unsafe on a replica. */
    private static int scanRead(Lexer lx, int flags) {
        int f = flags;
        boolean prevFor = false;
        boolean prevLock = false;
        boolean prevInto = false;
        while (lx.next() != Kind.END) {
            switch (lx.kind) {
                case USERVAR -> f |= prevInto ? QueryType.USERVAR_WRITE : QueryType.USERVAR_READ;
                case SYSVAR -> {
                    f |= QueryType.SYSVAR_READ;
                    if (endsWithIgnoreCase(lx, "identity") || endsWithIgnoreCase(lx, "last_insert_id")) {
                        f |= QueryType.MASTER_ONLY_FUNCTION;
                    }
                }
                case SYMBOL -> {
                    if (lx.isSymbol(';')) {
                        if (lx.next() != Kind.END) {
                            return f | QueryType.MULTI_STATEMENT | QueryType.WRITE;
                        }
                        return f;
                    }
                    if (lx.end - lx.start == 2) { // :=
                        f |= QueryType.USERVAR_WRITE;
                    }
                }
                case WORD -> {
                    if (prevFor && (lx.is("UPDATE") || lx.is("SHARE"))) {
                        f |= QueryType.LOCKING_READ | QueryType.WRITE;
                    } else if (prevLock && lx.is("IN")) {
                        f |= QueryType.LOCKING_READ | QueryType.WRITE;
                    } else if (prevInto && (lx.is("OUTFILE") || lx.is("DUMPFILE"))) {
                        f |= QueryType.WRITE;
                    } else if (isMasterOnlyFunction(lx)) {
                        f |= QueryType.MASTER_ONLY_FUNCTION;
                    } else if (lx.is("NEXTVAL") || lx.is("SETVAL") || lx.is("NEXT")) {
                        f |= QueryType.WRITE; // sequences advance
                    }
                    prevFor = lx.is("FOR");
                    prevLock = lx.is("LOCK");
                    prevInto = lx.is("INTO");
                    continue;
                }
                default -> {
                }
            }
            prevFor = false;
            prevLock = false;
            if (lx.kind != Kind.SYMBOL || !lx.isSymbol(',')) {
                prevInto = prevInto && lx.kind == Kind.USERVAR;
            }
        }
        return f;
    }

    private static boolean endsWithIgnoreCase(Lexer lx, String suffix) {
        String t = lx.text();
        return t.regionMatches(true, t.length() - suffix.length(), suffix, 0, suffix.length());
    }

    private static boolean isMasterOnlyFunction(Lexer lx) {
        return lx.is("LAST_INSERT_ID") || lx.is("GET_LOCK") || lx.is("RELEASE_LOCK") || lx.is("RELEASE_ALL_LOCKS")
                || lx.is("IS_USED_LOCK") || lx.is("IS_FREE_LOCK") || lx.is("FOUND_ROWS") || lx.is("ROW_COUNT")
                || lx.is("CONNECTION_ID") || lx.is("MASTER_POS_WAIT") || lx.is("MASTER_GTID_WAIT")
                || lx.is("LAST_VALUE");
    }

    private static int set(Lexer lx) {
        lx.next();
        if (lx.is("GLOBAL") || (lx.kind == Kind.SYSVAR && lx.text().regionMatches(true, 2, "global.", 0, 7))) {
            return QueryType.WRITE;
        }
        if (lx.is("TRANSACTION")) {
            return QueryType.SESSION_WRITE;
        }
        if (lx.is("SESSION") || lx.is("LOCAL")) {
            lx.next();
            if (lx.is("TRANSACTION")) {
                return QueryType.SESSION_WRITE;
            }
        }
        int f = QueryType.SESSION_WRITE;
        // A comma list of assignments: look at each target and value.
        boolean target = true;
        boolean autocommitTarget = false;
        while (lx.kind != Kind.END) {
            if (target) {
                if (lx.kind == Kind.USERVAR) {
                    f |= QueryType.USERVAR_WRITE;
                } else if (lx.is("AUTOCOMMIT") || (lx.kind == Kind.SYSVAR && endsWithIgnoreCase(lx, "autocommit"))) {
                    autocommitTarget = true;
                }
                if (lx.isSymbol('=') || (lx.kind == Kind.SYMBOL && lx.end - lx.start == 2)) {
                    target = false;
                }
            } else {
                if (lx.isSymbol(',')) {
                    target = true;
                    autocommitTarget = false;
                } else if (lx.isSymbol(';')) {
                    if (lx.next() != Kind.END) {
                        return f | QueryType.MULTI_STATEMENT | QueryType.WRITE;
                    }
                    break;
                } else if (autocommitTarget) {
                    if (lx.is("ON") || lx.is("TRUE") || (lx.kind == Kind.NUMBER && !lx.text().equals("0"))) {
                        f |= QueryType.ENABLE_AUTOCOMMIT;
                    } else if (lx.is("OFF") || lx.is("FALSE") || (lx.kind == Kind.NUMBER && lx.text().equals("0"))) {
                        f |= QueryType.DISABLE_AUTOCOMMIT;
                    }
                    autocommitTarget = false;
                } else if (lx.kind == Kind.USERVAR) {
                    f |= QueryType.USERVAR_READ;
                } else if (lx.kind == Kind.SYSVAR) {
                    f |= QueryType.SYSVAR_READ;
                } else if (lx.kind == Kind.WORD && isMasterOnlyFunction(lx)) {
                    f |= QueryType.MASTER_ONLY_FUNCTION;
                }
            }
            lx.next();
        }
        return f;
    }

    private static int startTransaction(Lexer lx) {
        int f = QueryType.BEGIN_TRX;
        while (lx.next() != Kind.END) {
            if (lx.is("ONLY")) {
                f |= QueryType.READ_ONLY_TRX;
            } else if (lx.isSymbol(';')) {
                return lx.next() != Kind.END ? f | QueryType.MULTI_STATEMENT | QueryType.WRITE : f;
            }
        }
        return f;
    }

    /** The rest of a statement matters only for a second statement after ';'. */
    private static int rest(Lexer lx) {
        lx.next();
        return restAfterCurrent(lx);
    }

    private static int restAfterCurrent(Lexer lx) {
        while (lx.kind != Kind.END) {
            if (lx.isSymbol(';')) {
                return lx.next() != Kind.END ? QueryType.MULTI_STATEMENT | QueryType.WRITE : 0;
            }
            lx.next();
        }
        return 0;
    }
}
