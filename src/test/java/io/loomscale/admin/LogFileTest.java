package io.loomscale.admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rotation by size and on demand keeps {@link LogFile#KEEP} old files and loses no line. */
class LogFileTest {
    @Test
    void rotatesBySizeAtALineEndAndKeepsFiveOldFiles(@TempDir Path dir) throws Exception {
        PrintStream saved = System.err;
        try {
            LogFile lf = LogFile.install(dir, 1000, "notice");
            for (int i = 0; i < 200; i++) {
                System.err.println("line " + i + " " + "x".repeat(40));
            }
            System.err.flush();
            assertTrue(Files.exists(dir.resolve("loomscale.log.5")));
            assertFalse(Files.exists(dir.resolve("loomscale.log.6")));
            for (int i = 1; i <= 5; i++) {
                long size = Files.size(dir.resolve("loomscale.log." + i));
                assertTrue(size >= 1000 && size < 1100, "rotated just past the limit: " + size);
                assertTrue(Files.readString(dir.resolve("loomscale.log." + i)).endsWith("\n"), "whole lines");
            }
            assertTrue(Files.readString(dir.resolve("loomscale.log")).contains("line 199 "));
            lf.rotate();
            assertEquals(0, Files.size(dir.resolve("loomscale.log")));
            assertTrue(Files.readString(dir.resolve("loomscale.log.1"), StandardCharsets.UTF_8).contains("line 199 "));
            assertThrows(ApiException.class, () -> lf.level("chatty"));
        } finally {
            System.setErr(saved);
        }
    }
}
