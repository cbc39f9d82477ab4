package io.loomscale.auth;

import io.loomscale.monitor.Server;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.protocol.NativePassword;
import io.loomscale.protocol.client.SqlConnection;
import io.loomscale.protocol.client.SqlException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A service's copy of the backend accounts, and client authentication against it, like
 * MaxScale's MySQLAuth: the proxy checks a client's mysql_native_password reply itself, recovers
 * {@code SHA1(password)} from it, and later logs in to each backend with that.
 *
 * <p><b>Threads.</b> Many session virtual threads call {@link #authenticate} at once. They read
 * the current {@link AccountSnapshot} (immutable, behind a volatile field) without locking. A
 * reload runs on one caller's thread under a {@link ReentrantLock} (never {@code synchronized},
 * which would pin a virtual thread during the I/O); callers whose login failed wait for that
 * reload and then retry against the new snapshot, everyone else carries on with the old one.
 * Before the first successful load, callers wait for the loading thread.
 *
 * <p><b>Reloads.</b> An unknown user, a wrong password, or a database the account cannot use or
 * that does not exist triggers one reload and one retry before the client is refused (the
 * account or database may have been created since the last load). These reloads happen at most
 * once per refresh limit (default 5 s), so bad logins cannot hammer the backends. A failed load
 * is logged at WARN with the server and the error, keeps the old snapshot, and is retried on the
 * next call that needs it.
 *
 * <p><b>Where from.</b> The master if one is running, else another running server, else (before
 * the monitor has seen anything) each configured server in turn; servers in maintenance last.
 */
public final class UserCache {
    private static final Logger log = LoggerFactory.getLogger(UserCache.class);

    /** Default minimum time between reloads caused by failed logins. */
    public static final Duration DEFAULT_REFRESH_LIMIT = Duration.ofSeconds(5);

    /**
     * @param enableRootUser             let {@code root} log in through the proxy (MaxScale's
     *                                   {@code enable_root_user}, off by default)
     * @param refreshLimit               minimum time between reloads caused by failed logins
     * @param localhostMatchWildcardHost let a client on {@code 127.0.0.1}/{@code ::1} match
     *                                   {@code 'u'@'%'} accounts (MaxScale's
     *                                   {@code localhost_match_wildcard_host}); when off, such
     *                                   a client needs a {@code localhost} or loopback-IP account
     * @param loopbackIsLocalhost        name clients on 127.0.0.1/::1 {@code localhost}, so that
     *                                   {@code 'u'@'localhost'} accounts match them (and win over
     *                                   {@code 'u'@'%'}), as on a server that resolves names; off
     *                                   by default, like a {@code skip-name-resolve} server
     * @param connectTimeout             connect and read timeout of the loading connection
     */
    public record Options(boolean enableRootUser, Duration refreshLimit, boolean localhostMatchWildcardHost,
            boolean loopbackIsLocalhost, Duration connectTimeout, boolean skipAuthentication) {
        public Options {
            Objects.requireNonNull(refreshLimit);
            Objects.requireNonNull(connectTimeout);
        }

        /** Options where the proxy checks passwords and grants itself. */
        public Options(boolean enableRootUser, Duration refreshLimit, boolean localhostMatchWildcardHost,
                boolean loopbackIsLocalhost, Duration connectTimeout) {
            this(enableRootUser, refreshLimit, localhostMatchWildcardHost, loopbackIsLocalhost, connectTimeout, false);
        }

        /** Options with loopback clients left nameless (skip-name-resolve). */
        public Options(boolean enableRootUser, Duration refreshLimit, boolean localhostMatchWildcardHost,
                Duration connectTimeout) {
            this(enableRootUser, refreshLimit, localhostMatchWildcardHost, false, connectTimeout);
        }

        public static Options defaults() {
            return new Options(false, DEFAULT_REFRESH_LIMIT, true, false, Duration.ofSeconds(3));
        }
    }

    /** Where snapshots come from: the backends in production, a fixture in unit tests. */
    interface Source {
        /** Loads a snapshot; throws when no server could be read (each failure already logged). */
        AccountSnapshot load() throws IOException;
    }

