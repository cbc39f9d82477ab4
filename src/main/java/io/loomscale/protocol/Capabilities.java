package io.loomscale.protocol;

/**
 * Capability flags of the handshake.
 *
 * @see <a href="https://mariadb.com/kb/en/connection/#capabilities">MariaDB: capabilities</a>
 */
public final class Capabilities {
    public static final int CLIENT_MYSQL = 1;
    public static final int FOUND_ROWS = 1 << 1;
    public static final int LONG_FLAG = 1 << 2;
    public static final int CONNECT_WITH_DB = 1 << 3;
    public static final int NO_SCHEMA = 1 << 4;
    public static final int COMPRESS = 1 << 5;
    public static final int ODBC = 1 << 6;
    public static final int LOCAL_FILES = 1 << 7;
    public static final int IGNORE_SPACE = 1 << 8;
    public static final int PROTOCOL_41 = 1 << 9;
    public static final int INTERACTIVE = 1 << 10;
    public static final int SSL = 1 << 11;
    public static final int IGNORE_SIGPIPE = 1 << 12;
    public static final int TRANSACTIONS = 1 << 13;
    public static final int RESERVED = 1 << 14;
    public static final int SECURE_CONNECTION = 1 << 15;
    public static final int MULTI_STATEMENTS = 1 << 16;
    public static final int MULTI_RESULTS = 1 << 17;
    public static final int PS_MULTI_RESULTS = 1 << 18;
    public static final int PLUGIN_AUTH = 1 << 19;
    public static final int CONNECT_ATTRS = 1 << 20;
    public static final int PLUGIN_AUTH_LENENC_CLIENT_DATA = 1 << 21;
    public static final int CAN_HANDLE_EXPIRED_PASSWORDS = 1 << 22;
    public static final int SESSION_TRACK = 1 << 23;
    public static final int DEPRECATE_EOF = 1 << 24;
    public static final int REMEMBER_OPTIONS = 1 << 31;

    /** MariaDB extended capabilities (the upper 32 bits, sent in the filler of the handshake). */
    public static final long MARIADB_CLIENT_PROGRESS = 1L << 32;
    public static final long MARIADB_CLIENT_COM_MULTI = 1L << 33;
    public static final long MARIADB_CLIENT_STMT_BULK_OPERATIONS = 1L << 34;
    public static final long MARIADB_CLIENT_EXTENDED_METADATA = 1L << 35;
    public static final long MARIADB_CLIENT_CACHE_METADATA = 1L << 36;

    /**
     * What the proxy offers clients: only what it handles end to end. Compression, COM_MULTI and
     * metadata caching change the reply format in ways the proxy would have to undo, so they are
     * not offered. Extended metadata (a column's {@code format=json}, {@code uuid} ...) is: each
     * backend connection negotiates what its client did, so the column definitions pass through
     * unchanged (the masking filter, which reads them, skips the extra field). SSL is offered per
     * listener. CLIENT_MYSQL stays clear, as MariaDB servers do, which tells clients that the
     * extended (upper 32-bit) capabilities are in the handshake.
     */
    public static final long PROXY_SERVER = FOUND_ROWS | LONG_FLAG | CONNECT_WITH_DB | NO_SCHEMA
            | ODBC | LOCAL_FILES | IGNORE_SPACE | PROTOCOL_41 | INTERACTIVE | IGNORE_SIGPIPE | TRANSACTIONS
            | RESERVED | SECURE_CONNECTION | MULTI_STATEMENTS | MULTI_RESULTS | PS_MULTI_RESULTS | PLUGIN_AUTH
            | CONNECT_ATTRS | PLUGIN_AUTH_LENENC_CLIENT_DATA | CAN_HANDLE_EXPIRED_PASSWORDS | SESSION_TRACK
            | DEPRECATE_EOF | (REMEMBER_OPTIONS & 0xFFFFFFFFL) | MARIADB_CLIENT_STMT_BULK_OPERATIONS
            | MARIADB_CLIENT_EXTENDED_METADATA;

    private Capabilities() {
    }

    public static boolean has(long caps, long flag) {
        return (caps & flag) == flag;
    }
}
