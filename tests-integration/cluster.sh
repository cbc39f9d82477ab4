#!/usr/bin/env bash
# cluster.sh - a throw-away local MariaDB GTID replication cluster for tests.
#
# Usage:
#   tests-integration/cluster.sh start|stop|status|env [--base-port N] [--dir DIR]
#                                [--max-connections N] [--no-semi-sync] [--no-tls]
#   tests-integration/cluster.sh stop-node|kill-node|start-node IDX [--base-port N] [--dir DIR]
#
#   start       primary on BASE (default 13306), replicas on BASE+1 and BASE+2,
#               each with its own datadir, socket, pid file and error log under
#               DIR (default tests-integration/.cluster/BASE). Idempotent: a
#               healthy cluster in DIR is reused, a stale one is wiped and
#               recreated. Prints DIR/cluster.env on stdout when ready.
#   stop        TERM (then KILL after 20 s) every server of DIR by its pid file,
#               removes datadirs, sockets, pid files and cluster.env (error logs
#               are kept in DIR/sN/error.log).
#   status      one line per server: role, port, pid, up/down (+ replication
#               threads). Exit 0 when all three answer, 1 otherwise.
#   env         prints DIR/cluster.env (exit 1 when the cluster is not started).
#   stop-node IDX / kill-node IDX / start-node IDX
#               stop (TERM), kill (KILL: a crash) or restart one server
#               (1 = primary, 2, 3 = replicas) keeping its datadir; for failover
#               tests. Roles can move (failover): the index names the node.
#   semi-sync   by default every server runs MariaDB's semi-synchronous replication as
#               both master and slave (wait point AFTER_SYNC, no waiting once
#               no replica is connected), so a commit is acknowledged to the
#               client only once a replica has it; start-node then starts a server
#               with --init-rpl-role=SLAVE, so a crashed primary rolls back the
#               transactions no replica acknowledged. That is what lets a failover
#               lose no commit. --no-semi-sync: plain asynchronous replication.
#               Kept for start-node.
#
# Servers run with --no-defaults (no /etc/mysql config is read), listen on
# 127.0.0.1 only, and never touch port 3306. Unless --no-tls is given, they
# offer TLS (not required) with a certificate for 127.0.0.1 signed by a test CA
# made with openssl under DIR/tls (kept across restarts; cluster.env names the
# files: TLS_CA, TLS_CERT, TLS_KEY), and accept a PROXY protocol header from
# 127.0.0.0/8 (proxy_protocol_networks; a header is optional there). Plugins
# of any maturity may be installed (tests use auth_test_plugin's
# cleartext_plugin_server as a stand-in for PAM's clear-text password). Accounts (created on the primary,
# replicated to the replicas):
#   root@localhost  no password, unix socket only (used by this script)
#   root@'%'        root_pw, ALL WITH GRANT OPTION
#   repl@'%'        repl, REPLICATION SLAVE
#   loomscale@'%'   loomscale, proxy service + monitor user
#   app@'%'         app_pw, ALL on test.* and sbtest.*, FILE
# Progress goes to stderr; only the env file goes to stdout.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ROOT="$(project_root)"
START_TIMEOUT="${CLUSTER_START_TIMEOUT:-60}"
STOP_TIMEOUT=20

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit "${1:-2}"
}

CMD=""
NODE_IDX=""
BASE_PORT=""
DIR=""
MAX_CONNECTIONS=1000
SEMI_SYNC=1
RESTARTING=0
TLS=1

