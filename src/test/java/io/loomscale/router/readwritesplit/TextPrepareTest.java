package io.loomscale.router.readwritesplit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class TextPrepareTest {
    @Test
    void prepareNameAndText() {
        TextPrepare.Prepare p = TextPrepare.prepare("PREPARE Stmt1 FROM 'SELECT * FROM t WHERE a = ?'");
        assertEquals("stmt1", p.name());
        assertEquals("SELECT * FROM t WHERE a = ?", p.text());
        p = TextPrepare.prepare("prepare `my stmt` from \"INSERT INTO t VALUES ('it''s')\"");
        assertEquals("my stmt", p.name());
        assertEquals("INSERT INTO t VALUES ('it''s')", p.text());
        p = TextPrepare.prepare("PREPARE s FROM 'SELECT ''a'', \\'b\\''");
        assertEquals("SELECT 'a', 'b'", p.text());
    }

    @Test
    void prepareFromAVariableHasNoText() {
        TextPrepare.Prepare p = TextPrepare.prepare("PREPARE s FROM @sql");
        assertEquals("s", p.name());
        assertNull(p.text());
        assertNull(TextPrepare.prepare("PREPARE s FROM CONCAT('a', 'b')").text());
    }

    @Test
    void executeAndDeallocateNames() {
        assertEquals("s", TextPrepare.executed("EXECUTE S USING @a, @b"));
        assertEquals("s", TextPrepare.executed("execute s"));
        assertEquals("s", TextPrepare.deallocated("DEALLOCATE PREPARE s"));
        assertEquals("s", TextPrepare.deallocated("DROP PREPARE `S`"));
        assertNull(TextPrepare.executed("EXECUTE IMMEDIATE 'SELECT 1'"), "not a statement name");
        assertEquals("SELECT 1", TextPrepare.immediate("EXECUTE IMMEDIATE 'SELECT 1'"));
        assertNull(TextPrepare.immediate("EXECUTE IMMEDIATE @sql"));
    }
}
