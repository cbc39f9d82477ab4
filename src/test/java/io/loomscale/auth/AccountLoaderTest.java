package io.loomscale.auth;

import io.loomscale.protocol.client.SqlConnection;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccountLoaderTest {
    /** The columns of MariaDB 10.11's mysql.user view, in order. */
    private static final List<String> COLUMNS_10_11 = List.of(("Host,User,Password,Select_priv,Insert_priv,"
            + "Update_priv,Delete_priv,Create_priv,Drop_priv,Reload_priv,Shutdown_priv,Process_priv,File_priv,"
            + "Grant_priv,References_priv,Index_priv,Alter_priv,Show_db_priv,Super_priv,Create_tmp_table_priv,"
            + "Lock_tables_priv,Execute_priv,Repl_slave_priv,Repl_client_priv,Create_view_priv,Show_view_priv,"
            + "Create_routine_priv,Alter_routine_priv,Create_user_priv,Event_priv,Trigger_priv,"
            + "Create_tablespace_priv,Delete_history_priv,ssl_type,ssl_cipher,x509_issuer,x509_subject,"
            + "max_questions,max_updates,max_connections,max_user_connections,plugin,authentication_string,"
            + "password_expired,is_role,default_role,max_statement_time").split(","));

    private static final String APP_HASH = "*95BE1A04B76EE9AB97CEE8436421F2D15539B738";

    private static String[] row(List<String> columns, Map<String, String> values) {
        String[] r = new String[columns.size()];
        Arrays.fill(r, "N");
        for (int i = 0; i < r.length; i++) {
            String c = columns.get(i);
            if (c.startsWith("ssl") || c.startsWith("x509") || c.equals("default_role") || c.equals("Password")
                    || c.equals("plugin") || c.equals("authentication_string")) {
                r[i] = "";
            } else if (c.startsWith("max_")) {
                r[i] = "0";
            }
            if (values.containsKey(c)) {
                r[i] = values.get(c);
            }
        }
        return r;
    }

    private static Map<String, String> m(String... kv) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put(kv[i], kv[i + 1]);
        }
        return out;
    }

    private static SqlConnection.Result result(List<String> columns, List<Map<String, String>> rows) {
        List<String[]> rs = new ArrayList<>();
        for (Map<String, String> r : rows) {
            rs.add(row(columns, r));
        }
        return new SqlConnection.Result(columns, rs, null);
    }

    private static SqlConnection.Result triples(String[]... rows) {
        return new SqlConnection.Result(List.of("User", "Host", "Db"), List.of(rows), null);
    }

    @Test
    void readsMariaDb1011UserView() {
        SqlConnection.Result users = result(COLUMNS_10_11, List.of(
                m("Host", "%", "User", "app", "Password", APP_HASH, "authentication_string", APP_HASH,
                        "plugin", "mysql_native_password"),
                m("Host", "%", "User", "rt", "Select_priv", "Y", "plugin", "mysql_native_password",
                        "authentication_string", APP_HASH),
                m("Host", "%", "User", "pr", "Process_priv", "Y", "Repl_client_priv", "Y",
                        "plugin", "mysql_native_password", "authentication_string", APP_HASH),
                m("Host", "", "User", "app_role", "is_role", "Y"),
                m("Host", "localhost", "User", "root", "plugin", "", "authentication_string", ""),
                m("Host", "%", "User", "ed", "plugin", "ed25519", "authentication_string", "Gv2JI8Env2fd5YGon"),
                m("Host", "%", "User", "ex", "plugin", "mysql_native_password", "authentication_string", APP_HASH,
                        "password_expired", "Y"),
                m("Host", "localhost", "User", "mariadb.sys", "plugin", "mysql_native_password",
                        "authentication_string", "", "password_expired", "Y"),
                m("Host", "localhost", "User", "sock", "plugin", "mysql_native_password",
                        "authentication_string", "invalid")));
        Map<String, Set<String>> grants = new HashMap<>();
        AccountLoader.addGrants(grants, triples(new String[] {"app", "%", "test"}, new String[] {"app", "%", "sb%"}),
                false);
        AccountLoader.addGrants(grants, triples(new String[] {"pr", "%", "my_db"}), true);
        Set<String> locked = Set.of(AccountLoader.key("mariadb.sys", "localhost"));

        List<UserAccount> accounts = AccountLoader.parseUsers(users, grants, locked);
        Map<String, UserAccount> byUser = new HashMap<>();
        for (UserAccount a : accounts) {
            byUser.put(a.user(), a);
        }
        assertFalse(byUser.containsKey("app_role"), "roles are not accounts");
        assertEquals(8, accounts.size());

        UserAccount app = byUser.get("app");
        assertArrayEquals(UserAccount.hashOf(APP_HASH), app.passwordHash());
        assertEquals(Set.of("test", "sb%"), app.databases());
        assertFalse(app.anyDatabase());

        assertTrue(byUser.get("rt").anyDatabase(), "global SELECT opens every database");
        assertFalse(byUser.get("pr").anyDatabase(), "PROCESS does not");
        assertEquals(Set.of("my\\_db"), byUser.get("pr").databases(), "table grants match their db literally");

        UserAccount root = byUser.get("root");
        assertNull(root.passwordHash());
        assertEquals("mysql_native_password", root.plugin());

        assertEquals("ed25519", byUser.get("ed").plugin());
        assertTrue(byUser.get("ex").passwordExpired());
        assertTrue(byUser.get("mariadb.sys").locked());
        assertSame(UserAccount.UNUSABLE_HASH, byUser.get("sock").passwordHash());
    }

    @Test
    void readsMariaDb103StyleUserTable() {
        List<String> cols = List.of("Host", "User", "Password", "Select_priv", "plugin", "authentication_string",
                "is_role");
        SqlConnection.Result users = result(cols, List.of(
                m("Host", "%", "User", "app", "Password", APP_HASH, "plugin", "", "authentication_string", ""),
                m("Host", "%", "User", "old", "Password", "6f8c114b58f2ce9e", "plugin", "",
                        "authentication_string", "")));
        List<UserAccount> accounts = AccountLoader.parseUsers(users, Map.of(), Set.of());
        assertArrayEquals(UserAccount.hashOf(APP_HASH), accounts.get(0).passwordHash());
        assertTrue(accounts.get(0).usesNativePassword());
        assertEquals("mysql_old_password", accounts.get(1).plugin());
    }

    @Test
    void defaultRoleAndTheRolesGrantedToItOpenTheirDatabases() {
        SqlConnection.Result users = result(COLUMNS_10_11, List.of(
                m("Host", "%", "User", "u", "plugin", "mysql_native_password", "authentication_string", APP_HASH,
                        "default_role", "reader"),
                m("Host", "%", "User", "v", "plugin", "mysql_native_password", "authentication_string", APP_HASH),
                m("Host", "%", "User", "w", "plugin", "mysql_native_password", "authentication_string", APP_HASH,
                        "default_role", "admin"),
                m("Host", "", "User", "reader", "is_role", "Y"),
                m("Host", "", "User", "inner", "is_role", "Y"),
                m("Host", "", "User", "admin", "is_role", "Y", "Select_priv", "Y")));
        Map<String, Set<String>> grants = new HashMap<>();
        AccountLoader.addGrants(grants, triples(new String[] {"u", "%", "own"}, new String[] {"reader", "", "rdb"},
                new String[] {"inner", "", "idb"}), false);
        SqlConnection.Result mapping = new SqlConnection.Result(List.of("User", "Host", "Role"), List.of(
                new String[] {"reader", "", "inner"}, new String[] {"inner", "", "reader"},
                new String[] {"v", "%", "reader"}), null);

        Map<String, UserAccount> byUser = new HashMap<>();
        for (UserAccount a : AccountLoader.parseUsers(users, grants, Set.of(), AccountLoader.roleMapping(mapping))) {
            byUser.put(a.user(), a);
        }
        assertEquals(Set.of("own", "rdb", "idb"), byUser.get("u").databases(), "own, default role's, and transitively");
        assertFalse(byUser.get("u").anyDatabase());
        assertEquals(Set.of(), byUser.get("v").databases(), "a granted role that is not the default is not active at login");
        assertTrue(byUser.get("w").anyDatabase(), "a default role with global SELECT opens every database");
    }
}
