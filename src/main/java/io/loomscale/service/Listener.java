package io.loomscale.service;

import io.loomscale.config.ListenerConfig;
import io.loomscale.protocol.ErrPacket;
import io.loomscale.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A listener: a TCP port and/or a unix socket of one service. A platform thread per socket
 * accepts connections (blocking accept) and starts one virtual thread per client session. A
 * service at {@code max_connections} gets the new client an ERR 1040 and a close.
 */
public final class Listener {
    private static final Logger log = LoggerFactory.getLogger(Listener.class);

    private final ListenerConfig config;
    private final Service service;
    private final String where;
    private final List<ServerSocketChannel> sockets = new ArrayList<>();
    private final List<Thread> acceptors = new ArrayList<>();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean running;
    /** The TLS setup when {@code ssl = true}, built at start. */
    private io.loomscale.tls.TlsContext tls;
    /** Who may send a PROXY protocol header ({@code proxy_protocol_networks}), or null. */
    private final io.loomscale.net.ProxyProtocolReader proxyProtocol;

    Listener(ListenerConfig config, Service service, String where) {
        this.config = config;
        this.service = service;
        this.where = where;
        this.proxyProtocol = config.proxyProtocolNetworks().isEmpty() ? null
                : io.loomscale.net.ProxyProtocolReader.parse(config.proxyProtocolNetworks());
    }

    public String name() {
        return config.name();
    }

    public ListenerConfig config() {
        return config;
    }

    /** Binds; throws {@link ListenException} naming the config key when the address cannot be used. */
    void start() {
        if (config.tls().enabled()) {
            try {
                tls = io.loomscale.tls.TlsContext.forListener(config.tls());
            } catch (io.loomscale.tls.TlsContext.TlsSetupException e) {
                throw new ListenException(where + ": [listener." + name() + "] key '" + e.key() + "': " + e.getMessage());
            }
        }
        running = true;
        if (config.port() > 0) {
            ServerSocketChannel ss = bindTcp();
            sockets.add(ss);
            log.info("Listener {} listening on {}:{} for service {}{}", name(), config.address(), config.port(), service.name(),
                    tls != null ? " (TLS only)" : "");
        }
        if (config.socket() != null) {
            Path p = Path.of(config.socket());
            try {
                Files.deleteIfExists(p);
                ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                ss.bind(UnixDomainSocketAddress.of(p));
                sockets.add(ss);
                log.info("Listener {} listening on unix socket {} for service {}", name(), p, service.name());
            } catch (IOException e) {
                throw new ListenException(where + ": [listener." + name() + "] key 'socket': cannot listen on " + p
                        + ": " + e.getMessage());
            }
        }
        for (ServerSocketChannel ss : sockets) {
            Thread t = Thread.ofPlatform().name("accept-" + name()).daemon(true).start(() -> acceptLoop(ss));
            acceptors.add(t);
        }
    }

    private ServerSocketChannel bindTcp() {
        String addr = config.address();
        try {
            ServerSocketChannel ss = ServerSocketChannel.open();
            ss.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
            try {
                ss.bind(new InetSocketAddress(addr, config.port()), 1024);
            } catch (IOException e) {
                if (!"::".equals(addr)) {
                    throw e;
                }
                ss.close();
                // No IPv6 on this host: "::" falls back to every IPv4 address.
                ss = ServerSocketChannel.open();
                ss.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
                ss.bind(new InetSocketAddress("0.0.0.0", config.port()), 1024);
            }
            return ss;
        } catch (IOException e) {
            throw new ListenException(where + ": [listener." + name() + "] key 'port': cannot listen on " + addr + ":"
                    + config.port() + ": " + e.getMessage() + "; allowed: a free port (is another process using it?)");
        }
    }

    private void acceptLoop(ServerSocketChannel ss) {
        while (running) {
            SocketChannel ch;
            try {
                ch = ss.accept();
            } catch (AsynchronousCloseException e) {
                return;
            } catch (IOException e) {
                if (running) {
                    log.warn("listener {}: accept failed: {}", name(), e.getMessage());
                    try {
                        Thread.sleep(50); // e.g. out of file descriptors: do not spin
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                continue;
            }
            accepted.incrementAndGet();
            if (!service.admit()) {
                refused.incrementAndGet();
                refuse(ch);
                continue;
            }
            try {
                ClientSession s = new ClientSession(ch, service, tls, proxyProtocol);
                Thread.ofVirtual().name("session-" + s.id()).start(() -> {
                    try {
                        s.run();
                    } finally {
                        service.release();
                    }
                });
            } catch (IOException | RuntimeException e) {
                service.release();
                log.debug("listener {}: connection dropped before its session started: {}", name(), e.toString());
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }
    }

    private void refuse(SocketChannel ch) {
        try (ch) {
            ch.configureBlocking(true);
            ch.write(ByteBuffer.wrap(new ErrPacket(ErrPacket.ER_CON_COUNT_ERROR, "08004", "Too many connections").encode(0)));
            log.warn("listener {}: refused a client: service {} is at max_connections={}", name(), service.name(),
                    service.config().maxConnections());
        } catch (IOException ignored) {
            // the client is gone anyway
        }
    }

    public long accepted() {
        return accepted.get();
    }

    public long refused() {
        return refused.get();
    }

    /** The port actually bound (the configured one). */
    public int port() {
        return config.port();
    }

    void stop() {
        running = false;
        for (ServerSocketChannel ss : sockets) {
            try {
                ss.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        if (config.socket() != null) {
            try {
                Files.deleteIfExists(Path.of(config.socket()));
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** A listener could not bind; the message names the config key. */
    public static final class ListenException extends RuntimeException {
        ListenException(String message) {
            super(message);
        }
    }
}
