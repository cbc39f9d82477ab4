package io.loomscale.auth;

import io.loomscale.protocol.NativePassword;
import io.loomscale.protocol.client.SqlConnection;
import io.loomscale.protocol.client.SqlException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads accounts, grants and databases from one server into an {@link AccountSnapshot}. Runs on
 * the thread that reloads the {@link UserCache}; the connection is the caller's.
 *
 * <p>{@code SELECT * FROM mysql.user} is read by column name, so the same code serves MariaDB
 * 10.4+ (where {@code mysql.user} is a view over {@code mysql.global_priv} and the hash is in
 * {@code authentication_string}) and 10.3 (hash in {@code Password}). Database grants come from
 * {@code mysql.db}, and table/column/routine grants also open their database, as on the server.
 * Roles: an account also gets the databases of its default role ({@code mysql.user.default_role},
 * active at login as on the server) and of the roles granted to that role
 * ({@code mysql.roles_mapping}), transitively. A role switched on later with {@code SET ROLE} is
 * not followed; the servers still check such a session's statements themselves.
 */
final class AccountLoader {
    private static final Logger log = LoggerFactory.getLogger(AccountLoader.class);

    /**
     * The global privileges that let an account use any database: the server's database-level
     * privileges. Others (PROCESS, SUPER, REPLICATION ...) do not open a database.
     */
    static final List<String> DB_LEVEL_PRIVILEGES = List.of("Select_priv", "Insert_priv", "Update_priv",
            "Delete_priv", "Create_priv", "Drop_priv", "Grant_priv", "References_priv", "Index_priv", "Alter_priv",
            "Create_tmp_table_priv", "Lock_tables_priv", "Execute_priv", "Create_view_priv", "Show_view_priv",
            "Create_routine_priv", "Alter_routine_priv", "Event_priv", "Trigger_priv", "Delete_history_priv");

    static final String USERS_SQL = "SELECT * FROM mysql.user";
    static final String DB_GRANTS_SQL = "SELECT User, Host, Db FROM mysql.db";
    static final String TABLE_GRANTS_SQL = "SELECT DISTINCT User, Host, Db FROM mysql.tables_priv";
    static final String ROUTINE_GRANTS_SQL = "SELECT DISTINCT User, Host, Db FROM mysql.procs_priv";
    static final String LOCKED_SQL =
            "SELECT User, Host FROM mysql.global_priv WHERE JSON_EXTRACT(Priv, '$.account_locked') = 'true'";
    static final String LOWER_CASE_SQL = "SELECT @@lower_case_table_names";
    static final String ROLES_SQL = "SELECT User, Host, Role FROM mysql.roles_mapping";

    private AccountLoader() {
    }

    /** Runs the queries on {@code c} and builds a snapshot; SQL errors of the essential queries propagate. */
    static AccountSnapshot load(SqlConnection c, String source) throws IOException {
        SqlConnection.Result users = c.query(USERS_SQL);
        Map<String, Set<String>> grants = new HashMap<>();
        addGrants(grants, c.query(DB_GRANTS_SQL), false);
        addGrants(grants, optional(c, TABLE_GRANTS_SQL), true);
        addGrants(grants, optional(c, ROUTINE_GRANTS_SQL), true);
        Set<String> locked = keys(optional(c, LOCKED_SQL));
        Map<String, Set<String>> roleGrants = roleMapping(optional(c, ROLES_SQL));
        SqlConnection.Result dbs = c.query("SHOW DATABASES");
        Set<String> databases = new HashSet<>();
        for (String[] row : dbs.rows()) {
            databases.add(row[0]);
        }
        SqlConnection.Result lc = c.query(LOWER_CASE_SQL);
        boolean lowerCase = !lc.rows().isEmpty() && !"0".equals(lc.rows().get(0)[0]);
        return new AccountSnapshot(parseUsers(users, grants, locked, roleGrants), databases, c.serverVersion(), lowerCase, source,
                Instant.now(), true);
    }

    private static SqlConnection.Result optional(SqlConnection c, String sql) throws IOException {
        try {
            return c.query(sql);
        } catch (SqlException e) {
            // Older servers lack global_priv; a service user may lack SELECT on a grant table.
            log.debug("{} failed, ignoring it: {}", sql, e.getMessage());
            return null;
        }
    }

    static String key(String user, String host) {
        return user + '\0' + (host == null ? "" : host.toLowerCase(Locale.ROOT));
    }

    /** Adds rows of (User, Host, Db); {@code literal} names (table and routine grants) are escaped. */
    static void addGrants(Map<String, Set<String>> grants, SqlConnection.Result r, boolean literal) {
        if (r == null) {
            return;
        }
        for (String[] row : r.rows()) {
            if (row[2] == null) {
                continue;
            }
            grants.computeIfAbsent(key(row[0], row[1]), k -> new HashSet<>())
                    .add(literal ? Wildcards.escape(row[2]) : row[2]);
        }
    }

    private static Set<String> keys(SqlConnection.Result r) {
        Set<String> out = new HashSet<>();
        if (r != null) {
            for (String[] row : r.rows()) {
                out.add(key(row[0], row[1]));
            }
        }
        return out;
    }