    private final String service;
    private final Source source;
    private final Options options;
    private final LongSupplier nanoClock;
    private final ReentrantLock loadLock = new ReentrantLock();
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile AccountSnapshot snapshot = AccountSnapshot.EMPTY;
    /** System.nanoTime() of the start of the last load attempt; written under {@link #loadLock}. */
    private long lastAttemptNanos;
    private boolean attempted;
    private volatile String lastError = "";

    /**
     * @param service      the service name, for logs
     * @param servers      the service's servers, read at each load (their states change)
     * @param user         the service user, who can read {@code mysql.*} and SHOW DATABASES
     * @param password     its password
     * @param enableRootUser let {@code root} in
     * @param refreshLimit minimum time between reloads caused by failed logins
     */
    public UserCache(String service, Supplier<List<Server>> servers, String user, String password,
            boolean enableRootUser, Duration refreshLimit) {
        this(service, servers, user, password, new Options(enableRootUser, refreshLimit, true, false,
                Options.defaults().connectTimeout()));
    }

    public UserCache(String service, Supplier<List<Server>> servers, String user, String password, Options options) {
        this(service, new BackendSource(service, servers, user, password, options.connectTimeout()), options,
                System::nanoTime);
    }

    UserCache(String service, Source source, Options options, LongSupplier nanoClock) {
        this.service = service;
        this.source = source;
        this.options = options;
        this.nanoClock = nanoClock;
    }

    /**
     * Loads the accounts now, whatever the refresh limit says; returns false (keeping the old
     * accounts) when no server could be read.
     */
    public boolean load() {
        loadLock.lock();
        try {
            return loadLocked();
        } finally {
            loadLock.unlock();
        }
    }

    /**
     * Authenticates a client connected from {@code client} (null: a unix socket, which MariaDB
     * calls {@code localhost}); see {@link #authenticate(String, ClientHost, byte[], byte[], String)}.
     */
    public AuthResult authenticate(String user, InetAddress client, byte[] seed, byte[] clientReply, String database) {
        ClientHost host = client == null ? ClientHost.localSocket() : ClientHost.of(client, options.loopbackIsLocalhost());
        return authenticate(user, host, seed, clientReply, database);
    }

    /**
     * Checks a client's login as the server would: picks the account the server would pick,
     * checks the mysql_native_password reply against its hash, then lock, expiry and the
     * requested database.
     *
     * @param user        the user name from the handshake response
     * @param seed        the 20-byte scramble the proxy sent the client
     * @param clientReply the client's auth response (empty for an empty password)
     * @param database    the database from the handshake response, or null/empty for none
     * @return success with {@code SHA1(password)}, or the ERR packet the server would send
     */
    public AuthResult authenticate(String user, ClientHost client, byte[] seed, byte[] clientReply, String database) {
        return authenticate(user, client, new Native(seed, clientReply), database);
    }

    private AuthResult authenticate(String user, ClientHost client, Proof proof, String database) {
        boolean usingPassword = proof.usingPassword();
        if (!options.enableRootUser() && "root".equals(user)) {
            log.info("{}: refused login of 'root'@'{}': enable_root_user is off for this service", service, client.ip());
            return AuthResult.refused(null, AuthErrors.accessDenied(user, client.ip(), usingPassword));
        }
        AccountSnapshot snap = current();
        AuthResult r = attempt(snap, user, client, proof, database);
        if (!r.isOk() && worthReloading(r.errorCode())) {
            AccountSnapshot fresh = refreshAfterFailure(snap);
            if (fresh != null) {
                r = attempt(fresh, user, client, proof, database);
            }
        }
        if (!r.isOk()) {
            log.debug("{}: login of '{}'@'{}' refused: {}", service, user, client.ip(), r.error());
        }
        return r;
    }

    /** How a client proves its password, per authentication plugin. */
    public sealed interface Proof permits Native, Ed25519, Clear {
        boolean usingPassword();
    }

