package io.loomscale.router.readwritesplit;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TempTableRenamesTest {
    private static Set<String> after(String sql, String... temporary) {
        Set<String> s = new HashSet<>(Set.of(temporary));
        TempTableRenames.apply(sql, s);
        return s;
    }

    @Test
    void alterTableRename() {
        assertEquals(Set.of("t2"), after("alter table t1 rename t2", "t1"));
        assertEquals(Set.of("new"), after("ALTER TABLE test.`T1` ADD COLUMN x INT, RENAME TO `New`", "t1"));
        assertEquals(Set.of("t4", "x"), after("ALTER TABLE t3 RENAME TO t4", "t3", "x"));
    }

    @Test
    void renameTablePairs() {
        assertEquals(Set.of("b", "d"), after("RENAME TABLE a TO b, c TO d", "a", "c"));
        assertEquals(Set.of("b"), after("RENAME TABLE perm TO other, a TO b", "a"), "only temporary names move");
    }

    @Test
    void otherStatementsChangeNothing() {
        assertEquals(Set.of("t1"), after("ALTER TABLE t1 ADD COLUMN x INT", "t1"));
        assertEquals(Set.of("t1"), after("INSERT INTO t1 VALUES ('rename t1 to t2')", "t1"));
        assertEquals(Set.of("t1"), after("ALTER TABLE other RENAME t9", "t1"));
        assertEquals(Set.of("t1"), after("ALTER TABLE t1 RENAME INDEX a TO b", "t1"));
        assertEquals(Set.of("t1"), after("ALTER TABLE t1 RENAME COLUMN a TO b", "t1"));
    }
}
