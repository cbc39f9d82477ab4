package io.loomscale.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Session-level commands through readconnroute: transactions, COM_PING ({@code isValid}),
 * COM_INIT_DB ({@code setCatalog}) and COM_RESET_CONNECTION, each checked by what the session can
 * see afterwards.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SessionStateIT {
    static TestProxy proxy;

    @BeforeAll
    static void setUp() throws SQLException {
        proxy = TestProxy.shared();
        try (Connection c = Db.app(proxy.writePort())) {
            Db.exec(c, "CREATE OR REPLACE TABLE it_session_trx (k INT PRIMARY KEY) ENGINE=InnoDB");
        }
    }

    @Test
    void committedRowsAreVisibleToOthersAndRolledBackRowsAreNot() throws SQLException {
        try (Connection writer = Db.app(proxy.writePort()); Connection reader = Db.app(proxy.writePort())) {
            writer.setAutoCommit(false);
            Db.exec(writer, "INSERT INTO it_session_trx VALUES (1), (2)");
            assertEquals("2", Db.scalar(writer, "SELECT COUNT(*) FROM it_session_trx"), "own uncommitted rows");
            assertEquals("0", Db.scalar(reader, "SELECT COUNT(*) FROM it_session_trx"), "not yet committed");
            assertEquals("1", Db.scalar(writer, "SELECT @@in_transaction"));
            writer.rollback();
            assertEquals("0", Db.scalar(writer, "SELECT COUNT(*) FROM it_session_trx"), "rolled back");

            Db.exec(writer, "INSERT INTO it_session_trx VALUES (3)");
            writer.commit();
            assertEquals("3", Db.scalar(reader, "SELECT GROUP_CONCAT(k) FROM it_session_trx"), "committed");
            assertEquals("0", Db.scalar(writer, "SELECT @@autocommit"));

            writer.setAutoCommit(true);
            Db.exec(writer, "INSERT INTO it_session_trx VALUES (4)");
            assertEquals("3,4", Db.scalar(reader, "SELECT GROUP_CONCAT(k ORDER BY k) FROM it_session_trx"),
                    "autocommit on again: visible at once");
            Db.exec(writer, "DELETE FROM it_session_trx");
        }
    }

    @Test
    void explicitTransactionStatementsWork() throws SQLException {
        try (Connection c = Db.app(proxy.writePort()); Statement st = c.createStatement()) {
            st.execute("START TRANSACTION");
            st.execute("INSERT INTO it_session_trx VALUES (10)");
            st.execute("SAVEPOINT sp");
            st.execute("INSERT INTO it_session_trx VALUES (11)");
            st.execute("ROLLBACK TO SAVEPOINT sp");
            st.execute("COMMIT");
            assertEquals("10", Db.scalar(c, "SELECT GROUP_CONCAT(k) FROM it_session_trx"));
            st.execute("DELETE FROM it_session_trx");
        }
    }

    @Test
    void isValidPingsAndTheConnectionStillAnswers() throws SQLException {
        try (Connection c = Db.app(proxy.writePort())) {
            for (int i = 0; i < 5; i++) {
                assertTrue(c.isValid(5), "COM_PING " + i);
            }
            assertEquals("5", Db.scalar(c, "SELECT 5"));
        }
    }

    @Test
    void setCatalogSwitchesDatabaseAndBack() throws SQLException {
        try (Connection c = Db.app(proxy.writePort())) {
            c.setCatalog("sbtest");
            assertEquals("sbtest", Db.scalar(c, "SELECT DATABASE()"));
            assertEquals("sbtest", c.getCatalog());
            c.setCatalog("test");
            assertEquals("test", Db.scalar(c, "SELECT DATABASE()"));
        }
    }

    @Test
    void setCatalogToAForbiddenDatabaseGetsTheServersErr1044() throws SQLException {
        try (Connection c = Db.app(proxy.writePort())) {
            SQLException e = assertThrows(SQLException.class, () -> c.setCatalog("mysql"));
            assertEquals(1044, e.getErrorCode());
            assertEquals("42000", e.getSQLState());
            assertTrue(e.getMessage().contains("Access denied for user 'app'@'%' to database 'mysql'"), e.getMessage());
            assertEquals("test", Db.scalar(c, "SELECT DATABASE()"), "still in the old database");
        }
    }

    @Test
    void resetConnectionForgetsUserVariables() throws SQLException {
        // Without useResetConnection, Connector/J's reset() only restores JDBC state locally.
        try (Connection c = Db.app(proxy.writePort(), "useResetConnection=true")) {
            Db.exec(c, "SET @it_var = 42");
            assertEquals("42", Db.scalar(c, "SELECT @it_var"));
            ((org.mariadb.jdbc.Connection) c).reset();
            assertNull(Db.scalar(c, "SELECT @it_var"), "user variable after COM_RESET_CONNECTION");
            assertEquals("test", Db.scalar(c, "SELECT DATABASE()"));
            assertEquals("1", Db.scalar(c, "SELECT @@autocommit"));
        }
    }
}