    /** mysql_native_password: the client's scramble of the proxy's 20-byte seed. */
    public record Native(byte[] seed, byte[] reply) implements Proof {
        public boolean usingPassword() {
            return reply != null && reply.length > 0;
        }
    }

    /** client_ed25519: the client's signature of the proxy's 32-byte nonce. */
    public record Ed25519(byte[] nonce, byte[] signature) implements Proof {
        public boolean usingPassword() {
            return true;
        }
    }

    /** mysql_clear_password (only over TLS): the password itself. */
    public record Clear(byte[] password) implements Proof {
        public boolean usingPassword() {
            return password.length > 0;
        }
    }

    /**
     * The authentication plugin of the account the server would pick for {@code user} at
     * {@code client} (null: a unix socket), or null when there is none.
     */
    public String plugin(String user, InetAddress client) {
        ClientHost host = client == null ? ClientHost.localSocket() : ClientHost.of(client, options.loopbackIsLocalhost());
        UserAccount a = current().find(user, host, options.localhostMatchWildcardHost());
        return a == null ? null : a.plugin();
    }

    /** Authenticates with any {@link Proof}; see {@link #authenticate(String, ClientHost, byte[], byte[], String)}. */
    public AuthResult authenticate(String user, InetAddress client, Proof proof, String database) {
        ClientHost host = client == null ? ClientHost.localSocket() : ClientHost.of(client, options.loopbackIsLocalhost());
        return authenticate(user, host, proof, database);
    }

    /**
     * Whether an authenticated account may switch to {@code db} (COM_INIT_DB, USE): empty when
     * it may, else the 1044 or 1049 ERR the server would send. May reload once, like a login.
     */
    public Optional<ErrPacket> checkDatabase(UserAccount account, String db) {
        if (db == null || db.isEmpty() || options.skipAuthentication()) {
            return Optional.empty();
        }
        AccountSnapshot snap = current();
        ErrPacket e = databaseError(snap, snap.same(account), db);
        if (e != null) {
            AccountSnapshot fresh = refreshAfterFailure(snap);
            if (fresh != null) {
                e = databaseError(fresh, fresh.same(account), db);
            }
        }
        return Optional.ofNullable(e);
    }

    /** {@link #checkDatabase(UserAccount, String)} for a successful login. */
    public Optional<ErrPacket> checkDatabase(AuthResult login, String db) {
        if (!login.isOk()) {
            throw new IllegalArgumentException("not an authenticated login: " + login);
        }
        return checkDatabase(login.account(), db);
    }

    /**
     * The version string the backend sent in its handshake (MariaDB's "5.5.5-" prefix kept), for
     * the proxy's own handshake; empty before the first successful load.
     */
    public String serverVersion() {
        return snapshot.serverVersion();
    }

    public boolean isLoaded() {
        return snapshot.isLoaded();
    }

    public int accountCount() {
        return snapshot.size();
    }

    public String service() {
        return service;
    }

    public Map<String, Object> diagnostics() {
        AccountSnapshot s = snapshot;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service", service);
        m.put("loaded", s.isLoaded());
        m.put("accounts", s.size());
        m.put("databases", s.databaseCount());
        m.put("loaded_from", s.source());
        m.put("loaded_at", s.isLoaded() ? s.loadedAt().toString() : "");
        m.put("server_version", s.serverVersion());
        m.put("load_attempts", attempts.get());
        m.put("load_failures", failures.get());
        m.put("last_error", lastError);
        m.put("enable_root_user", options.enableRootUser());
        m.put("localhost_match_wildcard_host", options.localhostMatchWildcardHost());
        m.put("loopback_is_localhost", options.loopbackIsLocalhost());
        m.put("refresh_limit_ms", options.refreshLimit().toMillis());
        m.put("skip_authentication", options.skipAuthentication());
        return m;
    }

