package io.loomscale.protocol.client;

import io.loomscale.protocol.AuthSwitchRequest;
import io.loomscale.protocol.Capabilities;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.protocol.HandshakeResponse;
import io.loomscale.protocol.HandshakeV10;
import io.loomscale.protocol.NativePassword;
import io.loomscale.protocol.OkPacket;
import io.loomscale.protocol.PacketBuilder;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.Payload;
import io.loomscale.protocol.ProtocolException;
import io.loomscale.tls.TlsContext;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A small blocking MariaDB client for the proxy's own housekeeping: the monitor's probes, loading
 * accounts, and KILL on behalf of a client. One thread uses it at a time (usually a virtual
 * thread; blocking is cheap there). Not for forwarded client traffic, which uses the selector
 * threads. Text protocol only, no multi-statements. TLS (a backend server's {@code ssl}) goes
 * through a blocking {@link javax.net.ssl.SSLSocket}, which parks a virtual thread like a socket.
 */
public final class SqlConnection implements AutoCloseable {
    private static final long CLIENT_CAPS = Capabilities.LONG_FLAG | Capabilities.PROTOCOL_41
            | Capabilities.TRANSACTIONS | Capabilities.SECURE_CONNECTION | Capabilities.MULTI_RESULTS
            | Capabilities.PLUGIN_AUTH | Capabilities.PLUGIN_AUTH_LENENC_CLIENT_DATA;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final HandshakeV10 handshake;
    private final long caps;

    private SqlConnection(Socket socket, HandshakeV10 handshake, long caps) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 16384);
        this.out = socket.getOutputStream();
        this.handshake = handshake;
        this.caps = caps;
    }

    /** Connects and logs in with a clear-text password; throws {@link SqlException} on an ERR. */
    public static SqlConnection open(String host, int port, String user, String password, Duration timeout)
            throws IOException {
        return open(host, port, user, NativePassword.sha1(password.getBytes(StandardCharsets.UTF_8)),
                password.isEmpty(), timeout);
    }

    /**
     * Connects and logs in knowing only {@code SHA1(password)} (as the proxy does for client
     * sessions); {@code emptyPassword} sends an empty reply.
     */
    public static SqlConnection open(String host, int port, String user, byte[] stage1, boolean emptyPassword,
            Duration timeout) throws IOException {
        return open(host, port, user, stage1, emptyPassword, timeout, null);
    }

    /** {@link #open(String, int, String, String, Duration)} over TLS when {@code tls} is not null. */
    public static SqlConnection open(String host, int port, String user, String password, Duration timeout,
            TlsContext tls) throws IOException {
        return open(host, port, user, NativePassword.sha1(password.getBytes(StandardCharsets.UTF_8)),
                password.isEmpty(), timeout, tls);
    }

    /**
     * Logs in knowing {@code SHA1(password)}; with {@code tls} (a server's TLS setup, or null) the
     * login switches to TLS after the greeting: SSL request, TLS handshake, then the response.
     */
    public static SqlConnection open(String host, int port, String user, byte[] stage1, boolean emptyPassword,
            Duration timeout, TlsContext tls) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            InputStream rin = s.getInputStream();
            byte[] first = readPacket(rin);
            HandshakeV10 hs = HandshakeV10.decode(first);
            long caps = CLIENT_CAPS & hs.capabilities();
            int seq = 1;
            Socket conn = s;
            if (tls != null) {
                if (!Capabilities.has(hs.capabilities(), Capabilities.SSL)) {
                    throw new ProtocolException(host + ":" + port + " does not offer TLS, but ssl = true");
                }
                caps |= Capabilities.SSL;
                OutputStream rout = s.getOutputStream();
                rout.write(HandshakeResponse.sslRequest(caps, 16 << 20, 33, seq++));
                rout.flush();
                conn = tls.wrap(s, host, port);
            }
            byte[] reply = emptyPassword ? new byte[0] : NativePassword.scrambleWithStage1(hs.seed(), stage1);
            HandshakeResponse resp = new HandshakeResponse(caps, 16 << 20, 33, user,
                    reply, null, NativePassword.PLUGIN, null);
            SqlConnection c = new SqlConnection(conn, hs, caps);
            c.out.write(resp.encode(seq));
            c.out.flush();
            c.finishAuth(stage1, emptyPassword);
            s.setSoTimeout(0);
            return c;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void finishAuth(byte[] stage1, boolean emptyPassword) throws IOException {
        while (true) {
            byte[] p = readPacket(in);
            int h = Packets.firstByte(p);
            if (h == Packets.OK) {
                return;
            }
            if (h == Packets.ERR) {
                throw new SqlException(ErrPacket.decode(p));
            }
            if (h == Packets.EOF) {
                AuthSwitchRequest sw = AuthSwitchRequest.decode(p);
                if (!NativePassword.PLUGIN.equals(sw.plugin())) {
                    throw new ProtocolException("server asks for unsupported auth plugin " + sw.plugin());
                }
                byte[] r = emptyPassword ? new byte[0] : NativePassword.scrambleWithStage1(sw.data(), stage1);
                out.write(new PacketBuilder(24).bytes(r).build(Packets.sequence(p) + 1));
                out.flush();
                continue;
            }
            throw new ProtocolException("unexpected packet during authentication: 0x" + Integer.toHexString(h));
        }
    }

    public HandshakeV10 handshake() {
        return handshake;
    }

    public String serverVersion() {
        return handshake.serverVersion();
    }

    public long threadId() {
        return handshake.connectionId();
    }

    /** Sets a read timeout for the following calls (zero = none). */
    public void setTimeout(Duration d) throws IOException {
        socket.setSoTimeout((int) d.toMillis());
    }

    /** Runs a statement that returns no rows; returns its OK packet. */
    public OkPacket execute(String sql) throws IOException {
        Result r = query(sql);
        return r.ok();
    }

    /** Runs one statement and reads its whole (small) text result. */
    public Result query(String sql) throws IOException {
        byte[] q = sql.getBytes(StandardCharsets.UTF_8);
        out.write(new PacketBuilder(q.length + 1).int1(0x03).bytes(q).build(0));
        out.flush();
        byte[] first = readPacket(in);
        int h = Packets.firstByte(first);
        if (h == Packets.ERR) {
            throw new SqlException(ErrPacket.decode(first));
        }
        if (h == Packets.OK) {
            OkPacket ok = OkPacket.decode(first, caps);
            drainMoreResults(ok.status());
            return new Result(List.of(), List.of(), ok);
        }
        if (h == Packets.LOCAL_INFILE) {
            throw new ProtocolException("LOCAL INFILE is not supported by the internal client");
        }
        long columns = Payload.ofPacket(first).lenenc();
        List<String> names = new ArrayList<>((int) columns);
        for (long i = 0; i < columns; i++) {
            Payload p = Payload.ofPacket(readPacket(in));
            p.lenencString(); // catalog
            p.lenencString(); // schema
            p.lenencString(); // table
            p.lenencString(); // org table
            names.add(p.lenencString());
        }
        readPacket(in); // EOF after column definitions (no DEPRECATE_EOF requested)
        List<String[]> rows = new ArrayList<>();
        while (true) {
            byte[] p = readPacket(in);
            int b = Packets.firstByte(p);
            if (b == Packets.EOF && p.length < Packets.HEADER + 9) {
                Payload e = Payload.ofPacket(p);
                e.skip(3);
                int status = e.int2();
                drainMoreResults(status);
                return new Result(names, rows, null);
            }
            if (b == Packets.ERR) {
                throw new SqlException(ErrPacket.decode(p));
            }
            Payload r = Payload.ofPacket(p);
            String[] row = new String[(int) columns];
            for (int i = 0; i < columns; i++) {
                row[i] = r.lenencString();
            }
            rows.add(row);
        }
    }

    private void drainMoreResults(int status) throws IOException {
        // Stored procedures may return several results; the housekeeping queries never do, but a
        // connection must stay in sync, so skip any that follow.
        while ((status & 8) != 0) {
            byte[] p = readPacket(in);
            int b = Packets.firstByte(p);
            if (b == Packets.OK) {
                status = OkPacket.decode(p, caps).status();
            } else if (b == Packets.ERR) {
                throw new SqlException(ErrPacket.decode(p));
            } else {
                long columns = Payload.ofPacket(p).lenenc();
                for (long i = 0; i <= columns; i++) {
                    readPacket(in);
                }
                while (true) {
                    byte[] r = readPacket(in);
                    if (Packets.firstByte(r) == Packets.EOF && r.length < Packets.HEADER + 9) {
                        Payload e = Payload.ofPacket(r);
                        e.skip(3);
                        status = e.int2();
                        break;
                    }
                }
            }
        }
    }

    /** Split packets never answer the housekeeping queries, so one packet is at most 16 MiB - 2. */
    static byte[] readPacket(InputStream in) throws IOException {
        return Packets.read(in, Packets.MAX_PAYLOAD - 1, "server");
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        try {
            if (!socket.isClosed()) {
                out.write(new byte[] {1, 0, 0, 0, 0x01});
                out.flush();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    /** A small fully-read result: column names and rows as strings (null for SQL NULL). */
    public record Result(List<String> columns, List<String[]> rows, OkPacket ok) {
        public int column(String name) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).equalsIgnoreCase(name)) {
                    return i;
                }
            }
            return -1;
        }
    }
}
