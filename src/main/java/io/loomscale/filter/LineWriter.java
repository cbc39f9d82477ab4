package io.loomscale.filter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes text lines to files for filters (qlafilter, topfilter, regexfilter's log_file) without
 * sessions ever waiting on the disk: {@link #write} puts the line in a bounded queue and returns;
 * one platform thread per writer takes lines, appends them to their file (opened on first use,
 * kept open), and flushes when the queue runs dry. When the queue is full the line is dropped
 * and counted ({@link #dropped()}), and a warning is logged at most once a minute: a slow disk
 * costs log lines, never client latency.
 *
 * <p>Threads: {@link #write} from any thread; files are touched by the writer thread only.
 */
public final class LineWriter {
    private static final Logger log = LoggerFactory.getLogger(LineWriter.class);

    private record Line(Path file, String text, boolean closeAfter) {
    }

    private final String name;
    private final ArrayBlockingQueue<Object> queue;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Map<Path, BufferedWriter> open = new HashMap<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile long lastDropWarning;
    private final boolean flushEachLine;

    /** @param capacity lines the queue holds before dropping */
    public LineWriter(String name, int capacity) {
        this(name, capacity, false);
    }

    /**
     * @param capacity      lines the queue holds before dropping
     * @param flushEachLine flush the file after every line (qlafilter's {@code flush}); otherwise
     *                      files are flushed whenever the queue runs dry
     */
    public LineWriter(String name, int capacity, boolean flushEachLine) {
        this.name = name;
        this.flushEachLine = flushEachLine;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, "loomscale-filter-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code text} (a newline is added) for {@code file}; false if it was dropped. Never blocks. */
    public boolean write(Path file, String text) {
        return offer(new Line(file, text, false));
    }

    /** Like {@link #write}, then closes the file (the last line of a session file). */
    public boolean writeAndClose(Path file, String text) {
        return offer(new Line(file, text, true));
    }

    /** Closes {@code file} once what is queued for it is written (a session ended). */
    public void closeFile(Path file) {
        offer(new Line(file, null, true));
    }

    private boolean offer(Line l) {
        if (queue.offer(l)) {
            return true;
        }
        long n = dropped.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastDropWarning > TimeUnit.MINUTES.toNanos(1)) {
            lastDropWarning = now;
            log.warn("filter {}: log queue full, {} line(s) dropped so far", name, n);
        }
        return false;
    }

    public long written() {
        return written.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /** Lines that could not be written (I/O errors). */
    public long failed() {
        return failed.get();
    }

    public int queued() {
        return queue.size();
    }

    /** Waits up to {@code millis} until everything queued so far is on disk (tests, shutdown). */
    public boolean flush(long millis) {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        try {
            return queue.offer(done, millis, TimeUnit.MILLISECONDS) && done.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Writes what is queued, closes the files and ends the thread. */
    public void close() {
        flush(2000);
        stopping = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (!stopping) {
                Object o;
                try {
                    o = queue.poll();
                    if (o == null) {
                        flushAll();
                        o = queue.take();
                    }
                } catch (InterruptedException e) {
                    break;
                }
                if (o instanceof java.util.concurrent.CountDownLatch done) {
                    flushAll();
                    done.countDown();
                } else {
                    append((Line) o);
                }
            }
        } finally {
            for (Object o; (o = queue.poll()) != null; ) {
                if (o instanceof Line l) {
                    append(l);
                } else if (o instanceof java.util.concurrent.CountDownLatch done) {
                    flushAll();
                    done.countDown();
                }
            }
            flushAll();
            for (BufferedWriter w : open.values()) {
                closeQuietly(w);
            }
            open.clear();
        }
    }

    private void append(Line l) {
        try {
            BufferedWriter w = open.get(l.file());
            if (l.text() == null) {
                if (w != null) {
                    open.remove(l.file());
                    w.close();
                }
                return;
            }
            if (w == null) {
                w = Files.newBufferedWriter(l.file(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
                open.put(l.file(), w);
            }
            w.write(l.text());
            w.write('\n');
            written.incrementAndGet();
            if (l.closeAfter()) {
                open.remove(l.file());
                w.close();
            } else if (flushEachLine) {
                w.flush();
            }
        } catch (IOException e) {
            if (failed.incrementAndGet() == 1 || failed.get() % 10_000 == 0) {
                log.warn("filter {}: cannot write {}: {}", name, l.file(), e.toString());
            }
            BufferedWriter w = open.remove(l.file());
            if (w != null) {
                closeQuietly(w);
            }
        }
    }

    private void flushAll() {
        for (Iterator<Map.Entry<Path, BufferedWriter>> it = open.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Path, BufferedWriter> e = it.next();
            try {
                e.getValue().flush();
            } catch (IOException ex) {
                failed.incrementAndGet();
                closeQuietly(e.getValue());
                it.remove();
            }
        }
    }

    private static void closeQuietly(BufferedWriter w) {
        try {
            w.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    /**
     * Whether {@code file}'s directory exists and is writable: a reason if not, else null. Filters
     * warn with it at start rather than refuse, so that {@code loomscale check} of a configuration
     * meant for another machine (a converted MaxScale one) passes; lines that cannot be written
     * are counted ({@link #failed()}) and logged.
     */
    public static String checkWritableDir(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return "directory " + dir + " does not exist";
        }
        if (!Files.isWritable(dir)) {
            return "directory " + dir + " is not writable";
        }
        return null;
    }
}
