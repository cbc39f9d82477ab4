package io.loomscale.testing;

import io.loomscale.config.ConfigLoader;
import io.loomscale.module.Modules;
import io.loomscale.service.LoomScale;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Starts a LoomScale in the test JVM from TOML text (built-in modules only), for integration tests. */
public final class InProcessProxy {
    private InProcessProxy() {
    }

    /** A TCP port free right now on this machine. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Builds and starts a proxy; the caller stops it. */
    public static LoomScale start(String toml, String name) throws Exception {
        LoomScale proxy = LoomScale.build(ConfigLoader.parse(toml, name), Modules.load(null));
        proxy.start();
        return proxy;
    }
}
