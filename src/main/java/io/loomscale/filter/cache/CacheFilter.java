package io.loomscale.filter.cache;

import io.loomscale.classifier.Classifier;
import io.loomscale.classifier.QueryType;
import io.loomscale.config.FilterConfig;
import io.loomscale.config.Params;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterSession;
import io.loomscale.filter.SessionMatch;
import io.loomscale.filter.SqlWords;
import io.loomscale.protocol.Capabilities;
import io.loomscale.protocol.Commands;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.ServerStatus;
import io.loomscale.session.Downstream;
import io.loomscale.session.Reply;
import io.loomscale.session.SessionContext;
import io.loomscale.session.Statement;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MaxScale's cache filter with {@code storage = "inmemory"}: results of cacheable SELECTs
 * (COM_QUERY) are kept and answered from memory for the same statement text, database, user and
 * client EOF style, without a backend.
 *
 * <p>Cacheable: a read (classifier) outside a transaction with autocommit on, that is not a
 * locking read, reads no variables, calls nothing non-deterministic ({@code NOW()},
 * {@code RAND()}, ...), has no {@code INTO}, names no system schema, in a session that made no
 * temporary table, and that the {@code rules} file's store rules allow; a session whose user the
 * use rules refuse neither reads nor fills the cache. A result is stored only when it is one
 * result set (not an error), within {@code max_resultset_rows} and {@code max_resultset_size},
 * and no write was seen while it was in flight.
 *
 * <p>Invalidation ({@code invalidate = "current"}, MaxScale 2.5's, the only mode): a write
 * through any session of this filter drops the entries whose statements name a table the write
 * changes (a write it cannot read, a stored procedure call, or DDL drops everything) twice: when
 * it is sent and when its reply is in, before the client sees that reply (the write's reply is
 * collected, which costs one packet's copy), so a reader after a write through the proxy never
 * gets the old rows. A prepared statement's EXECUTE invalidates what the session's prepared
 * writes may change. Writes that do not pass this filter (another service, straight to the
 * server) are only bounded by the TTLs. With readwritesplit, reads may go to a replica that has
 * not applied a write yet: that is readwritesplit's {@code causal_reads}' business, and a stale
 * read it lets through may be cached.
 *
 * <p>{@code hard_ttl} (0 = never) ends an entry; after {@code soft_ttl} the first reader
 * refreshes it while others still get it. {@code max_count}/{@code max_size} bound each store
 * (least recently used go first). {@code cached_data = "shared"}: one store;
 * {@code "thread_specific"} (the default, as in 2.1): one store per stripe of sessions (session
 * id modulo the number of cores), standing in for MaxScale's per-worker caches; invalidation
 * reaches all.
 *
 * <p>Prepared statements: a cacheable SELECT's prepare reply gives the statement id the client
 * uses (every prepare's reply is read, so an id used again is never confused) and its parameter
 * count; an EXECUTE of it without a cursor is keyed by the statement text, the parameter types
 * last bound and the parameter values as sent, and its binary result is cached like a text one.
 */
public final class CacheFilter implements Filter {
    static final Set<String> KEYS = Set.of("storage", "storage_options", "soft_ttl", "hard_ttl", "max_resultset_rows",
            "max_resultset_size", "max_count", "max_size", "rules", "cached_data", "invalidate", "debug");
    private static final Set<String> NON_DETERMINISTIC = Set.of("now", "rand", "uuid", "uuid_short", "sysdate",
            "current_timestamp", "current_date", "current_time", "curdate", "curtime", "localtime", "localtimestamp",
            "unix_timestamp", "utc_date", "utc_time", "utc_timestamp", "connection_id", "last_insert_id", "found_rows",
            "row_count", "sleep", "benchmark", "get_lock", "release_lock", "is_free_lock", "is_used_lock", "master_pos_wait",
            "master_gtid_wait", "database", "schema", "user", "current_user", "session_user", "system_user", "nextval",
            "lastval", "setval", "into", "information_schema", "performance_schema", "mysql", "sys", "sql_no_cache",
            "current_role", "load_file");
    private static final int NOT_CACHEABLE = QueryType.WRITE | QueryType.SESSION_WRITE | QueryType.USERVAR_WRITE
            | QueryType.USERVAR_READ | QueryType.SYSVAR_READ | QueryType.BEGIN_TRX | QueryType.COMMIT | QueryType.ROLLBACK
            | QueryType.LOCKING_READ | QueryType.MASTER_ONLY_FUNCTION | QueryType.CALL | QueryType.MULTI_STATEMENT
            | QueryType.CREATE_TMP_TABLE | QueryType.PREVIOUS_RESULT | QueryType.PREPARE_NAMED | QueryType.EXECUTE_NAMED
            | QueryType.TABLE_LOCK | QueryType.XA;
    private static final Set<String> ALL = Set.of("\u0000all"); // sentinel: drop everything

    private final CacheStorage[] stores;
    private final long softNanos;
    private final long hardNanos;
    private final long maxRows;
    private final long maxResultSize;
    private final CacheRules rules;
    private final String cachedData;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();

    private CacheFilter(CacheStorage[] stores, long softNanos, long hardNanos, long maxRows, long maxResultSize,
            CacheRules rules, String cachedData) {
        this.stores = stores;
        this.softNanos = softNanos;
        this.hardNanos = hardNanos;
        this.maxRows = maxRows;
        this.maxResultSize = maxResultSize;
        this.rules = rules;
        this.cachedData = cachedData;
    }

    static CacheFilter create(FilterConfig config) {
        Params p = config.params();
        p.rejectUnknown(KEYS);
        String storage = p.string("storage", "inmemory");
        if (!storage.equals("inmemory") && !storage.equals("storage_inmemory")) {
            throw p.error("storage", "unsupported storage '" + storage + "'", "inmemory (storage_inmemory)");
        }
        if (p.has("storage_options") && !p.string("storage_options", "").isEmpty()) {
            throw p.error("storage_options", "inmemory storage takes no options", "\"\"");
        }
        long hard = p.duration("hard_ttl", Duration.ZERO, ChronoUnit.SECONDS).toNanos();
        long soft = p.duration("soft_ttl", Duration.ZERO, ChronoUnit.SECONDS).toNanos();
        if (hard > 0 && soft > hard) {
            throw p.error("soft_ttl", "longer than hard_ttl", "at most hard_ttl");
        }
        long maxRows = p.longValue("max_resultset_rows", 0);
        long maxResult = io.loomscale.filter.maxrows.MaxRowsSizes.size(p, "max_resultset_size", 0);
        long maxCount = p.longValue("max_count", 0);
        long maxSize = io.loomscale.filter.maxrows.MaxRowsSizes.size(p, "max_size", 0);
        String cached = p.string("cached_data", "thread_specific").toLowerCase(Locale.ROOT);
        if (!cached.equals("shared") && !cached.equals("thread_specific")) {
            throw p.error("cached_data", "unknown value '" + cached + "'", "shared, thread_specific");
        }
        String invalidate = p.string("invalidate", "current").toLowerCase(Locale.ROOT);
        if (!invalidate.equals("current")) {
            throw p.error("invalidate", "unsupported value '" + invalidate + "' (a cache that is never invalidated serves "
                    + "rows a write through the proxy changed)", "current");
        }
        if (p.integer("debug", 0) < 0) {
            throw p.error("debug", "must not be negative", "0 or more");
        }
        CacheRules rules = CacheRules.NONE;
        String rf = p.string("rules", null);
        if (rf != null && !rf.isEmpty()) {
            String text;
            try {
                text = Files.readString(Path.of(rf), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw p.error("rules", "cannot read rules file " + rf + ": " + e.getMessage(), "a readable JSON file");
            }
            try {
                rules = CacheRules.parse(text);
            } catch (CacheRules.RulesException e) {
                throw p.error("rules", "rules file " + rf + ": " + e.getMessage(), "MaxScale's cache rules (store, use)");
            }
        }
        int n = cached.equals("shared") ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors());
        CacheStorage[] stores = new CacheStorage[n];
        for (int i = 0; i < n; i++) {
            stores[i] = new CacheStorage(maxCount, maxSize);
        }
        return new CacheFilter(stores, soft, hard, maxRows, maxResult, rules, cached);
    }

    @Override
    public FilterSession newSession(SessionContext ctx) {
        return new CacheSession(ctx, stores[(int) Math.floorMod(ctx.id(), (long) stores.length)],
                rules.mayUse(ctx.user(), SessionMatch.host(ctx.clientAddress())));
    }

    private void invalidate(Set<String> tables) {
        for (CacheStorage s : stores) {
            s.invalidate(tables == ALL ? null : tables);
        }
    }

    @Override
    public Map<String, Object> diagnostics() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("module", "cache");
        d.put("storage", "inmemory");
        d.put("cached_data", cachedData);
        d.put("soft_ttl_s", softNanos / 1e9);
        d.put("hard_ttl_s", hardNanos / 1e9);
        d.put("rules", rules.toString());
        d.put("hits", hits.get());
        d.put("misses", misses.get());
        d.put("stored", stored.get());
        d.put("not_stored", refused.get());
        d.put("writes_seen", writes.get());
        long entries = 0;
        long bytes = 0;
        long evicted = 0;
        long invalidated = 0;
        for (CacheStorage s : stores) {
            entries += s.count();
            bytes += s.bytes();
            evicted += s.evictions.get();
            invalidated += s.invalidated.get();
        }
        d.put("entries", entries);
        d.put("bytes", bytes);
        d.put("evicted", evicted);
        d.put("invalidated", invalidated);
        return d;
    }

    /** One session's use of the cache; its virtual thread only. */
    private final class CacheSession implements FilterSession {
        private final SessionContext ctx;
        private final CacheStorage store;
        private final boolean mayUse;
        private final long replyFormat;
        private String db;
        private boolean dbKnown = true;
        private boolean inTrx;
        private boolean autocommitOff;
        private boolean tempTables;
        /** Tables the session's prepared writes may change (ALL: unknown); null: none prepared. */
        private Set<String> preparedWrites;
        /** Prepared SELECTs that may be cached, by the statement id the client uses. */
        private final Map<Integer, Prepared> binaryStatements = new java.util.HashMap<>();
        private int lastPrepared = -1;

        CacheSession(SessionContext ctx, CacheStorage store, boolean mayUse) {
            this.ctx = ctx;
            this.store = store;
            this.mayUse = mayUse;
            this.replyFormat = ctx.clientCapabilities()
                    & (Capabilities.DEPRECATE_EOF | Capabilities.MARIADB_CLIENT_EXTENDED_METADATA);
            this.db = ctx.database();
        }

        @Override
        public void onStatement(Statement st, Downstream next) throws IOException {
            int c = st.command();
            if (c == Commands.COM_QUERY) {
                if (query(st)) {
                    return; // answered from the cache
                }
            } else if (c == Commands.COM_INIT_DB) {
                byte[] p = st.packet();
                String newDb = new String(p, Packets.HEADER + 1, p.length - Packets.HEADER - 1, StandardCharsets.UTF_8);
                st.onReplyEnd(r -> useDb(r, newDb));
            } else if (c == Commands.COM_STMT_PREPARE) {
                int type = Classifier.classify(st.sqlView());
                String sql = st.sql();
                Prepared candidate = cacheable(type, sql) ? new Prepared(sql, SqlWords.identifiers(sql)) : null;
                st.collectReply(r -> prepared(r, candidate));
                if ((type & (QueryType.WRITE | QueryType.CALL | QueryType.MULTI_STATEMENT)) != 0) {
                    Set<String> t = (type & (QueryType.CALL | QueryType.MULTI_STATEMENT)) != 0 ? null
                            : SqlWords.writtenTables(st.sql());
                    if (t == null || preparedWrites == ALL) {
                        preparedWrites = ALL;
                    } else {
                        Set<String> all = preparedWrites == null ? new HashSet<>() : new HashSet<>(preparedWrites);
                        all.addAll(t);
                        preparedWrites = all;
                    }
                }
            } else if ((c == Commands.COM_STMT_EXECUTE || c == Commands.COM_STMT_BULK_EXECUTE) && preparedWrites != null) {
                if (c == Commands.COM_STMT_EXECUTE) {
                    restoreTypes(st);
                }
                write(st, preparedWrites);
            } else if (c == Commands.COM_STMT_EXECUTE && !binaryStatements.isEmpty()) {
                if (execute(st)) {
                    return; // answered from the cache
                }
                restoreTypes(st);
            } else if (c == Commands.COM_STMT_CLOSE) {
                binaryStatements.remove(stmtId(st.packet()));
            } else if (c == Commands.COM_RESET_CONNECTION) {
                binaryStatements.clear();
                preparedWrites = null;
            }
            next.route(st);
        }

        /** A prepared SELECT that may be cached: its text, words, parameter count and last parameter types. */
        private static final class Prepared {
            final String sql;
            final Set<String> words;
            int params;
            byte[] types = new byte[0];
            /**
             * The client sent {@link #types} in an EXECUTE answered from the cache, so the
             * router and the servers never saw them: the next EXECUTE that goes on must carry them.
             */
            boolean typesUnsent;

            Prepared(String sql, Set<String> words) {
                this.sql = sql;
                this.words = words;
            }
        }

        /** The prepare's reply names the statement id the client will use (and its parameter count). */
        private void prepared(Reply r, Prepared candidate) {
            track(r);
            byte[] p = r.packets();
            if (p == null || p.length < Packets.HEADER + 12 || (p[Packets.HEADER] & 0xff) != Packets.OK) {
                return;
            }
            int id = stmtId(p);
            lastPrepared = id;
            if (candidate == null) {
                binaryStatements.remove(id); // an id in use again, for a statement not cached
                return;
            }
            candidate.params = (p[Packets.HEADER + 7] & 0xff) | (p[Packets.HEADER + 8] & 0xff) << 8;
            binaryStatements.put(id, candidate);
        }

        /** Returns true when the EXECUTE was answered from the cache. */
        private boolean execute(Statement st) throws IOException {
            byte[] p = st.packet();
            int id = stmtId(p);
            // -1: "the statement just prepared" (MariaDB; Connector/J pipelines PREPARE and EXECUTE so)
            Prepared pr = binaryStatements.get(id == -1 ? lastPrepared : id);
            int flagsAt = Packets.HEADER + 5;
            if (pr == null || p.length < flagsAt + 5 || p[flagsAt] != 0 || !usable()) {
                return false; // unknown statement, a cursor, or no cache for this session now
            }
            int at = flagsAt + 5;
            String values = "";
            if (pr.params > 0) {
                int bitmap = (pr.params + 7) / 8;
                if (p.length < at + bitmap + 1) {
                    return false;
                }
                int bound = at + bitmap;
                int rest = bound + 1;
                boolean sentTypes = p[bound] == 1;
                if (sentTypes) {
                    if (p.length < rest + 2 * pr.params) {
                        return false;
                    }
                    pr.types = java.util.Arrays.copyOfRange(p, rest, rest + 2 * pr.params);
                    rest += 2 * pr.params;
                }
                byte[] key = new byte[bitmap + pr.types.length + (p.length - rest)];
                System.arraycopy(p, at, key, 0, bitmap);
                System.arraycopy(pr.types, 0, key, bitmap, pr.types.length);
                System.arraycopy(p, rest, key, bitmap + pr.types.length, p.length - rest);
                values = java.util.Base64.getEncoder().encodeToString(key);
            }
            CacheStorage.Key key = new CacheStorage.Key(ctx.user(), db, replyFormat, "\u0001" + pr.sql + "\u0000" + values);
            boolean typesInPacket = pr.params > 0 && p[at + (pr.params + 7) / 8] == 1;
            if (serve(key)) {
                if (typesInPacket) {
                    pr.typesUnsent = true;
                }
                return true;
            }
            collect(st, key, pr.words);
            return false;
        }

        /**
         * An EXECUTE that goes on to the router: if the parameter types the client sent were
         * answered from the cache (never seen downstream) and this one has none, they are put
         * back in, else the server would refuse it (ERR 1210).
         */
        private void restoreTypes(Statement st) {
            byte[] p = st.packet();
            int id = stmtId(p);
            Prepared pr = binaryStatements.get(id == -1 ? lastPrepared : id);
            if (pr == null || !pr.typesUnsent || pr.params == 0) {
                return;
            }
            int flagAt = Packets.HEADER + 10 + (pr.params + 7) / 8;
            if (p.length <= flagAt) {
                return;
            }
            if (p[flagAt] == 0) {
                st.packet(withTypes(p, flagAt, pr.types));
            }
            pr.typesUnsent = false;
        }

        /** {@code p} with the "new params bound" flag at {@code flagAt} set and {@code types} after it. */
        private static byte[] withTypes(byte[] p, int flagAt, byte[] types) {
            byte[] out = new byte[p.length + types.length];
            System.arraycopy(p, 0, out, 0, flagAt);
            out[flagAt] = 1;
            System.arraycopy(types, 0, out, flagAt + 1, types.length);
            System.arraycopy(p, flagAt + 1, out, flagAt + 1 + types.length, p.length - flagAt - 1);
            Packets.writeHeader(out, 0, out.length - Packets.HEADER, 0);
            return out;
        }

        private void useDb(Reply r, String newDb) {
            if (r.isKnown() && !r.isError()) {
                db = newDb;
                dbKnown = true;
            } else if (!r.isKnown()) {
                dbKnown = false; // cannot tell which database is current: no cache until a known USE
            }
            track(r);
        }

        /** Returns true when the statement was answered from the cache. */
        private boolean query(Statement st) throws IOException {
            CharSequence view = st.sqlView();
            int type = Classifier.classify(view);
            if ((type & QueryType.BEGIN_TRX) != 0) {
                inTrx = true;
            } else if ((type & (QueryType.COMMIT | QueryType.ROLLBACK)) != 0) {
                inTrx = false;
            }
            if ((type & QueryType.DISABLE_AUTOCOMMIT) != 0) {
                autocommitOff = true;
            } else if ((type & QueryType.ENABLE_AUTOCOMMIT) != 0) {
                autocommitOff = false;
            }
            if ((type & QueryType.CREATE_TMP_TABLE) != 0) {
                tempTables = true;
            }
            String sql = st.sql();
            if ((type & (QueryType.WRITE | QueryType.CALL | QueryType.IMPLICIT_COMMIT)) != 0) {
                Set<String> t = (type & (QueryType.CALL | QueryType.MULTI_STATEMENT | QueryType.IMPLICIT_COMMIT)) != 0
                        ? ALL : SqlWords.writtenTables(sql);
                write(st, t == null ? ALL : t);
                return false;
            }
            if ((type & QueryType.SESSION_WRITE) != 0 && startsWithUse(view)) {
                String newDb = useTarget(sql);
                st.onReplyEnd(r -> useDb(r, newDb));
                return false;
            }
            if (!usable() || (type & QueryType.READ) == 0 || (type & NOT_CACHEABLE) != 0) {
                return false;
            }
            CacheStorage.Key key = new CacheStorage.Key(ctx.user(), db, replyFormat, sql);
            if (serve(key)) {
                return true;
            }
            Set<String> words = SqlWords.identifiers(sql);
            if (cacheable(type, sql, words)) {
                collect(st, key, words);
            }
            return false;
        }

        /** Whether the session may use the cache now (its state, not the statement's). */
        private boolean usable() {
            return mayUse && dbKnown && !inTrx && !autocommitOff && !tempTables;
        }

        private boolean cacheable(int type, String sql) {
            return sql != null && (type & QueryType.READ) != 0 && (type & NOT_CACHEABLE) == 0
                    && cacheable(type, sql, SqlWords.identifiers(sql));
        }

        private boolean cacheable(int type, String sql, Set<String> words) {
            for (String w : words) {
                if (NON_DETERMINISTIC.contains(w)) {
                    return false;
                }
            }
            return rules.mayStore(sql, words, db);
        }

        /** Answers from the cache if it holds {@code key} (a hit); false on a miss. */
        private boolean serve(CacheStorage.Key key) throws IOException {
            CacheStorage.Entry e = store.get(key, System.nanoTime(), softNanos, hardNanos);
            if (e == null) {
                misses.incrementAndGet();
                return false;
            }
            hits.incrementAndGet();
            ctx.sendToClient(e.reply);
            return true;
        }

        /** Has the reply collected, to store it when it comes. */
        private void collect(Statement st, CacheStorage.Key key, Set<String> words) {
            long generation = store.generation();
            st.collectReply(r -> store(key, words, generation, r), maxResultSize > 0 ? maxResultSize : Long.MAX_VALUE);
        }

        private void store(CacheStorage.Key key, Set<String> words, long generation, Reply r) {
            track(r);
            byte[] p = r.packets();
            int first = p == null || p.length <= Packets.HEADER ? -1 : p[Packets.HEADER] & 0xff;
            boolean ok = p != null && r.isKnown() && !r.isTruncated() && first != Packets.OK && first != Packets.ERR && first != -1
                    && first != Packets.LOCAL_INFILE && (maxRows <= 0 || r.rows() <= maxRows)
                    && (r.status() & (ServerStatus.IN_TRANS | ServerStatus.MORE_RESULTS_EXISTS)) == 0
                    && (r.status() & ServerStatus.AUTOCOMMIT) != 0;
            if (ok && store.put(key, new CacheStorage.Entry(p, System.nanoTime(), words), generation)) {
                stored.incrementAndGet();
            } else {
                refused.incrementAndGet();
            }
        }

        /** A write: drop what it may change now, and again when its reply is in, before the client sees it. */
        private void write(Statement st, Set<String> tables) {
            writes.incrementAndGet();
            invalidate(tables);
            st.collectReply(r -> {
                invalidate(tables);
                track(r);
            });
        }

        /** The server's word on the transaction state, when a reply was seen. */
        private void track(Reply r) {
            if (r.isKnown() && !r.isError()) {
                inTrx = (r.status() & ServerStatus.IN_TRANS) != 0;
                autocommitOff = (r.status() & ServerStatus.AUTOCOMMIT) == 0;
            }
        }
    }

    private static int stmtId(byte[] packet) {
        int o = Packets.HEADER + 1;
        return packet.length < o + 4 ? -1 : (packet[o] & 0xff) | (packet[o + 1] & 0xff) << 8 | (packet[o + 2] & 0xff) << 16
                | (packet[o + 3] & 0xff) << 24;
    }

    private static boolean startsWithUse(CharSequence sql) {
        int i = 0;
        while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
            i++;
        }
        return i + 3 < sql.length() && (sql.charAt(i) | 0x20) == 'u' && (sql.charAt(i + 1) | 0x20) == 's'
                && (sql.charAt(i + 2) | 0x20) == 'e' && Character.isWhitespace(sql.charAt(i + 3));
    }

    /** The database of {@code USE db} (quotes removed). */
    static String useTarget(String sql) {
        String s = sql.trim().substring(3).trim();
        if (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).trim();
        }
        if (s.startsWith("`") && s.endsWith("`") && s.length() >= 2) {
            s = s.substring(1, s.length() - 1).replace("``", "`");
        }
        return s;
    }
}
