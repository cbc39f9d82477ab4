package io.loomscale.it;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP relay between the proxy and a real server that can make a backend connection die in the
 * middle of a packet, deterministically (a killed server leaves a cut packet only by chance).
 * Client-to-server bytes are copied as they come; server-to-client bytes are copied packet by
 * packet, so the relay knows where packets start. Once {@link #armCut} is called, the first
 * connection that has relayed more than {@code afterBytes} from the server sends the header and
 * half the payload of its next packet, then both of its sockets are closed (a FIN, as when a
 * server process dies).
 *
 * <p>Each relayed connection uses two virtual threads. Close the relay to stop accepting and
 * close every connection.
 */
final class CuttingRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final String upstreamHost;
    private final int upstreamPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean armed = new AtomicBoolean();
    private volatile long cutAfterBytes;
    private volatile String cutReport;

    CuttingRelay(String upstreamHost, int upstreamPort) throws IOException {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getByName(TestProxy.HOST));
        Thread.ofVirtual().name("relay-accept").start(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The next connection past {@code afterBytes} from the server is cut in its next packet. */
    void armCut(long afterBytes) {
        cutAfterBytes = afterBytes;
        cutReport = null;
        armed.set(true);
    }

    /** What was cut ("packet of N bytes cut after K"), or null while nothing was. */
    String cutReport() {
        return cutReport;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket down = listener.accept();
                Socket up = new Socket();
                up.connect(new InetSocketAddress(upstreamHost, upstreamPort), 5000);
                sockets.add(down);
                sockets.add(up);
                Thread.ofVirtual().start(() -> copyRaw(down, up));
                Thread.ofVirtual().start(() -> copyPackets(up, down));
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    private void copyRaw(Socket from, Socket to) {
        byte[] buf = new byte[65536];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException ignored) {
            // either side closed
        } finally {
            closeBoth(from, to);
        }
    }

    private void copyPackets(Socket server, Socket client) {
        long relayed = 0;
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(server.getInputStream(), 65536));
            OutputStream out = client.getOutputStream();
            byte[] header = new byte[4];
            while (true) {
                in.readFully(header);
                int len = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
                byte[] payload = new byte[len];
                in.readFully(payload);
                if (relayed > cutAfterBytes && len >= 2 && armed.compareAndSet(true, false)) {
                    out.write(header);
                    out.write(payload, 0, len / 2);
                    out.flush();
                    cutReport = "packet with sequence id " + (header[3] & 0xff) + " and " + len
                            + " payload bytes cut after " + (len / 2) + " of them, " + relayed + " bytes relayed before";
                    return;
                }
                out.write(header);
                out.write(payload);
                if (in.available() == 0) {
                    out.flush();
                }
                relayed += 4 + len;
            }
        } catch (IOException ignored) {
            // either side closed
        } finally {
            closeBoth(server, client);
        }
    }

    private void closeBoth(Socket a, Socket b) {
        for (Socket s : new Socket[] {a, b}) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            sockets.remove(s);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
