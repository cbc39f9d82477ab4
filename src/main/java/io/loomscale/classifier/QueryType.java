package io.loomscale.classifier;

import java.util.ArrayList;
import java.util.List;

/**
 * What a statement means for routing, as a bit set (a statement can be several things: a
 * {@code SELECT ... FOR UPDATE} is a read and a write). Names follow MaxScale's query classifier
 * where it has one.
 */
public final class QueryType {
    /** Reads data; may go to a replica. */
    public static final int READ = 1;
    /**
     * Changes data or schema, or must run on the primary for another reason: locking reads, sequences
     * ({@code NEXTVAL}, {@code LASTVAL}), {@code SET GLOBAL}, {@code SHOW MASTER STATUS},
     * {@code LOCK TABLES} (locks on a replica would stall its replication), several statements, and
     * anything unknown or unparseable.
     */
    public static final int WRITE = 1 << 1;
    /**
     * Changes session state (SET, USE, SET NAMES, PREPARE...): goes to every backend of the session.
     * Not {@code SET GLOBAL}, which is a {@link #WRITE} only.
     */
    public static final int SESSION_WRITE = 1 << 2;
    /** Assigns a user variable ({@code SET @a = ...}, {@code SELECT ... INTO @a}, {@code @a := ...}). */
    public static final int USERVAR_WRITE = 1 << 3;
    /** Reads a user variable. */
    public static final int USERVAR_READ = 1 << 4;
    /** Reads a system variable ({@code @@...}). */
    public static final int SYSVAR_READ = 1 << 5;
    /** BEGIN / START TRANSACTION. */
    public static final int BEGIN_TRX = 1 << 6;
    /** START TRANSACTION READ ONLY. */
    public static final int READ_ONLY_TRX = 1 << 7;
    public static final int COMMIT = 1 << 8;
    public static final int ROLLBACK = 1 << 9;
    /** SET autocommit=1 (also commits an open transaction). */
    public static final int ENABLE_AUTOCOMMIT = 1 << 10;
    /** SET autocommit=0 (starts an implicit transaction). */
    public static final int DISABLE_AUTOCOMMIT = 1 << 11;
    /** Text PREPARE name FROM ... */
    public static final int PREPARE_NAMED = 1 << 12;
    /** Text EXECUTE name. */
    public static final int EXECUTE_NAMED = 1 << 13;
    /** DEALLOCATE / DROP PREPARE. */
    public static final int DEALLOCATE = 1 << 14;
    /** CREATE TEMPORARY TABLE. */
    public static final int CREATE_TMP_TABLE = 1 << 15;
    /** SELECT ... FOR UPDATE / LOCK IN SHARE MODE / FOR SHARE. */
    public static final int LOCKING_READ = 1 << 16;
    /**
     * A result that depends on the connection it runs on: LAST_INSERT_ID(), GET_LOCK(),
     * CONNECTION_ID(), @@IDENTITY...
     */
    public static final int MASTER_ONLY_FUNCTION = 1 << 17;
    /** CALL of a stored procedure. */
    public static final int CALL = 1 << 18;
    /** More than one statement in one COM_QUERY. */
    public static final int MULTI_STATEMENT = 1 << 19;
    /** XA transaction control. */
    public static final int XA = 1 << 20;
    /**
     * A statement that commits an open transaction implicitly: MariaDB's list (DDL but on temporary
     * tables, LOCK TABLES, FLUSH, RESET, START/STOP SLAVE, SET PASSWORD...).
     */
    public static final int IMPLICIT_COMMIT = 1 << 21;
    /**
     * Reads what the previous statement left on its connection: SHOW WARNINGS / ERRORS /
     * COUNT(*) WARNINGS / PROFILE(S), {@code @@warning_count}, {@code @@error_count},
     * FOUND_ROWS(), ROW_COUNT(). It must run where the previous statement ran.
     */
    public static final int PREVIOUS_RESULT = 1 << 22;
    /**
     * LOCK TABLES (with {@link #IMPLICIT_COMMIT}) or UNLOCK TABLES (without): while the session
     * holds table locks, its statements must run where the locks are.
     */
    public static final int TABLE_LOCK = 1 << 23;

    private static final String[] NAMES = {"READ", "WRITE", "SESSION_WRITE", "USERVAR_WRITE", "USERVAR_READ",
        "SYSVAR_READ", "BEGIN_TRX", "READ_ONLY_TRX", "COMMIT", "ROLLBACK", "ENABLE_AUTOCOMMIT", "DISABLE_AUTOCOMMIT",
        "PREPARE_NAMED", "EXECUTE_NAMED", "DEALLOCATE", "CREATE_TMP_TABLE", "LOCKING_READ", "MASTER_ONLY_FUNCTION",
        "CALL", "MULTI_STATEMENT", "XA", "IMPLICIT_COMMIT", "PREVIOUS_RESULT", "TABLE_LOCK"};

    private QueryType() {
    }

    /** "READ|USERVAR_READ" and so on, for logs and tests. */
    public static String describe(int flags) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) {
            if ((flags & (1 << i)) != 0) {
                out.add(NAMES[i]);
            }
        }
        return out.isEmpty() ? "NONE" : String.join("|", out);
    }

    /** Parses a "READ|WRITE" description back (tests). */
    public static int parse(String text) {
        int f = 0;
        for (String part : text.split("\\|")) {
            String p = part.trim();
            if (p.isEmpty() || p.equals("NONE")) {
                continue;
            }
            int i = java.util.Arrays.asList(NAMES).indexOf(p);
            if (i < 0) {
                throw new IllegalArgumentException("unknown query type " + p);
            }
            f |= 1 << i;
        }
        return f;
    }
}
