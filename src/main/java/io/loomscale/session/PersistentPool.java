package io.loomscale.session;

import io.loomscale.monitor.Server;
import io.loomscale.net.BackendEndpoint;
import io.loomscale.net.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Persistent backend connections (MaxScale's {@code persistpoolmax}/{@code persistmaxtime}): when
 * a session ends, each clean backend connection is kept, up to {@code persistpoolmax} per server,
 * and a later session of the same user, database, capabilities and character set on the same
 * selector loop takes it instead of logging in again. The taker resets it with
 * COM_RESET_CONNECTION, so no session state (variables, temporary tables, an open transaction)
 * crosses from one session to the next. {@code persistmaxtime} bounds how long a connection may
 * wait in the pool (0 = no limit); expired or broken connections are closed when met.
 *
 * <p>Thread-safe: sessions offer and take concurrently; a pooled connection belongs to the pool
 * alone (its events go to {@link #IDLE}, which only closes it on failure).
 */
public final class PersistentPool {
    private static final Logger log = LoggerFactory.getLogger(PersistentPool.class);

    private record Key(String user, String database, long capabilities, int collation, byte[] stage1) {
        static Key of(LoginInfo l) {
            return new Key(l.user(), l.database(), l.capabilities(), l.collation(), l.stage1());
        }

        boolean matches(Key o) {
            // The password is part of the key: a user whose password changed must log in afresh.
            return user.equals(o.user) && Objects.equals(database, o.database) && capabilities == o.capabilities
                    && collation == o.collation && Arrays.equals(stage1, o.stage1);
        }
    }

    private record Entry(BackendConnection connection, Key key, long since) {
    }

    private static final BackendEndpoint.Listener IDLE = new BackendEndpoint.Listener() {
        @Override
        public void replyEnded(BackendEndpoint backend, int expectation, int header, int status, long rows, long bytes,
                byte[] collected) {
        }

        @Override
        public void captured(BackendEndpoint backend, byte[] packet) {
        }

        @Override
        public void backendFailed(BackendEndpoint backend, IOException cause, byte[] serverPacket) {
            log.debug("pooled {} closed: {}", backend, cause.getMessage());
        }
    };

    private final ConcurrentHashMap<Server, ConcurrentLinkedDeque<Entry>> pools = new ConcurrentHashMap<>();

    /** Keeps {@code c} if its server pools connections and it is clean; false when the caller must close it. */
    boolean offer(BackendConnection c, LoginInfo login) {
        Server s = c.server();
        int max = s.config().persistpoolmax();
        if (max <= 0 || login == null || !c.isClean() || !s.state().isRunning()) {
            return false;
        }
        ConcurrentLinkedDeque<Entry> q = pools.computeIfAbsent(s, k -> new ConcurrentLinkedDeque<>());
        if (q.size() >= max) {
            return false;
        }
        c.endpoint().client(null);
        c.endpoint().listener(IDLE);
        q.addFirst(new Entry(c, Key.of(login), System.nanoTime()));
        return true;
    }

    /**
     * A pooled connection to {@code s} for this login on {@code loop}, or null. The caller owns it
     * and must reset it before use.
     */
    BackendConnection take(Server s, LoginInfo login, EventLoop loop) {
        ConcurrentLinkedDeque<Entry> q = pools.get(s);
        if (q == null) {
            return null;
        }
        Duration maxTime = s.config().persistmaxtime();
        Key want = Key.of(login);
        long now = System.nanoTime();
        for (Iterator<Entry> it = q.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            boolean expired = !maxTime.isZero() && now - e.since() > maxTime.toNanos();
            if (expired || e.connection().endpoint().isClosed()) {
                if (q.removeFirstOccurrence(e)) {
                    e.connection().closeNow();
                }
                continue;
            }
            if (e.connection().endpoint().loop() == loop && e.key().matches(want) && q.removeFirstOccurrence(e)) {
                return e.connection();
            }
        }
        return null;
    }

    /** Number of pooled connections to {@code s}. */
    public int size(Server s) {
        ConcurrentLinkedDeque<Entry> q = pools.get(s);
        return q == null ? 0 : q.size();
    }

    /** Closes every pooled connection (shutdown). */
    public void closeAll() {
        for (ConcurrentLinkedDeque<Entry> q : pools.values()) {
            Entry e;
            while ((e = q.pollFirst()) != null) {
                e.connection().closeNow();
            }
        }
    }
}
