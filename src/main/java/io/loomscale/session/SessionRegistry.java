package io.loomscale.session;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every live client session by its proxy id, process-wide, so that KILL of a proxy connection id
 * finds the session (and through it the backend thread ids) whatever service it is on.
 */
public final class SessionRegistry {
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, ClientSession> sessions = new ConcurrentHashMap<>();

    long nextId() {
        return ids.incrementAndGet();
    }

    void add(ClientSession s) {
        sessions.put(s.id(), s);
    }

    void remove(ClientSession s) {
        sessions.remove(s.id(), s);
    }

    public ClientSession find(long id) {
        return sessions.get(id);
    }

    public Collection<ClientSession> all() {
        return sessions.values();
    }

    public int size() {
        return sessions.size();
    }
}
