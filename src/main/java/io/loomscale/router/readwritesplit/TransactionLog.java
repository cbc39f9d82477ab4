package io.loomscale.router.readwritesplit;

import java.util.ArrayList;
import java.util.List;

/**
 * The statements of one session's open transaction on the primary, and the checksum of each
 * reply the client got, for {@code transaction_replay}: if the primary fails before the
 * transaction ends, the statements are run again on the new primary and the session goes on
 * only if every reply checksums the same (see {@link io.loomscale.net.BackendEndpoint#replyChecksum()}).
 * COM_STMT_EXECUTE is kept as the client sent it (client statement id), to be translated for the
 * new connection. A transaction larger than {@code transaction_replay_max_size}, or one that sent
 * something that cannot be repeated (a LOAD DATA LOCAL file, a 16 MiB statement, long data), is
 * marked not replayable. Session thread (or the fast path) under the session's lock.
 */
final class TransactionLog {
    /** One statement; {@code checksum} is set once its reply ended. */
    static final class Entry {
        final byte[] packet;
        long checksum;
        boolean done;

        Entry(byte[] packet) {
            this.packet = packet;
        }
    }

    private final long maxSize;
    private final List<Entry> entries = new ArrayList<>();
    private long size;
    private String notReplayable;

    TransactionLog(long maxSize) {
        this.maxSize = maxSize;
    }

    /** Whether anything is recorded (a transaction is under way on the primary). */
    boolean isEmpty() {
        return entries.isEmpty() && notReplayable == null;
    }

    /** Records a statement just sent (a copy when the caller may reuse the array). */
    void add(byte[] packet) {
        if (notReplayable != null) {
            return;
        }
        size += packet.length;
        if (size > maxSize) {
            poison("it is larger than transaction_replay_max_size (" + maxSize + " bytes)");
            return;
        }
        entries.add(new Entry(packet));
    }

    /** The reply to the last statement ended with this checksum. */
    void completed(long checksum) {
        if (!entries.isEmpty()) {
            Entry e = entries.get(entries.size() - 1);
            if (!e.done) {
                e.checksum = checksum;
                e.done = true;
            }
        }
    }

    /** The transaction can no longer be replayed, for {@code why}. */
    void poison(String why) {
        if (notReplayable == null) {
            notReplayable = why;
        }
        entries.clear();
    }

    /** Why the transaction cannot be replayed, or null when it can. */
    String notReplayable() {
        return notReplayable;
    }

    List<Entry> entries() {
        return entries;
    }

    /** Drops the statement whose reply never came (it is recorded again when it is sent again). */
    void retainDone() {
        entries.removeIf(e -> !e.done);
    }

    /** The transaction ended (or the session was reset): forget it. */
    void clear() {
        entries.clear();
        size = 0;
        notReplayable = null;
    }
}
