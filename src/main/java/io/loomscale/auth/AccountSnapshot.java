package io.loomscale.auth;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An immutable copy of a server's accounts and databases, as of one load. Sessions read it
 * from any thread without locks; {@link UserCache} replaces it as a whole.
 *
 * <p>Accounts are ordered the way the server orders them: by the specificity of the host (then
 * of the user name, so a named account beats an anonymous one with an equally specific host),
 * and on a tie by host text in descending byte order (so {@code localhost} comes before
 * {@code 127.0.0.1}). A client gets the first account in that order whose user is its name (or
 * anonymous) and whose host covers it.
 */
final class AccountSnapshot {
    static final String INFORMATION_SCHEMA = "information_schema";

    /** Server order: most specific first. */
    static final Comparator<UserAccount> SERVER_ORDER = Comparator
            .comparingInt(AccountSnapshot::sortValue).reversed()
            .thenComparing((UserAccount a) -> a.host().text(), Comparator.reverseOrder());

    static final AccountSnapshot EMPTY = new AccountSnapshot(List.of(), Set.of(), "", false, "", Instant.EPOCH, false);

    private final Map<String, List<UserAccount>> byName;
    private final List<UserAccount> anonymous;
    private final int size;
    private final Set<String> databases;
    private final String serverVersion;
    private final boolean lowerCaseNames;
    private final String source;
    private final Instant loadedAt;
    private final boolean loaded;

    /**
     * @param accounts       the accounts in any order
     * @param databases      existing databases (SHOW DATABASES)
     * @param serverVersion  the version string the server sent in its handshake
     * @param lowerCaseNames the server has {@code lower_case_table_names != 0}: database names
     *                       compare without case
     * @param source         the server it was loaded from
     */
    AccountSnapshot(List<UserAccount> accounts, Set<String> databases, String serverVersion, boolean lowerCaseNames,
            String source, Instant loadedAt, boolean loaded) {
        List<UserAccount> sorted = new ArrayList<>(accounts);
        sorted.sort(SERVER_ORDER);
        Map<String, List<UserAccount>> named = new HashMap<>();
        List<UserAccount> anon = new ArrayList<>();
        for (UserAccount a : sorted) {
            if (a.isAnonymous()) {
                anon.add(a);
            } else {
                named.computeIfAbsent(a.user(), k -> new ArrayList<>()).add(a);
            }
        }
        named.replaceAll((k, v) -> List.copyOf(v));
        this.byName = Map.copyOf(named);
        this.anonymous = List.copyOf(anon);
        this.size = sorted.size();
        Set<String> dbs = new HashSet<>();
        for (String d : databases) {
            dbs.add(lowerCaseNames ? d.toLowerCase(Locale.ROOT) : d);
        }
        this.databases = Set.copyOf(dbs);
        this.serverVersion = serverVersion;
        this.lowerCaseNames = lowerCaseNames;
        this.source = source;
        this.loadedAt = loadedAt;
        this.loaded = loaded;
    }

    /** The server's sort value of an account: host specificity, then user specificity. */
    static int sortValue(UserAccount a) {
        return (a.host().specificity() << 8) | Wildcards.sortValue(a.user());
    }

    /**
     * The account the server would pick for {@code user} connecting from {@code client}, or null.
     *
     * @param localhostMatchWildcardHost when false, a loopback client does not match {@code %}
     *                                   hosts (MaxScale's {@code localhost_match_wildcard_host})
     */
    UserAccount find(String user, ClientHost client, boolean localhostMatchWildcardHost) {
        UserAccount named = firstMatch(byName.getOrDefault(user, List.of()), client, localhostMatchWildcardHost);
        UserAccount anon = firstMatch(anonymous, client, localhostMatchWildcardHost);
        if (named == null) {
            return anon;
        }
        if (anon == null) {
            return named;
        }
        return SERVER_ORDER.compare(anon, named) < 0 ? anon : named;
    }

    /**
     * This snapshot's version of {@code account} (same user and host), whose grants may be newer;
     * {@code account} itself when this snapshot does not have it.
     */
    UserAccount same(UserAccount account) {
        List<UserAccount> list = account.isAnonymous() ? anonymous : byName.getOrDefault(account.user(), List.of());
        for (UserAccount a : list) {
            if (a.host().equals(account.host())) {
                return a;
            }
        }
        return account;
    }

    private static UserAccount firstMatch(List<UserAccount> sorted, ClientHost client, boolean wildcardForLocal) {
        for (UserAccount a : sorted) {
            if (!wildcardForLocal && client.loopback() && a.host().isAnyHost()) {
                continue;
            }
            if (a.host().matches(client)) {
                return a;
            }
        }
        return null;
    }

    /** Whether {@code db} exists on the server (information_schema always does). */
    boolean databaseExists(String db) {
        if (db.equalsIgnoreCase(INFORMATION_SCHEMA)) {
            return true;
        }
        return databases.contains(lowerCaseNames ? db.toLowerCase(Locale.ROOT) : db);
    }

    /** Whether {@code account} may use {@code db}, whether or not it exists. */
    boolean mayUse(UserAccount account, String db) {
        if (account.anyDatabase() || db.equalsIgnoreCase(INFORMATION_SCHEMA)) {
            return true;
        }
        String name = lowerCaseNames ? db.toLowerCase(Locale.ROOT) : db;
        for (String pattern : account.databases()) {
            if (Wildcards.matches(name, pattern, lowerCaseNames)) {
                return true;
            }
        }
        return false;
    }

    boolean isLoaded() {
        return loaded;
    }

    int size() {
        return size;
    }

    int databaseCount() {
        return databases.size();
    }

    String serverVersion() {
        return serverVersion;
    }

    String source() {
        return source;
    }

    Instant loadedAt() {
        return loadedAt;
    }
}
