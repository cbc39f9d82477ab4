package io.loomscale.auth;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WildcardsTest {

    @ParameterizedTest(name = "''{0}'' LIKE ''{1}'' (ignoreCase {2}) = {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            test        | test       | false | true
            test        | Test       | false | false
            test        | Test       | true  | true
            test        | te%        | false | true
            test        | %          | false | true
            ""          | %          | false | true
            ""          | _          | false | false
            test        | t_st       | false | true
            test        | t__t       | false | true
            test        | t_t        | false | false
            test1       | test       | false | false
            test        | test1      | false | false
            a_b         | a\\_b      | false | true
            axb         | a\\_b      | false | false
            a%b         | a\\%b      | false | true
            axxb        | a\\%b      | false | false
            192.168.1.7 | 192.168.%  | false | true
            192.168.1.7 | 192.168.1._| false | true
            192.168.1.17| 192.168.1._| false | false
            abcabd      | %abd       | false | true
            abcabc      | %abd       | false | false
            abcXcd      | ab%cd      | false | true
            abcd        | %b%d%      | false | true
            ab          | a%%b       | false | true
            """)
    void matchesLikeTheServer(String text, String pattern, boolean ignoreCase, boolean expected) {
        assertEquals(expected, Wildcards.matches(text, pattern, ignoreCase));
    }

    @ParameterizedTest(name = "sort value of ''{0}'' = {1}")
    @CsvSource(quoteCharacter = '"', textBlock = """
            "",            0
            %,             1
            localhost,     128
            127.0.0.1,     128
            10.0.0.0/255.255.255.0, 128
            192.168.%,     9
            192.168.1.%,   11
            %.example.com, 1
            192.168.1._,   11
            1_2_3,         4
            a\\%b,         128
            """)
    void sortValueIsTheServersSpecificity(String s, int expected) {
        assertEquals(expected, Wildcards.sortValue(s));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            my_db    | my\\_db
            100%     | 100\\%
            a\\b     | a\\\\b
            plain    | plain
            """)
    void escapedLiteralMatchesOnlyItself(String literal, String escaped) {
        assertEquals(escaped, Wildcards.escape(literal));
        assertEquals(true, Wildcards.matches(literal, escaped, false));
    }
}
