package io.loomscale.session;

import io.loomscale.monitor.Server;
import io.loomscale.net.BackendEndpoint;
import io.loomscale.net.EventLoop;
import io.loomscale.protocol.AuthSwitchRequest;
import io.loomscale.protocol.Capabilities;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.protocol.HandshakeResponse;
import io.loomscale.protocol.HandshakeV10;
import io.loomscale.protocol.NativePassword;
import io.loomscale.protocol.PacketBuilder;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.ProtocolException;
import io.loomscale.protocol.ReplyTracker;
import io.loomscale.tls.TlsContext;
import io.loomscale.tls.TlsEngine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A logged-in connection from a session to one backend server. The login runs in blocking mode on
 * the session's virtual thread (parking is cheap there); after it the socket turns non-blocking
 * and is handed to an {@link EventLoop} as a {@link BackendEndpoint}. With the server's
 * {@code proxy_protocol} the connection starts with a PROXY header naming the client; with its
 * {@code ssl} the login switches to TLS after the server's greeting (SSL request, TLS handshake,
 * then the handshake response inside TLS) and the endpoint keeps the TLS engine.
 */
public final class BackendConnection {
    private final Server server;
    private final BackendEndpoint endpoint;
    private final HandshakeV10 handshake;
    private final byte[] finalOk;
    private volatile boolean closed;
    private PersistentPool pool;
    private LoginInfo login;
    /** The session's reply hook (null for a connection no session owns yet). */
    private ReplyHook hook;

    private BackendConnection(Server server, BackendEndpoint endpoint, HandshakeV10 handshake, byte[] finalOk) {
        this.server = server;
        this.endpoint = endpoint;
        this.handshake = handshake;
        this.finalOk = finalOk;
    }

    /**
     * Connects and logs in; the connection is registered with {@code loop} but forwards nowhere
     * until {@link BackendEndpoint#client} is set.
     *
     * @throws BackendException with the server's ERR if it refused the login
     */
    public static BackendConnection open(Server server, EventLoop loop, LoginInfo login,
            BackendEndpoint.Listener listener, Duration timeout) throws IOException {
        SocketChannel ch = SocketChannel.open();
        boolean ok = false;
        try {
            ch.configureBlocking(true);
            ch.socket().setTcpNoDelay(true);
            ch.socket().setKeepAlive(true);
            try {
                ch.socket().connect(new InetSocketAddress(server.address(), server.port()), (int) timeout.toMillis());
            } catch (IOException e) {
                throw new BackendException("cannot connect to " + server + ": " + e.getMessage(), e);
            }
            ch.socket().setSoTimeout((int) timeout.toMillis());
            InputStream in = ch.socket().getInputStream();
            OutputStream out = ch.socket().getOutputStream();
            if (server.config().proxyProtocol()) {
                out.write(io.loomscale.net.ProxyHeader.v1(login.client(), ch.getLocalAddress()));
            }
            HandshakeV10 hs;
            byte[] first = readPacket(in);
            if (Packets.firstByte(first) == Packets.ERR) {
                ErrPacket err = ErrPacket.decode(first);
                throw new BackendException(server + " refused the connection: " + err, err);
            }
            hs = HandshakeV10.decode(first);
            long caps = (login.capabilities() & hs.capabilities()) | Capabilities.PROTOCOL_41
                    | Capabilities.SECURE_CONNECTION | Capabilities.PLUGIN_AUTH;
            caps &= ~(Capabilities.SSL | Capabilities.COMPRESS | Capabilities.CLIENT_MYSQL);
            if (login.database() != null && !login.database().isEmpty()) {
                caps |= Capabilities.CONNECT_WITH_DB;
            } else {
                caps &= ~Capabilities.CONNECT_WITH_DB;
            }
            if (login.connectAttrs() == null) {
                caps &= ~Capabilities.CONNECT_ATTRS;
            }
            int seq = 1;
            TlsEngine tls = null;
            TlsContext tlsContext = TlsContext.forServer(server.config().tls());
            if (tlsContext != null) {
                if (!Capabilities.has(hs.capabilities(), Capabilities.SSL)) {
                    throw new BackendException(server + " does not offer TLS, but [server." + server.name()
                            + "] has ssl = true", (Throwable) null);
                }
                caps |= Capabilities.SSL;
                out.write(HandshakeResponse.sslRequest(caps, login.maxPacketSize(), login.collation(), seq++));
                tls = tlsContext.newEngine(server.address(), server.port());
                try {
                    tls.handshake(in, out);
                } catch (javax.net.ssl.SSLException e) {
                    throw new BackendException("TLS handshake with " + server + " failed: " + e.getMessage(), e);
                }
                in = tls.in(in, out);
                out = tls.out(out);
            }
            byte[] stage1 = login.stage1();
            byte[] reply = stage1 == null ? new byte[0] : NativePassword.scrambleWithStage1(hs.seed(), stage1);
            HandshakeResponse resp = new HandshakeResponse(caps, login.maxPacketSize(), login.collation(), login.user(),
                    reply, login.database(), NativePassword.PLUGIN, login.connectAttrs());
            out.write(resp.encode(seq));
            byte[] finalOk = finishLogin(server, in, out, stage1, login.clearPassword(), tls != null);
            ch.socket().setSoTimeout(0);
            ch.configureBlocking(false);
            ReplyTracker tracker = new ReplyTracker(Capabilities.has(caps, Capabilities.DEPRECATE_EOF));
            BackendEndpoint ep = new BackendEndpoint(ch, loop, tracker, listener, tls);
            ep.gauge(server.load());
            BackendConnection bc = new BackendConnection(server, ep, hs, finalOk);
            ep.register();
            server.connectionOpened();
            ok = true;
            return bc;
        } catch (SocketTimeoutException e) {
            throw new BackendException("timed out logging in to " + server, e);
        } catch (ProtocolException e) {
            throw new BackendException("protocol error logging in to " + server + ": " + e.getMessage(), e);
        } finally {
            if (!ok) {
                server.load().error();
                ch.close();
            }
        }
    }

