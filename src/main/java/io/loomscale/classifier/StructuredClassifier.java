package io.loomscale.classifier;

import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.WithItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * The slow path of {@link Classifier}: for statements whose leading keywords do not decide, a
 * jsqlparser parse says whether the statement reads (a {@code SELECT}, possibly after
 * {@code WITH}) or does anything else, and the lexer's read scan adds the modifiers (locking,
 * variables, functions, several statements). The result is cached by {@link Digest}, so a
 * repeated statement costs a hash and a compare, not a parse: the result depends on the digest
 * only, since literals never change a classification.
 *
 * <p>jsqlparser reads the first statement with comments removed and executable comments
 * unwrapped. A parse that fails (MariaDB syntax jsqlparser 5.3 lacks, such as {@code INTO @v},
 * {@code LOCK IN SHARE MODE} or {@code CYCLE ... RESTRICT} after a {@code WITH}) or takes longer
 * than {@link #PARSE_TIMEOUT_MS} classifies the statement as a write, the safe side, with the
 * lexer's modifiers, and is cached too.
 * The parse runs on a virtual thread of its own because jsqlparser enforces its time-out that way;
 * the caller's thread waits. Thread-safe.
 */
final class StructuredClassifier {
    private static final Logger LOG = LoggerFactory.getLogger(StructuredClassifier.class);

    static final long PARSE_TIMEOUT_MS = 500;
    private static final int CACHE_ENTRIES = 1024;
    private static final int MAX_DIGEST_CHARS = 16 * 1024;

    private static final DigestCache<Integer> CACHE = new DigestCache<>(CACHE_ENTRIES, MAX_DIGEST_CHARS);
    private static final ExecutorService PARSERS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("sql-parse-", 0).factory());
    private static final LongAdder PARSE_FAILURES = new LongAdder();

    private StructuredClassifier() {
    }

    /** jsqlparser's answer: a read, something else, no parse, or no answer because the thread was interrupted. */
    private enum Verdict { READ, WRITE, UNPARSED, INTERRUPTED }

    static int classify(CharSequence sql) {
        long hash = Digest.hash(sql);
        Integer cached = CACHE.get(sql, hash);
        if (cached != null) {
            return cached;
        }
        int scan = LexicalClassifier.scanAll(sql);
        Verdict v = parse(sql);
        int flags = switch (v) {
            case READ -> scan;
            case WRITE -> QueryType.WRITE | (scan & QueryType.MULTI_STATEMENT);
            // Not parsed: a write, keeping what the lexer saw (a user variable assigned, a locking
            // clause) for the router; READ goes, so nothing sends it to a replica.
            case UNPARSED, INTERRUPTED -> QueryType.WRITE | (scan & ~QueryType.READ);
        };
        if (v != Verdict.INTERRUPTED) {
            CACHE.put(sql, hash, flags);
        }
        return flags;
    }

    /** READ if jsqlparser reads the first statement as a SELECT whose WITH items only select. */
    private static Verdict parse(CharSequence sql) {
        String text = Digest.firstStatementForParser(sql);
        if (text.isBlank()) {
            return Verdict.READ; // an empty statement, as the fast path says
        }
        Statement st;
        try {
            st = CCJSqlParserUtil.parse(text, PARSERS,
                    p -> p.withTimeOut(PARSE_TIMEOUT_MS).withBackslashEscapeCharacter(true));
        } catch (JSQLParserException e) {
            if (e.getCause() instanceof InterruptedException) {
                // The session is ending: keep its flag, and do not cache a verdict never reached.
                Thread.currentThread().interrupt();
                return Verdict.INTERRUPTED;
            }
            PARSE_FAILURES.increment();
            LOG.debug("jsqlparser cannot parse a statement, classified as a write: {}", e.toString());
            return Verdict.UNPARSED;
        } catch (RuntimeException | StackOverflowError e) {
            PARSE_FAILURES.increment();
            LOG.debug("jsqlparser failed on a statement, classified as a write: {}", e.toString());
            return Verdict.UNPARSED;
        }
        if (!(st instanceof Select select)) {
            return Verdict.WRITE;
        }
        List<WithItem<?>> with = select.getWithItemsList();
        if (with != null) {
            for (WithItem<?> item : with) {
                if (!(item.getParenthesedStatement() instanceof ParenthesedSelect)) {
                    return Verdict.WRITE; // WITH x AS (DELETE ... RETURNING ...) SELECT ...
                }
            }
        }
        return Verdict.READ;
    }

    static Classifier.SlowPathStats stats() {
        DigestCache.Stats s = CACHE.stats();
        return new Classifier.SlowPathStats(s.hits(), s.misses(), PARSE_FAILURES.sum(), s.size());
    }

    /** Empties the cache: tests that count parses start from nothing. */
    static void clearCache() {
        CACHE.clear();
    }
}
