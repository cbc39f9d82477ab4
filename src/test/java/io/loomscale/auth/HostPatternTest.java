package io.loomscale.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostPatternTest {

    @ParameterizedTest(name = "''{0}'' covers {1} (name {2}): {3}")
    @CsvSource(delimiter = '|', nullValues = "-", quoteCharacter = '"', textBlock = """
            %                        | 10.1.2.3          | -                  | true
            ""                       | 10.1.2.3          | -                  | true
            %                        | ::1               | -                  | true
            192.168.%                | 192.168.7.9       | -                  | true
            192.168.%                | 192.169.7.9       | -                  | false
            192.168.1._              | 192.168.1.5       | -                  | true
            192.168.1._              | 192.168.1.50      | -                  | false
            10.0.0.0/255.255.255.0   | 10.0.0.77         | -                  | true
            10.0.0.0/255.255.255.0   | 10.0.1.77         | -                  | false
            10.0.0.0/255.0.0.0       | 10.200.1.77       | -                  | true
            10.0.0.1/255.255.255.0   | 10.0.0.1          | -                  | false
            10.0.0.0/24              | 10.0.0.1          | -                  | false
            10.0.0.0/255.255.255.0   | ::1               | -                  | false
            127.0.0.1                | 127.0.0.1         | -                  | true
            127.0.0.1                | ::ffff:127.0.0.1  | -                  | true
            127.0.0.1                | 127.0.0.2         | -                  | false
            ::1                      | ::1               | -                  | true
            ::1                      | 0:0:0:0:0:0:0:1   | -                  | true
            ::1                      | 127.0.0.1         | -                  | false
            fe80::1                  | fe80:0:0:0::1     | -                  | true
            fe80::%                  | fe80::abcd        | -                  | true
            FE80::%                  | fe80::abcd        | -                  | false
            localhost                | 127.0.0.1         | -                  | false
            localhost                | 127.0.0.1         | localhost          | true
            localhost                | ::1               | localhost          | true
            LOCALHOST                | 127.0.0.1         | localhost          | true
            localhost                | 127.0.0.2         | -                  | false
            localhost                | 10.0.0.1          | -                  | false
            %.example.com            | 10.0.0.1          | -                  | false
            %.example.com            | 10.0.0.1          | db1.example.com    | true
            %.example.com            | 10.0.0.1          | DB1.Example.COM    | true
            %.example.com            | 10.0.0.1          | example.com        | false
            db1.example.com          | 10.0.0.1          | db1.example.com    | true
            """)
    void matchesLikeMariaDb(String pattern, String ip, String name, boolean expected) throws Exception {
        InetAddress addr = InetAddress.getByName(ip); // literals only: no lookup
        ClientHost client = name == null ? ClientHost.of(addr) : ClientHost.named(addr, name);
        assertEquals(expected, HostPattern.parse(pattern).matches(client));
    }

    @ParameterizedTest(name = "{0} prints as {1}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1                 | 127.0.0.1
            ::ffff:127.0.0.1          | 127.0.0.1
            ::ffff:10.1.2.3           | 10.1.2.3
            0:0:0:0:0:0:0:1           | ::1
            0:0:0:0:0:0:0:0           | ::
            fe80:0:0:0:0:0:0:1        | fe80::1
            2001:db8:0:0:1:0:0:1      | 2001:db8::1:0:0:1
            2001:DB8:0:1:1:1:1:1      | 2001:db8:0:1:1:1:1:1
            1:0:0:0:0:0:0:0           | 1::
            ::7f00:1                  | ::127.0.0.1
            """)
    void clientAddressPrintsAsTheServerPrintsIt(String literal, String printed) {
        assertEquals(printed, ClientHost.ofLiteral(literal).ip());
    }

    @Test
    void onlyExactLoopbackIsNamedLocalhostAndOnlyWhenAsked() throws Exception {
        assertEquals("localhost", ClientHost.of(InetAddress.getByName("127.0.0.1"), true).name());
        assertEquals("localhost", ClientHost.of(InetAddress.getByName("::1"), true).name());
        assertEquals("localhost", ClientHost.of(InetAddress.getByName("::ffff:127.0.0.1"), true).name());
        assertEquals(null, ClientHost.of(InetAddress.getByName("127.0.0.2"), true).name());
        assertFalse(ClientHost.ofLiteral("127.0.0.2").loopback());
        assertTrue(ClientHost.ofLiteral("127.0.0.1").loopback());
        assertEquals(null, ClientHost.ofLiteral("127.0.0.1").name(), "skip-name-resolve by default");
    }

    @Test
    void emptyHostIsPrintedAndMatchedAsPercent() {
        HostPattern p = HostPattern.parse("");
        assertEquals("%", p.text());
        assertTrue(p.isAnyHost());
        assertEquals(HostPattern.parse("%").specificity(), p.specificity());
    }

    @Test
    void literalsAndNetmasksAreEquallySpecificAndBeatWildcards() {
        int literal = HostPattern.parse("10.0.0.1").specificity();
        assertEquals(literal, HostPattern.parse("10.0.0.0/255.255.255.0").specificity());
        assertEquals(literal, HostPattern.parse("localhost").specificity());
        assertTrue(HostPattern.parse("10.0.0.%").specificity() < literal);
        assertTrue(HostPattern.parse("10.0.%").specificity() < HostPattern.parse("10.0.0.%").specificity());
        assertTrue(HostPattern.parse("%").specificity() < HostPattern.parse("10.%").specificity());
        assertTrue(HostPattern.parse("10.0.0.0/255.255.255.0").isNetmask());
    }
}
