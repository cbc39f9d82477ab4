package io.loomscale.hint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HintSessionTest {
    private static final Hint MASTER = Hint.route(Hint.Type.ROUTE_TO_MASTER);
    private static final Hint SLAVE = Hint.route(Hint.Type.ROUTE_TO_SLAVE);
    private static final Hint LAST = Hint.route(Hint.Type.ROUTE_TO_LAST_USED);

    private final HintSession session = new HintSession();

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT @@hostname -- maxscale route to master",
        "SELECT @@hostname; -- maxscale route to master",
        "SELECT @@hostname; # maxscale route to master",
        "SELECT @@hostname #maxscale route to master",
        "SELECT @@hostname /* maxscale route to master */ ;",
        "SELECT @@hostname /*maxscale route to master*/",
        "/* MaxScale ROUTE TO MASTER */ SELECT 1",
        "SELECT 1 --\tmaxscale   route\tto  master  ",
        "SELECT 1 -- maxscale route to master\r\n",
        "SELECT 1 -- maxscale route to master\nFROM t",
    })
    void routeToMasterInEveryCommentStyle(String sql) {
        assertEquals(List.of(MASTER), session.process(sql));
    }

    @Test
    void routeToSlaveLastAndNamedServer() {
        assertEquals(List.of(SLAVE), session.process("SELECT 1 -- maxscale route to slave"));
        assertEquals(List.of(LAST), session.process("SELECT 1 -- maxscale route to last"));
        assertEquals(List.of(Hint.toServer("DB-1")), session.process("SELECT 1 -- maxscale route to server DB-1"));
    }

    @Test
    void nameValueIsAParameterHint() {
        Hint lag = Hint.parameter("max_slave_replication_lag", "10");
        assertEquals(List.of(lag), session.process("SELECT 1 -- maxscale max_slave_replication_lag=10"));
        assertEquals(List.of(lag), session.process("SELECT 1 /* maxscale MAX_SLAVE_REPLICATION_LAG = 10 */"));
    }

    @Test
    void singleUseHintsApplyToTheirStatementOnly() {
        assertEquals(List.of(MASTER), session.process("SELECT 1 -- maxscale route to master"));
        assertEquals(List.of(), session.process("SELECT 2"));
    }

    @Test
    void aNamedHintIsDefinedByPrepareAndAppliesAfterBeginUntilEnd() {
        assertEquals(List.of(), session.process("SELECT 1 -- maxscale primary_only prepare route to master"),
                "prepare only defines");
        assertEquals(List.of(), session.process("SELECT 2"));
        assertEquals(List.of(MASTER), session.process("SELECT 3 -- maxscale primary_only begin"));
        assertEquals(List.of(MASTER), session.process("SELECT 4"));
        assertEquals(List.of(MASTER), session.process("INSERT INTO t VALUES (1)"));
        assertEquals(List.of(), session.process("SELECT 5 -- maxscale end"), "end pops before the statement");
        assertEquals(List.of(), session.process("SELECT 6"));
        assertEquals(0, session.depth());
    }

    @Test
    void beginWithContentDefinesAndPushesANamedHint() {
        assertEquals(List.of(SLAVE), session.process("SELECT 1 -- maxscale reads begin route to slave"));
        session.process("SELECT 2 -- maxscale end");
        assertEquals(List.of(SLAVE), session.process("SELECT 3 -- maxscale reads begin"), "the name stays defined");
    }

    @Test
    void anonymousHintsStackAndPopInOrder() {
        assertEquals(List.of(MASTER), session.process("SELECT 1 -- maxscale begin route to master"));
        assertEquals(List.of(SLAVE), session.process("SELECT 2 -- maxscale begin route to slave"));
        assertEquals(List.of(SLAVE), session.process("SELECT 3"));
        assertEquals(2, session.depth());
        assertEquals(List.of(MASTER), session.process("SELECT 4 -- maxscale end"));
        assertEquals(List.of(MASTER), session.process("SELECT 5"));
        assertEquals(List.of(), session.process("SELECT 6 -- maxscale end"));
        assertEquals(List.of(), session.process("SELECT 7 -- maxscale end"), "popping an empty stack is harmless");
    }

    @Test
    void aStatementsOwnHintComesBeforeTheStacksHint() {
        session.process("SELECT 1 -- maxscale begin route to slave");
        assertEquals(List.of(MASTER, SLAVE), session.process("SELECT 2 -- maxscale route to master"));
        Hint lag = Hint.parameter("max_slave_replication_lag", "5");
        assertEquals(List.of(lag, SLAVE), session.process("SELECT 3 /* maxscale max_slave_replication_lag=5 */"));
    }

    @Test
    void severalHintCommentsOfOneStatementAreAllRead() {
        assertEquals(List.of(Hint.toServer("db2"), Hint.parameter("max_slave_replication_lag", "3")),
                session.process("/* maxscale route to server db2 */ SELECT 1 -- maxscale max_slave_replication_lag=3"));
    }

    @Test
    void pushingAnUndefinedNameIsIgnored() {
        assertEquals(List.of(), session.process("SELECT 1 -- maxscale nosuch begin"));
        assertEquals(0, session.depth());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT 1",
        "SELECT 1 -- a comment",
        "SELECT 1 /* route to master */",
        "SELECT 1 # maxscaler route to master",
        "SELECT 'maxscale route to master'",
        "SELECT '-- maxscale route to master'",
        "SELECT \"/* maxscale route to master */\"",
        "SELECT `-- maxscale route to master` FROM t",
        "SELECT 1 --maxscale route to master",
        "SELECT maxscale FROM t",
        "SELECT 1 /*!50000 maxscale */",
        "SELECT 1 -- maxscale",
        "SELECT 1 -- maxscale route",
        "SELECT 1 -- maxscale route to",
        "SELECT 1 -- maxscale route to nowhere",
        "SELECT 1 -- maxscale route to master now",
        "SELECT 1 -- maxscale route to server",
        "SELECT 1 -- maxscale route from master",
        "SELECT 1 -- maxscale begin",
        "SELECT 1 -- maxscale end now",
        "SELECT 1 -- maxscale x prepare",
        "SELECT 1 -- maxscale x prepare route to",
        "SELECT 1 -- maxscale x begin route",
        "SELECT 1 -- maxscale a=",
        "SELECT 1 -- maxscale =1",
        "SELECT 1 -- maxscale a==1",
        "SELECT 1 -- maxscale a=1=2",
        "SELECT 1 /* maxscale route to master",
        "SELECT 1 -- maxscale x y z",
    })
    void ordinaryAndMalformedCommentsGiveNoHint(String sql) {
        assertEquals(List.of(), session.process(sql), sql);
        assertEquals(0, session.depth());
    }

    @Test
    void noHintMeansTheSharedEmptyListOrTheStacksOwnList() {
        assertSame(List.of(), session.process("SELECT 1"));
        session.process("SELECT 1 -- maxscale begin route to master");
        assertSame(session.process("SELECT 2"), session.process("SELECT 3"), "no copy per statement");
    }

    @Test
    void theStackIsBounded() {
        for (int i = 0; i < HintSession.MAX_DEPTH + 10; i++) {
            session.process("SELECT 1 -- maxscale begin route to master");
        }
        assertEquals(HintSession.MAX_DEPTH, session.depth());
    }

    @Test
    void returnedListsAreImmutable() {
        List<Hint> hints = session.process("SELECT 1 -- maxscale route to master");
        assertThrows(UnsupportedOperationException.class, () -> hints.add(SLAVE));
    }

    @Test
    void garbageNeverThrows() {
        for (String sql : List.of("maxscale", "-- maxscale", "/* maxscale", "# maxscale =", "'maxscale", "`maxscale",
                "/*! maxscale */ -- maxscale begin =", "-- maxscale a prepare a=b=c", "--", "/*", "#", "")) {
            assertTrue(session.process(sql).size() <= 1, sql);
        }
    }

    @Test
    void hintFieldsAreCheckedAgainstTheType() {
        assertThrows(IllegalArgumentException.class, () -> new Hint(Hint.Type.ROUTE_TO_MASTER, "db1", null, null));
        assertThrows(IllegalArgumentException.class, () -> new Hint(Hint.Type.ROUTE_TO_NAMED_SERVER, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Hint(Hint.Type.PARAMETER, null, "a", null));
    }
}
