package io.loomscale.session;

import io.loomscale.monitor.Server;
import io.loomscale.net.BackendEndpoint;
import io.loomscale.net.ClientEndpoint;
import io.loomscale.net.EventLoop;
import io.loomscale.protocol.AuthSwitchRequest;
import io.loomscale.protocol.Capabilities;
import io.loomscale.protocol.Commands;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.protocol.HandshakeResponse;
import io.loomscale.protocol.HandshakeV10;
import io.loomscale.protocol.NativePassword;
import io.loomscale.protocol.OkPacket;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.ProtocolException;
import io.loomscale.protocol.ReplyTracker;
import io.loomscale.protocol.ServerStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One client connection, run start to end by {@link #run()} on its own virtual thread: handshake
 * and authentication (blocking reads, parking the virtual thread), then the command loop, which
 * takes events from its {@link Inbox} and routes each client packet down the filter chain to the
 * router. Replies do not come back through here: the selector thread streams them to the client.
 * The session sees a reply only when its router or a filter asked for it.
 *
 * <p>A single try/finally in {@link #run()} closes the backends and the client socket and
 * unregisters the session, whatever happens. Client gone is DEBUG, backend failure WARN, a bug
 * ERROR with the stack trace.
 */
public final class ClientSession implements Runnable, SessionContext, ClientEndpoint.Sink {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** utf8mb4_general_ci, what MariaDB 10.x announces. */
    private static final int DEFAULT_COLLATION = 45;

    /** Ends unix-socket handshakes that take too long (TCP ones have a read timeout). */
    private static final java.util.concurrent.ScheduledExecutorService HANDSHAKE_TIMER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "loomscale-handshake-timer");
                t.setDaemon(true);
                return t;
            });

    private static final Object CLIENT_GONE = new Object();
    private static final Object KILLED = new Object();

    private record BackendFailed(BackendEndpoint endpoint, IOException cause, byte[] serverPacket) {
    }

    private record Captured(BackendEndpoint endpoint, byte[] packet) {
    }

    private record ReplyEnded(BackendEndpoint endpoint, int expectation, int header, int status, long rows,
            long bytes, byte[] collected, long at) {
        int ticket() {
            return expectation >>> ReplyTracker.TICKET_SHIFT;
        }
    }

    private final long id;
    private final SocketChannel channel;
    private final ServiceHandle service;
    private final EventLoop loop;
    private final Inbox inbox = new Inbox();
    private final ArrayDeque<Object> deferred = new ArrayDeque<>();
    /** The client's address: the peer's, or what a PROXY protocol header from an allowed network says. */
    private volatile SocketAddress clientAddress;
    /** Who may send a PROXY protocol header before the handshake response, or null. */
    private final io.loomscale.net.ProxyProtocolReader proxyProtocol;
    /** Wall-clock time the client connected, for the admin interface. */
    private final long connectedAt = System.currentTimeMillis();
    private final BackendEndpoint.Listener backendListener = new BackendEvents();

    /** The listener's TLS setup, or null; with it the listener accepts TLS clients only. */
    private final io.loomscale.tls.TlsContext tlsContext;
    /** The client's TLS engine once it switched to TLS, then owned by {@link #client}. */
    private io.loomscale.tls.TlsEngine tls;
    /** Where handshake-phase packets go (through TLS once the client switched). */
    private OutputStream handshakeOut;
    private byte[] seed;
    /** The current login's outcome (its account, for database checks on COM_INIT_DB and USE). */
    private ServiceHandle.AuthOutcome authOutcome;
    private long clientCaps;
    private LoginInfo login;
    private ClientEndpoint client;
    private volatile Downstream downstream;
    /** The last command routed; rendered as text only when someone asks (admin), never per statement. */
    private volatile Statement current;
    /**
     * The last packet the fast path forwarded, or null once the session routes one itself; kept
     * for the admin interface's current statement (a plain field: read racily, written without a
     * fence on the selector thread; packets over 64 KiB are not kept, to hold no big array).
     */
    private byte[] lastFastPacket;
    private volatile long lastActive = System.nanoTime();
    /** Set once the session is in its command loop and its downstream offers a fast path. */
    private volatile FastPath fastPath;
    /** Client packets handed to the session and not yet fully handled; the fast path waits for 0. */
    private final java.util.concurrent.atomic.AtomicInteger pendingClient = new java.util.concurrent.atomic.AtomicInteger();

    // Reply hook (session thread only; see io.loomscale.filter.FilterSession for the design).
    /** The statement being routed while a filter may ask for its reply; null otherwise. */
    private Statement routing;
    /** Statements whose reply end a filter awaits, in send order. */
    private final ArrayDeque<Statement> awaitingEnd = new ArrayDeque<>();
    private int lastTicket;
    /** First byte of the last packet the session itself sent the client. */
    private int lastSentHeader = -1;
    /** What the router itself sent the client while routing the current statement (or null). */
    private byte[] sentWhileRouting;
    private final BackendConnection.ReplyHook replyHook = this::markReply;

    public ClientSession(SocketChannel channel, ServiceHandle service) throws IOException {
        this(channel, service, null, null);
    }

    /** {@code tls}: the listener's TLS setup (TLS clients only), or null for a plain listener. */
    public ClientSession(SocketChannel channel, ServiceHandle service, io.loomscale.tls.TlsContext tls,
            io.loomscale.net.ProxyProtocolReader proxyProtocol) throws IOException {
        this.channel = channel;
        this.service = service;
        this.tlsContext = tls;
        this.proxyProtocol = proxyProtocol;
        this.id = service.registry().nextId();
        this.loop = service.nextLoop();
        this.clientAddress = channel.getRemoteAddress();
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String user() {
        return login == null ? null : login.user();
    }

    @Override
    public SocketAddress clientAddress() {
        return clientAddress;
    }

    @Override
    public String database() {
        return login == null ? null : login.database();
    }

    @Override
    public String serviceName() {
        return service.name();
    }

    public List<BackendConnection> backends() {
        Downstream d = downstream;
        return d == null ? List.of() : d.backends();
    }

    public String currentStatement() {
        byte[] fast = lastFastPacket;
        if (fast != null) {
            return new Statement(fast).toString();
        }
        Statement st = current;
        return st == null ? "" : st.toString();
    }

    /** When the client connected (epoch milliseconds). */
    public long connectedAt() {
        return connectedAt;
    }

    public long idleMillis() {
        return (System.nanoTime() - lastActive) / 1_000_000;
    }

    private String who() {
        return "session " + id + " (" + (login == null ? "?" : login.user()) + "@" + describe(clientAddress) + ")";
    }

    /** The client's host as the server prints it in errors: its IP, or localhost on a unix socket. */
    private static String hostOf(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() : "localhost";
    }

    private static String describe(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            return i.getAddress().getHostAddress() + ":" + i.getPort();
        }
        return String.valueOf(a);
    }

    @Override
    public void run() {
        service.registry().add(this);
        try {
            if (!handshake()) {
                return;
            }
            commandLoop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.debug("{} interrupted", who());
        } catch (EOFException | java.nio.channels.ClosedChannelException e) {
            log.debug("{}: client gone", who());
        } catch (SocketTimeoutException e) {
            log.info("{}: client did not finish the handshake within {} s", who(), HANDSHAKE_TIMEOUT.toSeconds());
        } catch (IOException e) {
            log.debug("{}: {}", who(), e.toString());
        } catch (RuntimeException e) {
            log.error("{}: internal error", who(), e);
            sendQuietly(new ErrPacket(ErrPacket.ER_UNKNOWN_ERROR, "HY000", "LoomScale internal error: " + e).encode(1));
        } finally {
            Downstream d = downstream;
            if (d != null) {
                d.close();
            }
            if (client != null) {
                client.close();
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
            service.registry().remove(this);
            log.debug("{} closed", who());
        }
    }

    // ---------------------------------------------------------------- handshake

    /**
     * The handshake in blocking mode, bounded by {@link #HANDSHAKE_TIMEOUT}: a TCP socket's read
     * timeout, or, for a unix socket (which has no such option), a timer that closes the channel,
     * which ends a blocked read.
     */
    private boolean handshake() throws IOException {
        channel.configureBlocking(true);
        boolean tcp = !(clientAddress instanceof java.net.UnixDomainSocketAddress);
        InputStream in;
        java.util.concurrent.ScheduledFuture<?> watchdog = null;
        if (tcp) {
            channel.socket().setTcpNoDelay(true);
            channel.socket().setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
            in = channel.socket().getInputStream();
        } else {
            in = Channels.newInputStream(channel);
            watchdog = HANDSHAKE_TIMER.schedule(() -> {
                log.info("{}: client did not finish the handshake within {} s", who(), HANDSHAKE_TIMEOUT.toSeconds());
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }, HANDSHAKE_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        try {
            return handshake(in, tcp);
        } finally {
            if (watchdog != null) {
                watchdog.cancel(false);
            }
        }
    }

    private boolean handshake(InputStream in, boolean tcp) throws IOException {
        OutputStream out = Channels.newOutputStream(channel);
        handshakeOut = out;
        seed = newSeed();
        long serverCaps = service.serverCapabilities();
        if (tlsContext != null) {
            serverCaps |= Capabilities.SSL;
        }
        HandshakeV10 hs = new HandshakeV10(service.serverVersion(), id, seed, serverCaps, DEFAULT_COLLATION,
                ServerStatus.AUTOCOMMIT, NativePassword.PLUGIN);
        out.write(hs.encode());
        if (proxyProtocol != null && clientAddress instanceof InetSocketAddress peer
                && proxyProtocol.allows(peer.getAddress())) {
            // A balancer in front may name the real client before the client's first packet.
            io.loomscale.net.ProxyProtocolReader.Result pr;
            try {
                pr = proxyProtocol.read(in, peer);
            } catch (IOException e) {
                log.info("{}: bad PROXY protocol header: {}", who(), e.getMessage());
                return false;
            }
            in = pr.in();
            if (!pr.client().equals(peer)) {
                log.debug("{}: PROXY header from {} names client {}", who(), describe(peer), describe(pr.client()));
                clientAddress = pr.client();
            }
        }
        byte[] p;
        HandshakeResponse r;
        try {
            p = readBlocking(in);
            r = HandshakeResponse.decode(p);
        } catch (ProtocolException e) {
            log.info("{}: bad handshake: {}", who(), e.getMessage());
            out.write(new ErrPacket(ErrPacket.ER_HANDSHAKE_ERROR, "08S01", "Bad handshake").encode(2));
            return false;
        }
        int seq = Packets.sequence(p) + 1;
        if (r.isSslRequest()) {
            if (tlsContext == null) {
                out.write(new ErrPacket(ErrPacket.ER_HANDSHAKE_ERROR, "08S01",
                        "SSL is not enabled on this listener").encode(seq));
                return false;
            }
            // The client switches to TLS here; the rest of the handshake runs inside it.
            tls = tlsContext.newEngine(null, 0);
            try {
                tls.handshake(in, out);
            } catch (javax.net.ssl.SSLException e) {
                log.info("{}: TLS handshake failed: {}", who(), e.getMessage());
                return false;
            }
            InputStream rawIn = in;
            in = tls.in(rawIn, out);
            out = tls.out(out);
            handshakeOut = out;
            try {
                p = readBlocking(in);
                r = HandshakeResponse.decode(p);
                if (r.isSslRequest()) {
                    throw new ProtocolException("a second SSL request inside TLS");
                }
            } catch (ProtocolException e) {
                log.info("{}: bad handshake inside TLS: {}", who(), e.getMessage());
                out.write(new ErrPacket(ErrPacket.ER_HANDSHAKE_ERROR, "08S01", "Bad handshake").encode(Packets.sequence(p) + 1));
                return false;
            }
            seq = Packets.sequence(p) + 1;
        } else if (tlsContext != null) {
            // As a MariaDB server whose clients must use TLS (require_secure_transport, REQUIRE SSL).
            log.info("{}: refused '{}': the listener requires TLS and the client did not ask for it", who(), r.user());
            out.write(new ErrPacket(ErrPacket.ER_ACCESS_DENIED_ERROR, "28000", "Access denied for user '" + r.user()
                    + "'@'" + hostOf(clientAddress) + "' (using password: "
                    + (r.authResponse() != null && r.authResponse().length > 0 ? "YES" : "NO") + ")").encode(seq));
            return false;
        }
        clientCaps = r.capabilities() & serverCaps;
        InputStream hsIn = in;
        OutputStream hsOut = out;
        Exchange ex;
        try {
            ex = authenticateClient(r.user(), r.authPlugin(), r.authResponse(), r.database(), seq,
                    hsOut::write, () -> readBlocking(hsIn));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted during the handshake");
        }
        seq = ex.seq();
        ServiceHandle.AuthOutcome auth = ex.outcome();
        if (ex.unsupported()) {
            log.info("{}: refused '{}': {}", who(), r.user(), auth.error().message());
            out.write(auth.error().encode(seq));
            return false;
        }
        if (!auth.ok()) {
            log.info("{}: authentication failed for '{}': {}", who(), r.user(), auth.error().message());
            out.write(auth.error().encode(seq));
            return false;
        }
        authOutcome = auth;
        String db = r.database() == null || r.database().isEmpty() ? null : r.database();
        login = new LoginInfo(r.user(), auth.stage1(), db, clientCaps, r.collation(), r.maxPacketSize(),
                r.connectAttributes(), clientAddress, auth.clearPassword());
        Downstream d;
        try {
            d = service.newDownstream(this);
        } catch (BackendException e) {
            ErrPacket err = e.err() != null ? e.err()
                    : new ErrPacket(ErrPacket.ER_UNKNOWN_ERROR, "HY000", "LoomScale: " + e.getMessage());
            log.warn("{}: cannot start: {}", who(), e.getMessage());
            out.write(err.encode(seq));
            return false;
        }
        downstream = d;
        byte[] ok = null;
        for (BackendConnection b : d.backends()) {
            ok = b.loginOk().clone();
            break;
        }
        if (ok == null) {
            ok = OkPacket.simple(seq, ServerStatus.AUTOCOMMIT);
        }
        ok[3] = (byte) seq;
        out.write(ok);
        if (tcp) {
            channel.socket().setSoTimeout(0);
        }
        channel.configureBlocking(false);
        client = new ClientEndpoint(channel, loop, this, tls);
        for (BackendConnection b : d.backends()) {
            b.endpoint().client(client);
        }
        fastPath = d.fastPath();
        client.register();
        log.debug("{} started on service {}", who(), service.name());
        return true;
    }

    /** Writes one packet to the client during an authentication exchange. */
    private interface PacketOut {
        void write(byte[] packet) throws IOException;
    }

    /** Reads the client's next packet during an authentication exchange. */
    private interface PacketIn {
        byte[] read() throws IOException, InterruptedException;
    }

    /**
     * The outcome of an authentication exchange; {@code seq} is the sequence id of the proxy's
     * next packet; {@code unsupported} when the account's plugin cannot be served at all.
     */
    private record Exchange(ServiceHandle.AuthOutcome outcome, int seq, boolean unsupported) {
    }

    /**
     * Runs the exchange the account's plugin needs ({@link ClientAuth}) for the handshake and for
     * COM_CHANGE_USER alike: mysql_native_password on the session's seed, mysql_clear_password
     * over TLS, or client_ed25519 without TLS.
     */
    private Exchange authenticateClient(String user, String clientPlugin, byte[] firstReply, String db, int seq,
            PacketOut out, PacketIn in) throws IOException, InterruptedException {
        InetAddress addr = clientAddress instanceof InetSocketAddress i ? i.getAddress() : null; // null: unix socket
        String accountPlugin = service.accountPlugin(user, addr);
        if (accountPlugin == null || NativePassword.PLUGIN.equals(accountPlugin)
                || !Capabilities.has(clientCaps, Capabilities.PLUGIN_AUTH)) {
            byte[] reply = firstReply;
            if (clientPlugin != null && !clientPlugin.isEmpty() && !NativePassword.PLUGIN.equals(clientPlugin)) {
                // Ask the client to answer with mysql_native_password on the same seed.
                out.write(new AuthSwitchRequest(NativePassword.PLUGIN, seed).encode(seq));
                byte[] a = in.read();
                seq = Packets.sequence(a) + 1;
                reply = java.util.Arrays.copyOfRange(a, Packets.HEADER, a.length);
            }
            return new Exchange(service.authenticate(user, addr, seed, reply, db), seq, false);
        }
        if (tls != null && ClientAuth.clearTextAllowed(accountPlugin)) {
            // Over TLS the client may send its password: the proxy checks it (native, ed25519) or
            // passes it to the servers (pam), and can log in to servers with any plugin.
            out.write(ClientAuth.switchTo(ClientAuth.CLEAR_PASSWORD, new byte[0], seq));
            byte[] a = in.read();
            return new Exchange(service.authenticateClear(user, addr, ClientAuth.clearPassword(a), db),
                    Packets.sequence(a) + 1, false);
        }
        if (io.loomscale.protocol.Ed25519Password.SERVER_PLUGIN.equals(accountPlugin)) {
            byte[] nonce = new byte[io.loomscale.protocol.Ed25519Password.NONCE_LENGTH];
            RANDOM.nextBytes(nonce);
            out.write(ClientAuth.switchTo(io.loomscale.protocol.Ed25519Password.PLUGIN, nonce, seq));
            byte[] a = in.read();
            return new Exchange(service.authenticateEd25519(user, addr, nonce,
                    java.util.Arrays.copyOfRange(a, Packets.HEADER, a.length), db), Packets.sequence(a) + 1, false);
        }
        ErrPacket err = ClientAuth.unsupported(user, hostOf(clientAddress), accountPlugin, tls != null);
        return new Exchange(new ServiceHandle.AuthOutcome(err, null, user), seq, true);
    }

    private static byte[] newSeed() {
        byte[] s = new byte[20];
        for (int i = 0; i < s.length; i++) {
            s[i] = (byte) (33 + RANDOM.nextInt(94)); // printable, never NUL
        }
        return s;
    }

    /** Handshake-phase packets are small; a client announcing more than 64 KiB is not speaking MariaDB. */
    private static byte[] readBlocking(InputStream in) throws IOException {
        return Packets.read(in, 1 << 16, "client");
    }

    // ---------------------------------------------------------------- command loop

    private void commandLoop() throws IOException, InterruptedException {
        long idleNanos = service.idleTimeout().toNanos();
        while (true) {
            Object ev = deferred.isEmpty() ? inbox.take(idleNanos) : deferred.poll();
            if (ev == null) {
                log.info("{}: idle for longer than connection_timeout ({} s), closing", who(),
                        service.idleTimeout().toSeconds());
                return;
            }
            if (ev instanceof byte[] packet) {
                client.consumed(packet.length);
                lastActive = System.nanoTime();
                boolean goOn = onClientPacket(packet);
                pendingClient.decrementAndGet();
                if (!goOn) {
                    return;
                }
            } else if (ev instanceof BackendFailed f) {
                if (!onBackendFailed(f)) {
                    return;
                }
            } else if (ev == CLIENT_GONE) {
                log.debug("{}: client disconnected", who());
                return;
            } else if (ev == KILLED) {
                log.info("{}: killed", who());
                sendQuietly(new ErrPacket(ErrPacket.ER_CONNECTION_KILLED, "70100", "Connection was killed").encode(0));
                return;
            } else if (ev instanceof ReplyEnded r && r.ticket() != 0) {
                replyEndedForFilters(r);
            }
            // Other ReplyEnded / Captured outside an exchange that waits for them: nothing to do.
        }
    }

    /** Returns false when the session must end. */
    private boolean onClientPacket(byte[] packet) throws IOException, InterruptedException {
        Statement st = new Statement(packet, receivingFile());
        int cmd = st.command();
        if (cmd == Commands.COM_QUIT) {
            return false;
        }
        if (cmd == Commands.COM_CHANGE_USER) {
            return changeUser(packet);
        }
        if (cmd == Commands.COM_PROCESS_KILL && packet.length >= Packets.HEADER + 5) {
            long target = (packet[5] & 0xffL) | (packet[6] & 0xffL) << 8 | (packet[7] & 0xffL) << 16
                    | (packet[8] & 0xffL) << 24;
            return kill(target, false);
        }
        if (cmd == Commands.COM_QUERY) {
            KillStatement k = KillStatement.parse(packet);
            if (k != null) {
                return kill(k.id(), k.queryOnly());
            }
        }
        if (cmd == Commands.COM_INIT_DB || (cmd == Commands.COM_QUERY && UseStatement.mayBeUse(packet))) {
            String db = cmd == Commands.COM_INIT_DB
                    ? new String(packet, Packets.HEADER + 1, packet.length - Packets.HEADER - 1,
                            java.nio.charset.StandardCharsets.UTF_8)
                    : UseStatement.database(packet);
            ErrPacket denied = db == null ? null : service.checkDatabase(authOutcome, db);
            if (denied != null) {
                log.debug("{}: refused database '{}': {}", who(), db, denied.message());
                sendToClient(denied.encode(1));
                return true;
            }
        }
        service.countStatement();
        if (cmd >= 0) {
            current = st;
            lastFastPacket = null;
        }
        routing = st;
        sentWhileRouting = null;
        try {
            downstream.route(st);
        } catch (BackendException e) {
            routing = null;
            log.warn("{}: {}", who(), e.getMessage());
            if (e.err() != null) {
                sendQuietly(e.err().encode(1));
            }
            return false;
        }
        if (!st.wantsReply()) {
            routing = null;
            return true;
        }
        return afterRouteWithListeners(st);
    }

    // ---------------------------------------------------------------- reply hook

    /**
     * The hook every reply for the client passes ({@link BackendConnection#send}): when a filter
     * asked for the reply of the statement being routed, the reply is marked to notify the
     * session with the statement's ticket, and collected instead of forwarded if a filter wants
     * it whole.
     */
    private int markReply(BackendConnection target, int expectation) {
        Statement s = routing;
        if (s == null || !s.wantsReply()) {
            return expectation;
        }
        if (s.ticket == 0) {
            lastTicket = lastTicket >= 0x7fff ? 1 : lastTicket + 1;
            s.ticket = lastTicket;
            s.sentAt = System.nanoTime();
        }
        int e = (expectation & ((1 << ReplyTracker.TICKET_SHIFT) - 1)) | ReplyTracker.NOTIFY
                | s.ticket << ReplyTracker.TICKET_SHIFT;
        if (s.collectsReply() && !s.isLoadData()) {
            e = (e & ~ReplyTracker.FORWARD) | ReplyTracker.COLLECT; // LOAD DATA LOCAL needs its reply streamed
            target.endpoint().collectLimit(s.collectLimit());
        }
        return e;
    }

    /** After routing a statement whose reply a filter asked for. Returns false when the session must end. */
    private boolean afterRouteWithListeners(Statement st) throws IOException, InterruptedException {
        if (st.ticket == 0) {
            // No reply for the client went through the hook: the router answered itself (an
            // error, a reply it gathered and rebuilt), or the command has no reply.
            routing = null;
            byte[] seen = st.collectsReply() && sentWhileRouting != null ? sentWhileRouting.clone() : null;
            sentWhileRouting = null;
            st.replyEnded(new Reply(lastSentHeader, 0, -1, seen == null ? -1 : seen.length, 0, false, seen));
            return true;
        }
        if (!st.collectsReply() || st.isLoadData()) {
            routing = null;
            awaitingEnd.add(st);
            return true;
        }
        try {
            return awaitCollected(st);
        } finally {
            routing = null;
        }
    }

    /**
     * Waits for the collected reply of {@code st}, hands it to the filters and sends the client
     * what they leave. Client packets that arrive meanwhile wait (the client must get replies in
     * order); a backend failure is handled as the command loop would, and the wait goes on only
     * if the router sent the statement again (a retried read, marked by the same hook).
     */
    private boolean awaitCollected(Statement st) throws IOException, InterruptedException {
        ArrayDeque<Object> held = new ArrayDeque<>();
        try {
            while (true) {
                Object ev = deferred.isEmpty() ? inbox.take(0) : deferred.poll();
                if (ev instanceof ReplyEnded r && r.ticket() == st.ticket && r.collected() != null) {
                    Reply reply = new Reply(r.header(), r.status(), r.rows(), r.bytes(), r.at() - st.sentAt, true,
                            r.collected());
                    st.replyEnded(reply);
                    byte[] out = reply.packets();
                    if (reply.isTruncated() && out == r.collected()) {
                        // Only part of it was kept and no filter replaced it: it cannot go out cut.
                        out = new ErrPacket(ErrPacket.ER_UNKNOWN_ERROR, "HY000", "LoomScale: the reply is larger than "
                                + "the " + r.collected().length + " bytes a filter keeps of it").encode(1);
                    }
                    if (out.length > 0) {
                        sendToClient(out);
                    }
                    return true;
                } else if (ev instanceof ReplyEnded r && r.ticket() != 0) {
                    replyEndedForFilters(r);
                } else if (ev instanceof BackendFailed f) {
                    BackendConnection b = find(f.endpoint());
                    boolean ours = b != null && !b.endpoint().tracker().isIdle()
                            && b.endpoint().tracker().current() >>> ReplyTracker.TICKET_SHIFT == st.ticket;
                    long before = countMarked(st);
                    if (!onBackendFailed(f)) {
                        return false;
                    }
                    if (ours && countMarked(st) == before) {
                        st.replyEnded(new Reply(Packets.ERR, 0, -1, -1, System.nanoTime() - st.sentAt, false, null));
                        return true; // the reply is lost and the router did not send it again
                    }
                } else if (ev == CLIENT_GONE) {
                    return false;
                } else if (ev instanceof byte[] || ev == KILLED) {
                    held.add(ev);
                }
                // Captured / ReplyEnded of the router's own exchanges: nothing to do, as in the loop.
            }
        } finally {
            while (!held.isEmpty()) {
                deferred.addFirst(held.pollLast());
            }
        }
    }

    /** Outstanding replies marked with {@code st}'s ticket over all backends (a resend adds one). */
    private long countMarked(Statement st) {
        long n = 0;
        for (BackendConnection b : downstream.backends()) {
            if (!b.isClosed() && (b.endpoint().tracker().current() >>> ReplyTracker.TICKET_SHIFT) == st.ticket) {
                n++;
            }
        }
        return n;
    }

    /** A marked reply ended: tells the filters of its statement (replies end in send order). */
    private void replyEndedForFilters(ReplyEnded r) throws IOException {
        if (r.collected() != null) {
            // Its statement gave up waiting (its backend failed); the bytes cannot go out of order.
            log.warn("{}: a collected reply arrived after its statement was given up; dropped", who());
            return;
        }
        while (!awaitingEnd.isEmpty()) {
            Statement st = awaitingEnd.poll();
            if (st.ticket == r.ticket()) {
                st.replyEnded(new Reply(r.header(), r.status(), r.rows(), r.bytes(), r.at() - st.sentAt, true, null));
                return;
            }
            // An older statement whose reply never ended (its backend failed): nothing to report.
        }
    }

    private boolean onBackendFailed(BackendFailed f) throws IOException {
        BackendConnection b = find(f.endpoint());
        if (b == null) {
            return true; // already dropped by the router
        }
        boolean waiting = !b.endpoint().tracker().isIdle();
        log.warn("{}: backend {} failed: {}", who(), b, f.cause().getMessage());
        if (downstream.handleError(b, f.cause())) {
            return true;
        }
        if (waiting && b.endpoint().isMidPacket()) {
            // The client already has part of a packet: nothing well-formed can follow it, so the
            // connection is closed and the client reports the lost connection itself.
            return false;
        }
        if (waiting || f.serverPacket() != null) {
            byte[] err;
            if (f.serverPacket() != null && Packets.firstByte(f.serverPacket()) == Packets.ERR) {
                err = f.serverPacket().clone();
            } else {
                err = new ErrPacket(ErrPacket.CR_SERVER_LOST, "HY000", "Lost connection to backend server "
                        + b.server().name() + ": " + f.cause().getMessage()).encode(0);
            }
            // The error answers the command in flight: it follows the part of the reply the client
            // has (its last packet's sequence id + 1), or is the whole reply (1).
            err[3] = (byte) (!waiting ? 0 : b.endpoint().tracker().hasStarted() ? b.endpoint().lastSequence() + 1 : 1);
            sendQuietly(err);
        }
        return false;
    }

    private BackendConnection find(BackendEndpoint ep) {
        for (BackendConnection b : downstream.backends()) {
            if (b.endpoint() == ep) {
                return b;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- KILL

    /** KILL [QUERY|CONNECTION] of a proxy session id: kills the backend threads behind it. */
    private boolean kill(long targetId, boolean queryOnly) throws IOException {
        ClientSession target = service.registry().find(targetId);
        if (target == null) {
            sendToClient(new ErrPacket(ErrPacket.ER_NO_SUCH_THREAD, "HY000", "Unknown thread id: " + targetId).encode(1));
            return true;
        }
        if (target == this && !queryOnly) {
            sendToClient(new ErrPacket(ErrPacket.ER_CONNECTION_KILLED, "70100", "Connection was killed").encode(1));
            return false;
        }
        for (BackendConnection b : target.backends()) {
            Server s = b.server();
            String sql = (queryOnly ? "KILL QUERY " : "KILL CONNECTION ") + b.threadId();
            try (io.loomscale.protocol.client.SqlConnection c = io.loomscale.protocol.client.SqlConnection.open(
                    s.address(), s.port(), login.user(), login.stage1() == null ? new byte[20] : login.stage1(),
                    login.stage1() == null, service.backendTimeout(),
                    io.loomscale.tls.TlsContext.forServer(s.config().tls()))) {
                c.execute(sql);
            } catch (io.loomscale.protocol.client.SqlException e) {
                if (e.err().code() == ErrPacket.ER_KILL_DENIED_ERROR) {
                    // The server names its own thread id; the client knows the proxy's.
                    sendToClient(new ErrPacket(ErrPacket.ER_KILL_DENIED_ERROR, e.err().sqlState(),
                            "You are not owner of thread " + targetId).encode(1));
                    return true;
                }
                if (e.err().code() != ErrPacket.ER_NO_SUCH_THREAD) {
                    sendToClient(e.err().encode(1));
                    return true;
                }
            } catch (IOException e) {
                log.warn("{}: KILL on {} failed: {}", who(), s, e.getMessage());
            }
        }
        if (!queryOnly) {
            target.inbox.post(KILLED);
        }
        sendToClient(OkPacket.simple(1, ServerStatus.AUTOCOMMIT));
        return true;
    }

    // ---------------------------------------------------------------- COM_CHANGE_USER

    private boolean changeUser(byte[] packet) throws IOException, InterruptedException {
        ChangeUser cu;
        try {
            cu = ChangeUser.decode(packet, clientCaps);
        } catch (ProtocolException e) {
            sendToClient(new ErrPacket(ErrPacket.ER_MALFORMED_PACKET, "HY000", "Malformed communication packet").encode(1));
            return false;
        }
        Exchange ex = authenticateClient(cu.user(), cu.plugin(), cu.authResponse(), cu.database(), 1,
                this::sendToClient, this::nextClientPacket);
        int seq = ex.seq();
        ServiceHandle.AuthOutcome auth = ex.outcome();
        if (!auth.ok()) {
            // Like MariaDB: the connection stays, logged in as the previous user.
            log.info("{}: change user to '{}' refused: {}", who(), cu.user(), auth.error().message());
            sendToClient(auth.error().encode(seq));
            return true;
        }
        LoginInfo next = login.withUser(cu.user(), auth.stage1(), cu.database(), auth.clearPassword());
        byte[] ok = null;
        for (BackendConnection b : downstream.backends()) {
            byte[] r = ChangeUser.runOnBackend(b, next, cu, this::awaitCaptured);
            if (Packets.firstByte(r) == Packets.ERR) {
                // The server refused it and keeps the previous user, as MariaDB does.
                log.warn("{}: backend {} refused the change to user '{}'", who(), b, cu.user());
                r[3] = (byte) seq;
                sendToClient(r);
                return true;
            }
            if (ok == null) {
                ok = r;
            }
        }
        login = next;
        authOutcome = auth;
        downstream.sessionReset();
        if (ok == null) {
            ok = OkPacket.simple(seq, ServerStatus.AUTOCOMMIT);
        }
        ok[3] = (byte) seq;
        sendToClient(ok);
        return true;
    }

    private byte[] nextClientPacket() throws IOException, InterruptedException {
        while (true) {
            Object ev = inbox.take(HANDSHAKE_TIMEOUT.toNanos());
            if (ev == null) {
                throw new SocketTimeoutException("client did not answer the auth switch");
            }
            if (ev instanceof byte[] p) {
                client.consumed(p.length);
                pendingClient.decrementAndGet(); // the command being handled keeps the count above 0
                return p;
            }
            if (ev == CLIENT_GONE) {
                throw new EOFException("client gone");
            }
            deferred.add(ev);
        }
    }

    /**
     * The one packet of a reply captured from {@code b} (a command sent with ONE_PACKET and
     * CAPTURE); the reply's end is consumed with it, so no stale end-of-reply event is left
     * for the next exchange with {@code b}.
     */
    byte[] awaitCaptured(BackendConnection b) throws IOException {
        List<byte[]> reply = collectReply(b);
        if (reply.size() != 1) {
            throw new IOException("expected one packet from " + b + ", got " + reply.size());
        }
        return reply.get(0);
    }

    // ---------------------------------------------------------------- SessionContext

    @Override
    public BackendConnection connect(Server server) throws IOException {
        BackendConnection pooled = service.pool().take(server, login, loop);
        if (pooled != null) {
            BackendConnection reset = reuse(pooled);
            if (reset != null) {
                reset.hook(replyHook);
                return reset;
            }
        }
        BackendConnection c = BackendConnection.open(server, loop, login, backendListener, service.backendTimeout());
        c.poolable(service.pool(), login);
        c.hook(replyHook);
        if (client != null) {
            c.endpoint().client(client); // opened after the handshake (a router connecting lazily)
        }
        return c;
    }

    @Override
    public io.loomscale.protocol.client.SqlConnection loginAs(String host, int port, Duration timeout) throws IOException {
        LoginInfo l = login;
        return io.loomscale.protocol.client.SqlConnection.open(host, port, l.user(),
                l.stage1() == null ? new byte[20] : l.stage1(), l.stage1() == null, timeout);
    }

    @Override
    public long clientCapabilities() {
        return clientCaps;
    }

    @Override
    public List<byte[]> collectReply(BackendConnection b) throws IOException {
        List<byte[]> out = new java.util.ArrayList<>();
        for (java.util.Iterator<Object> it = deferred.iterator(); it.hasNext(); ) {
            Object ev = it.next();
            if (ev instanceof Captured c && c.endpoint() == b.endpoint()) {
                out.add(c.packet());
                it.remove();
            } else if (ev instanceof ReplyEnded r && r.endpoint() == b.endpoint()
                    && (r.expectation() & ReplyTracker.CAPTURE) != 0) {
                it.remove();
                return out;
            } else if (ev instanceof BackendFailed f && f.endpoint() == b.endpoint()) {
                throw new IOException("backend " + b + " failed: " + f.cause().getMessage()); // left for the command loop
            }
        }
        long timeout = service.backendTimeout().toNanos() * 10;
        while (true) {
            Object ev;
            try {
                ev = inbox.take(timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted waiting for " + b);
            }
            if (ev == null) {
                throw new IOException("timed out waiting for a reply from " + b);
            }
            if (ev instanceof Captured c && c.endpoint() == b.endpoint()) {
                out.add(c.packet());
                continue;
            }
            if (ev instanceof ReplyEnded r && r.endpoint() == b.endpoint()
                    && (r.expectation() & ReplyTracker.CAPTURE) != 0) {
                return out; // (a filter's marked reply ending meanwhile is kept for the command loop)
            }
            deferred.add(ev); // including a failure of b: the command loop still hears of it
            if (ev instanceof BackendFailed f && f.endpoint() == b.endpoint()) {
                throw new IOException("backend " + b + " failed: " + f.cause().getMessage());
            }
            if (ev == CLIENT_GONE) {
                throw new EOFException("client gone");
            }
        }
    }

    /** Takes over a pooled connection and resets it with COM_RESET_CONNECTION; null if that fails. */
    private BackendConnection reuse(BackendConnection c) {
        c.endpoint().listener(backendListener);
        if (client != null) {
            c.endpoint().client(client);
        }
        c.reopen();
        try {
            c.send(new byte[] {1, 0, 0, 0, (byte) Commands.COM_RESET_CONNECTION},
                    io.loomscale.protocol.ReplyTracker.ONE_PACKET | io.loomscale.protocol.ReplyTracker.CAPTURE);
            byte[] r = awaitCaptured(c);
            if (Packets.firstByte(r) == Packets.OK) {
                log.debug("{}: reusing pooled connection {}", who(), c);
                return c;
            }
            log.info("{}: pooled connection {} refused the reset: {}", who(), c, ErrPacket.decode(r));
        } catch (IOException | RuntimeException e) { // an interrupt arrives as InterruptedIOException, flag kept
            log.debug("{}: pooled connection {} unusable: {}", who(), c, e.toString());
        }
        c.server().connectionClosed();
        c.closeNow();
        return null;
    }

    @Override
    public void sendToClient(byte[] packet) throws IOException {
        if (client == null) {
            throw new IOException("client not connected");
        }
        Downstream d = downstream;
        if (d != null) {
            for (BackendConnection b : d.backends()) {
                if (!b.isClosed()) {
                    b.endpoint().awaitReplies(0);
                }
            }
        }
        lastSentHeader = Packets.firstByte(packet);
        if (routing != null) {
            sentWhileRouting = packet;
        }
        client.write(ByteBuffer.wrap(packet));
    }

    private void sendQuietly(byte[] packet) {
        try {
            if (client != null) {
                client.write(ByteBuffer.wrap(packet));
            } else if (handshakeOut != null) {
                handshakeOut.write(packet);
            }
        } catch (IOException | RuntimeException ignored) {
            // the client is gone; nothing to tell it
        }
    }

    /** Ends the session from another thread (admin kill, shutdown). */
    public void kill() {
        inbox.post(KILLED);
    }

    // ---------------------------------------------------------------- events from the loop

    @Override
    public void clientPacket(byte[] packet) {
        pendingClient.incrementAndGet();
        inbox.post(packet);
    }

    /**
     * Loop thread: forwards a plain packet straight to the backend when the session has nothing
     * of the client's in hand (so order is kept) and the packet needs none of the session's own
     * handling.
     */
    @Override
    public boolean tryFastPath(byte[] packet) {
        FastPath fp = fastPath;
        if (fp == null || pendingClient.get() != 0 || packet.length <= Packets.HEADER) {
            return false;
        }
        if (packet[3] == 0 && !receivingFile()) {
            int cmd = packet[Packets.HEADER] & 0xff;
            if (cmd == Commands.COM_QUIT || cmd == Commands.COM_CHANGE_USER || cmd == Commands.COM_PROCESS_KILL
                    || cmd == Commands.COM_INIT_DB
                    || (cmd == Commands.COM_QUERY && (KillStatement.mayBeKill(packet) || UseStatement.mayBeUse(packet)))) {
                return false;
            }
        }
        if (!fp.tryRoute(packet)) {
            return false;
        }
        lastActive = System.nanoTime();
        lastFastPacket = packet.length <= 65536 ? packet : null;
        service.countStatement();
        return true;
    }

    /**
     * Whether a backend is receiving a LOAD DATA LOCAL file: then every client packet is file
     * data, even one whose sequence id wrapped to 0 and whose first byte looks like COM_QUIT.
     */
    private boolean receivingFile() {
        Downstream d = downstream;
        if (d == null) {
            return false;
        }
        List<BackendConnection> bs = d.backends();
        for (int i = 0; i < bs.size(); i++) {
            if (bs.get(i).endpoint().tracker().isReceivingFile()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void clientClosed(IOException cause) {
        inbox.post(CLIENT_GONE);
    }

    private final class BackendEvents implements BackendEndpoint.Listener {
        @Override
        public void replyEnded(BackendEndpoint backend, int expectation, int header, int status, long rows, long bytes,
                byte[] collected) {
            inbox.post(new ReplyEnded(backend, expectation, header, status, rows, bytes, collected, System.nanoTime()));
        }

        @Override
        public void captured(BackendEndpoint backend, byte[] packet) {
            inbox.post(new Captured(backend, packet));
        }

        @Override
        public void backendFailed(BackendEndpoint backend, IOException cause, byte[] serverPacket) {
            inbox.post(new BackendFailed(backend, cause, serverPacket));
        }
    }

    @Override
    public String toString() {
        return who();
    }
}
