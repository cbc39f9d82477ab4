package io.loomscale.classifier;

import io.loomscale.classifier.Classifier.Rename;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RenamedTablesTest {
    @Test
    void alterTableRename() {
        assertEquals(List.of(new Rename("t1", "t2")), Classifier.renamedTables("alter table t1 rename t2"));
        assertEquals(List.of(new Rename("t1", "new")),
                Classifier.renamedTables("ALTER TABLE test.`T1` ADD COLUMN x INT, RENAME TO `New`"));
        assertEquals(List.of(new Rename("t3", "t4")), Classifier.renamedTables("ALTER TABLE t3 RENAME TO t4"));
        assertEquals(List.of(new Rename("other", "t9")), Classifier.renamedTables("ALTER TABLE other RENAME t9"));
    }

    @Test
    void renameTablePairs() {
        assertEquals(List.of(new Rename("a", "b"), new Rename("c", "d")),
                Classifier.renamedTables("RENAME TABLE a TO b, c TO d"));
        assertEquals(List.of(new Rename("perm", "other"), new Rename("a", "b")),
                Classifier.renamedTables("RENAME TABLE db.perm TO other, a TO b"));
    }

    @Test
    void otherStatementsRenameNoTable() {
        assertEquals(List.of(), Classifier.renamedTables("ALTER TABLE t1 ADD COLUMN x INT"));
        assertEquals(List.of(), Classifier.renamedTables("INSERT INTO t1 VALUES ('rename t1 to t2')"));
        assertEquals(List.of(), Classifier.renamedTables("ALTER TABLE t1 RENAME INDEX a TO b"));
        assertEquals(List.of(), Classifier.renamedTables("ALTER TABLE t1 RENAME COLUMN a TO b"));
    }
}
