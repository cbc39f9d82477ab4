package io.loomscale.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GtidTest {
    @Test
    void parsesAndPrintsMariaDbPositions() {
        assertEquals("0-1-42,1-2-7", Gtid.parse("1-2-7, 0-1-42").toString());
        assertTrue(Gtid.parse("").isEmpty());
        assertTrue(Gtid.parse(null).isEmpty());
        assertEquals("0-1-5", Gtid.parse("0-1-5,garbage,1-x-2").toString());
    }

    @Test
    void mergeKeepsTheLaterSequencePerDomain() {
        Gtid a = Gtid.parse("0-1-10,1-1-3");
        Gtid b = Gtid.parse("0-2-9,2-1-1");
        assertEquals("0-1-10,1-1-3,2-1-1", a.merge(b).toString());
        assertEquals(a, a.merge(Gtid.EMPTY));
        assertEquals(b, Gtid.EMPTY.merge(b));
    }
}
