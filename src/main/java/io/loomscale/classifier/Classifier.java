package io.loomscale.classifier;

import java.util.List;
import java.util.Set;

/**
 * Classifies one SQL text for routing, and reads the table names a router tracks for temporary
 * tables. The entry point of the package; any thread may call it.
 *
 * <p>The fast path lexes ({@link LexicalClassifier}): the leading keywords decide the statement
 * kind, and for reads one pass over the rest finds what forces the primary (locking reads,
 * connection-bound functions, variable assignment, several statements). It allocates nothing but
 * the lexer and costs one scan at most. Where the leading keywords do not decide (a {@code WITH}
 * may end in an {@code UPDATE}; a statement the lexer does not know), the structured slow path
 * ({@link StructuredClassifier}) parses with jsqlparser once per statement digest and caches the
 * result. Stateless apart from that cache.
 *
 * <p>Unknown or unparseable statements are classified {@link QueryType#WRITE}: sending a read to
 * the primary is slower, sending a write to a replica is wrong.
 */
public final class Classifier {
    private Classifier() {
    }

    /**
     * The {@link QueryType} flags of {@code sql}. Lexes only, unless the lexer cannot decide, in which
     * case the statement's digest is looked up in (or parsed into) the structured slow path's cache.
     * The first time a digest is seen there, the calling thread waits for a jsqlparser parse (about a
     * millisecond, at most {@value StructuredClassifier#PARSE_TIMEOUT_MS} ms): call this from a
     * session's virtual thread, not from a selector thread.
     */
    public static int classify(CharSequence sql) {
        int f = LexicalClassifier.classify(sql);
        return f != LexicalClassifier.UNSURE ? f : StructuredClassifier.classify(sql);
    }

    /**
     * The {@link QueryType} flags of {@code sql} when the lexer alone decides them, else
     * {@link #UNDECIDED} (the statement needs the slow path: call {@link #classify} from a thread
     * that may wait). Never waits; for selector threads.
     */
    public static int classifyWithoutWaiting(CharSequence sql) {
        int f = LexicalClassifier.classify(sql);
        return f != LexicalClassifier.UNSURE ? f : UNDECIDED;
    }

    /** What {@link #classifyWithoutWaiting} returns for a statement the lexer cannot decide. */
    public static final int UNDECIDED = -1;

    /**
     * For {@code CREATE [OR REPLACE] TEMPORARY TABLE [IF NOT EXISTS] [db.]name ...} (or a temporary
     * sequence, which is a table too) the name, unqualified, lower-cased and without backquotes; else
     * null. Only the first statement of a multi-statement is read.
     */
    public static String createdTemporaryTable(CharSequence sql) {
        return TableNames.createdTemporaryTable(sql);
    }

    /**
     * For {@code DROP [TEMPORARY] TABLE [IF EXISTS] a, db.b, ...} (or {@code DROP ... SEQUENCE}) the
     * names, unqualified and lower-cased, in statement order; else an empty list. Without
     * {@code TEMPORARY} the names may be temporary tables too, which shadow the permanent ones.
     * Unmodifiable.
     */
    public static List<String> droppedTables(CharSequence sql) {
        return TableNames.droppedTables(sql);
    }

    /** One table renamed by a statement, both names unqualified, lower-cased, without quotes. */
    public record Rename(String from, String to) {
    }

    /**
     * For {@code ALTER TABLE a ... RENAME [TO|AS] b} and {@code RENAME TABLE a TO b, c TO d} the
     * renames, in statement order; else an empty list (also for RENAME INDEX/KEY/COLUMN).
     * Unmodifiable.
     */
    public static List<Rename> renamedTables(CharSequence sql) {
        return TableNames.renamedTables(sql);
    }

    /**
     * Whether any identifier of {@code sql} (unquoted, backquoted or double-quoted, as ANSI_QUOTES
     * allows; each part of a qualified name, so also its last part) equals one of
     * {@code lowerCaseNames}, case-insensitively. Words in single-quoted strings and comments do not
     * count; keywords and double-quoted strings do, which can only give a false positive (a read sent
     * to the primary). False at once for an empty set. Allocates only the lexer and the set's
     * iterator.
     *
     * @param lowerCaseNames names in lower case, such as a session's temporary tables
     */
    public static boolean referencesAny(CharSequence sql, Set<String> lowerCaseNames) {
        return TableNames.referencesAny(sql, lowerCaseNames);
    }

    /** Counters of the structured slow path, for diagnostics. */
    public static SlowPathStats slowPathStats() {
        return StructuredClassifier.stats();
    }

    /**
     * Counters of the structured slow path since start: cache hits and misses (each miss is one
     * jsqlparser parse), parses that failed or timed out (classified as a write), and entries cached.
     */
    public record SlowPathStats(long hits, long misses, long parseFailures, int cached) {
    }
}
