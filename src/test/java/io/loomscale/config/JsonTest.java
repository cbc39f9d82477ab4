package io.loomscale.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {
    @Test
    void quoteIsBothAJsonStringAndATomlBasicString() {
        StringBuilder all = new StringBuilder("quote \" backslash \\ é € \uD83D\uDE00 ");
        for (char c = 0; c < 0x20; c++) {
            all.append(c);
        }
        all.append('\u007f');
        String s = all.toString();
        String quoted = Json.quote(s);
        assertEquals(s, Json.parse(quoted));
        org.tomlj.TomlParseResult toml = org.tomlj.Toml.parse("k = " + quoted + "\n");
        assertTrue(toml.errors().isEmpty(), () -> toml.errors().toString());
        assertEquals(s, toml.getString("k"));
    }

    @Test
    void writesAndReadsBackNestedValues() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\nd\u0001é");
        m.put("n", 42L);
        m.put("d", 1.5);
        m.put("b", true);
        m.put("z", null);
        m.put("l", List.of(1L, "x", List.of()));
        m.put("o", Map.of());
        String text = Json.write(m);
        assertEquals("{\"s\":\"a\\\"b\\\\c\\nd\\u0001é\",\"n\":42,\"d\":1.5,\"b\":true,\"z\":null,\"l\":[1,\"x\",[]],\"o\":{}}", text);
        assertEquals(m, Json.parse(text));
        assertEquals(m, Json.parse(Json.pretty(m)));
    }

    @Test
    void atFollowsAPathAndGivesNullWhenAStepIsMissing() {
        Object doc = Json.parse("{\"data\":{\"attributes\":{\"port\":3306}}}");
        assertEquals(3306L, Json.at(doc, "data", "attributes", "port"));
        assertNull(Json.at(doc, "data", "nope", "port"));
        assertNull(Json.at(List.of(), "data"));
    }

    @Test
    void readsEscapesAndNumbers() {
        assertEquals("é\t/", Json.parse("\"\\u00e9\\t\\/\""));
        assertEquals(-12L, Json.parse(" -12 "));
        assertEquals(2.5e3, Json.parse("2.5e3"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\" 1}", "[1,]", "\"abc", "tru", "{\"a\":1} x", "01x", "\"\\q\"", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"})
    void rejectsBrokenTextWithTheOffset(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(text));
        assertTrue(e.getMessage().startsWith("invalid JSON at offset "), e.getMessage());
    }
}
