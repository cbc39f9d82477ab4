package io.loomscale.monitor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a monitor must not forget over a restart (MaxScale keeps a monitor journal for the same
 * reason): which server was the primary and which servers are in maintenance. Written to
 * {@code DATADIR/mariadbmon-NAME.json} whenever either changes (a temporary file moved into
 * place, so a crash leaves the old or the new file, never half of one), read once at start.
 * Without it, a restarted proxy that finds the primary down would not know which server to
 * fail over from, and could take a returning old primary for the primary. A datadir that does
 * not exist (it is not created here: the package or the operator makes it) or cannot be written
 * is reported once in the log; the monitor works on without the journal.
 */
final class MonitorJournal {
    private static final Logger log = LoggerFactory.getLogger(MonitorJournal.class);
    private static final Pattern MASTER = Pattern.compile("\"master\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern MAINT = Pattern.compile("\"maintenance\"\\s*:\\s*\\[([^\\]]*)\\]");
    private static final Pattern STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The remembered state: the primary's name (or "") and the servers in maintenance. */
    record State(String master, Set<String> maintenance) {
        static final State EMPTY = new State("", Set.of());
    }

    private final Path file;
    private State written = State.EMPTY;
    private boolean warned;

    /** @param dir the datadir, or null for no journal */
    MonitorJournal(Path dir, String monitor) {
        this.file = dir == null ? null : dir.resolve("mariadbmon-" + monitor.replaceAll("[^A-Za-z0-9_.-]", "_") + ".json");
    }

    Path file() {
        return file;
    }

    /** The journal's state, or {@link State#EMPTY} when there is none (or it cannot be read, logged). */
    State read() {
        if (file == null || !Files.isRegularFile(file)) {
            return State.EMPTY;
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            Matcher m = MASTER.matcher(text);
            String master = m.find() ? unescape(m.group(1)) : "";
            Set<String> maint = new LinkedHashSet<>();
            Matcher mm = MAINT.matcher(text);
            if (mm.find()) {
                Matcher s = STRING.matcher(mm.group(1));
                while (s.find()) {
                    maint.add(unescape(s.group(1)));
                }
            }
            written = new State(master, Set.copyOf(maint));
            return written;
        } catch (IOException e) {
            log.warn("Cannot read the monitor journal {}: {}; starting without it", file, e.getMessage());
            return State.EMPTY;
        }
    }

    /** Writes {@code s} if it differs from what was last written. */
    void write(State s) {
        if (file == null || s.equals(written)) {
            return;
        }
        List<String> names = new ArrayList<>(s.maintenance());
        names.sort(null);
        StringBuilder sb = new StringBuilder("{\n  \"master\": \"").append(escape(s.master())).append("\",\n  \"maintenance\": [");
        for (int i = 0; i < names.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append('"').append(escape(names.get(i))).append('"');
        }
        sb.append("]\n}\n");
        try {
            if (!Files.isDirectory(file.getParent())) {
                throw new IOException("the directory does not exist");
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            written = s;
            warned = false;
        } catch (IOException e) {
            if (!warned) {
                log.warn("Cannot write the monitor journal {} ({}); a restarted proxy will not remember the primary "
                        + "or maintenance; set [loomscale] datadir to a writable directory", file, e);
                warned = true;
            }
        }
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String unescape(String s) {
        return s.replace("\\\"", "\"").replace("\\\\", "\\");
    }
}
