package io.loomscale.admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminUsersTest {
    @Test
    void defaultUserUntilAFileExistsAndPasswordsAreStoredHashed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("admin_users");
        AdminUsers u = new AdminUsers(file);
        assertTrue(u.check("admin", "mariadb"));
        assertTrue(u.defaultPasswordInUse());
        assertFalse(u.check("admin", "wrong"));
        u.put("admin", "better");
        u.put("ops", "pw");
        assertFalse(u.defaultPasswordInUse());
        String stored = Files.readString(file);
        assertFalse(stored.contains("better") || stored.contains("pw\n"), stored);
        AdminUsers again = new AdminUsers(file);
        assertTrue(again.check("admin", "better"));
        assertTrue(again.check("ops", "pw"));
        assertEquals(403, assertThrows(ApiException.class, () -> {
            again.remove("ops");
            again.remove("admin");
        }).status());
        assertEquals(400, assertThrows(ApiException.class, () -> again.put("a:b", "x")).status());
        assertEquals(404, assertThrows(ApiException.class, () -> again.remove("ghost")).status());
    }

    @Test
    void aDamagedFileIsAnErrorNamingItsLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("admin_users");
        Files.writeString(file, "admin\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new AdminUsers(file));
        assertTrue(e.getMessage().startsWith(file + ":1: not an admin user line"), e.getMessage());
    }
}
