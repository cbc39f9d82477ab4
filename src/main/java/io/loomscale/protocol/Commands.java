package io.loomscale.protocol;

/**
 * Command bytes: the first payload byte of a client packet with sequence id 0.
 *
 * @see <a href="https://mariadb.com/kb/en/0-packet/">MariaDB: client/server protocol</a>
 */
public final class Commands {
    public static final int COM_SLEEP = 0x00;
    public static final int COM_QUIT = 0x01;
    public static final int COM_INIT_DB = 0x02;
    public static final int COM_QUERY = 0x03;
    public static final int COM_FIELD_LIST = 0x04;
    public static final int COM_CREATE_DB = 0x05;
    public static final int COM_DROP_DB = 0x06;
    public static final int COM_REFRESH = 0x07;
    public static final int COM_SHUTDOWN = 0x08;
    public static final int COM_STATISTICS = 0x09;
    public static final int COM_PROCESS_INFO = 0x0a;
    public static final int COM_CONNECT = 0x0b;
    public static final int COM_PROCESS_KILL = 0x0c;
    public static final int COM_DEBUG = 0x0d;
    public static final int COM_PING = 0x0e;
    public static final int COM_TIME = 0x0f;
    public static final int COM_DELAYED_INSERT = 0x10;
    public static final int COM_CHANGE_USER = 0x11;
    public static final int COM_BINLOG_DUMP = 0x12;
    public static final int COM_TABLE_DUMP = 0x13;
    public static final int COM_CONNECT_OUT = 0x14;
    public static final int COM_REGISTER_SLAVE = 0x15;
    public static final int COM_STMT_PREPARE = 0x16;
    public static final int COM_STMT_EXECUTE = 0x17;
    public static final int COM_STMT_SEND_LONG_DATA = 0x18;
    public static final int COM_STMT_CLOSE = 0x19;
    public static final int COM_STMT_RESET = 0x1a;
    public static final int COM_SET_OPTION = 0x1b;
    public static final int COM_STMT_FETCH = 0x1c;
    public static final int COM_DAEMON = 0x1d;
    public static final int COM_BINLOG_DUMP_GTID = 0x1e;
    public static final int COM_RESET_CONNECTION = 0x1f;
    public static final int COM_STMT_BULK_EXECUTE = 0xfa;

    private Commands() {
    }

    public static String name(int cmd) {
        return switch (cmd) {
            case COM_QUIT -> "COM_QUIT";
            case COM_INIT_DB -> "COM_INIT_DB";
            case COM_QUERY -> "COM_QUERY";
            case COM_FIELD_LIST -> "COM_FIELD_LIST";
            case COM_STATISTICS -> "COM_STATISTICS";
            case COM_PROCESS_KILL -> "COM_PROCESS_KILL";
            case COM_PING -> "COM_PING";
            case COM_CHANGE_USER -> "COM_CHANGE_USER";
            case COM_BINLOG_DUMP -> "COM_BINLOG_DUMP";
            case COM_REGISTER_SLAVE -> "COM_REGISTER_SLAVE";
            case COM_STMT_PREPARE -> "COM_STMT_PREPARE";
            case COM_STMT_EXECUTE -> "COM_STMT_EXECUTE";
            case COM_STMT_SEND_LONG_DATA -> "COM_STMT_SEND_LONG_DATA";
            case COM_STMT_CLOSE -> "COM_STMT_CLOSE";
            case COM_STMT_RESET -> "COM_STMT_RESET";
            case COM_SET_OPTION -> "COM_SET_OPTION";
            case COM_STMT_FETCH -> "COM_STMT_FETCH";
            case COM_BINLOG_DUMP_GTID -> "COM_BINLOG_DUMP_GTID";
            case COM_RESET_CONNECTION -> "COM_RESET_CONNECTION";
            case COM_STMT_BULK_EXECUTE -> "COM_STMT_BULK_EXECUTE";
            default -> "COM_0x" + Integer.toHexString(cmd);
        };
    }
}
