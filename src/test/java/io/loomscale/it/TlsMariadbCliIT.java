package io.loomscale.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * MariadbCliIT's tests with the {@code mariadb} CLI connecting over TLS ({@code --ssl
 * --ssl-verify-server-cert} against the test CA) to a TLS-only listener, TLS to the servers too.
 */
class TlsMariadbCliIT extends MariadbCliIT {
    private static TestProxy tls;

    @BeforeAll
    static void throughTls() {
        tls = TlsQueryIT.startTlsProxy("tls-cli");
        PORT_ARGS.put(tls.writePort(), List.of("--ssl", "--ssl-ca=" + TestCerts.get().ca, "--ssl-verify-server-cert"));
        proxy = tls;
    }

    @AfterAll
    static void everyRunWasTls() throws Exception {
        // The listener takes TLS clients only, so every run above went over TLS.
        PORT_ARGS.put(tls.writePort(), List.of("--skip-ssl"));
        assertNotEquals(0, mariadb(tls.writePort(), Db.APP, Db.APP_PW, "-e", "SELECT 1").exit(), "a plain client is refused");
        PORT_ARGS.remove(tls.writePort());
        tls.close();
    }
}
