package io.loomscale.classifier;

import io.loomscale.classifier.Lexer.Kind;

/**
 * The fast path of {@link Classifier}: classification by lexing. The leading keywords decide the
 * statement kind; for reads one pass over the rest finds what forces the primary. Answers
 * {@link #UNSURE} where the keywords do not decide, for the structured slow path. Stateless;
 * allocates only the lexer.
 */
final class LexicalClassifier {
    /** The answer when the leading keywords do not decide. */
    static final int UNSURE = -1;

    private LexicalClassifier() {
    }

    /** The flags of {@code sql}, or {@link #UNSURE} when the leading keywords do not decide. */
    static int classify(CharSequence sql) {
        Lexer lx = new Lexer(sql);
        lx.next();
        return statement(lx);
    }

    /** Classifies the statement whose first token is current. */
    private static int statement(Lexer lx) {
        if (lx.kind == Kind.END) {
            return QueryType.READ;
        }
        while (lx.isSymbol('(')) {
            lx.next(); // (SELECT ...) UNION (SELECT ...)
        }
        if (lx.kind != Kind.WORD) {
            return UNSURE;
        }
        if (lx.is("SELECT") || lx.is("VALUES") || lx.is("TABLE")) {
            return scanRead(lx, QueryType.READ);
        }
        if (lx.is("INSERT") || lx.is("UPDATE") || lx.is("DELETE") || lx.is("REPLACE")) {
            return QueryType.WRITE | restOfWrite(lx);
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
        if (lx.is("COMMIT")) {
            return QueryType.COMMIT | rest(lx);
        }
        if (lx.is("SET")) {
            return set(lx);
        }
        if (lx.is("WITH")) {
            return UNSURE; // WITH ... SELECT reads, WITH ... UPDATE (MariaDB 12.3) writes: needs the parse
        }
        if (lx.is("SHOW")) {
            return show(lx);
        }
        if (lx.is("DESCRIBE") || lx.is("DESC") || lx.is("EXPLAIN") || lx.is("HELP")) {
            return QueryType.READ | rest(lx); // EXPLAIN does not run the statement
        }
        if (lx.is("DO")) {
            return scanRead(lx, QueryType.READ);
        }
        if (lx.is("USE")) {
            return QueryType.SESSION_WRITE | rest(lx);
        }
        if (lx.is("START")) {
            lx.next();
            if (lx.is("TRANSACTION")) {
                return startTransaction(lx);
            }
            return replicationControl(lx);
        }
        if (lx.is("STOP")) {
            lx.next();
            return replicationControl(lx);
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
            lx.next();
            if (lx.is("IMMEDIATE")) {
                return QueryType.WRITE | rest(lx); // the text is not looked at
            }
            return QueryType.EXECUTE_NAMED | restAfterCurrent(lx);
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
            return create(lx);
        }
        if (lx.is("ANALYZE")) {
            return analyze(lx);
        }
        if (lx.is("CALL")) {
            return QueryType.CALL | QueryType.WRITE | rest(lx);
        }
        if (lx.is("ALTER") || lx.is("RENAME") || lx.is("TRUNCATE") || lx.is("GRANT") || lx.is("REVOKE")
                || lx.is("OPTIMIZE") || lx.is("REPAIR") || lx.is("CHECK") || lx.is("FLUSH") || lx.is("RESET")
                || lx.is("CACHE") || lx.is("CHANGE") || lx.is("SHUTDOWN") || lx.is("LOCK")) {
            // MariaDB's list of statements that commit implicitly. LOCK TABLES goes to the primary
            // only: locks taken on a replica would stall its replication.
            return QueryType.WRITE | QueryType.IMPLICIT_COMMIT | (lx.is("LOCK") ? QueryType.TABLE_LOCK : 0);
        }
        if (lx.is("LOAD")) {
            lx.next();
            if (lx.is("INDEX")) {
                return QueryType.WRITE | QueryType.IMPLICIT_COMMIT; // LOAD INDEX INTO CACHE
            }
            return QueryType.WRITE | restAfterCurrent(lx);
        }
        if (lx.is("UNLOCK")) {
            return QueryType.WRITE | QueryType.TABLE_LOCK; // no IMPLICIT_COMMIT: that tells it from LOCK
        }
        if (lx.is("CHECKSUM") || lx.is("KILL") || lx.is("HANDLER") || lx.is("PURGE")
                || lx.is("INSTALL") || lx.is("UNINSTALL") || lx.is("BINLOG") || lx.is("BACKUP")
                || lx.is("SIGNAL") || lx.is("RESIGNAL") || lx.is("GET")) {
            // HANDLER keeps a cursor on the connection that opened it: all of them on the primary.
            return QueryType.WRITE | rest(lx);
        }
        if (lx.is("IF") || lx.is("WHILE") || lx.is("LOOP") || lx.is("REPEAT") || lx.is("CASE") || lx.is("DECLARE")) {
            return QueryType.WRITE; // a compound statement: its ';' separate its parts, not statements
        }
        return UNSURE;
    }

    /**
     * A read: scans the rest for what would make it unsafe on a replica. A name before {@code (}
     * that is neither a built-in function nor a keyword ({@link KnownWords}), or that is
     * qualified ({@code db.f(}), calls a stored or loadable function, which may write: the
     * primary's, as MaxScale routes them. The column list of a common table expression
     * ({@code WITH t (a, b) AS ...}) is not a call.
     */
    private static int scanRead(Lexer lx, int flags) {
        int f = flags;
        boolean withClause = lx.is("WITH");
        boolean cteName = withClause; // the next word names a common table expression
        int depth = 0;
        boolean prevFor = false;
        boolean prevLock = false;
        boolean prevInto = false;
        boolean prevSequenceStep = false; // NEXT or PREVIOUS, as in NEXT VALUE FOR seq
        while (lx.next() != Kind.END) {
            switch (lx.kind) {
                case USERVAR -> f |= prevInto ? QueryType.USERVAR_WRITE : QueryType.USERVAR_READ;
                case SYSVAR -> {
                    f |= QueryType.SYSVAR_READ;
                    if (lx.isVariableNamed("identity") || lx.isVariableNamed("last_insert_id")) {
                        f |= QueryType.MASTER_ONLY_FUNCTION;
                    } else if (lx.isVariableNamed("warning_count") || lx.isVariableNamed("error_count")) {
                        f |= QueryType.PREVIOUS_RESULT;
                    }
                }
                case SYMBOL -> {
                    if (lx.isSymbol('(')) {
                        if (lx.callsStoredFunction()) {
                            f |= QueryType.MASTER_ONLY_FUNCTION;
                        }
                        depth++;
                    } else if (lx.isSymbol(')')) {
                        depth--;
                    } else if (withClause && depth == 0 && lx.isSymbol(',')) {
                        cteName = true;
                    }
                    if (lx.isSymbol(';')) {
                        if (lx.next() != Kind.END) {
                            // Several statements go to the primary, even if the first asks about the previous one.
                            return (f & ~QueryType.PREVIOUS_RESULT) | QueryType.MULTI_STATEMENT | QueryType.WRITE;
                        }
                        return f;
                    }
                    if (lx.end - lx.start == 2) { // :=
                        f |= QueryType.USERVAR_WRITE;
                    }
                }
                case WORD -> {
                    if (withClause && depth == 0 && (lx.is("SELECT") || lx.is("VALUES") || lx.is("TABLE"))) {
                        withClause = false;
                        cteName = false;
                    }
                    if (cteName) {
                        lx.notACall();
                        cteName = lx.is("RECURSIVE");
                    }
                    if (prevFor && (lx.is("UPDATE") || lx.is("SHARE"))) {
                        f |= QueryType.LOCKING_READ | QueryType.WRITE;
                    } else if (prevLock && lx.is("IN")) {
                        f |= QueryType.LOCKING_READ | QueryType.WRITE;
                    } else if (prevInto && (lx.is("OUTFILE") || lx.is("DUMPFILE"))) {
                        f |= QueryType.WRITE;
                    } else if (prevSequenceStep && lx.is("VALUE")) {
                        f |= QueryType.WRITE; // NEXT VALUE FOR advances a sequence; PREVIOUS is per connection
                    } else if (isMasterOnlyFunction(lx)) {
                        f |= QueryType.MASTER_ONLY_FUNCTION;
                    } else if (isPreviousResultFunction(lx) || lx.is("SESSION_STATUS")) {
                        f |= QueryType.PREVIOUS_RESULT; // information_schema.SESSION_STATUS: the connection's counters
                    } else if (lx.is("NEXTVAL") || lx.is("SETVAL") || lx.is("LASTVAL")) {
                        f |= QueryType.WRITE; // sequences live on the primary
                    }
                    prevFor = lx.is("FOR");
                    prevLock = lx.is("LOCK");
                    prevInto = lx.is("INTO");
                    prevSequenceStep = lx.is("NEXT") || lx.is("PREVIOUS");
                    continue;
                }
                default -> {
                }
            }
            prevFor = false;
            prevLock = false;
            prevSequenceStep = false;
            if (lx.kind != Kind.SYMBOL || !lx.isSymbol(',')) {
                prevInto = prevInto && lx.kind == Kind.USERVAR;
            }
        }
        return f;
    }

    private static boolean isMasterOnlyFunction(Lexer lx) {
        return lx.is("LAST_INSERT_ID") || lx.is("GET_LOCK") || lx.is("RELEASE_LOCK") || lx.is("RELEASE_ALL_LOCKS")
                || lx.is("IS_USED_LOCK") || lx.is("IS_FREE_LOCK")
                || lx.is("CONNECTION_ID") || lx.is("MASTER_POS_WAIT") || lx.is("MASTER_GTID_WAIT");
    }

    /** FOUND_ROWS() and ROW_COUNT() report on the previous statement of the connection. */
    private static boolean isPreviousResultFunction(Lexer lx) {
        return lx.is("FOUND_ROWS") || lx.is("ROW_COUNT");
    }

    private static int show(Lexer lx) {
        lx.next();
        if (lx.is("MASTER") || lx.is("BINLOG")) {
            lx.next();
            if (lx.is("STATUS")) {
                return QueryType.WRITE | rest(lx); // the primary's binlog position, not a replica's
            }
        } else if (lx.is("WARNINGS") || lx.is("ERRORS") || lx.is("COUNT") || lx.is("PROFILE") || lx.is("PROFILES")) {
            // About the previous statement on this connection.
            return previousResult(QueryType.READ | rest(lx));
        } else if (lx.is("SESSION") || lx.is("LOCAL") || lx.is("STATUS")) {
            if (!lx.is("STATUS")) {
                lx.next();
            }
            if (lx.is("STATUS")) {
                // The connection's counters (Com_insert, Last_query_cost, ...): where the previous statement ran.
                return previousResult(scanRead(lx, QueryType.READ));
            }
            return scanRead(lx, QueryType.READ); // SHOW SESSION VARIABLES
        }
        return scanRead(lx, QueryType.READ);
    }

    /** A read about the previous statement, unless more statements follow (those go to the primary). */
    private static int previousResult(int flags) {
        return (flags & QueryType.MULTI_STATEMENT) != 0 ? flags : flags | QueryType.PREVIOUS_RESULT;
    }

    private static int set(Lexer lx) {
        lx.next();
        if (lx.is("STATEMENT")) {
            return setStatement(lx);
        }
        if (lx.is("PASSWORD")) {
            return QueryType.WRITE | QueryType.IMPLICIT_COMMIT;
        }
        if (lx.is("DEFAULT")) {
            return QueryType.WRITE; // SET DEFAULT ROLE changes the grant tables
        }
        if (lx.is("ROLE") || lx.is("TRANSACTION")) {
            return QueryType.SESSION_WRITE | rest(lx);
        }
        if (lx.is("SESSION") || lx.is("LOCAL")) {
            lx.next();
            if (lx.is("TRANSACTION")) {
                return QueryType.SESSION_WRITE | rest(lx);
            }
        }
        int f = QueryType.SESSION_WRITE;
        // A comma list of assignments: look at each target and value.
        boolean target = true;
        boolean autocommitTarget = false;
        int depth = 0;
        while (lx.kind != Kind.END) {
            if (target) {
                if (lx.is("GLOBAL") || lx.hasScope("global.")) {
                    // A global variable: the primary's, replicated or not; never the replicas' sessions.
                    return QueryType.WRITE | restAfterCurrent(lx);
                }
                if (lx.kind == Kind.USERVAR) {
                    f |= QueryType.USERVAR_WRITE;
                } else if (lx.is("AUTOCOMMIT") || (lx.kind == Kind.SYSVAR && lx.isVariableNamed("autocommit"))) {
                    autocommitTarget = true;
                } else if (lx.isSymbol('=') || (lx.kind == Kind.SYMBOL && lx.end - lx.start == 2)) {
                    target = false;
                } else if (lx.isSymbol(';')) {
                    return lx.next() != Kind.END ? f | QueryType.MULTI_STATEMENT | QueryType.WRITE : f;
                }
            } else if (lx.isSymbol('(')) {
                depth++;
            } else if (lx.isSymbol(')')) {
                depth--;
            } else if (depth <= 0 && lx.isSymbol(',')) {
                target = true;
                autocommitTarget = false;
            } else if (depth <= 0 && lx.isSymbol(';')) {
                return lx.next() != Kind.END ? f | QueryType.MULTI_STATEMENT | QueryType.WRITE : f;
            } else if (autocommitTarget) {
                if (lx.is("ON") || lx.is("TRUE") || (lx.kind == Kind.NUMBER && !lx.isZero())) {
                    f |= QueryType.ENABLE_AUTOCOMMIT;
                } else if (lx.is("OFF") || lx.is("FALSE") || (lx.kind == Kind.NUMBER && lx.isZero())) {
                    f |= QueryType.DISABLE_AUTOCOMMIT;
                }
                autocommitTarget = false;
            } else if (lx.kind == Kind.USERVAR) {
                f |= QueryType.USERVAR_READ;
            } else if (lx.kind == Kind.SYSVAR) {
                f |= QueryType.SYSVAR_READ;
            } else if (lx.kind == Kind.WORD && isMasterOnlyFunction(lx)) {
                f |= QueryType.MASTER_ONLY_FUNCTION;
            } else if (lx.kind == Kind.WORD && isPreviousResultFunction(lx)) {
                f |= QueryType.PREVIOUS_RESULT;
            }
            lx.next();
        }
        return f;
    }

    /** {@code SET STATEMENT var=value [, ...] FOR statement}: the variables last for that statement only. */
    private static int setStatement(Lexer lx) {
        int depth = 0;
        while (lx.next() != Kind.END) {
            if (lx.isSymbol('(')) {
                depth++;
            } else if (lx.isSymbol(')')) {
                depth--;
            } else if (depth <= 0 && lx.is("FOR")) {
                lx.next();
                return statement(lx);
            }
        }
        return QueryType.WRITE;
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

    /** START/STOP SLAVE, REPLICA, ALL SLAVES commit implicitly; anything else started or stopped is a plain write. */
    private static int replicationControl(Lexer lx) {
        if (lx.is("SLAVE") || lx.is("REPLICA") || lx.is("ALL")) {
            return QueryType.WRITE | QueryType.IMPLICIT_COMMIT;
        }
        return QueryType.WRITE;
    }

    private static int create(Lexer lx) {
        lx.next();
        if (lx.is("OR")) {
            lx.next();
            if (lx.is("REPLACE")) {
                lx.next();
            }
        }
        if (lx.is("TEMPORARY")) {
            return QueryType.WRITE | QueryType.CREATE_TMP_TABLE; // no implicit commit
        }
        if (lx.is("AGGREGATE")) {
            lx.next();
        }
        if (lx.is("FUNCTION")) {
            // A loadable function (CREATE FUNCTION f RETURNS INT SONAME 'x.so') commits nothing.
            while (lx.next() != Kind.END) {
                if (lx.is("SONAME")) {
                    return QueryType.WRITE;
                }
                if (lx.isSymbol('(')) {
                    break; // a stored function: its parameter list
                }
            }
        }
        return QueryType.WRITE | QueryType.IMPLICIT_COMMIT;
    }

    /**
     * ANALYZE [FORMAT=JSON] SELECT/UPDATE/... runs the statement and reports on it; ANALYZE TABLE
     * updates index statistics.
     */
    private static int analyze(Lexer lx) {
        lx.next();
        if (lx.is("FORMAT")) {
            lx.next(); // =
            lx.next(); // JSON
            lx.next();
        }
        if (lx.is("SELECT")) {
            return scanRead(lx, QueryType.READ);
        }
        if (lx.is("INSERT") || lx.is("UPDATE") || lx.is("DELETE") || lx.is("REPLACE")) {
            return QueryType.WRITE | restOfWrite(lx);
        }
        return QueryType.WRITE | QueryType.IMPLICIT_COMMIT;
    }

    /**
     * The flags of a read scan over the whole statement from its first token, whatever that is: the
     * structured path's modifiers once jsqlparser has said the statement reads.
     */
    static int scanAll(CharSequence sql) {
        Lexer lx = new Lexer(sql);
        lx.next();
        return scanRead(lx, QueryType.READ);
    }

    /** The rest of a statement matters only for a second statement after ';'. */
    private static int rest(Lexer lx) {
        lx.next();
        return restAfterCurrent(lx);
    }

    /**
     * {@link #rest} of an INSERT, UPDATE, DELETE or REPLACE (the current token), which may also
     * assign user variables ({@code @a := v}: USERVAR_WRITE) and call stored functions, which may
     * assign them too (MASTER_ONLY_FUNCTION, as in a read). The column list after an INSERT's or
     * REPLACE's table name is not a call.
     */
    private static int restOfWrite(Lexer lx) {
        int f = 0;
        boolean insert = lx.is("INSERT") || lx.is("REPLACE");
        boolean tableNext = insert;  // the words before the table name: modifiers, INTO
        boolean inTableName = false; // the table name, possibly db.table
        while (lx.next() != Kind.END) {
            if (lx.isSymbol(';')) {
                return f | (lx.next() != Kind.END ? QueryType.MULTI_STATEMENT | QueryType.WRITE : 0);
            }
            if (lx.kind == Kind.WORD) {
                if (tableNext && !(lx.is("LOW_PRIORITY") || lx.is("DELAYED") || lx.is("HIGH_PRIORITY")
                        || lx.is("IGNORE") || lx.is("INTO"))) {
                    tableNext = false;
                    inTableName = true;
                }
                if (inTableName) {
                    lx.notACall();
                }
                continue;
            }
            if (lx.callsStoredFunction()) {
                f |= QueryType.MASTER_ONLY_FUNCTION;
            } else if (lx.kind == Kind.SYMBOL && lx.end - lx.start == 2) { // :=
                f |= QueryType.USERVAR_WRITE;
            }
            inTableName = inTableName && lx.isSymbol('.');
        }
        return f;
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
