package io.loomscale.router.readwritesplit;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The session commands (and prepared statements) a session ran, in order, with whether each
 * succeeded, so that a backend connection opened later can be brought to the same state: it
 * replays them and must get the same outcome. Bounded by {@code max_sescmd_history}: past it the
 * history is switched off and no new connection can be opened for the session (MaxScale's rule).
 * Prepared statements are not counted: they leave the history when the client closes them.
 */
final class SessionHistory {
    /** One entry: the command packet, whether it succeeded, the client statement id of a prepare (else 0). */
    record Entry(byte[] packet, boolean ok, int statementId) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final int max;
    private boolean off;
    private int commands;

    SessionHistory(int max, boolean disabled) {
        this.max = max;
        this.off = disabled;
    }

    /** False once the history was switched off: a new connection could not be given the session's state. */
    boolean isOn() {
        return !off;
    }

    /** Switches the history off (a session command it cannot hold). */
    void disable() {
        off = true;
        entries.clear();
    }

    List<Entry> entries() {
        return entries;
    }

    /** Records a session command; returns true if this switched the history off. */
    boolean addCommand(byte[] packet, boolean ok) {
        if (off) {
            return false;
        }
        commands++;
        if (max > 0 && commands > max) {
            off = true;
            entries.clear();
            return true;
        }
        entries.add(new Entry(packet, ok, 0));
        return false;
    }

    void addPrepare(byte[] packet, int statementId) {
        if (!off) {
            entries.add(new Entry(packet, true, statementId));
        }
    }

    void removePrepare(int statementId) {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            if (it.next().statementId() == statementId) {
                it.remove();
                return;
            }
        }
    }

    /** COM_RESET_CONNECTION or COM_CHANGE_USER: the session starts over, history on again. */
    void clear(boolean disabled) {
        entries.clear();
        commands = 0;
        off = disabled;
    }

    int size() {
        return entries.size();
    }
}
