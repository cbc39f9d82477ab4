package io.loomscale.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One TLS connection's {@link SSLEngine} and its buffers, used in two phases on one socket.
 *
 * <p>Blocking phase (the MariaDB handshake, on the session's virtual thread): {@link #handshake},
 * {@link #in} and {@link #out} move ciphertext through the socket's blocking streams; a read parks
 * the virtual thread, never its carrier. Non-blocking phase (after login, on the selector thread):
 * {@link #read} unwraps into the endpoint's read buffer and {@link #wrap} encrypts what an
 * endpoint writes, under the endpoint's output lock. Whatever the first phase read ahead (a
 * client that pipelines its first command after the handshake response) stays in {@code netIn}
 * / {@code appIn} and is delivered by the second.
 *
 * <p>Buffers: {@code netIn} holds ciphertext not yet unwrapped (write mode), {@code appIn}
 * plaintext not yet handed out (read mode), {@code netOut} ciphertext being written (owned by
 * whoever holds the endpoint's output lock). The engine's own lock makes a concurrent wrap (a
 * session thread writing) and unwrap (the selector thread reading) safe; neither is held across
 * socket I/O.
 */
public final class TlsEngine {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** Writes handshake records that an unwrap on the read side asked for (TLS 1.3 key update). */
    public interface ControlWriter {
        void writeTlsControl() throws IOException;
    }

    private final SSLEngine engine;
    private ByteBuffer netIn;
    private ByteBuffer appIn;
    private ByteBuffer netOut;
    private boolean inboundDone;

    public TlsEngine(SSLEngine engine) {
        this.engine = engine;
        SSLSession s = engine.getSession();
        this.netIn = ByteBuffer.allocate(s.getPacketBufferSize());
        this.appIn = ByteBuffer.allocate(s.getApplicationBufferSize()).flip();
        this.netOut = ByteBuffer.allocate(s.getPacketBufferSize());
    }

    public SSLEngine engine() {
        return engine;
    }

    public SSLSession session() {
        return engine.getSession();
    }

    // ---------------------------------------------------------------- blocking phase

    /** Runs the TLS handshake over blocking streams (a TCP socket's read timeout applies). */
    public void handshake(InputStream rawIn, OutputStream rawOut) throws IOException {
        engine.beginHandshake();
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> writeRecords(EMPTY, rawOut);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    SSLEngineResult r = unwrapOnce();
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        fillBlocking(rawIn);
                    } else if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new EOFException("peer closed the connection during the TLS handshake");
                    }
                }
                case NEED_TASK -> runTasks();
                default -> {
                    return; // FINISHED or NOT_HANDSHAKING
                }
            }
        }
    }

    /** Plaintext input over a blocking stream of ciphertext. */
    public InputStream in(InputStream rawIn, OutputStream rawOut) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (!appIn.hasRemaining()) {
                    if (inboundDone) {
                        return -1;
                    }
                    SSLEngineResult r = unwrapOnce();
                    switch (r.getStatus()) {
                        case BUFFER_UNDERFLOW -> fillBlocking(rawIn);
                        case CLOSED -> inboundDone = true;
                        default -> {
                            // OK: plaintext, or a handshake message
                        }
                    }
                    afterUnwrap(r, () -> writeRecords(EMPTY, rawOut));
                }
                int n = Math.min(len, appIn.remaining());
                appIn.get(b, off, n);
                return n;
            }
        };
    }

    /** Plaintext output to a blocking stream of ciphertext. */
    public OutputStream out(OutputStream rawOut) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writeRecords(ByteBuffer.wrap(b, off, len), rawOut);
            }
        };
    }

    private void writeRecords(ByteBuffer src, OutputStream rawOut) throws IOException {
        do {
            ByteBuffer enc = wrap(src);
            rawOut.write(enc.array(), enc.arrayOffset() + enc.position(), enc.remaining());
        } while (src.hasRemaining());
        rawOut.flush();
    }

    private void fillBlocking(InputStream rawIn) throws IOException {
        ensureNetInRoom();
        int n = rawIn.read(netIn.array(), netIn.arrayOffset() + netIn.position(), netIn.remaining());
        if (n < 0) {
            throw new EOFException("peer closed the connection inside a TLS record");
        }
        netIn.position(netIn.position() + n);
    }

    // ---------------------------------------------------------------- non-blocking phase

    /**
     * Selector thread: moves plaintext into {@code dst}, unwrapping what is buffered and, when
     * {@code fromSocket}, reading the non-blocking channel for more. Returns the bytes put into
     * {@code dst} (0 when nothing is available yet) or -1 at the end of the stream (socket closed
     * or the peer's close_notify) with nothing delivered.
     */
    public int read(SocketChannel ch, ByteBuffer dst, boolean fromSocket, ControlWriter control) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            if (appIn.hasRemaining()) {
                int n = Math.min(dst.remaining(), appIn.remaining());
                int lim = appIn.limit();
                appIn.limit(appIn.position() + n);
                dst.put(appIn);
                appIn.limit(lim);
                total += n;
                continue;
            }
            if (inboundDone) {
                return total > 0 ? total : -1;
            }
            SSLEngineResult r = unwrapOnce();
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                inboundDone = true;
            } else if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                if (!fromSocket) {
                    return total;
                }
                ensureNetInRoom();
                int n = ch.read(netIn);
                if (n < 0) {
                    inboundDone = true;
                    return total > 0 ? total : -1;
                }
                if (n == 0) {
                    return total;
                }
                continue;
            }
            afterUnwrap(r, control);
        }
        return total;
    }

    /** Whether plaintext or ciphertext is held here that a read without the socket may deliver. */
    public boolean hasBufferedInput() {
        return appIn.hasRemaining() || netIn.position() > 0;
    }

    /**
     * Encrypts from {@code src} as much as fits in the output buffer (at least one record) and
     * returns that buffer ready to be written; the caller loops while {@code src} has bytes. The
     * returned buffer is reused by the next call: the caller must write or copy it first.
     */
    public ByteBuffer wrap(ByteBuffer src) throws IOException {
        netOut.clear();
        do {
            SSLEngineResult r = engine.wrap(src, netOut);
            switch (r.getStatus()) {
                case OK -> {
                    if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                        runTasks();
                    }
                }
                case BUFFER_OVERFLOW -> {
                    if (netOut.position() > 0) {
                        return netOut.flip();
                    }
                    netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
                }
                case CLOSED -> throw new SSLException("TLS connection closed");
                default -> throw new SSLException("unexpected TLS wrap status " + r.getStatus());
            }
            // Handshake records the engine still owes (session tickets, key update) go out too.
        } while ((src.hasRemaining() || engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP)
                && netOut.remaining() >= engine.getSession().getPacketBufferSize());
        return netOut.flip();
    }

    // ---------------------------------------------------------------- shared

    private SSLEngineResult unwrapOnce() throws SSLException {
        netIn.flip();
        appIn.compact();
        try {
            SSLEngineResult r = engine.unwrap(netIn, appIn);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                // Only possible when appIn was not empty, which callers never allow; grow anyway.
                ByteBuffer bigger = ByteBuffer.allocate(appIn.position() + engine.getSession().getApplicationBufferSize());
                appIn.flip();
                bigger.put(appIn);
                appIn = bigger;
            }
            return r;
        } finally {
            appIn.flip();
            netIn.compact();
        }
    }

    private void afterUnwrap(SSLEngineResult r, ControlWriter control) throws IOException {
        SSLEngineResult.HandshakeStatus hs = r.getHandshakeStatus();
        if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
            runTasks();
            hs = engine.getHandshakeStatus();
        }
        if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            control.writeTlsControl();
        }
    }

    private void ensureNetInRoom() {
        int want = engine.getSession().getPacketBufferSize();
        if (netIn.capacity() < want || !netIn.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(want, netIn.capacity() * 2));
            netIn.flip();
            bigger.put(netIn);
            netIn = bigger;
        }
    }

    private void runTasks() {
        Runnable t;
        while ((t = engine.getDelegatedTask()) != null) {
            t.run();
        }
    }
}