parse_args() {
    [[ $# -ge 1 ]] || usage 2
    CMD="$1"
    shift
    case "$CMD" in
        start | stop | status | env) ;;
        stop-node | kill-node | start-node)
            [[ $# -ge 1 && "$1" =~ ^[123]$ ]] || die "$CMD needs a node index 1, 2 or 3"
            NODE_IDX="$1"
            shift
            ;;
        -h | --help | help) usage 0 ;;
        *) die "unknown command '$CMD' (want start, stop, status, env, stop-node, kill-node, start-node)" ;;
    esac
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --base-port) [[ $# -ge 2 ]] || die "--base-port needs a value"; BASE_PORT="$2"; shift 2 ;;
            --base-port=*) BASE_PORT="${1#*=}"; shift ;;
            --dir) [[ $# -ge 2 ]] || die "--dir needs a value"; DIR="$2"; shift 2 ;;
            --dir=*) DIR="${1#*=}"; shift ;;
            --max-connections) [[ $# -ge 2 ]] || die "--max-connections needs a value"; MAX_CONNECTIONS="$2"; shift 2 ;;
            --max-connections=*) MAX_CONNECTIONS="${1#*=}"; shift ;;
            --semi-sync) SEMI_SYNC=1; shift ;;
            --no-semi-sync) SEMI_SYNC=0; shift ;;
            --no-tls) TLS=0; shift ;;
            -h | --help) usage 0 ;;
            *) die "unknown option '$1' (see $0 --help)" ;;
        esac
    done
    [[ "$MAX_CONNECTIONS" =~ ^[0-9]+$ && "$MAX_CONNECTIONS" -ge 10 ]] \
        || die "--max-connections must be a number >= 10, got '$MAX_CONNECTIONS'"
    if [[ -z "$DIR" ]]; then
        BASE_PORT="${BASE_PORT:-13306}"
        DIR="$ROOT/tests-integration/.cluster/$BASE_PORT"
    elif [[ -z "$BASE_PORT" && -f "$DIR/cluster.env" ]]; then
        # stop/status/env with only --dir: take the port the cluster was made with
        BASE_PORT="$(sed -n 's/^BASE_PORT=//p' "$DIR/cluster.env")"
    fi
    BASE_PORT="${BASE_PORT:-13306}"
    [[ "$BASE_PORT" =~ ^[0-9]+$ && "$BASE_PORT" -ge 1024 && "$BASE_PORT" -le 65533 ]] \
        || die "--base-port must be a number in 1024..65533, got '$BASE_PORT'"
    if ((BASE_PORT <= 3306 && BASE_PORT + 2 >= 3306)); then
        die "--base-port $BASE_PORT would use port 3306, which is reserved for the system MariaDB"
    fi
    [[ "$DIR" != *[[:space:]]* ]] || die "--dir must not contain whitespace: '$DIR'"
    if [[ "$CMD" == start ]]; then
        mkdir -p "$DIR" || die "cannot create --dir $DIR"
    fi
    DIR="$(realpath -m "$DIR")"
}

# --- per-node paths --------------------------------------------------------

role() { case "$1" in 1) echo primary ;; 2) echo replica1 ;; 3) echo replica2 ;; esac; }
node_port() { echo $((BASE_PORT + $1 - 1)); }
node_dir() { echo "$DIR/s$1"; }
node_datadir() { echo "$DIR/s$1/data"; }
node_pidfile() { echo "$DIR/s$1/mariadbd.pid"; }
node_errlog() { echo "$DIR/s$1/error.log"; }

