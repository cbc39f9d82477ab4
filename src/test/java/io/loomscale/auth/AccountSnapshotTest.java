package io.loomscale.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccountSnapshotTest {

    private static final List<UserAccount> ACCOUNTS = List.of(
            UserAccount.of("app", "%", ""),
            UserAccount.of("app", "localhost", ""),
            UserAccount.of("app", "192.168.%", ""),
            UserAccount.of("app", "192.168.1.%", ""),
            UserAccount.of("app", "10.0.0.0/255.0.0.0", ""),
            UserAccount.of("app", "127.0.0.1", ""),
            UserAccount.of("ops", "10.%", ""),
            UserAccount.of("", "10.1.%", ""),
            UserAccount.of("", "172.16.0.1", ""),
            UserAccount.of("local", "localhost", ""),
            UserAccount.of("wide", "%", ""));

    private static AccountSnapshot snapshot(List<UserAccount> accounts) {
        return new AccountSnapshot(accounts, Set.of("test", "Sales"), "5.5.5-10.11.0-MariaDB", false, "server1",
                Instant.EPOCH, true);
    }

    @ParameterizedTest(name = "{0} from {1} -> ''{2}''@''{3}''")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            app   | 10.9.9.9     | app   | 10.0.0.0/255.0.0.0
            app   | 172.20.0.1   | app   | %
            app   | 192.168.1.9  | app   | 192.168.1.%
            app   | 192.168.2.9  | app   | 192.168.%
            app   | 127.0.0.1    | app   | 127.0.0.1
            app   | ::1          | app   | %
            ops   | 10.1.1.1     |       | 10.1.%
            ops   | 10.2.1.1     | ops   | 10.%
            ops   | 172.16.0.1   |       | 172.16.0.1
            ops   | 172.16.0.2   | -     | -
            local | 10.0.0.1     | -     | -
            local | 127.0.0.1    | -     | -
            wide  | 127.0.0.1    | wide  | %
            App   | 10.9.9.9     | -     | -
            """)
    void picksTheAccountTheServerWouldPick(String user, String ip, String expectUser, String expectHost) {
        UserAccount a = snapshot(ACCOUNTS).find(user, ClientHost.ofLiteral(ip), true);
        if (expectHost == null) {
            assertNull(a, () -> "matched " + a);
        } else {
            assertEquals(expectUser == null ? "" : expectUser, a.user());
            assertEquals(expectHost, a.host().text());
        }
    }

    @ParameterizedTest(name = "{0} from {1}, loopback named localhost -> ''{2}''")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            app   | 127.0.0.1 | localhost
            app   | ::1       | localhost
            app   | 10.9.9.9  | 10.0.0.0/255.0.0.0
            local | 127.0.0.1 | localhost
            local | ::1       | localhost
            wide  | ::1       | %
            """)
    void loopbackNamedLocalhostPrefersLocalhostAccounts(String user, String ip, String expectHost) throws Exception {
        ClientHost client = ClientHost.of(java.net.InetAddress.getByName(ip), true);
        assertEquals(expectHost, snapshot(ACCOUNTS).find(user, client, true).host().text());
    }

    @Test
    void localhostBeforeLoopbackIpWhenBothMatch() throws Exception {
        // Equally specific: the server breaks the tie by host text, "localhost" first.
        AccountSnapshot s = snapshot(List.of(UserAccount.of("u", "127.0.0.1", ""), UserAccount.of("u", "localhost", "")));
        ClientHost named = ClientHost.of(java.net.InetAddress.getByName("127.0.0.1"), true);
        assertEquals("localhost", s.find("u", named, true).host().text());
        assertEquals("127.0.0.1", s.find("u", ClientHost.ofLiteral("127.0.0.1"), true).host().text());
    }

    @Test
    void loopbackClientSkipsPercentWhenLocalhostMatchWildcardHostIsOff() {
        AccountSnapshot s = snapshot(ACCOUNTS);
        assertNull(s.find("wide", ClientHost.ofLiteral("127.0.0.1"), false));
        assertNull(s.find("wide", ClientHost.ofLiteral("::1"), false));
        assertEquals("127.0.0.1", s.find("app", ClientHost.ofLiteral("127.0.0.1"), false).host().text());
        assertEquals("%", s.find("wide", ClientHost.ofLiteral("10.0.0.1"), false).host().text());
    }

    @Test
    void databaseAccessFollowsGrantsPatternsAndGlobalPrivileges() {
        UserAccount plain = UserAccount.of("a", "%", "").withDatabases(false, Set.of("test", "te\\_st", "shop%"));
        UserAccount global = UserAccount.of("b", "%", "").withDatabases(true, Set.of());
        AccountSnapshot s = snapshot(List.of(plain, global));
        assertTrue(s.mayUse(plain, "test"));
        assertTrue(s.mayUse(plain, "te_st"));
        assertFalse(s.mayUse(plain, "teXst"));
        assertTrue(s.mayUse(plain, "shop_eu"));
        assertFalse(s.mayUse(plain, "Test"));
        assertTrue(s.mayUse(plain, "information_schema"));
        assertTrue(s.mayUse(plain, "INFORMATION_SCHEMA"));
        assertTrue(s.mayUse(global, "anything"));
        assertTrue(s.databaseExists("Sales"));
        assertFalse(s.databaseExists("sales"));
        assertTrue(s.databaseExists("information_schema"));
    }

    @Test
    void lowerCaseTableNamesComparesDatabasesWithoutCase() {
        UserAccount plain = UserAccount.of("a", "%", "").withDatabases(false, Set.of("test"));
        AccountSnapshot s = new AccountSnapshot(List.of(plain), Set.of("test", "Sales"), "", true, "s", Instant.EPOCH,
                true);
        assertTrue(s.mayUse(plain, "TEST"));
        assertTrue(s.databaseExists("SALES"));
    }

    @Test
    void sameFindsTheNewerCopyOfAnAccount() {
        UserAccount old = UserAccount.of("a", "%", "");
        UserAccount newer = old.withDatabases(false, Set.of("x"));
        AccountSnapshot s = snapshot(List.of(newer));
        assertEquals(Set.of("x"), s.same(old).databases());
        UserAccount gone = UserAccount.of("zz", "%", "");
        assertEquals(gone, s.same(gone));
    }
}
