package io.loomscale.session;

import io.loomscale.protocol.PacketBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class KillStatementTest {

    private static KillStatement parse(String sql) {
        return KillStatement.parse(new PacketBuilder().int1(3).string(sql).build(0));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "KILL 12|12|false",
        "kill query 7|7|true",
        "KILL CONNECTION 7;|7|false",
        "  KILL HARD QUERY 99 |99|true",
        "KILL SOFT 5|5|false",
        "/* cancel */ KILL QUERY 3|3|true",
        "KILL QUERY 3 -- trailing comment|3|true",
    })
    void recognisesKillOfAThreadId(String sql, long id, boolean queryOnly) {
        assertEquals(new KillStatement(id, queryOnly), parse(sql));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "SELECT 1",
        "KILL QUERY ID 5",
        "KILL USER app",
        "KILL",
        "KILL 5 6",
        "KILLX 5",
        "kill @id",
    })
    void leavesOtherStatementsAlone(String sql) {
        assertNull(parse(sql));
    }
}
