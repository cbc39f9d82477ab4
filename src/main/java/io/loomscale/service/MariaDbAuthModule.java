package io.loomscale.service;

import io.loomscale.auth.AuthResult;
import io.loomscale.auth.UserCache;
import io.loomscale.config.ServiceConfig;
import io.loomscale.module.Authenticator;
import io.loomscale.module.AuthenticatorModule;
import io.loomscale.monitor.Server;
import io.loomscale.session.ServiceHandle;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The built-in authenticator, MaxScale's MySQLAuth: accounts read from the backends by the
 * service user and cached ({@link UserCache}), mysql_native_password checked by the proxy.
 */
public final class MariaDbAuthModule implements AuthenticatorModule {
    @Override
    public String name() {
        return "MariaDBAuth";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("MySQLAuth");
    }

    @Override
    public Authenticator create(ServiceConfig config, Supplier<List<Server>> servers) {
        UserCache cache = new UserCache(config.name(), servers, config.user(), config.password(),
                new UserCache.Options(config.enableRootUser(), config.auth().usersRefreshTime(),
                        config.auth().localhostMatchWildcardHost(), false, Duration.ofSeconds(3),
                        config.auth().skipAuthentication()));
        return new Authenticator() {
            @Override
            public ServiceHandle.AuthOutcome authenticate(String user, InetAddress client, byte[] seed, byte[] reply,
                    String database) {
                return outcome(cache.authenticate(user, client, seed, reply, database), user);
            }

            @Override
            public String accountPlugin(String user, InetAddress client) {
                return cache.plugin(user, client);
            }

            @Override
            public ServiceHandle.AuthOutcome authenticateEd25519(String user, InetAddress client, byte[] nonce,
                    byte[] signature, String database) {
                return outcome(cache.authenticate(user, client, new UserCache.Ed25519(nonce, signature), database), user);
            }

            @Override
            public ServiceHandle.AuthOutcome authenticateClear(String user, InetAddress client, byte[] password,
                    String database) {
                return outcome(cache.authenticate(user, client, new UserCache.Clear(password), database), user);
            }

            private ServiceHandle.AuthOutcome outcome(AuthResult r, String user) {
                if (!r.isOk()) {
                    return new ServiceHandle.AuthOutcome(r.error(), null, user);
                }
                return new ServiceHandle.AuthOutcome(null, r.emptyPassword() ? null : r.stage1(), user, r.account(),
                        r.clearPassword());
            }

            @Override
            public io.loomscale.protocol.ErrPacket checkDatabase(Object account, String db) {
                // Only a missing grant (1044) is refused here; whether the database exists (1049) is
                // left to the servers, which may differ (a database only a replica has).
                return account instanceof io.loomscale.auth.UserAccount a
                        ? cache.checkDatabase(a, db)
                                .filter(e -> e.code() == io.loomscale.protocol.ErrPacket.ER_DBACCESS_DENIED_ERROR)
                                .orElse(null)
                        : null;
            }

            @Override
            public String serverVersion() {
                return cache.serverVersion();
            }

            @Override
            public void reload() {
                cache.load();
            }
        };
    }
}
