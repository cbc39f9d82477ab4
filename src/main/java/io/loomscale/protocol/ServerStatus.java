package io.loomscale.protocol;

/**
 * Server status flags carried by OK and EOF packets.
 *
 * @see <a href="https://mariadb.com/kb/en/ok_packet/#server-status-flag">MariaDB: server status flag</a>
 */
public final class ServerStatus {
    public static final int IN_TRANS = 1;
    public static final int AUTOCOMMIT = 2;
    public static final int MORE_RESULTS_EXISTS = 8;
    public static final int QUERY_NO_GOOD_INDEX_USED = 16;
    public static final int QUERY_NO_INDEX_USED = 32;
    public static final int CURSOR_EXISTS = 64;
    public static final int LAST_ROW_SENT = 128;
    public static final int DB_DROPPED = 1 << 8;
    public static final int NO_BACKSLASH_ESCAPES = 1 << 9;
    public static final int METADATA_CHANGED = 1 << 10;
    public static final int QUERY_WAS_SLOW = 1 << 11;
    public static final int PS_OUT_PARAMS = 1 << 12;
    public static final int IN_TRANS_READONLY = 1 << 13;
    public static final int SESSION_STATE_CHANGED = 1 << 14;

    private ServerStatus() {
    }
}