# Unix socket paths are limited to 107 bytes; deep temp dirs get a short
# per-DIR socket directory under /tmp instead.
sock_dir() {
    if ((${#DIR} <= 80)); then
        echo "$DIR/run"
    else
        echo "${TMPDIR:-/tmp}/loomscale-sock-$(printf '%s' "$DIR" | md5sum | cut -c1-12)"
    fi
}
node_socket() { echo "$(sock_dir)/s$1.sock"; }

# Server options shared by mariadb-install-db and mariadbd.
innodb_args() {
    printf '%s\n' \
        --innodb-buffer-pool-size=128M \
        --innodb-log-file-size=96M \
        --innodb-log-buffer-size=32M
}

server_args() {
    local i="$1" port
    port="$(node_port "$i")"
    local -a a=(
        --no-defaults
        --datadir="$(node_datadir "$i")"
        --tmpdir="$(node_dir "$i")/tmp"
        --port="$port"
        --bind-address=127.0.0.1
        --socket="$(node_socket "$i")"
        --pid-file="$(node_pidfile "$i")"
        --log-error="$(node_errlog "$i")"
        --server-id="$i"
        --report-host=127.0.0.1
        --report-port="$port"
        --log-bin=mysql-bin
        --relay-log=relay-bin
        --log-slave-updates=1
        --gtid-strict-mode=1
        --binlog-format=ROW
        --skip-name-resolve
        --max-connections="$MAX_CONNECTIONS"
        --max-connect-errors=1000000
        --max-allowed-packet=1G
        --local-infile=1
        --character-set-server=utf8mb4
        --collation-server=utf8mb4_general_ci
        --innodb-flush-log-at-trx-commit=2
        --innodb-doublewrite=0
        --innodb-buffer-pool-dump-at-shutdown=0
        --innodb-buffer-pool-load-at-startup=0
        --sync-binlog=0
        --plugin-maturity=unknown
    )
    mapfile -t -O "${#a[@]}" a < <(innodb_args)
    if ((SEMI_SYNC)); then
        a+=(--rpl-semi-sync-master-enabled=ON --rpl-semi-sync-slave-enabled=ON
            --rpl-semi-sync-master-wait-point=AFTER_SYNC --rpl-semi-sync-master-wait-no-slave=OFF
            --rpl-semi-sync-master-timeout=10000)
        # A restarted server comes back as a replica (the monitor rejoins it): with the
        # replica role at start, crash recovery rolls back the transactions its binary log
        # has but no replica acknowledged (the clients never saw them committed), instead of
        # committing them, so it can replicate from the new primary without diverging.
        if ((RESTARTING)) && "$MARIADBD" --help --verbose 2>/dev/null | grep -q -- '--init-rpl-role'; then
            a+=(--init-rpl-role=SLAVE)
        fi
    fi
    if ((TLS)); then
        a+=(--ssl-ca="$DIR/tls/ca.pem" --ssl-cert="$DIR/tls/server-cert.pem" --ssl-key="$DIR/tls/server-key.pem"
            --proxy-protocol-networks=127.0.0.0/8)
    fi
    # Replicas start read-only, so a replica restarted by start-node stays read-only.
    if ((i > 1)); then
        a+=(--read-only=1)
    fi
    if is_root; then
        a+=(--user=root)
    fi
    printf '%s\n' "${a[@]}"
}

# Makes DIR/tls/{ca,server-cert,server-key}.pem once: a test CA and a server
# certificate for 127.0.0.1 and localhost (so clients can verify the host).
make_tls() {
    local d="$DIR/tls"
    [[ -f "$d/server-cert.pem" && -f "$d/server-key.pem" && -f "$d/ca.pem" ]] && return 0
    command -v openssl >/dev/null || die "openssl is needed for the servers' TLS certificates (or pass --no-tls)"
    mkdir -p "$d"
    log "making a test CA and server certificate in $d"
    {
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=LoomScale test CA" \
            -keyout "$d/ca-key.pem" -out "$d/ca.pem" &&
        openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
            -keyout "$d/server-key.pem" -out "$d/server.csr" &&
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$d/san.ext" &&
        openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" -CAcreateserial \
            -days 3650 -extfile "$d/san.ext" -out "$d/server-cert.pem"
    } >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; die "making TLS certificates failed"; }
    chmod 600 "$d/server-key.pem" "$d/ca-key.pem"
}

# --- SQL helpers -----------------------------------------------------------

# sql IDX STATEMENTS: runs as root@localhost over the node's socket, batch
# output without column names.
sql() {
    "$MARIADB_CLIENT" --no-defaults --protocol=socket --socket="$(node_socket "$1")" \
        -uroot --batch --skip-column-names --connect-timeout=5 -e "$2"
}

# Like sql, but keeps column names (needed for \\G output).
sql_named() {
    "$MARIADB_CLIENT" --no-defaults --protocol=socket --socket="$(node_socket "$1")" \
        -uroot --batch --connect-timeout=5 -e "$2"
}

node_answers() {
    sql "$1" 'SELECT 1' >/dev/null 2>&1
}

tail_log() {
    local f
    f="$(node_errlog "$1")"
    if [[ -f "$f" ]]; then
        printf -- '--- last lines of %s ---\n' "$f" >&2
        tail -n 25 "$f" >&2
        printf -- '---\n' >&2
    fi
}

node_fail() {
    local i="$1"
    shift
    tail_log "$i"
    die "$(role "$i") (port $(node_port "$i")): $*"
}

# --- processes -------------------------------------------------------------

# True when PID is a mariadbd serving this node's datadir.
is_node_pid() {
    local pid="$1" i="$2"
    tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" \
        | grep -qxF -- "--datadir=$(node_datadir "$i")" || return 1
    pid_alive "$pid"
}

# Prints the pid of the node's mariadbd, or nothing. Falls back to an exact
# --datadir match in /proc when the pid file is missing (e.g. a server that
# died before writing it, or a deleted pid file).
node_pid() {
    local i="$1" pid="" p
    if [[ -f "$(node_pidfile "$i")" ]]; then
        pid="$(tr -dc '0-9' <"$(node_pidfile "$i")")"
        if [[ -n "$pid" ]] && is_node_pid "$pid" "$i"; then
            echo "$pid"
            return 0
        fi
    fi
    [[ -d "$(node_datadir "$i")" ]] || return 0
    for p in /proc/[0-9]*; do
        p="${p#/proc/}"
        if is_node_pid "$p" "$i"; then
            echo "$p"
            return 0
        fi
    done
}

# Stops the given nodes in parallel: TERM, wait up to STOP_TIMEOUT s, KILL.
stop_nodes() {
    local i pid waited=0
    local -a pids=()
    for i in "$@"; do
        pid="$(node_pid "$i")"
        if [[ -n "$pid" ]]; then
            log "stopping $(role "$i") (port $(node_port "$i"), pid $pid)"
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
    done
    while ((waited < STOP_TIMEOUT * 10)); do
        local alive=0
        for pid in ${pids[@]+"${pids[@]}"}; do
            pid_alive "$pid" && alive=1
        done
        ((alive)) || return 0
        sleep 0.1
        waited=$((waited + 1))
    done
    for pid in ${pids[@]+"${pids[@]}"}; do
        if pid_alive "$pid"; then
            log "pid $pid still running after ${STOP_TIMEOUT}s: sending KILL"
            stop_pid "$pid" 0
        fi
    done
}

wipe_nodes() {
    local i
    for i in 1 2 3; do
        rm -rf "$(node_datadir "$i")" "$(node_dir "$i")/tmp" "$(node_pidfile "$i")" \
            "$(node_socket "$i")" "$(node_socket "$i").lock"
    done
    rm -f "$DIR/cluster.env"
    rmdir "$(sock_dir)" 2>/dev/null || true
}

launch_node() {
    local i="$1"
    local -a args
    mapfile -t args < <(server_args "$i")
    mkdir -p "$(node_dir "$i")/tmp" "$(sock_dir)"
    rm -f "$(node_pidfile "$i")"
    # setsid: the server must not get the terminal's Ctrl-C, nor keep the
    # caller's stdout/stderr pipes open (a Java caller reads them to EOF).
    # 9>&-: the server must not inherit (and so hold) the flock on DIR/.lock.
    setsid "$MARIADBD" "${args[@]}" </dev/null >>"$(node_errlog "$i")" 2>&1 9>&- &
}

wait_node_up() {
    local i="$1" deadline pid
    deadline=$((SECONDS + START_TIMEOUT))
    while ((SECONDS < deadline)); do
        if node_answers "$i"; then
            return 0
        fi
        if grep -q '\[ERROR\] Aborting' "$(node_errlog "$i")" 2>/dev/null; then
            node_fail "$i" "mariadbd aborted during startup"
        fi
        pid=""
        [[ -f "$(node_pidfile "$i")" ]] && pid="$(tr -dc '0-9' <"$(node_pidfile "$i")")"
        if [[ -n "$pid" ]] && ! pid_alive "$pid"; then
            node_fail "$i" "mariadbd (pid $pid) exited during startup"
        fi
        sleep 0.2
    done
    node_fail "$i" "did not answer on $(node_socket "$i") within ${START_TIMEOUT}s"
}

# --- cluster state ---------------------------------------------------------

cluster_healthy() {
    local i
    [[ -f "$DIR/cluster.env" ]] || return 1
    [[ "$(sed -n 's/^BASE_PORT=//p' "$DIR/cluster.env")" == "$BASE_PORT" ]] || return 1
    [[ "$(sed -n 's/^MAX_CONNECTIONS=//p' "$DIR/cluster.env")" == "$MAX_CONNECTIONS" ]] || return 1
    [[ "$(sed -n 's/^SEMI_SYNC=//p' "$DIR/cluster.env")" == "$SEMI_SYNC" ]] || return 1
    [[ "$(sed -n 's/^TLS=//p' "$DIR/cluster.env")" == "$TLS" ]] || return 1
    for i in 1 2 3; do
        [[ -n "$(node_pid "$i")" ]] || return 1
        node_answers "$i" || return 1
    done
}

any_node_running() {
    local i
    for i in 1 2 3; do
        [[ -n "$(node_pid "$i")" ]] && return 0
    done
    return 1
}

check_ports_free() {
    local i port who
    for i in 1 2 3; do
        port="$(node_port "$i")"
        if port_in_use "$port"; then
            who="$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 || true)"
            if [[ -n "$who" ]]; then
                who="${who#pid=}"
                who=" by pid $who: $(tr '\0' ' ' 2>/dev/null <"/proc/$who/cmdline" | cut -c1-200)"
            fi
            die "port $port is already in use${who}; stop that process or pick another --base-port"
        fi
    done
}

write_env() {
    local tmp="$DIR/cluster.env.tmp"
    {
        echo "CLUSTER_DIR=$DIR"
        echo "BASE_PORT=$BASE_PORT"
        echo "MAX_CONNECTIONS=$MAX_CONNECTIONS"
        echo "SEMI_SYNC=$SEMI_SYNC"
        echo "PRIMARY_PORT=$(node_port 1)"
        echo "REPLICA1_PORT=$(node_port 2)"
        echo "REPLICA2_PORT=$(node_port 3)"
        echo "PRIMARY_SOCKET=$(node_socket 1)"
        echo "REPLICA1_SOCKET=$(node_socket 2)"
        echo "REPLICA2_SOCKET=$(node_socket 3)"
        echo "PRIMARY_PID=$(node_pid 1)"
        echo "REPLICA1_PID=$(node_pid 2)"
        echo "REPLICA2_PID=$(node_pid 3)"
        echo "PRIMARY_ERROR_LOG=$(node_errlog 1)"
        echo "REPLICA1_ERROR_LOG=$(node_errlog 2)"
        echo "REPLICA2_ERROR_LOG=$(node_errlog 3)"
        echo "TLS=$TLS"
        if ((TLS)); then
            echo "TLS_CA=$DIR/tls/ca.pem"
            echo "TLS_CERT=$DIR/tls/server-cert.pem"
            echo "TLS_KEY=$DIR/tls/server-key.pem"
        fi
    } >"$tmp"
    mv -f "$tmp" "$DIR/cluster.env"
}

# --- setup -----------------------------------------------------------------

install_nodes() {
    local i rc=0
    local -a pids=() iargs=(--no-defaults --auth-root-authentication-method=normal --skip-test-db)
    mapfile -t -O "${#iargs[@]}" iargs < <(innodb_args)
    is_root && iargs+=(--user=root)
    for i in 1 2 3; do
        mkdir -p "$(node_dir "$i")/tmp"
        : >"$(node_errlog "$i")"
        "$MARIADB_INSTALL_DB" "${iargs[@]}" --datadir="$(node_datadir "$i")" --tmpdir="$(node_dir "$i")/tmp" \
            </dev/null >"$(node_dir "$i")/install-db.log" 2>&1 9>&- &
        pids+=($!)
    done
    for i in 1 2 3; do
        if ! wait "${pids[$((i - 1))]}"; then
            rc=1
            log "mariadb-install-db failed for $(role "$i"); last lines of $(node_dir "$i")/install-db.log:"
            tail -n 20 "$(node_dir "$i")/install-db.log" >&2
        fi
    done
    ((rc == 0)) || die "mariadb-install-db failed (see above)"
    rm -f "$(node_dir 1)/install-db.log" "$(node_dir 2)/install-db.log" "$(node_dir 3)/install-db.log"
}

# Prints "MAJOR MINOR PATCH" of the primary.
server_version() {
    sql 1 'SELECT VERSION()' | sed -E 's/^([0-9]+)\.([0-9]+)\.([0-9]+).*/\1 \2 \3/'
}

setup_primary() {
    local maj min pat monitor_privs drops
    read -r maj min pat < <(server_version)
    local v=$((maj * 10000 + min * 100 + pat))
    if ((v >= 100509)); then
        # 10.5.9+: SUPER no longer implies these; KILL of other users' queries
        # needs CONNECTION ADMIN, SHOW SLAVE STATUS needs SLAVE MONITOR, and
        # (10.11) SET GLOBAL read_only needs READ_ONLY ADMIN.
        monitor_privs="SHOW DATABASES, PROCESS, RELOAD, EVENT, SUPER, REPLICATION CLIENT, REPLICATION SLAVE, SLAVE MONITOR, BINLOG MONITOR, BINLOG ADMIN, REPLICATION SLAVE ADMIN, CONNECTION ADMIN, READ_ONLY ADMIN"
    else
        monitor_privs="SHOW DATABASES, PROCESS, RELOAD, EVENT, SUPER, REPLICATION CLIENT, REPLICATION SLAVE"
    fi
    # Passwordless root over TCP (127.0.0.1, ::1, hostname) and anonymous
    # accounts would shadow root@'%' / other users; keep root@localhost
    # (socket only with --skip-name-resolve) for this script.
    drops="$(sql 1 "SELECT CONCAT('DROP USER ', QUOTE(user), '@', QUOTE(host), ';') FROM mysql.user WHERE (user = 'root' AND host <> 'localhost') OR user = ''")"
    sql 1 "
        ${drops}
        CREATE DATABASE IF NOT EXISTS test;
        CREATE DATABASE IF NOT EXISTS sbtest;
        CREATE USER 'repl'@'%' IDENTIFIED BY 'repl';
        GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';
        CREATE USER 'loomscale'@'%' IDENTIFIED BY 'loomscale';
        GRANT SELECT ON mysql.* TO 'loomscale'@'%';
        GRANT ${monitor_privs} ON *.* TO 'loomscale'@'%';
        CREATE USER 'app'@'%' IDENTIFIED BY 'app_pw';
        GRANT ALL ON test.* TO 'app'@'%';
        GRANT ALL ON sbtest.* TO 'app'@'%';
        GRANT FILE ON *.* TO 'app'@'%';
        CREATE USER 'root'@'%' IDENTIFIED BY 'root_pw';
        GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;
    " || node_fail 1 "creating users and databases failed"
}

setup_replica() {
    local i="$1"
    sql "$i" "
        CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${BASE_PORT},
            MASTER_USER='repl', MASTER_PASSWORD='repl',
            MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
        START SLAVE;
        SET GLOBAL read_only=1;
    " || node_fail "$i" "CHANGE MASTER / START SLAVE failed"
}

# Prints "IO SQL LastIOError LastSQLError" (tab separated) of a replica.
slave_state() {
    sql_named "$1" 'SHOW SLAVE STATUS\G' 2>/dev/null | awk -F': ' '
        $1 ~ /^ *Slave_IO_Running$/ {io=$2}
        $1 ~ /^ *Slave_SQL_Running$/ {sq=$2}
        $1 ~ /^ *Last_IO_Error$/ {ioe=$2}
        $1 ~ /^ *Last_SQL_Error$/ {sqe=$2}
        END {printf "%s\t%s\t%s\t%s\n", io, sq, ioe, sqe}'
}

wait_replica_synced() {
    local i="$1" target="$2" deadline io sq ioe sqe pos
    deadline=$((SECONDS + START_TIMEOUT))
    while ((SECONDS < deadline)); do
        IFS=$'\t' read -r io sq ioe sqe < <(slave_state "$i") || true
        if [[ "$sq" == "No" && -n "$sqe" ]]; then
            node_fail "$i" "replication SQL thread stopped: $sqe"
        fi
        if [[ "$io" == "No" && -n "$ioe" && "$ioe" != *"error reconnecting"* && "$ioe" != *"error connecting"* ]]; then
            node_fail "$i" "replication IO thread stopped: $ioe"
        fi
        if [[ "$io" == "Yes" && "$sq" == "Yes" ]]; then
            pos="$(sql "$i" "SELECT MASTER_GTID_WAIT('${target}', 1)" 2>/dev/null || true)"
            [[ "$pos" == "0" ]] && return 0
        else
            sleep 0.2
        fi
    done
    node_fail "$i" "replica did not reach primary GTID '$target' within ${START_TIMEOUT}s (IO=$io SQL=$sq ${ioe:-}${sqe:-})"
}

cmd_start() {
    ensure_mariadb
    exec 9>"$DIR/.lock"
    flock -w 120 9 || die "another cluster.sh is working on $DIR (lock $DIR/.lock)"

    if cluster_healthy; then
        log "cluster in $DIR already running on ports $(node_port 1)-$(node_port 3): reusing it"
        write_env
        cat "$DIR/cluster.env"
        return 0
    fi
    if any_node_running; then
        log "cluster in $DIR is stale or has other settings: stopping and wiping it"
        stop_nodes 1 2 3
    elif [[ -d "$(node_datadir 1)" || -d "$(node_datadir 2)" || -d "$(node_datadir 3)" ]]; then
        log "wiping leftover datadirs of a dead cluster in $DIR"
    fi
    wipe_nodes
    check_ports_free

    local t0=$SECONDS i gtid
    ((TLS)) && make_tls
    log "initialising 3 datadirs under $DIR"
    install_nodes
    log "starting mariadbd on ports $(node_port 1), $(node_port 2), $(node_port 3)"
    for i in 1 2 3; do
        launch_node "$i"
    done
    for i in 1 2 3; do
        wait_node_up "$i"
    done
    log "creating users and databases on the primary"
    setup_primary
    for i in 2 3; do
        setup_replica "$i"
    done
    gtid="$(sql 1 'SELECT @@GLOBAL.gtid_binlog_pos')"
    for i in 2 3; do
        wait_replica_synced "$i" "$gtid"
    done
    write_env
    log "cluster ready in $((SECONDS - t0))s (primary $(node_port 1), replicas $(node_port 2), $(node_port 3)); env: $DIR/cluster.env"
    cat "$DIR/cluster.env"
}

cmd_stop() {
    if [[ ! -d "$DIR" ]]; then
        log "no cluster in $DIR (directory does not exist): nothing to stop"
        return 0
    fi
    exec 9>"$DIR/.lock"
    flock -w 120 9 || die "another cluster.sh is working on $DIR (lock $DIR/.lock)"
    stop_nodes 1 2 3
    wipe_nodes
    rm -f "$DIR/.lock"
    log "cluster in $DIR stopped and its datadirs removed"
}

cmd_status() {
    local i pid state up=0 io sq ioe sqe
    ensure_mariadb
    for i in 1 2 3; do
        pid="$(node_pid "$i")"
        state="down"
        if [[ -n "$pid" ]] && node_answers "$i"; then
            state="up"
            up=$((up + 1))
            if ((i > 1)); then
                IFS=$'\t' read -r io sq ioe sqe < <(slave_state "$i") || true
                state+=" slave_io=${io:-none} slave_sql=${sq:-none}"
            fi
        elif [[ -n "$pid" ]]; then
            state="not answering"
        fi
        printf '%-8s port=%s pid=%s %s\n' "$(role "$i")" "$(node_port "$i")" "${pid:--}" "$state"
    done
    ((up == 3))
}

cmd_env() {
    [[ -f "$DIR/cluster.env" ]] || die "no cluster started in $DIR"
    cat "$DIR/cluster.env"
}

cmd_stop_node() {
    stop_nodes "$NODE_IDX"
    rm -f "$(node_pidfile "$NODE_IDX")"
    log "$(role "$NODE_IDX") stopped (datadir kept; start it with: $0 start-node $NODE_IDX --dir $DIR)"
}

cmd_kill_node() {
    local pid
    pid="$(node_pid "$NODE_IDX")"
    [[ -n "$pid" ]] || die "$(role "$NODE_IDX") is not running"
    kill -KILL "$pid"
    while pid_alive "$pid"; do sleep 0.05; done
    rm -f "$(node_pidfile "$NODE_IDX")"
    log "$(role "$NODE_IDX") (pid $pid) killed with SIGKILL (datadir kept; start it with: $0 start-node $NODE_IDX --dir $DIR)"
}

cmd_start_node() {
    ensure_mariadb
    [[ -f "$DIR/cluster.env" ]] || die "no cluster started in $DIR"
    MAX_CONNECTIONS="$(sed -n 's/^MAX_CONNECTIONS=//p' "$DIR/cluster.env")"
    SEMI_SYNC="$(sed -n 's/^SEMI_SYNC=//p' "$DIR/cluster.env")"
    SEMI_SYNC="${SEMI_SYNC:-0}"
    RESTARTING=1
    TLS="$(sed -n 's/^TLS=//p' "$DIR/cluster.env")"
    TLS="${TLS:-1}"
    [[ -d "$(node_datadir "$NODE_IDX")" ]] || die "no datadir $(node_datadir "$NODE_IDX")"
    if [[ -n "$(node_pid "$NODE_IDX")" ]]; then
        log "$(role "$NODE_IDX") already running"
    else
        port_in_use "$(node_port "$NODE_IDX")" && die "port $(node_port "$NODE_IDX") is in use by another process"
        launch_node "$NODE_IDX"
        wait_node_up "$NODE_IDX"
        log "$(role "$NODE_IDX") started on port $(node_port "$NODE_IDX")"
    fi
    write_env
}

parse_args "$@"
case "$CMD" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    stop-node) cmd_stop_node ;;
    kill-node) cmd_kill_node ;;
    start-node) cmd_start_node ;;
esac
