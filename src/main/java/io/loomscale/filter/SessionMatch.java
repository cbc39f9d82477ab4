package io.loomscale.filter;

import io.loomscale.config.Params;
import io.loomscale.session.SessionContext;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The statement and session selection most MaxScale 2.1 filters share: {@code match} and
 * {@code exclude} regular expressions on the SQL text (searched, not anchored, as PCRE's
 * {@code pcre2_match} does), {@code options} ({@code ignorecase}, {@code case},
 * {@code extended}), and the session-level {@code user} and {@code source} (client address).
 * Built once per filter from its config; a bad regular expression is refused with the file,
 * line, key and the regex engine's reason. Immutable and thread-safe.
 */
public final class SessionMatch {
    /** The keys this class reads, for a module's {@code rejectUnknown}. */
    public static final Set<String> KEYS = Set.of("match", "exclude", "options", "user", "source");

    private final Pattern match;
    private final Pattern exclude;
    private final String user;
    private final String source;

    private SessionMatch(Pattern match, Pattern exclude, String user, String source) {
        this.match = match;
        this.exclude = exclude;
        this.user = user;
        this.source = source;
    }

    /** Reads {@code match}, {@code exclude}, {@code options}, {@code user}, {@code source}. */
    public static SessionMatch from(Params p) {
        int flags = regexFlags(p);
        return new SessionMatch(compile(p, "match", flags), compile(p, "exclude", flags),
                emptyToNull(p.string("user", null)), emptyToNull(p.string("source", null)));
    }

    /** Only {@code user} and {@code source} (a filter whose {@code match} means something else). */
    public static SessionMatch sessionsOnly(Params p) {
        return new SessionMatch(null, null, emptyToNull(p.string("user", null)), emptyToNull(p.string("source", null)));
    }

    /**
     * The {@link Pattern} flags of {@code options}: {@code ignorecase} (the default is
     * case-sensitive, as in MaxScale), {@code extended} (whitespace and {@code #} comments in the
     * pattern are ignored, PCRE's x flag).
     */
    public static int regexFlags(Params p) {
        String options = p.string("options", "");
        int flags = 0;
        for (String o : options.split(",")) {
            String opt = o.trim().toLowerCase(Locale.ROOT);
            switch (opt) {
                case "" -> { }
                case "ignorecase" -> flags |= Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
                case "case" -> flags &= ~(Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
                case "extended" -> flags |= Pattern.COMMENTS;
                default -> throw p.error("options", "unknown option '" + o.trim() + "'", "ignorecase, case, extended");
            }
        }
        return flags;
    }

    /** The regex of {@code key}, or null when absent; a syntax error names the key, its line and the reason. */
    public static Pattern compile(Params p, String key, int flags) {
        String re = p.string(key, null);
        if (re == null) {
            return null;
        }
        if (re.length() >= 2 && re.startsWith("/") && re.endsWith("/")) {
            re = re.substring(1, re.length() - 1); // MaxScale accepts /regex/
        }
        try {
            return Pattern.compile(re, flags);
        } catch (PatternSyntaxException e) {
            throw p.error(key, "bad regular expression: " + e.getDescription() + " near index " + e.getIndex()
                    + " of '" + re + "'", "a regular expression");
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** Whether the filter applies to this session at all ({@code user}, {@code source}). */
    public boolean appliesTo(SessionContext ctx) {
        if (user != null && !user.equals(ctx.user())) {
            return false;
        }
        return source == null || source.equals(host(ctx.clientAddress()));
    }

    /** Whether a statement's SQL passes {@code match} and {@code exclude}. */
    public boolean matches(CharSequence sql) {
        if (sql == null) {
            return false;
        }
        if (match != null && !match.matcher(sql).find()) {
            return false;
        }
        return exclude == null || !exclude.matcher(sql).find();
    }

    /** True when neither {@code match} nor {@code exclude} is set (every statement passes). */
    public boolean matchesAll() {
        return match == null && exclude == null;
    }

    /** The client's host as text ({@code localhost} for a unix socket). */
    public static String host(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            return i.getAddress() == null ? i.getHostString() : i.getAddress().getHostAddress();
        }
        return "localhost";
    }

    @Override
    public String toString() {
        return "match=" + (match == null ? "" : match.pattern()) + " exclude=" + (exclude == null ? "" : exclude.pattern())
                + " user=" + (user == null ? "" : user) + " source=" + (source == null ? "" : source);
    }
}
