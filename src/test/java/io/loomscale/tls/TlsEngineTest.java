package io.loomscale.tls;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TlsEngine} as the proxy uses it, against the JDK's SSLSocket as the peer over a loopback
 * TCP connection: blocking handshake and first packet, then non-blocking reads into destination
 * buffers of every size down to one byte (as an endpoint's read buffer or a large packet's array
 * fills), with what the blocking phase read ahead delivered by the non-blocking phase.
 */
class TlsEngineTest {
    private SSLContext server;
    private SSLContext client;
    private ServerSocketChannel listener;

    @BeforeEach
    void setUp() throws Exception {
        // A throw-away self-signed certificate: the JDK's API cannot make one, keytool can.
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("tls-engine-test");
        java.nio.file.Path ks = dir.resolve("ks.p12");
        Process p = new ProcessBuilder("keytool", "-genkeypair", "-alias", "k", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(),
                "-storepass", "secret", "-keypass", "secret").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), "keytool");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(ks)) {
            store.load(in, "secret".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "secret".toCharArray());
        server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void tearDown() throws IOException {
        listener.close();
    }

    @Test
    void readAheadOfTheBlockingPhaseAndEverySizeOfDestinationDeliverTheStreamIntact() throws Exception {
        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            byte[] first = "first packet".getBytes();
            byte[] rest = new byte[200_000];
            new Random(3).nextBytes(rest);
            Thread peer = Thread.ofPlatform().start(() -> {
                try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1",
                        ((InetSocketAddress) listener.getLocalAddress()).getPort())) {
                    s.setEnabledProtocols(new String[] {protocol});
                    s.startHandshake();
                    OutputStream out = s.getOutputStream();
                    out.write(first);
                    out.write(rest, 0, 1000); // pipelined behind the first: read ahead by the blocking phase
                    out.flush();
                    for (int off = 1000; off < rest.length; off += 7000) {
                        out.write(rest, off, Math.min(7000, rest.length - off));
                        out.flush();
                    }
                    s.getInputStream().read(); // wait for the proxy side to close
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (SocketChannel ch = listener.accept()) {
                javax.net.ssl.SSLEngine e = server.createSSLEngine();
                e.setUseClientMode(false);
                TlsEngine tls = new TlsEngine(e);
                InputStream rawIn = ch.socket().getInputStream();
                OutputStream rawOut = ch.socket().getOutputStream();
                tls.handshake(rawIn, rawOut);
                assertEquals(protocol, tls.session().getProtocol());
                byte[] got = tls.in(rawIn, rawOut).readNBytes(first.length);
                assertArrayEquals(first, got);
                Thread.sleep(100); // let the pipelined bytes arrive
                ch.configureBlocking(false);
                byte[] all = new byte[rest.length];
                int fill = 0;
                int size = 1;
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (fill < rest.length && System.nanoTime() < deadline) {
                    ByteBuffer dst = ByteBuffer.wrap(all, fill, Math.min(size, rest.length - fill));
                    int n = tls.read(ch, dst, true, () -> { });
                    assertTrue(n >= 0, "no end of stream");
                    fill += n;
                    size = size % 70_000 + 1 + size / 3; // 1, 2, 3, 5, ... up to whole buffers
                    if (n == 0) {
                        Thread.sleep(1);
                    }
                }
                assertEquals(rest.length, fill);
                assertTrue(Arrays.equals(rest, all), protocol + ": the stream arrives intact");
                assertFalse(tls.hasBufferedInput());
            }
            peer.join(10_000);
        }
    }

    @Test
    void wrapOfALargeWriteMakesRecordsThePeerReadsBack() throws Exception {
        byte[] big = new byte[100_000];
        new Random(5).nextBytes(big);
        byte[][] received = new byte[1][];
        Thread peer = Thread.ofPlatform().start(() -> {
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1",
                    ((InetSocketAddress) listener.getLocalAddress()).getPort())) {
                s.startHandshake();
                received[0] = s.getInputStream().readNBytes(big.length);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (SocketChannel ch = listener.accept()) {
            javax.net.ssl.SSLEngine e = server.createSSLEngine();
            e.setUseClientMode(false);
            TlsEngine tls = new TlsEngine(e);
            tls.handshake(ch.socket().getInputStream(), ch.socket().getOutputStream());
            ByteBuffer src = ByteBuffer.wrap(big);
            while (src.hasRemaining()) {
                ByteBuffer enc = tls.wrap(src);
                while (enc.hasRemaining()) {
                    ch.write(enc);
                }
            }
            peer.join(10_000);
        }
        assertArrayEquals(big, received[0]);
    }
}