    private AuthResult attempt(AccountSnapshot snap, String user, ClientHost client, Proof proof, String database) {
        boolean usingPassword = proof.usingPassword();
        UserAccount a = snap.find(user, client, options.localhostMatchWildcardHost());
        if (a == null) {
            return AuthResult.refused(null, AuthErrors.accessDenied(user, client.ip(), usingPassword));
        }
        AuthResult ok;
        if (proof instanceof Clear c) {
            ok = checkClear(a, c.password());
        } else if (proof instanceof Ed25519 e) {
            ok = a.plugin().equals(io.loomscale.protocol.Ed25519Password.SERVER_PLUGIN)
                    && io.loomscale.protocol.Ed25519Password.verify(a.passwordHash(), e.nonce(), e.signature())
                    ? AuthResult.ok(a, null) : null;
        } else {
            Native n = (Native) proof;
            if (!a.usesNativePassword()) {
                return AuthResult.refused(a, AuthErrors.unsupportedPlugin(a));
            }
            ok = null;
            if (a.hasEmptyPassword()) {
                if (!usingPassword) {
                    ok = AuthResult.ok(a, null);
                }
            } else {
                byte[] stage1 = usingPassword ? NativePassword.verify(n.seed(), n.reply(), a.passwordHash()) : null;
                if (stage1 != null) {
                    ok = AuthResult.ok(a, stage1);
                } else if (options.skipAuthentication() && usingPassword) {
                    // skip_authentication: log in with what the reply gives; a wrong password makes
                    // the servers refuse, with their own ERR 1045.
                    ok = AuthResult.ok(a, NativePassword.recover(n.seed(), n.reply(), a.passwordHash()));
                }
            }
        }
        if (ok == null) {
            return AuthResult.refused(a, AuthErrors.accessDenied(user, client.ip(), usingPassword));
        }
        if (a.locked()) {
            return AuthResult.refused(a, AuthErrors.accountLocked());
        }
        if (a.passwordExpired()) {
            return AuthResult.refused(a, AuthErrors.passwordExpired());
        }
        if (database != null && !database.isEmpty() && !options.skipAuthentication()) {
            ErrPacket e = databaseError(snap, a, database);
            if (e != null) {
                return AuthResult.refused(a, e);
            }
        }
        return ok;
    }

    /**
     * A clear-text password: checked here against a native hash or an ed25519 key; for other
     * plugins (pam and the like, which only the server can check) it passes through, and the
     * servers' login with it decides.
     */
    private static AuthResult checkClear(UserAccount a, byte[] password) {
        String plugin = a.plugin();
        if (a.usesNativePassword()) {
            if (a.hasEmptyPassword()) {
                return password.length == 0 ? AuthResult.okWithPassword(a, password) : null;
            }
            byte[] stage1 = NativePassword.sha1(password);
            return java.security.MessageDigest.isEqual(NativePassword.sha1(stage1), a.passwordHash())
                    ? AuthResult.okWithPassword(a, password) : null;
        }
        if (plugin.equals(io.loomscale.protocol.Ed25519Password.SERVER_PLUGIN)) {
            return java.security.MessageDigest.isEqual(io.loomscale.protocol.Ed25519Password.publicKey(password),
                    a.passwordHash()) ? AuthResult.okWithPassword(a, password) : null;
        }
        return AuthResult.okWithPassword(a, password);
    }

    /** The server checks access first (1044), then existence (1049). */
    private static ErrPacket databaseError(AccountSnapshot snap, UserAccount a, String db) {
        if (!snap.mayUse(a, db)) {
            return AuthErrors.dbAccessDenied(a, db);
        }
        if (!snap.databaseExists(db)) {
            return AuthErrors.unknownDatabase(db);
        }
        return null;
    }

    private static boolean worthReloading(int code) {
        return code == ErrPacket.ER_ACCESS_DENIED_ERROR || code == ErrPacket.ER_DBACCESS_DENIED_ERROR
                || code == ErrPacket.ER_BAD_DB_ERROR;
    }

    /** The loaded snapshot; before the first success, loads (or waits for the caller loading). */
    private AccountSnapshot current() {
        AccountSnapshot s = snapshot;
        if (s.isLoaded()) {
            return s;
        }
        long seen = attempts.get();
        loadLock.lock();
        try {
            // Someone else tried while we waited: share their outcome instead of queueing
            // one more connection attempt per waiting client.
            if (!snapshot.isLoaded() && attempts.get() == seen) {
                loadLocked();
            }
            return snapshot;
        } finally {
            loadLock.unlock();
        }
    }

