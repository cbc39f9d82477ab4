package io.loomscale.router.readwritesplit;

import io.loomscale.protocol.Gtid;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.ReplyTracker;
import io.loomscale.router.readwritesplit.RwsConfig.CausalReads;
import io.loomscale.session.BackendException;
import io.loomscale.session.SessionContext;

import java.io.IOException;
import java.util.List;

import static io.loomscale.router.readwritesplit.RwsSession.TO_MASTER;
import static io.loomscale.router.readwritesplit.RwsSession.log;

/**
 * {@code causal_reads} for one readwritesplit session: learning the GTID of each write on the
 * primary ({@code SELECT @@last_gtid} after its reply, or together with it under {@code global}),
 * and making a replica wait ({@code MASTER_GTID_WAIT}) until it applied the GTID a read must see
 * before the read goes there. Part of {@link RwsSession}, split out for size: runs only on the
 * session's virtual thread under {@link RwsSession#lock} (the fast path is off when causal reads
 * are on).
 *
 * <p>Owns the session's last written GTID. Shares with the session: it clears the session's
 * {@code gtidWanted} once the GTID is fetched, sets {@code last} and {@code pending} when it sends
 * a write itself, and sends, settles, observes and handles failures through the session. Logs
 * under the session's logger.
 */
final class GtidTracker {
    private final RwsSession session;
    private final ReadWriteSplit router;
    private final RwsConfig cfg;
    private final SessionContext ctx;

    private Gtid sessionGtid = Gtid.EMPTY;

    GtidTracker(RwsSession session) {
        this.session = session;
        this.router = session.router;
        this.cfg = session.cfg;
        this.ctx = session.ctx;
    }

    /** COM_RESET_CONNECTION or COM_CHANGE_USER: the session's own writes are forgotten. */
    void reset() {
        sessionGtid = Gtid.EMPTY;
    }

    /**
     * Causal reads: waits until replica {@code s} applied the GTID the read must see (the
     * session's last write, or the service's with {@code global}); false on timeout.
     */
    boolean caughtUp(RwsBackend s) throws IOException {
        if (session.gtidWanted && cfg.causalReads() != CausalReads.GLOBAL) {
            fetch(session.master);
        }
        Gtid want = cfg.causalReads() == CausalReads.GLOBAL ? router.latestGtid() : sessionGtid;
        if (want.isEmpty() || want.equals(s.reached)) {
            return true;
        }
        long timeout = Math.max(1, cfg.causalReadsTimeout().toSeconds());
        String r;
        try {
            r = internalQuery(s, "SELECT MASTER_GTID_WAIT(" + Wire.literal(want.toString()) + ", " + timeout + ")");
        } catch (IOException e) {
            if (!session.failures.survive(s, e)) {
                throw new BackendException("replica " + s.server.name() + " failed", e);
            }
            return false;
        }
        boolean ok = "0".equals(r);
        log.debug("session {}: MASTER_GTID_WAIT('{}') on {} returned {}", ctx.id(), want, s, r);
        router.causalWait(!ok);
        if (ok) {
            s.reached = want;
        } else {
            log.debug("session {}: {} did not reach GTID {} within {} s; reading from the primary", ctx.id(), s, want, timeout);
        }
        return ok;
    }

    /**
     * {@code causal_reads = global}: the GTID of a write must be known to the service before the
     * client hears the write succeeded, or another session's read could miss it. So the reply is
     * held: the write and a {@code SELECT @@last_gtid} go to the primary together, and the write's
     * reply reaches the client after the GTID is recorded. (LOAD DATA LOCAL, which needs the
     * client in the middle of its reply, goes the usual way.)
     */
    void writeWithGtid(RwsBackend m, byte[] packet) throws IOException {
        if (session.splitCommand) {
            session.send(m, packet, TO_MASTER);
            session.gtidWanted = true; // fetched when the next statement comes, after the rest of this one
            return;
        }
        if (mentionsLocal(packet)) {
            session.send(m, packet, TO_MASTER);
            session.gtidWanted = true;
            session.settle();
            return;
        }
        try {
            m.conn.send(packet, ReplyTracker.kindOf(packet) | ReplyTracker.CAPTURE);
            m.conn.send(Wire.query("SELECT @@last_gtid"), ReplyTracker.RESULT | ReplyTracker.CAPTURE);
            m.lastUsed = System.nanoTime();
            router.routed(m, TO_MASTER);
            session.last = m;
            session.pending = null;
            List<byte[]> reply = ctx.collectReply(m.conn);
            String g = Wire.firstValue(ctx.collectReply(m.conn));
            if (!reply.isEmpty() && Packets.firstByte(reply.get(0)) != Packets.ERR) {
                Gtid gtid = Gtid.parse(g);
                if (!gtid.isEmpty()) {
                    sessionGtid = gtid;
                    router.wrote(gtid);
                }
            }
            session.observe(m);
            ctx.sendToClient(Wire.concat(reply));
        } catch (IOException e) {
            session.failures.failed(m, e);
        }
    }

    static boolean mentionsLocal(byte[] packet) {
        for (int i = Packets.HEADER + 1; i + 5 <= packet.length; i++) {
            if ((packet[i] | 0x20) == 'l' && (packet[i + 1] | 0x20) == 'o' && (packet[i + 2] | 0x20) == 'c'
                    && (packet[i + 3] | 0x20) == 'a' && (packet[i + 4] | 0x20) == 'l') {
                return true;
            }
        }
        return false;
    }

    /**
     * The GTID part of {@link RwsSession#observe}: with {@code global}, after the reply to a write
     * on the primary (outside a transaction), fetches and records the write's GTID, since another
     * session's read may need it. With {@code local} only this session's next read on a replica
     * needs it, so {@link #caughtUp} fetches it then: the query the proxy runs on the primary would
     * otherwise come between the write and what the client asks next about it there
     * ({@code ROW_COUNT()}, {@code FOUND_ROWS()}, {@code SHOW STATUS}).
     */
    void observe(RwsBackend b) throws IOException {
        if (cfg.causalReads() == CausalReads.GLOBAL) {
            fetch(b);
        }
    }

    /** Fetches and records the GTID of the session's last write on the primary {@code b}, when one is wanted. */
    private void fetch(RwsBackend b) throws IOException {
        if (session.gtidWanted && b != null && b == session.master && !b.isClosed() && !session.trxOpen) {
            session.gtidWanted = false;
            String g;
            try {
                g = internalQuery(b, "SELECT @@last_gtid");
            } catch (IOException e) {
                session.failures.failed(b, e);
                return;
            }
            Gtid gtid = Gtid.parse(g);
            if (!gtid.isEmpty()) {
                sessionGtid = gtid;
                router.wrote(gtid);
            }
        }
    }

    /** Runs a query of the proxy's own on {@code b}; returns the first value (null if none or an error). */
    private String internalQuery(RwsBackend b, String sql) throws IOException {
        b.conn.send(Wire.query(sql), ReplyTracker.RESULT | ReplyTracker.CAPTURE);
        return Wire.firstValue(ctx.collectReply(b.conn));
    }
}
