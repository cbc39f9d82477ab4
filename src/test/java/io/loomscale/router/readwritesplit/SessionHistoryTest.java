package io.loomscale.router.readwritesplit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionHistoryTest {
    private static byte[] cmd(int n) {
        return new byte[] {2, 0, 0, 0, 3, (byte) n};
    }

    @Test
    void pastMaxSescmdHistoryTheHistoryIsOffAndEmpty() {
        SessionHistory h = new SessionHistory(3, false);
        assertTrue(h.isOn());
        assertFalse(h.addCommand(cmd(1), true));
        assertFalse(h.addCommand(cmd(2), false));
        assertFalse(h.addCommand(cmd(3), true));
        assertEquals(3, h.size());
        assertEquals(false, h.entries().get(1).ok(), "the outcome is kept");
        assertTrue(h.addCommand(cmd(4), true), "the fourth switches it off");
        assertFalse(h.isOn());
        assertEquals(0, h.size());
        assertFalse(h.addCommand(cmd(5), true), "off stays off");
        h.clear(false);
        assertTrue(h.isOn(), "a reset session starts over");
    }

    @Test
    void preparedStatementsDoNotCountAndLeaveWhenClosed() {
        SessionHistory h = new SessionHistory(1, false);
        h.addPrepare(cmd(10), 7);
        h.addPrepare(cmd(11), 8);
        assertFalse(h.addCommand(cmd(1), true));
        assertEquals(3, h.size());
        h.removePrepare(7);
        assertEquals(2, h.size());
        assertEquals(8, h.entries().get(0).statementId());
    }

    @Test
    void zeroMeansNoLimitAndDisabledMeansNothingIsKept() {
        SessionHistory unlimited = new SessionHistory(0, false);
        for (int i = 0; i < 500; i++) {
            unlimited.addCommand(cmd(i), true);
        }
        assertEquals(500, unlimited.size());
        SessionHistory off = new SessionHistory(50, true);
        off.addCommand(cmd(1), true);
        off.addPrepare(cmd(2), 1);
        assertFalse(off.isOn());
        assertEquals(0, off.size());
    }
}