    /** Reads OK, ERR or an auth switch to mysql_native_password; returns the final OK packet. */
    static byte[] finishLogin(Server server, InputStream in, OutputStream out, byte[] stage1) throws IOException {
        return finishLogin(server, in, out, stage1, null, false);
    }

    /**
     * Reads OK, ERR or auth switches until the login ends; returns the final OK packet. With the
     * client's clear password ({@code clear}, learned over TLS) it also answers client_ed25519
     * (a signature of the server's nonce), and mysql_clear_password or dialog (the password; only
     * on a TLS connection to the server, or to a server on a loopback address, so the password
     * never crosses a network unencrypted).
     */
    static byte[] finishLogin(Server server, InputStream in, OutputStream out, byte[] stage1, byte[] clear,
            boolean tls) throws IOException {
        for (int round = 0; round < 4; round++) {
            byte[] p = readPacket(in);
            int h = Packets.firstByte(p);
            if (h == Packets.OK) {
                return p;
            }
            if (h == Packets.ERR) {
                ErrPacket err = ErrPacket.decode(p);
                throw new BackendException(server + " refused the login: " + err, err);
            }
            if (h == Packets.EOF) {
                byte[] r = answerSwitch(server, p, stage1, clear, tls);
                out.write(new PacketBuilder(r.length + 4).bytes(r).build(Packets.sequence(p) + 1));
                continue;
            }
            throw new BackendException(server + " sent 0x" + Integer.toHexString(h) + " during login", (Throwable) null);
        }
        throw new BackendException(server + ": too many authentication rounds", (Throwable) null);
    }

    /**
     * The answer to a server's auth switch request {@code packet}: a native scramble with
     * {@code stage1}, or with the client's clear password (learned over TLS) a client_ed25519
     * signature, or the password itself for mysql_clear_password and dialog when it cannot be
     * read on the way ({@code tls} to the server, or a loopback server).
     *
     * @throws BackendException when the proxy cannot answer, saying why
     */
    static byte[] answerSwitch(Server server, byte[] packet, byte[] stage1, byte[] clear, boolean tls)
            throws BackendException {
        AuthSwitchRequest sw = AuthSwitchRequest.decode(packet);
        if (NativePassword.PLUGIN.equals(sw.plugin())) {
            return stage1 == null ? new byte[0] : NativePassword.scrambleWithStage1(sw.data(), stage1);
        }
        if (io.loomscale.protocol.Ed25519Password.PLUGIN.equals(sw.plugin()) && clear != null) {
            return io.loomscale.protocol.Ed25519Password.sign(clear, switchData(packet, sw.plugin(),
                    io.loomscale.protocol.Ed25519Password.NONCE_LENGTH));
        }
        if (("mysql_clear_password".equals(sw.plugin()) || "dialog".equals(sw.plugin())) && clear != null
                && (tls || isLoopback(server))) {
            return java.util.Arrays.copyOf(clear, clear.length + 1); // NUL-terminated
        }
        throw new BackendException(server + " asks for auth plugin '" + sw.plugin() + "', which the proxy"
                + " cannot answer for this client" + (clear == null
                        ? " (it does not know the password: for ed25519 and pam accounts, connect over TLS)"
                        : " (the password would cross the network in clear text: set ssl = true for the server)"),
                (Throwable) null);
    }

