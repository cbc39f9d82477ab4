package io.loomscale.secrets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretsFileTest {
    @TempDir
    Path dir;

    @Test
    void encryptedPasswordDecryptsWithTheSameKeyOnly() throws Exception {
        SecretsFile f = SecretsFile.create(dir, false);
        String c1 = f.encrypt("s3cret \u00e9");
        String c2 = f.encrypt("s3cret \u00e9");
        assertNotEquals(c1, c2, "a fresh nonce each time");
        assertEquals(Optional.of("s3cret \u00e9"), SecretsFile.load(dir.resolve(".secrets")).decrypt(c1));
        Path other = Files.createDirectory(dir.resolve("other"));
        assertEquals(Optional.empty(), SecretsFile.create(other, false).decrypt(c1), "another key");
        String tampered = (c1.charAt(30) == '0' ? "1" : "0");
        assertEquals(Optional.empty(), f.decrypt(c1.substring(0, 30) + tampered + c1.substring(31)));
    }

    @Test
    void plainPasswordsStayPlain() throws Exception {
        SecretsFile f = SecretsFile.create(dir, false);
        for (String plain : new String[] {"", "app_pw", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "zz"}) {
            assertEquals(Optional.empty(), f.decrypt(plain), plain);
        }
    }

    @Test
    void keyFileIsOwnerReadOnlyAndNotReplacedByAccident() throws Exception {
        SecretsFile.create(dir, false);
        Path f = dir.resolve(".secrets");
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        String before = Files.readString(f);
        assertThrows(FileAlreadyExistsException.class, () -> SecretsFile.create(dir, false));
        assertEquals(before, Files.readString(f));
        SecretsFile.create(dir, true);
        assertNotEquals(before, Files.readString(f));
        assertTrue(SecretsFile.find(dir).isPresent());
        assertTrue(SecretsFile.find(dir.resolve("nothing")).isEmpty());
    }
}
