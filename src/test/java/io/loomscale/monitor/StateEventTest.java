package io.loomscale.monitor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StateEventTest {
    private static final int R = ServerState.RUNNING;
    private static final int M = ServerState.MASTER;
    private static final int S = ServerState.SLAVE;
    private static final int X = ServerState.MAINTENANCE;

    private static int flags(String s) {
        int f = 0;
        for (char c : s.toCharArray()) {
            f |= switch (c) {
                case 'R' -> R;
                case 'M' -> M;
                case 'S' -> S;
                case 'X' -> X;
                default -> 0;
            };
        }
        return f;
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource({
        "RM, -, master_down",
        "RS, -, slave_down",
        "R, -, server_down",
        "-, RM, master_up",
        "-, RS, slave_up",
        "-, R, server_up",
        "RS, RM, new_master",
        "R, RS, new_slave",
        "RM, R, lost_master",
        "RS, R, lost_slave",
        "RM, RS, new_slave",
        "RM, RMX, maintenance_on",
        "RMX, RM, maintenance_off",
    })
    void namesChangesLikeMaxScale(String before, String after, String event) {
        assertEquals(event, StateChanges.event(flags(before), flags(after)));
    }
}