    /** The first {@code n} bytes after the plugin name of an auth switch request (a nonce may end in 0). */
    private static byte[] switchData(byte[] packet, String plugin, int n) {
        int start = Packets.HEADER + 1 + plugin.length() + 1;
        if (packet.length < start + n) {
            throw new ProtocolException("auth switch to " + plugin + ": " + (packet.length - start)
                    + " bytes of data (expected: " + n + ")");
        }
        return java.util.Arrays.copyOfRange(packet, start, start + n);
    }

    private static boolean isLoopback(Server server) {
        try {
            return java.net.InetAddress.getByName(server.address()).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    static byte[] readPacket(InputStream in) throws IOException {
        return Packets.read(in, Packets.MAX_PAYLOAD, "server");
    }

    public Server server() {
        return server;
    }

    public BackendEndpoint endpoint() {
        return endpoint;
    }

    /** The backend's thread id (what KILL on that server needs). */
    public long threadId() {
        return handshake.connectionId();
    }

    public HandshakeV10 handshake() {
        return handshake;
    }

    /** The OK packet that ended the login (status flags and session-state info of a fresh connection). */
    public byte[] loginOk() {
        return finalOk;
    }

    /**
     * Announces the reply and sends one command packet. A reply for the client
     * ({@link ReplyTracker#FORWARD}) passes the session's hook, which marks it when a filter asked
     * for the reply of the statement being routed (one field read when none did).
     */
    public void send(byte[] packet, int expectation) throws IOException {
        ReplyHook h = hook;
        if (h != null && (expectation & ReplyTracker.FORWARD) != 0) {
            expectation = h.adjust(this, expectation);
        }
        server.statementRouted();
        endpoint.send(packet, expectation);
    }

    public boolean isClosed() {
        return closed || endpoint.isClosed();
    }

    /**
     * Ends this session's use of the connection: it goes to the server's persistent pool when
     * {@code persistpoolmax} allows and the connection is clean (no reply outstanding, nothing
     * queued), otherwise it is closed.
     */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.connectionClosed();
        // A PROXY protocol connection carries its client's address: never hand it to another client.
        if (pool != null && !server.config().proxyProtocol() && pool.offer(this, login)) {
            return;
        }
        closeNow();
    }

    /** The owning session's hook on replies for the client. */
    void hook(ReplyHook h) {
        this.hook = h;
    }

    /**
     * The session side of the reply hook: given the expectation of a reply for the client,
     * returns it unchanged, or marked to notify the session (and collected instead of forwarded)
     * when a filter asked for the reply of the statement being routed.
     */
    interface ReplyHook {
        int adjust(BackendConnection target, int expectation);
    }

    /** Remembers where the connection may be pooled when its session ends. */
    void poolable(PersistentPool p, LoginInfo l) {
        this.pool = p;
        this.login = l;
    }

    /** Taken from the pool by a new session: it counts as open again and is no longer closed. */
    void reopen() {
        closed = false;
        server.connectionOpened();
    }

    /** Pool side: whether it can be handed out again (socket open, nothing outstanding or queued). */
    boolean isClean() {
        return !endpoint.isClosed() && endpoint.tracker().isIdle() && endpoint.pendingBytes() == 0;
    }

    /** Closes the socket for good (COM_QUIT first). */
    void closeNow() {
        if (!endpoint.isClosed()) {
            try {
                endpoint.write(new byte[] {1, 0, 0, 0, 0x01}); // COM_QUIT
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        endpoint.close();
    }

    @Override
    public String toString() {
        return server.name() + "#" + threadId();
    }
}
