package io.loomscale.monitor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MonitorJournalTest {
    @Test
    void whatIsWrittenIsReadBackByTheNextProcess(@TempDir Path dir) {
        MonitorJournal j = new MonitorJournal(dir, "my mon");
        assertEquals(MonitorJournal.State.EMPTY, j.read());
        j.write(new MonitorJournal.State("server\"2", Set.of("server3", "server1")));
        assertTrue(Files.isRegularFile(dir.resolve("mariadbmon-my_mon.json")));
        MonitorJournal.State back = new MonitorJournal(dir, "my mon").read();
        assertEquals("server\"2", back.master());
        assertEquals(Set.of("server1", "server3"), back.maintenance());
        assertFalse(Files.exists(dir.resolve("mariadbmon-my_mon.json.tmp")), "no temporary file left");
    }

    @Test
    void aMissingDatadirIsNotCreatedAndNothingFails(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        MonitorJournal j = new MonitorJournal(missing, "m");
        j.write(new MonitorJournal.State("a", Set.of()));
        assertFalse(Files.exists(missing));
        assertEquals(MonitorJournal.State.EMPTY, j.read());
    }

    @Test
    void aDamagedFileGivesWhatCanBeRead(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("mariadbmon-m.json"), "{ \"master\": \"server1\", garbage");
        MonitorJournal.State s = new MonitorJournal(dir, "m").read();
        assertEquals("server1", s.master());
        assertEquals(Set.of(), s.maintenance());
    }
}