    /**
     * After a failed lookup in {@code used}: a newer snapshot (reloading now if the refresh
     * limit allows), or null when there is none.
     */
    private AccountSnapshot refreshAfterFailure(AccountSnapshot used) {
        loadLock.lock();
        try {
            if (snapshot != used) {
                return snapshot;
            }
            if (attempted && nanoClock.getAsLong() - lastAttemptNanos < options.refreshLimit().toNanos()) {
                return null;
            }
            loadLocked();
            return snapshot != used ? snapshot : null;
        } finally {
            loadLock.unlock();
        }
    }

    private boolean loadLocked() {
        lastAttemptNanos = nanoClock.getAsLong();
        attempted = true;
        try {
            AccountSnapshot s = source.load();
            AccountSnapshot old = snapshot;
            snapshot = s;
            lastError = "";
            if (!old.isLoaded() || old.size() != s.size()) {
                log.info("{}: loaded {} accounts and {} databases from {}", service, s.size(), s.databaseCount(),
                        s.source());
            } else {
                log.debug("{}: reloaded {} accounts from {}", service, s.size(), s.source());
            }
            return true;
        } catch (IOException | RuntimeException e) {
            failures.incrementAndGet();
            lastError = String.valueOf(e.getMessage());
            log.warn("{}: loading users failed, {}: {}", service,
                    snapshot.isLoaded() ? "keeping the " + snapshot.size() + " accounts loaded before"
                            : "no accounts known yet", e.getMessage());
            return false;
        } finally {
            attempts.incrementAndGet();
        }
    }

    /** Reads the accounts from the service's backends with the blocking housekeeping client. */
    static final class BackendSource implements Source {
        private final String service;
        private final Supplier<List<Server>> servers;
        private final String user;
        private final String password;
        private final Duration timeout;

        BackendSource(String service, Supplier<List<Server>> servers, String user, String password,
                Duration timeout) {
            this.service = service;
            this.servers = servers;
            this.user = user;
            this.password = password;
            this.timeout = timeout;
        }

        @Override
        public AccountSnapshot load() throws IOException {
            List<Server> candidates = candidates(servers.get());
            if (candidates.isEmpty()) {
                throw new IOException("the service has no servers");
            }
            IOException last = null;
            for (Server s : candidates) {
                try (SqlConnection c = SqlConnection.open(s.address(), s.port(), user, password, timeout,
                        io.loomscale.tls.TlsContext.forServer(s.config().tls()))) {
                    c.setTimeout(timeout);
                    return AccountLoader.load(c, s.name());
                } catch (SqlException e) {
                    log.warn("{}: cannot load users from {} ({}:{}) as '{}': {}", service, s.name(), s.address(),
                            s.port(), user, e.err());
                    last = new IOException(s.name() + ": " + e.err(), e);
                } catch (IOException | RuntimeException e) {
                    log.warn("{}: cannot load users from {} ({}:{}): {}", service, s.name(), s.address(), s.port(),
                            e.toString());
                    last = new IOException(s.name() + ": " + e, e);
                }
            }
            throw last;
        }

        /** Running master first, then other running servers, then the rest; maintenance last. */
        static List<Server> candidates(List<Server> all) {
            List<Server> out = new ArrayList<>(all.size());
            for (Server s : all) {
                if (s.state().isMaster() && !s.state().inMaintenance()) {
                    out.add(s);
                }
            }
            for (Server s : all) {
                if (s.state().isRunning() && !s.state().inMaintenance() && !out.contains(s)) {
                    out.add(s);
                }
            }
            for (Server s : all) {
                if (!s.state().inMaintenance() && !out.contains(s)) {
                    out.add(s);
                }
            }
            for (Server s : all) {
                if (!out.contains(s)) {
                    out.add(s);
                }
            }
            return out;
        }
    }
}
