package io.loomscale.filter.tee;

import io.loomscale.config.FilterConfig;
import io.loomscale.config.Params;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterEnv;
import io.loomscale.filter.FilterSession;
import io.loomscale.filter.SessionMatch;
import io.loomscale.protocol.Commands;
import io.loomscale.protocol.Packets;
import io.loomscale.protocol.client.SqlConnection;
import io.loomscale.protocol.client.SqlException;
import io.loomscale.session.Downstream;
import io.loomscale.session.SessionContext;
import io.loomscale.session.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MaxScale 2.1's tee filter: each (matching) SQL statement of a session is also run on another
 * service ({@code service}, or {@code target} as later versions name it), whose replies are read
 * and thrown away. {@code match}, {@code exclude}, {@code options}, {@code user}, {@code source}
 * select what is copied.
 *
 * <p>The client never waits on the branch: each session that copies has a branch, a virtual
 * thread with a bounded queue (1000 statements; beyond it statements are dropped and counted)
 * and its own client connection to a listener of the branch service, logged in as the session's
 * user ({@link SessionContext#loginAs}) and switched to its database, so the branch service's
 * router and filters apply to the copies. A branch that cannot connect or whose connection breaks
 * is logged once and stops copying for that session; the session goes on. The branch connects on
 * the first copied statement. Copied: COM_QUERY text and COM_INIT_DB (as {@code USE}); prepared
 * statements are not copied.
 */
public final class TeeFilter implements Filter {
    private static final Logger log = LoggerFactory.getLogger(TeeFilter.class);
    static final Set<String> KEYS = Set.of("service", "target", "match", "exclude", "options", "user", "source");
    private static final int QUEUE = 1000;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String END = new String("end");

    private final String name;
    private final String target;
    private final SessionMatch match;
    private final FilterEnv env;
    private final AtomicLong copied = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong branchErrors = new AtomicLong();
    private final AtomicLong branchFailures = new AtomicLong();
    private final AtomicLong done = new AtomicLong();

    private TeeFilter(String name, String target, SessionMatch match, FilterEnv env) {
        this.name = name;
        this.target = target;
        this.match = match;
        this.env = env;
    }

    static TeeFilter create(FilterConfig config, FilterEnv env) {
        Params p = config.params();
        p.rejectUnknown(KEYS);
        if (p.has("service") && p.has("target")) {
            throw p.error("target", "both 'service' and 'target' are set", "one of them");
        }
        String key = p.has("target") ? "target" : "service";
        String target = p.string(key, null);
        if (target == null || target.isEmpty()) {
            throw p.error("service", "missing: tee needs the service to copy statements to", "a service name");
        }
        if (!env.serviceNames().isEmpty() && !env.serviceNames().contains(target)) {
            throw p.error(key, "unknown service '" + target + "'", String.join(", ", new java.util.TreeSet<>(env.serviceNames())));
        }
        return new TeeFilter(config.name(), target, SessionMatch.from(p), env);
    }

    @Override
    public FilterSession newSession(SessionContext ctx) {
        if (!match.appliesTo(ctx) || ctx.serviceName().equals(target)) {
            return (st, next) -> next.route(st);
        }
        return new TeeSession(ctx);
    }

    @Override
    public Map<String, Object> diagnostics() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("module", "tee");
        d.put("service", target);
        d.put("selection", match.toString());
        d.put("statements_copied", copied.get());
        d.put("statements_run_on_branch", done.get());
        d.put("statements_dropped", dropped.get());
        d.put("branch_errors", branchErrors.get());
        d.put("branch_failures", branchFailures.get());
        return d;
    }

    /** One session's branch. onStatement and close run on the session's thread, the branch on its own. */
    private final class TeeSession implements FilterSession {
        private final SessionContext ctx;
        private final ArrayBlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
        private Thread branch;
        private volatile boolean dead;

        TeeSession(SessionContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void onStatement(Statement st, Downstream next) throws IOException {
            if (!dead) {
                int c = st.command();
                String copy = null;
                if (c == Commands.COM_QUERY) {
                    String sql = st.sql();
                    if (match.matches(sql)) {
                        copy = sql;
                    }
                } else if (c == Commands.COM_INIT_DB) {
                    byte[] p = st.packet();
                    copy = "USE `" + new String(p, Packets.HEADER + 1, p.length - Packets.HEADER - 1, StandardCharsets.UTF_8)
                            .replace("`", "``") + "`";
                }
                if (copy != null) {
                    if (branch == null) {
                        branch = Thread.ofVirtual().name("tee-" + name + "-" + ctx.id()).start(this::run);
                    }
                    if (queue.offer(copy)) {
                        copied.incrementAndGet();
                    } else {
                        dropped.incrementAndGet();
                    }
                }
            }
            next.route(st);
        }

        private void run() {
            InetSocketAddress at = env.listenerOf().apply(target);
            if (at == null) {
                fail("service " + target + " has no TCP listener to connect to");
                return;
            }
            try (SqlConnection c = ctx.loginAs(at.getHostString(), at.getPort(), TIMEOUT)) {
                if (ctx.database() != null) {
                    c.execute("USE `" + ctx.database().replace("`", "``") + "`");
                }
                while (true) {
                    String sql;
                    try {
                        sql = queue.take();
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (sql == END) {
                        return;
                    }
                    try {
                        c.query(sql);
                    } catch (SqlException e) {
                        branchErrors.incrementAndGet(); // the branch's own error: nobody to tell
                    }
                    done.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                fail(e.toString());
            }
        }

        private void fail(String why) {
            dead = true;
            queue.clear();
            branchFailures.incrementAndGet();
            log.warn("tee {}: session {}: branch to service {} failed, no more copies for this session: {}", name,
                    ctx.id(), target, why);
        }

        @Override
        public void close() {
            dead = true;
            if (branch != null && !queue.offer(END)) {
                branch.interrupt();
            }
        }
    }
}