    /** Roles granted to roles: role name -> the roles granted to it (rows with an empty Host). */
    static Map<String, Set<String>> roleMapping(SqlConnection.Result r) {
        Map<String, Set<String>> out = new HashMap<>();
        if (r != null) {
            for (String[] row : r.rows()) {
                if (row[0] != null && row[2] != null && (row[1] == null || row[1].isEmpty())) {
                    out.computeIfAbsent(row[0], k -> new HashSet<>()).add(row[2]);
                }
            }
        }
        return out;
    }

    /** {@link #parseUsers(SqlConnection.Result, Map, Set, Map)} without roles granted to roles. */
    static List<UserAccount> parseUsers(SqlConnection.Result r, Map<String, Set<String>> grants, Set<String> locked) {
        return parseUsers(r, grants, locked, Map.of());
    }

    /**
     * Turns {@code SELECT * FROM mysql.user} into accounts, leaving roles out as accounts but adding
     * what a user's default role (and the roles granted to it, {@code roleGrants}) opens.
     */
    static List<UserAccount> parseUsers(SqlConnection.Result r, Map<String, Set<String>> grants, Set<String> locked,
            Map<String, Set<String>> roleGrants) {
        int user = r.column("User");
        int host = r.column("Host");
        int password = r.column("Password");
        int authString = r.column("authentication_string");
        int plugin = r.column("plugin");
        int isRole = r.column("is_role");
        int expired = r.column("password_expired");
        int accountLocked = r.column("account_locked");
        int defaultRole = r.column("default_role");
        if (user < 0 || host < 0) {
            throw new IllegalStateException("mysql.user has no User/Host columns: " + r.columns());
        }
        List<Integer> dbPrivs = new ArrayList<>();
        for (String p : DB_LEVEL_PRIVILEGES) {
            int i = r.column(p);
            if (i >= 0) {
                dbPrivs.add(i);
            }
        }
        // Roles first: what each opens on its own (grants on roles have an empty Host).
        Map<String, Boolean> roleAny = new HashMap<>();
        for (String[] row : r.rows()) {
            if (yes(row, isRole)) {
                boolean any = false;
                for (int i : dbPrivs) {
                    any |= yes(row, i);
                }
                roleAny.put(value(row, user), any);
            }
        }
        List<UserAccount> out = new ArrayList<>(r.rows().size());
        for (String[] row : r.rows()) {
            if (yes(row, isRole)) {
                continue;
            }
            String u = value(row, user);
            String h = value(row, host);
            String pl = value(row, plugin);
            String stored = value(row, authString);
            if (stored.isEmpty() && (pl.isEmpty() || pl.equals(NativePassword.PLUGIN))) {
                stored = value(row, password);
            }
            boolean any = false;
            for (int i : dbPrivs) {
                any |= yes(row, i);
            }
            String k = key(u, h);
            boolean isLocked = locked.contains(k) || yes(row, accountLocked);
            Set<String> dbs = grants.getOrDefault(k, Set.of());
            String role = value(row, defaultRole);
            if (!role.isEmpty()) {
                Set<String> merged = new HashSet<>(dbs);
                for (String ro : roleClosure(role, roleGrants)) {
                    any |= roleAny.getOrDefault(ro, false);
                    merged.addAll(grants.getOrDefault(key(ro, ""), Set.of()));
                }
                dbs = merged;
            }
            boolean nativePlugin = pl.isEmpty() || pl.equals(NativePassword.PLUGIN);
            byte[] hash = nativePlugin ? UserAccount.hashOf(stored) : UserAccount.UNUSABLE_HASH;
            if (pl.equals(io.loomscale.protocol.Ed25519Password.SERVER_PLUGIN)) {
                byte[] key = io.loomscale.protocol.Ed25519Password.decodeStoredKey(stored);
                hash = key == null ? UserAccount.UNUSABLE_HASH : key; // the public key, for ed25519 accounts
            }
            if (pl.isEmpty() && stored.length() == 16) {
                pl = "mysql_old_password"; // a pre-4.1 hash: the server would use the old protocol
            }
            out.add(new UserAccount(u, HostPattern.parse(h), hash, pl, any, dbs, isLocked, yes(row, expired)));
        }
        return out;
    }

    /** {@code role} and every role granted to it, directly or through other roles. */
    static Set<String> roleClosure(String role, Map<String, Set<String>> roleGrants) {
        Set<String> seen = new HashSet<>();
        List<String> todo = new ArrayList<>(List.of(role));
        while (!todo.isEmpty()) {
            String ro = todo.remove(todo.size() - 1);
            if (seen.add(ro)) {
                todo.addAll(roleGrants.getOrDefault(ro, Set.of()));
            }
        }
        return seen;
    }

    private static String value(String[] row, int i) {
        return i < 0 || row[i] == null ? "" : row[i];
    }

    private static boolean yes(String[] row, int i) {
        return i >= 0 && row[i] != null && row[i].equalsIgnoreCase("Y");
    }
}
