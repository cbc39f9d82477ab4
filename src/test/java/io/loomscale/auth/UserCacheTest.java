package io.loomscale.auth;

import io.loomscale.protocol.ErrPacket;
import io.loomscale.protocol.NativePassword;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserCacheTest {
    private static final HexFormat HEX = HexFormat.of();
    /** A fixed 20-byte scramble, 0x01..0x14. */
    private static final byte[] SEED = HEX.parseHex("0102030405060708090a0b0c0d0e0f1011121314");
    /** SHA1("app_pw"). */
    private static final byte[] APP_STAGE1 = HEX.parseHex("478f036cc2368187be39461c736d70be6a84f1ef");
    /** What MariaDB stores for 'app_pw' (checked against a 10.11 server). */
    private static final String APP_STORED = "*95BE1A04B76EE9AB97CEE8436421F2D15539B738";
    /** A client's reply to SEED for 'app_pw', computed independently of NativePassword. */
    private static final byte[] APP_REPLY = HEX.parseHex("8bb2dd0d2a7411fea31ad816d01e681069f63a43");
    private static final ClientHost CLIENT = ClientHost.ofLiteral("10.0.0.5");
    private static final ClientHost LOCAL = ClientHost.ofLiteral("127.0.0.1");

    /** A Source that serves whatever snapshot the test sets, counting loads. */
    static final class FakeSource implements UserCache.Source {
        final AtomicReference<List<UserAccount>> accounts = new AtomicReference<>(List.of());
        final AtomicReference<Set<String>> databases = new AtomicReference<>(Set.of("test"));
        final AtomicInteger loads = new AtomicInteger();
        volatile boolean fail;
        volatile CountDownLatch gate;

        @Override
        public AccountSnapshot load() throws IOException {
            loads.incrementAndGet();
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            if (fail) {
                throw new IOException("server1: connection refused");
            }
            return new AccountSnapshot(accounts.get(), databases.get(), "5.5.5-10.11.19-MariaDB", false, "server1",
                    Instant.now(), true);
        }
    }

    private final FakeSource source = new FakeSource();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private UserCache cache(boolean enableRoot) {
        return new UserCache("svc", source, new UserCache.Options(enableRoot, Duration.ofSeconds(5), true,
                false, Duration.ofSeconds(1)), now::get);
    }

    private static UserAccount app() {
        return UserAccount.of("app", "%", APP_STORED).withDatabases(false, Set.of("test", "sbtest"));
    }

    @Test
    void fixtureReplyMatchesNativePasswordScramble() {
        assertArrayEquals(APP_REPLY, NativePassword.scramble(SEED, "app_pw".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void rightPasswordRecoversStage1() {
        source.accounts.set(List.of(app()));
        AuthResult r = cache(false).authenticate("app", CLIENT, SEED, APP_REPLY, "test");
        assertTrue(r.isOk(), r::toString);
        assertArrayEquals(APP_STAGE1, r.stage1());
        assertFalse(r.emptyPassword());
        assertEquals("'app'@'%'", r.account().displayName());
    }

    @Test
    void wrongPasswordIsRefusedWithTheServersText() {
        source.accounts.set(List.of(app()));
        byte[] bad = APP_REPLY.clone();
        bad[0] ^= 1;
        AuthResult r = cache(false).authenticate("app", CLIENT, SEED, bad, null);
        assertEquals(new ErrPacket(1045, "28000", "Access denied for user 'app'@'10.0.0.5' (using password: YES)"),
                r.error());
    }

    @Test
    void skipAuthenticationLetsTheServersRefuseAWrongPasswordAndDatabase() {
        source.accounts.set(List.of(app()));
        UserCache skip = new UserCache("svc", source, new UserCache.Options(false, Duration.ofSeconds(5), true,
                false, Duration.ofSeconds(1), true), now::get);
        byte[] bad = APP_REPLY.clone();
        bad[0] ^= 1;
        AuthResult r = skip.authenticate("app", CLIENT, SEED, bad, "elsewhere");
        assertTrue(r.isOk(), r::toString);
        assertFalse(java.util.Arrays.equals(APP_STAGE1, r.stage1()), "what the wrong reply gives: the server refuses it");
        assertTrue(skip.checkDatabase(r.account(), "elsewhere").isEmpty());
        AuthResult good = skip.authenticate("app", CLIENT, SEED, APP_REPLY, null);
        assertArrayEquals(APP_STAGE1, good.stage1());
        assertFalse(skip.authenticate("nobody", CLIENT, SEED, APP_REPLY, null).isOk(), "an unknown user still is refused");
    }

    @Test
    void missingPasswordSaysUsingPasswordNo() {
        source.accounts.set(List.of(app()));
        AuthResult r = cache(false).authenticate("app", LOCAL, SEED, new byte[0], null);
        assertEquals("Access denied for user 'app'@'127.0.0.1' (using password: NO)", r.error().message());
    }

    @Test
    void unknownUserIsRefusedWith1045() {
        source.accounts.set(List.of(app()));
        AuthResult r = cache(false).authenticate("nobody", ClientHost.ofLiteral("::1"), SEED, APP_REPLY, null);
        assertEquals(new ErrPacket(1045, "28000", "Access denied for user 'nobody'@'::1' (using password: YES)"),
                r.error());
        assertNull(r.account());
    }

    @Test
    void emptyPasswordAccountNeedsAnEmptyReply() {
        source.accounts.set(List.of(UserAccount.of("np", "%", "").withDatabases(true, Set.of())));
        UserCache c = cache(false);
        AuthResult ok = c.authenticate("np", CLIENT, SEED, new byte[0], null);
        assertTrue(ok.isOk());
        assertTrue(ok.emptyPassword());
        assertNull(ok.stage1());
        assertEquals(1045, c.authenticate("np", CLIENT, SEED, APP_REPLY, null).errorCode());
    }

    @Test
    void databaseWithoutGrantIs1044NamingTheAccount() {
        source.accounts.set(List.of(app()));
        source.databases.set(Set.of("test", "mysql"));
        AuthResult r = cache(false).authenticate("app", CLIENT, SEED, APP_REPLY, "mysql");
        assertEquals(new ErrPacket(1044, "42000", "Access denied for user 'app'@'%' to database 'mysql'"), r.error());
        assertEquals("app", r.account().user());
    }

    @Test
    void grantedButMissingDatabaseIs1049() {
        source.accounts.set(List.of(app()));
        AuthResult r = cache(false).authenticate("app", CLIENT, SEED, APP_REPLY, "sbtest");
        assertEquals(new ErrPacket(1049, "42000", "Unknown database 'sbtest'"), r.error());
    }

    @Test
    void accessIsCheckedBeforeExistence() {
        source.accounts.set(List.of(app()));
        AuthResult r = cache(false).authenticate("app", CLIENT, SEED, APP_REPLY, "nodb");
        assertEquals(1044, r.errorCode());
    }

    @Test
    void rootIsRefusedUnlessEnabled() {
        UserAccount root = UserAccount.of("root", "%", APP_STORED).withDatabases(true, Set.of());
        source.accounts.set(List.of(root));
        AuthResult off = cache(false).authenticate("root", CLIENT, SEED, APP_REPLY, null);
        assertEquals(new ErrPacket(1045, "28000", "Access denied for user 'root'@'10.0.0.5' (using password: YES)"),
                off.error());
        assertEquals(0, source.loads.get(), "refusing root needs no accounts");
        assertTrue(cache(true).authenticate("root", CLIENT, SEED, APP_REPLY, null).isOk());
    }

    @Test
    void otherPluginIsRefusedWith1251NamingIt() {
        source.accounts.set(List.of(new UserAccount("ed", HostPattern.parse("%"), UserAccount.UNUSABLE_HASH, "ed25519",
                true, Set.of(), false, false)));
        AuthResult r = cache(false).authenticate("ed", CLIENT, SEED, APP_REPLY, null);
        assertEquals(1251, r.errorCode());
        assertEquals("08004", r.error().sqlState());
        assertTrue(r.error().message().contains("'ed25519'"), r.error().message());
        assertTrue(r.error().message().contains("'ed'@'%'"), r.error().message());
    }

    @Test
    void lockedAccountIs4151OnlyWithTheRightPassword() {
        source.accounts.set(List.of(new UserAccount("lk", HostPattern.parse("%"), UserAccount.hashOf(APP_STORED),
                "mysql_native_password", true, Set.of(), true, false)));
        UserCache c = cache(false);
        assertEquals(new ErrPacket(4151, "HY000", "Access denied, this account is locked"),
                c.authenticate("lk", CLIENT, SEED, APP_REPLY, null).error());
        assertEquals(1045, c.authenticate("lk", CLIENT, SEED, new byte[20], null).errorCode());
    }

    @Test
    void expiredPasswordIs1862() {
        source.accounts.set(List.of(new UserAccount("ex", HostPattern.parse("%"), UserAccount.hashOf(APP_STORED),
                "", true, Set.of(), false, true)));
        assertEquals(1862, cache(false).authenticate("ex", CLIENT, SEED, APP_REPLY, null).errorCode());
    }

    @Test
    void invalidStoredHashMatchesNoPassword() {
        source.accounts.set(List.of(UserAccount.of("inv", "%", "invalid")));
        UserCache c = cache(false);
        assertEquals(1045, c.authenticate("inv", CLIENT, SEED, APP_REPLY, null).errorCode());
        assertEquals(1045, c.authenticate("inv", CLIENT, SEED, new byte[0], null).errorCode());
    }

    @Test
    void unknownUserTriggersOneReloadThatFindsANewAccount() {
        UserCache c = cache(false);
        assertTrue(c.load());
        source.accounts.set(List.of(app()));
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        AuthResult r = c.authenticate("app", CLIENT, SEED, APP_REPLY, null);
        assertTrue(r.isOk(), r::toString);
        assertEquals(2, source.loads.get());
    }

    @Test
    void reloadsAfterFailuresAreRateLimited() {
        source.accounts.set(List.of(app()));
        UserCache c = cache(false);
        assertTrue(c.load());
        for (int i = 0; i < 5; i++) {
            assertEquals(1045, c.authenticate("ghost", CLIENT, SEED, APP_REPLY, null).errorCode());
        }
        assertEquals(1, source.loads.get(), "within the refresh limit of the explicit load");
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        c.authenticate("ghost", CLIENT, SEED, APP_REPLY, null);
        c.authenticate("ghost", CLIENT, SEED, APP_REPLY, null);
        assertEquals(2, source.loads.get(), "one reload per refresh limit");
    }

    @Test
    void failedLoadKeepsTheOldAccountsAndIsRetried() {
        source.accounts.set(List.of(app()));
        UserCache c = cache(false);
        assertTrue(c.load());
        source.fail = true;
        assertFalse(c.load());
        assertTrue(c.authenticate("app", CLIENT, SEED, APP_REPLY, null).isOk());
        assertEquals("5.5.5-10.11.19-MariaDB", c.serverVersion());
        source.fail = false;
        source.accounts.set(List.of(app(), UserAccount.of("new", "%", "")));
        assertTrue(c.load());
        assertEquals(2, c.accountCount());
    }

    @Test
    void emptyCacheRetriesOnTheNextCall() {
        source.fail = true;
        UserCache c = cache(false);
        assertEquals(1045, c.authenticate("app", CLIENT, SEED, APP_REPLY, null).errorCode());
        assertFalse(c.isLoaded());
        source.fail = false;
        source.accounts.set(List.of(app()));
        assertTrue(c.authenticate("app", CLIENT, SEED, APP_REPLY, null).isOk());
        assertTrue(c.isLoaded());
    }

    @Test
    void checkDatabaseReportsTheServersErrors() {
        source.accounts.set(List.of(app()));
        source.databases.set(Set.of("test", "mysql"));
        UserCache c = cache(false);
        AuthResult login = c.authenticate("app", CLIENT, SEED, APP_REPLY, null);
        assertEquals(Optional.empty(), c.checkDatabase(login, "test"));
        assertEquals(Optional.empty(), c.checkDatabase(login, "information_schema"));
        assertEquals(Optional.empty(), c.checkDatabase(login, ""));
        assertEquals(1044, c.checkDatabase(login, "mysql").orElseThrow().code());
        assertEquals("Unknown database 'sbtest'", c.checkDatabase(login, "sbtest").orElseThrow().message());
    }

    @Test
    void checkDatabaseSeesAGrantAddedAfterLogin() {
        source.accounts.set(List.of(app()));
        source.databases.set(Set.of("test", "shop"));
        UserCache c = cache(false);
        AuthResult login = c.authenticate("app", CLIENT, SEED, APP_REPLY, null);
        source.accounts.set(List.of(app().withDatabases(false, Set.of("test", "shop"))));
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertEquals(Optional.empty(), c.checkDatabase(login, "shop"));
    }

    @Test
    void concurrentFirstLoginsShareOneLoad() throws Exception {
        source.accounts.set(List.of(app()));
        source.gate = new CountDownLatch(1);
        UserCache c = cache(false);
        List<Future<AuthResult>> results = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 50; i++) {
                results.add(pool.submit(() -> c.authenticate("app", CLIENT, SEED, APP_REPLY, "test")));
            }
            Thread.sleep(100);
            source.gate.countDown();
            for (Future<AuthResult> f : results) {
                assertTrue(f.get(10, TimeUnit.SECONDS).isOk());
            }
        }
        assertEquals(1, source.loads.get());
    }

    @Test
    void successfulLoginsDoNotWaitForAReload() throws Exception {
        source.accounts.set(List.of(app()));
        UserCache c = cache(false);
        assertTrue(c.load());
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        source.gate = new CountDownLatch(1);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<AuthResult> failing = pool.submit(() -> c.authenticate("ghost", CLIENT, SEED, APP_REPLY, null));
            while (source.loads.get() < 2) {
                Thread.sleep(5);
            }
            // The reload is blocked in the source; a good login must still go through at once.
            Future<AuthResult> good = pool.submit(() -> c.authenticate("app", CLIENT, SEED, APP_REPLY, null));
            assertTrue(good.get(2, TimeUnit.SECONDS).isOk());
            assertFalse(failing.isDone());
            source.gate.countDown();
            assertEquals(1045, failing.get(10, TimeUnit.SECONDS).errorCode());
        }
    }

    @Test
    void diagnosticsDescribeTheLoad() {
        source.accounts.set(List.of(app()));
        UserCache c = cache(false);
        c.load();
        assertEquals(1, c.diagnostics().get("accounts"));
        assertEquals("server1", c.diagnostics().get("loaded_from"));
        assertEquals(false, c.diagnostics().get("enable_root_user"));
    }
}
