package io.loomscale.admin;

import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The process log {@code logdir/loomscale.log}: slf4j-simple writes to {@code System.err}
 * (looked up on every line, as its default output is), and {@link #install} points
 * {@code System.err} at this file. {@link #rotate()} (SIGUSR1, {@code POST /v1/maxscale/logs/flush},
 * or the file passing {@code maxBytes}) renames {@code loomscale.log} to {@code loomscale.log.1}
 * (older ones shift up to {@code .}{@link #KEEP}) and opens a new file, so logrotate's
 * {@code postrotate kill -USR1} works as it does for MaxScale.
 *
 * <p>{@link #level(String)} changes the level at run time. slf4j-simple has no API for that: the
 * level lives in a field of each logger and of its configuration, set here by reflection; when
 * that fails (another slf4j binding) the change is refused with a message, never half done.
 *
 * <p>Thread-safe: writes and rotation hold one lock (never across anything but the file write).
 */
public final class LogFile {
    static final int KEEP = 5;
    private static final List<String> LEVELS = List.of("error", "warn", "notice", "info", "debug");

    private final Path file;
    private final long maxBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private OutputStream out;
    private long written;
    private volatile String level;

    private LogFile(Path file, long maxBytes, String level) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        this.level = level;
        Files.createDirectories(file.toAbsolutePath().getParent());
        open();
    }

    /**
     * Sends {@code System.err} (slf4j-simple's output) to {@code logdir/loomscale.log}.
     *
     * @param maxBytes rotate when the file grows past this (0 = only on demand)
     * @param level    the configured {@code log_level}
     */
    public static LogFile install(Path logdir, long maxBytes, String level) throws IOException {
        LogFile lf = new LogFile(logdir.resolve("loomscale.log"), maxBytes, level);
        System.setErr(new PrintStream(lf.stream(), true, StandardCharsets.UTF_8));
        return lf;
    }

    /** Rotates on SIGUSR1 (where the JVM lets a program handle it); false when it cannot. */
    public boolean rotateOnSigusr1() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("USR1"), sig -> {
                try {
                    rotate();
                } catch (IOException e) {
                    System.err.println("loomscale: log rotation failed: " + e);
                }
            });
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return false;
        }
    }

    public Path file() {
        return file;
    }

    private void open() throws IOException {
        out = new FileOutputStream(file.toFile(), true);
        written = Files.size(file);
    }

    /** Renames the current file to {@code .1} (shifting older ones) and starts a new one. */
    public void rotate() throws IOException {
        lock.lock();
        try {
            out.close();
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + "." + KEEP));
            for (int i = KEEP - 1; i >= 1; i--) {
                Path p = file.resolveSibling(file.getFileName() + "." + i);
                if (Files.exists(p)) {
                    Files.move(p, file.resolveSibling(file.getFileName() + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            if (Files.exists(file)) {
                Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
            }
            open();
        } finally {
            lock.unlock();
        }
    }

    private OutputStream stream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                lock.lock();
                try {
                    out.write(b, off, len);
                    written += len;
                    if (maxBytes > 0 && written >= maxBytes && len > 0 && b[off + len - 1] == '\n') {
                        rotate();
                    }
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void flush() throws IOException {
                lock.lock();
                try {
                    out.flush();
                } finally {
                    lock.unlock();
                }
            }
        };
    }

    public String level() {
        return level;
    }

    /** Sets the level of every logger now and of those created later. */
    public void level(String newLevel) {
        String l = newLevel.toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(l)) {
            throw new ApiException(400, "log_level '" + newLevel + "' is not allowed; allowed: " + String.join(", ", LEVELS));
        }
        setSimpleLoggerLevel(l);
        level = l;
    }

    /** slf4j-simple's numeric levels: trace 0, debug 10, info 20, warn 30, error 40. */
    private static int simpleLevel(String l) {
        return switch (l) {
            case "error" -> 40;
            case "warn" -> 30;
            case "notice", "info" -> 20;
            default -> 10;
        };
    }

    private static void setSimpleLoggerLevel(String l) {
        int n = simpleLevel(l);
        ILoggerFactory f = LoggerFactory.getILoggerFactory();
        try {
            Class<?> loggerClass = Class.forName("org.slf4j.simple.SimpleLogger");
            Field config = loggerClass.getDeclaredField("CONFIG_PARAMS");
            config.setAccessible(true);
            Object cfg = config.get(null);
            Field dflt = cfg.getClass().getDeclaredField("defaultLogLevel");
            dflt.setAccessible(true);
            Field current = loggerClass.getDeclaredField("currentLogLevel");
            current.setAccessible(true);
            Field map = f.getClass().getDeclaredField("loggerMap");
            map.setAccessible(true);
            dflt.setInt(cfg, n);
            for (Object logger : ((Map<?, ?>) map.get(f)).values()) {
                if (loggerClass.isInstance(logger)) {
                    current.setInt(logger, n);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ApiException(500, "cannot change the log level at run time with the logging binding "
                    + f.getClass().getName() + ": " + e);
        }
    }
}
