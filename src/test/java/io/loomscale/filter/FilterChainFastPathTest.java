package io.loomscale.filter;

import io.loomscale.protocol.Commands;
import io.loomscale.session.BackendConnection;
import io.loomscale.session.Downstream;
import io.loomscale.session.FastPath;
import io.loomscale.session.Statement;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which commands a filter chain lets the router's fast path forward from the selector thread. */
class FilterChainFastPathTest {
    private final List<byte[]> forwarded = new ArrayList<>();

    private Downstream router(boolean withFastPath) {
        return new Downstream() {
            @Override
            public void route(Statement statement) {
            }

            @Override
            public boolean handleError(BackendConnection backend, IOException cause) {
                return false;
            }

            @Override
            public List<BackendConnection> backends() {
                return List.of();
            }

            @Override
            public FastPath fastPath() {
                return withFastPath ? p -> forwarded.add(p) : null;
            }

            @Override
            public void close() {
            }
        };
    }

    /** A filter that lets everything but COM_QUERY pass untouched. */
    private static FilterSession queriesOnly() {
        return new FilterSession() {
            @Override
            public void onStatement(Statement statement, Downstream next) throws IOException {
                next.route(statement);
            }

            @Override
            public boolean passesUntouched(byte[] packet) {
                return packet[4] != Commands.COM_QUERY;
            }
        };
    }

    private static byte[] command(int cmd) {
        return new byte[] {1, 0, 0, 0, (byte) cmd};
    }

    @Test
    void onlyCommandsEveryFilterIgnoresTakeTheFastPath() {
        FastPath fp = new FilterChain(List.of(queriesOnly(), FilterSession.PASS), router(true)).fastPath();
        assertTrue(fp.tryRoute(command(Commands.COM_STMT_EXECUTE)));
        assertFalse(fp.tryRoute(command(Commands.COM_QUERY)), "a filter wants to see queries");
        assertEquals(1, forwarded.size());
        assertEquals(Commands.COM_STMT_EXECUTE, forwarded.get(0)[4]);
    }

    @Test
    void aFilterThatSeesEverythingKeepsEverythingOnTheSession() {
        FilterSession seesAll = (st, next) -> next.route(st);
        FastPath fp = new FilterChain(List.of(queriesOnly(), seesAll), router(true)).fastPath();
        assertFalse(fp.tryRoute(command(Commands.COM_STMT_EXECUTE)));
        assertFalse(fp.tryRoute(command(Commands.COM_PING)));
        assertTrue(forwarded.isEmpty());
    }

    @Test
    void noFastPathWhenTheRouterHasNone() {
        assertNull(new FilterChain(List.of(FilterSession.PASS), router(false)).fastPath());
    }
}
