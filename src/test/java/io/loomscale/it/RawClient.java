package io.loomscale.it;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A deliberately small MariaDB client on a plain blocking socket, written for these tests only
 * (independent of the proxy's own codec, so a codec bug cannot hide itself): the handshake with
 * mysql_native_password, COM_QUERY with text results, COM_CHANGE_USER, and raw bytes for the
 * robustness tests (garbage, truncated and oversized packets).
 *
 * <p>It asks for no CLIENT_DEPRECATE_EOF, so results end with EOF packets. One thread uses an
 * instance at a time.
 *
 * @see <a href="https://mariadb.com/kb/en/connection/">MariaDB: connection phase</a>
 * @see <a href="https://mariadb.com/kb/en/com_change_user/">MariaDB: COM_CHANGE_USER</a>
 */
final class RawClient implements AutoCloseable {
    static final int MAX_PAYLOAD = 0xffffff;

    static final int CLIENT_LONG_FLAG = 1 << 2;
    static final int CLIENT_CONNECT_WITH_DB = 1 << 3;
    static final int CLIENT_PROTOCOL_41 = 1 << 9;
    static final int CLIENT_TRANSACTIONS = 1 << 13;
    static final int CLIENT_SECURE_CONNECTION = 1 << 15;
    static final int CLIENT_MULTI_RESULTS = 1 << 17;
    static final int CLIENT_PLUGIN_AUTH = 1 << 19;
    static final int BASE_CAPS = CLIENT_LONG_FLAG | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS
            | CLIENT_SECURE_CONNECTION | CLIENT_MULTI_RESULTS | CLIENT_PLUGIN_AUTH;
    static final String NATIVE = "mysql_native_password";

    /** What the server said first. */
    record Handshake(int protocol, String serverVersion, long connectionId, byte[] seed, long capabilities,
            String plugin) {
    }

    /** One packet: its sequence id and payload. */
    record Packet(int seq, byte[] payload) {
        int first() {
            return payload.length == 0 ? -1 : payload[0] & 0xff;
        }

        boolean isOk() {
            return first() == 0x00;
        }

        boolean isErr() {
            return first() == 0xff;
        }

        Err err() {
            if (!isErr()) {
                throw new AssertionError("expected an ERR packet, got first byte 0x" + Integer.toHexString(first())
                        + " (" + payload.length + " bytes)");
            }
            return Err.decode(payload);
        }
    }

    /** An ERR packet's content. */
    record Err(int code, String sqlState, String message) {
        static Err decode(byte[] p) {
            int code = (p[1] & 0xff) | (p[2] & 0xff) << 8;
            if (p.length > 3 && p[3] == '#') {
                return new Err(code, new String(p, 4, 5, StandardCharsets.US_ASCII),
                        new String(p, 9, p.length - 9, StandardCharsets.UTF_8));
            }
            return new Err(code, "", new String(p, 3, p.length - 3, StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "ERR " + code + " (" + sqlState + "): " + message;
        }
    }

    /** A whole text-protocol reply: an ERR, an OK (no columns), or rows (values as strings, null for NULL). */
    record Result(Err err, long affectedRows, List<String> columns, List<List<String>> rows) {
        String single() {
            if (err != null) {
                throw new AssertionError("query failed: " + err);
            }
            return rows.get(0).get(0);
        }
    }

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private Handshake handshake;
    /** Sequence id of the handshake response: 1, or 2 after an SSL request. */
    private int responseSeq = 1;
    private int tlsCaps;
    private volatile long streamed;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects (nothing read yet); reads time out after {@code timeout}. */
    static RawClient connect(String host, int port, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            return new RawClient(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Connects and logs in; fails the test with the server's ERR when the login is refused. */
    static RawClient login(int port, String user, String password, String db) throws IOException {
        RawClient c = connect(TestProxy.HOST, port, Duration.ofSeconds(10));
        try {
            c.readHandshake();
            Packet p = c.authenticate(user, password, db);
            if (!p.isOk()) {
                throw new AssertionError("login of " + user + " on port " + port + " refused: "
                        + (p.isErr() ? p.err() : "0x" + Integer.toHexString(p.first())));
            }
            return c;
        } catch (IOException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    Socket socket() {
        return socket;
    }

    Handshake handshake() {
        return handshake;
    }

    void setTimeout(Duration d) throws IOException {
        socket.setSoTimeout((int) d.toMillis());
    }

    // ------------------------------------------------------------------ connection phase

    Handshake readHandshake() throws IOException {
        Packet p = readPacket();
        if (p.isErr()) {
            throw new AssertionError("server refused the connection: " + p.err());
        }
        Reader r = new Reader(p.payload());
        int protocol = r.int1();
        String version = r.nulString();
        long id = r.int4();
        byte[] seed1 = r.bytes(8);
        r.int1(); // filler
        long caps = r.int2();
        r.int1(); // charset
        r.int2(); // status
        caps |= (long) r.int2() << 16;
        int authLen = r.int1();
        r.bytes(6);
        caps |= r.int4() << 32; // MariaDB extended capabilities
        byte[] seed2 = r.bytes(Math.max(12, authLen - 9));
        r.int1(); // NUL after the seed
        String plugin = r.remaining() > 0 ? r.nulString() : "";
        byte[] seed = new byte[seed1.length + seed2.length];
        System.arraycopy(seed1, 0, seed, 0, seed1.length);
        System.arraycopy(seed2, 0, seed, seed1.length, seed2.length);
        handshake = new Handshake(protocol, version, id, seed, caps, plugin);
        return handshake;
    }

    /**
     * After {@link #readHandshake()}: sends the SSL request and continues over TLS (the
     * connection's streams become the TLS socket's), trusting {@code ctx}'s certificates.
     */
    void startTls(javax.net.ssl.SSLContext ctx) throws IOException {
        tlsCaps = 1 << 11; // CLIENT_SSL
        Writer w = new Writer();
        w.int4(BASE_CAPS | tlsCaps).int4(16 << 20).int1(45).zeros(23);
        writePacket(1, w.toByteArray());
        javax.net.ssl.SSLSocket t = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket(socket,
                TestProxy.HOST, socket.getPort(), true);
        t.setUseClientMode(true);
        t.startHandshake();
        socket = t;
        in = t.getInputStream();
        out = t.getOutputStream();
        responseSeq = 2;
    }

    /** The HandshakeResponse41 payload for {@code user} with a native-password reply on our seed. */
    byte[] handshakeResponse(String user, String password, String db) {
        return handshakeResponse(user, db, NATIVE, scramble(handshake.seed(), password));
    }

    /** A HandshakeResponse41 payload naming {@code plugin}, with {@code auth} as its auth data. */
    byte[] handshakeResponse(String user, String db, String plugin, byte[] auth) {
        int caps = BASE_CAPS | tlsCaps | (db != null ? CLIENT_CONNECT_WITH_DB : 0);
        Writer w = new Writer();
        w.int4(caps).int4(16 << 20).int1(45).zeros(23).nulString(user).int1(auth.length).bytes(auth);
        if (db != null) {
            w.nulString(db);
        }
        w.nulString(plugin);
        return w.toByteArray();
    }

    /** Sends the handshake response and follows auth switches; returns the final OK or ERR. */
    Packet authenticate(String user, String password, String db) throws IOException {
        writePacket(responseSeq, handshakeResponse(user, password, db));
        return finishAuth(password);
    }

    /**
     * Sends a handshake response naming another plugin (with that plugin's first data), then
     * answers the auth switch to mysql_native_password that must follow; returns the final OK or ERR.
     */
    Packet authenticateOffering(String plugin, byte[] firstData, String user, String password, String db)
            throws IOException {
        writePacket(1, handshakeResponse(user, db, plugin, firstData));
        return finishAuth(password);
    }

    private Packet finishAuth(String password) throws IOException {
        for (int round = 0; round < 3; round++) {
            Packet p = readPacket();
            if (p.first() != 0xfe) {
                return p;
            }
            Reader r = new Reader(p.payload());
            r.int1();
            String plugin = r.nulString();
            byte[] pw = password == null ? new byte[0] : password.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (plugin.equals("mysql_clear_password")) {
                writePacket(p.seq() + 1, java.util.Arrays.copyOf(pw, pw.length + 1));
            } else if (plugin.equals("client_ed25519")) {
                writePacket(p.seq() + 1, io.loomscale.protocol.Ed25519Password.sign(pw, r.bytes(32)));
            } else if (NATIVE.equals(plugin)) {
                byte[] seed = r.bytes(Math.min(20, r.remaining()));
                writePacket(p.seq() + 1, scramble(seed, password));
            } else {
                throw new AssertionError("auth switch to unsupported plugin " + plugin);
            }
        }
        throw new AssertionError("too many auth switch rounds");
    }

    /** mysql_native_password: SHA1(pw) XOR SHA1(seed + SHA1(SHA1(pw))); empty for an empty password. */
    static byte[] scramble(byte[] seed, String password) {
        if (password == null || password.isEmpty()) {
            return new byte[0];
        }
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] stage1 = sha1.digest(password.getBytes(StandardCharsets.UTF_8));
            byte[] stage2 = sha1.digest(stage1);
            sha1.update(seed, 0, 20);
            sha1.update(stage2);
            byte[] x = sha1.digest();
            for (int i = 0; i < x.length; i++) {
                x[i] ^= stage1[i];
            }
            return x;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ commands

    /** One packet as it goes on the wire: a 4-byte header (length, {@code seq}), then {@code payload}. */
    static byte[] framed(int seq, byte[] payload) {
        byte[] p = new byte[4 + payload.length];
        p[0] = (byte) payload.length;
        p[1] = (byte) (payload.length >>> 8);
        p[2] = (byte) (payload.length >>> 16);
        p[3] = (byte) seq;
        System.arraycopy(payload, 0, p, 4, payload.length);
        return p;
    }

    /** Sends one command (split into 16 MiB packets when needed) and returns the reply's first packet. */
    Packet command(byte[] payload) throws IOException {
        writeCommand(payload);
        return readPacket();
    }

    /** Writes a command payload, split into MAX_PAYLOAD parts with sequence ids 0, 1, ... as the protocol wants. */
    void writeCommand(byte[] payload) throws IOException {
        int seq = 0;
        int off = 0;
        while (true) {
            int n = Math.min(MAX_PAYLOAD, payload.length - off);
            writePacket(seq++, payload, off, n, false);
            off += n;
            if (n < MAX_PAYLOAD) {
                break;
            }
        }
        out.flush();
    }

    /** COM_QUERY, whole text result read. */
    Result query(String sql) throws IOException {
        byte[] q = sql.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[q.length + 1];
        payload[0] = 0x03;
        System.arraycopy(q, 0, payload, 1, q.length);
        return readResult(command(payload));
    }

    /** Reads the rest of a text result whose first packet is {@code first}. */
    Result readResult(Packet first) throws IOException {
        if (first.isErr()) {
            return new Result(first.err(), 0, List.of(), List.of());
        }
        if (first.isOk()) {
            Reader r = new Reader(first.payload());
            r.int1();
            long affected = r.lenenc();
            r.lenenc();
            int status = r.int2();
            if ((status & 8) != 0) {
                throw new AssertionError("multi-results are not read by RawClient");
            }
            return new Result(null, affected, List.of(), List.of());
        }
        int n = (int) new Reader(first.payload()).lenenc();
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Reader r = new Reader(readPacket().payload());
            for (int k = 0; k < 4; k++) {
                r.lenencString();
            }
            names.add(r.lenencString());
        }
        Packet eof = readPacket();
        if (eof.first() != 0xfe) {
            throw new AssertionError("expected EOF after column definitions, got 0x" + Integer.toHexString(eof.first()));
        }
        List<List<String>> rows = new ArrayList<>();
        while (true) {
            Packet p = readPacket();
            if (p.first() == 0xfe && p.payload().length < 9) {
                return new Result(null, 0, names, rows);
            }
            if (p.isErr()) {
                return new Result(p.err(), 0, names, rows);
            }
            Reader r = new Reader(p.payload());
            List<String> row = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                row.add(r.lenencString());
            }
            rows.add(row);
        }
    }

    /** COM_CHANGE_USER with a native-password reply on the connection's seed; returns the final OK or ERR. */
    Packet changeUser(String user, String password, String db) throws IOException {
        byte[] auth = scramble(handshake.seed(), password);
        Writer w = new Writer().int1(0x11).nulString(user).int1(auth.length).bytes(auth)
                .nulString(db == null ? "" : db).int2(45).nulString(NATIVE);
        writeCommand(w.toByteArray());
        return finishAuth(password);
    }

    // ------------------------------------------------------------------ packets

    void writePacket(int seq, byte[] payload) throws IOException {
        writePacket(seq, payload, 0, payload.length, true);
    }

    private void writePacket(int seq, byte[] payload, int off, int len, boolean flush) throws IOException {
        byte[] h = {(byte) len, (byte) (len >>> 8), (byte) (len >>> 16), (byte) seq};
        out.write(h);
        out.write(payload, off, len);
        if (flush) {
            out.flush();
        }
    }

    /** Writes bytes as they are, no framing. */
    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one logical packet (joining a split one); EOFException if the peer closed. */
    Packet readPacket() throws IOException {
        ByteArrayOutputStream joined = null;
        while (true) {
            byte[] h = in.readNBytes(4);
            if (h.length < 4) {
                throw new EOFException("connection closed by the peer" + (h.length > 0 ? " mid-header" : ""));
            }
            int len = (h[0] & 0xff) | (h[1] & 0xff) << 8 | (h[2] & 0xff) << 16;
            byte[] p = in.readNBytes(len);
            if (p.length < len) {
                throw new EOFException("connection closed by the peer mid-packet");
            }
            if (len < MAX_PAYLOAD && joined == null) {
                return new Packet(h[3] & 0xff, p);
            }
            if (joined == null) {
                joined = new ByteArrayOutputStream();
            }
            joined.write(p);
            if (len < MAX_PAYLOAD) {
                return new Packet(h[3] & 0xff, joined.toByteArray());
            }
        }
    }

    /** Reads up to {@code max} raw bytes (whatever arrives first); -1 at end of stream. */
    int readSome(byte[] buf) throws IOException {
        return in.read(buf);
    }

    /**
     * Reads until the peer closes; returns the packets received until then (a trailing partial
     * packet is dropped). Fails with SocketTimeoutException when the socket timeout passes first.
     */
    List<Packet> readUntilClosed() throws IOException {
        List<Packet> got = new ArrayList<>();
        while (true) {
            try {
                got.add(readPacket());
            } catch (EOFException e) {
                return got;
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                return got; // reset by peer counts as closed
            }
        }
    }

    /**
     * Every byte until the peer closes (a reset counts as the close), also collected in
     * {@code got}; fails if a read waits longer than {@code timeout}. {@link #bytesRead()} counts
     * them as they come, for another thread.
     */
    byte[] readUntilEndOfStream(Duration timeout, ByteArrayOutputStream got) throws IOException {
        setTimeout(timeout);
        byte[] buf = new byte[65536];
        while (true) {
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                return got.toByteArray();
            }
            if (n < 0) {
                return got.toByteArray();
            }
            got.write(buf, 0, n);
            streamed += n;
        }
    }

    /** Bytes read so far by {@link #readUntilEndOfStream}. Any thread. */
    long bytesRead() {
        return streamed;
    }

    /** Closes the socket without COM_QUIT (an abrupt disconnect). */
    void abort() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    // ------------------------------------------------------------------ codec helpers

    /** Little-endian reader over one payload. */
    static final class Reader {
        private final byte[] b;
        private int pos;

        Reader(byte[] b) {
            this.b = b;
        }

        int remaining() {
            return b.length - pos;
        }

        int int1() {
            return b[pos++] & 0xff;
        }

        int int2() {
            return int1() | int1() << 8;
        }

        long int4() {
            return int2() | (long) int2() << 16;
        }

        byte[] bytes(int n) {
            byte[] r = Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return r;
        }

        String nulString() {
            int start = pos;
            while (b[pos] != 0) {
                pos++;
            }
            String s = new String(b, start, pos - start, StandardCharsets.UTF_8);
            pos++;
            return s;
        }

        /** Length-encoded integer; -1 for the NULL marker 0xfb. */
        long lenenc() {
            int f = int1();
            if (f < 0xfb) {
                return f;
            }
            if (f == 0xfb) {
                return -1;
            }
            int n = f == 0xfc ? 2 : f == 0xfd ? 3 : 8;
            long v = 0;
            for (int i = 0; i < n; i++) {
                v |= (long) int1() << (8 * i);
            }
            return v;
        }

        String lenencString() {
            long n = lenenc();
            if (n < 0) {
                return null;
            }
            String s = new String(b, pos, (int) n, StandardCharsets.UTF_8);
            pos += (int) n;
            return s;
        }
    }

    /** Little-endian payload builder. */
    static final class Writer {
        private final ByteArrayOutputStream o = new ByteArrayOutputStream();

        Writer int1(int v) {
            o.write(v);
            return this;
        }

        Writer int2(int v) {
            return int1(v & 0xff).int1(v >>> 8 & 0xff);
        }

        Writer int4(long v) {
            return int2((int) (v & 0xffff)).int2((int) (v >>> 16 & 0xffff));
        }

        Writer zeros(int n) {
            for (int i = 0; i < n; i++) {
                o.write(0);
            }
            return this;
        }

        Writer bytes(byte[] b) {
            o.writeBytes(b);
            return this;
        }

        Writer nulString(String s) {
            o.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            o.write(0);
            return this;
        }

        byte[] toByteArray() {
            return o.toByteArray();
        }
    }
}
