package io.loomscale.convert;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IniReaderTest {

    private static Map<String, IniReader.Section> parse(String text) {
        Map<String, IniReader.Section> m = new LinkedHashMap<>();
        IniReader.parse(text, "test.cnf", m);
        return m;
    }

    @Test
    void indentedLinesContinueTheValueAndCommentsAreSkipped() {
        Map<String, IniReader.Section> m = parse("""
                # comment
                [svc]
                type = service
                servers=a,
                        b
                  # an indented comment is a comment
                    c
                ; semicolon comment
                user=u # not a comment: part of the value
                """);
        IniReader.Section s = m.get("svc");
        assertEquals("service", s.get("type"));
        assertEquals(List.of("a", "b", "c"), IniReader.list(s.get("servers")));
        assertEquals("u # not a comment: part of the value", s.get("user"));
        assertEquals("test.cnf:4", s.where("servers"));
    }

    @Test
    void aKeyGivenTwiceIsJoinedWithAComma() {
        IniReader.Section s = parse("[m]\nservers=a\nservers=b\r\n").get("m");
        assertEquals(List.of("a", "b"), IniReader.list(s.get("servers")));
    }

    @Test
    void errorsNameFileAndLine() {
        assertTrue(assertThrows(IniReader.IniException.class, () -> parse("[a]\nx=1\n[a]\n")).getMessage()
                .startsWith("test.cnf:3: section [a] is already defined at test.cnf:1"));
        assertTrue(assertThrows(IniReader.IniException.class, () -> parse("x=1\n")).getMessage()
                .startsWith("test.cnf:1: parameter outside of any [section]"));
        assertTrue(assertThrows(IniReader.IniException.class, () -> parse("[a]\njust words\n")).getMessage()
                .startsWith("test.cnf:2: expected key=value or [section]"));
        assertTrue(assertThrows(IniReader.IniException.class, () -> parse("[a\n")).getMessage()
                .startsWith("test.cnf:1: section header without ']'"));
    }
}
