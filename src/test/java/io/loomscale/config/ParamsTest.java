package io.loomscale.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ParamsTest {

    /** A filter whose module keys start on line 3. */
    private static Params filterParams(String keys) {
        String toml = "[filter.f]\nmodule = \"m\"\n" + keys;
        return ConfigLoader.parse(toml, "p.toml").filters().get("f").params();
    }

    @Test
    void typedGettersReadTheirTypes() {
        Params p = filterParams("""
                name = "x"
                count = 7
                big = 9000000000
                on = true
                wait = "250ms"
                words = ["a", "b"]
                """);

        assertEquals("x", p.string("name", "d"));
        assertEquals(7, p.integer("count", 0));
        assertEquals(9_000_000_000L, p.longValue("big", 0));
        assertTrue(p.bool("on", false));
        assertEquals(Duration.ofMillis(250), p.duration("wait", Duration.ZERO, ChronoUnit.SECONDS));
        assertEquals(List.of("a", "b"), p.stringList("words"));
        assertEquals(List.of("name", "count", "big", "on", "wait", "words"), List.copyOf(p.keys()));
        assertTrue(p.has("on"));
        assertFalse(p.has("module"), "common keys are not module keys");
    }

    @Test
    void absentKeysGiveTheDefault() {
        Params p = filterParams("");

        assertEquals("d", p.string("name", "d"));
        assertEquals(3, p.integer("count", 3));
        assertEquals(4L, p.longValue("big", 4L));
        assertTrue(p.bool("on", true));
        assertEquals(Duration.ofSeconds(9), p.duration("wait", Duration.ofSeconds(9), ChronoUnit.SECONDS));
        assertEquals(List.of(), p.stringList("words"));
        assertTrue(p.keys().isEmpty());
    }

    static Stream<Arguments> wrongTypes() {
        return Stream.<Arguments>of(
                arguments("k = 1", (Consumer<Params>) p -> p.string("k", ""),
                        "p.toml:3: [filter.f] key 'k': expected a string, got the integer 1"),
                arguments("k = \"1\"", (Consumer<Params>) p -> p.integer("k", 0),
                        "p.toml:3: [filter.f] key 'k': expected an integer, got the string \"1\"; allowed: an integer"
                                + " from -2147483648 to 2147483647"),
                arguments("k = 3000000000", (Consumer<Params>) p -> p.integer("k", 0),
                        "p.toml:3: [filter.f] key 'k': value 3000000000 is out of range; allowed: an integer from"
                                + " -2147483648 to 2147483647"),
                arguments("k = true", (Consumer<Params>) p -> p.longValue("k", 0),
                        "p.toml:3: [filter.f] key 'k': expected an integer, got the boolean true; allowed: an integer"
                                + " from -9223372036854775808 to 9223372036854775807"),
                arguments("k = 1", (Consumer<Params>) p -> p.bool("k", false),
                        "p.toml:3: [filter.f] key 'k': expected a boolean, got the integer 1; allowed: true, false"),
                arguments("k = true", (Consumer<Params>) p -> p.duration("k", Duration.ZERO, ChronoUnit.MILLIS),
                        "p.toml:3: [filter.f] key 'k': expected a duration like \"500ms\", \"2s\", \"1m\", got the"
                                + " boolean true; allowed: an integer number of milliseconds, or a string \"<n>ms\","
                                + " \"<n>s\", \"<n>m\" or \"<n>h\""),
                arguments("k = \"a\"", (Consumer<Params>) p -> p.stringList("k"),
                        "p.toml:3: [filter.f] key 'k': expected a list of strings, got the string \"a\"; allowed: a"
                                + " list like [\"a\", \"b\"]"),
                arguments("k = [\n  \"a\",\n  false,\n]", (Consumer<Params>) p -> p.stringList("k"),
                        "p.toml:5: [filter.f] key 'k': expected a list of strings, element 2 is the boolean false;"
                                + " allowed: a list like [\"a\", \"b\"]"),
                arguments("k = 1979-05-27", (Consumer<Params>) p -> p.string("k", ""),
                        "p.toml:3: [filter.f] key 'k': expected a string, got a date/time"));
    }

    @ParameterizedTest
    @MethodSource("wrongTypes")
    void wrongTypeNamesKeyLineAndExpectation(String keys, Consumer<Params> read, String message) {
        Params p = filterParams(keys + "\n");

        ConfigException e = assertThrows(ConfigException.class, () -> read.accept(p));
        assertEquals(message, e.getMessage());
        assertEquals("filter.f.k", e.keyPath());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "500ms"        | MILLIS  | PT0.5S
            "2s"           | MILLIS  | PT2S
            "1m"           | MILLIS  | PT1M
            "1h"           | SECONDS | PT1H
            "0s"           | SECONDS | PT0S
            1500           | MILLIS  | PT1.5S
            30             | SECONDS | PT30S
            0              | SECONDS | PT0S
            """)
    void durationsParse(String value, ChronoUnit bareUnit, Duration expected) {
        Params p = filterParams("d = " + value + "\n");

        assertEquals(expected, p.duration("d", Duration.ofDays(1), bareUnit));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "2"             | expected a duration like "500ms", "2s", "1m", got the string "2"
            "2 s"           | expected a duration like "500ms", "2s", "1m", got the string "2 s"
            "2S"            | expected a duration like "500ms", "2s", "1m", got the string "2S"
            "1d"            | expected a duration like "500ms", "2s", "1m", got the string "1d"
            "-1s"           | expected a duration like "500ms", "2s", "1m", got the string "-1s"
            "1.5s"          | expected a duration like "500ms", "2s", "1m", got the string "1.5s"
            -5              | a duration cannot be negative
            1.5             | expected a duration like "500ms", "2s", "1m", got the float 1.5
            "99999999999999999999h" | duration the string "99999999999999999999h" is too large
            "9999999999999999h" | duration the string "9999999999999999h" is too large
            """)
    void badDurationsAreRejected(String value, String problem) {
        Params p = filterParams("d = " + value + "\n");

        ConfigException e = assertThrows(ConfigException.class,
                () -> p.duration("d", Duration.ZERO, ChronoUnit.SECONDS));
        assertEquals("p.toml:3: [filter.f] key 'd': " + problem + "; allowed: an integer number of seconds, or a"
                + " string \"<n>ms\", \"<n>s\", \"<n>m\" or \"<n>h\"", e.getMessage());
    }

    @Test
    void rejectUnknownNamesTheFirstUnknownKeyInFileOrder() {
        Params p = filterParams("a = 1\nzz = 2\nb = 3\nyy = 4\n");

        p.rejectUnknown(Set.of("a", "b", "zz", "yy"));
        ConfigException e = assertThrows(ConfigException.class, () -> p.rejectUnknown(Set.of("b", "a")));
        assertEquals("p.toml:4: [filter.f] key 'zz': unknown key for this module; allowed: a, b", e.getMessage());
        assertEquals(4, e.line());
        assertEquals("filter.f.zz", e.keyPath());
    }

    @Test
    void rejectUnknownWithNothingAllowed() {
        Params p = filterParams("a = 1\n");

        ConfigException e = assertThrows(ConfigException.class, () -> p.rejectUnknown(Set.of()));
        assertEquals("p.toml:3: [filter.f] key 'a': unknown key for this module; allowed: (no module keys)",
                e.getMessage());
    }

    @Test
    void errorPointsAtAnyKeyOfTheTableIncludingCommonOnes() {
        LoomScaleConfig c = ConfigLoader.parse("""
                [server.a]
                address = "h"
                [service.s]
                router = "readconnroute"
                servers = ["a"]
                user = "u"
                password = "p"
                router_options = "mastr"
                """, "r.toml");
        Params p = c.services().get("s").params();

        assertEquals("r.toml:8: [service.s] key 'router_options': unknown option 'mastr'; allowed: master, slave",
                p.error("router_options", "unknown option 'mastr'", "master, slave").getMessage());
        assertEquals("r.toml:3: [service.s] key 'weightby': not supported", p.error("weightby", "not supported", null)
                .getMessage(), "an absent key points at the table header");
    }

    @Test
    void emptyParamsHaveNoKeys() {
        Params p = Params.empty();

        assertTrue(p.keys().isEmpty());
        assertEquals(5, p.integer("x", 5));
        p.rejectUnknown(Set.of());
    }

    @Test
    void equalityIgnoresLines() {
        Params a = filterParams("x = 1\n");
        Params b = ConfigLoader.parse("\n\n[filter.f]\nmodule = \"m\"\nx = 1\n", "other.toml").filters().get("f")
                .params();

        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, filterParams("x = 2\n"));
        assertEquals("Params[x=1]", a.toString());
    }
}
