#!/usr/bin/env bash
# bench.sh - throughput, latency, CPU and idle-session memory of LoomScale,
# compared with a direct connection and with HAProxy (TCP mode).
# A manual benchmark: tests and CI never run it.
#
# Usage: tests-integration/bench/bench.sh [options]
#   --router R             LoomScale router: readconnroute (default) or
#                          readwritesplit (env ROUTER); see "readwritesplit" below
#   --tests "..."          sysbench tests to run (env BENCH_TESTS; default
#                          "oltp_point_select oltp_read_only", with
#                          readwritesplit "oltp_read_only oltp_read_write")
#   --rounds N             measured rounds per test and endpoint (default 2; env ROUNDS)
#   --time S               seconds per measured sysbench run (default 30; env BENCH_TIME)
#   --warmup S             discarded warm-up per test and endpoint (default 10; env WARMUP)
#   --threads N            sysbench client threads (default 16; env THREADS)
#   --sessions N           idle sessions to open through the proxy (default 5000; env SESSIONS)
#   --skip-idle            skip the idle-sessions test
#   --proxy-args "..."     extra JVM args for the proxy (env PROXY_ARGS), e.g.
#                          "-Djdk.virtualThreadScheduler.parallelism=1"
#   --loomscale-threads N  'threads' in the generated proxy config (default 1)
#   --sysbench-args "..."  extra sysbench args, e.g. "--db-ps-mode=disable"
#   --filters "A B"        also measure "loomscale-filtered": a second service and
#                          listener in the same proxy, like the first one but with
#                          filters = ["A", "B"] (env FILTERS); their [filter.NAME]
#                          tables come from --filters-toml FILE (env FILTERS_TOML)
#   --endpoints "..."      subset of "direct haproxy loomscale" to measure
#                          (without loomscale no proxy is started, no idle test)
#   --tls                  TLS everywhere: sysbench connects with --mysql-ssl=on
#                          to every endpoint (direct: the server's own TLS;
#                          haproxy: TLS passed through end to end; loomscale: a
#                          TLS-only listener with the cluster's certificate, and
#                          ssl = true towards the servers); implies --skip-idle
#   --base-port N          the benchmark cluster's first port (default 33306;
#                          env BENCH_BASE_PORT)
#   --keep                 keep the work directory (configs, logs) at exit
#
# What it does: starts its own MariaDB cluster (base port 33306,
# --max-connections 6000), its own LoomScale (target/loomscale.jar, generated
# TOML, readconnroute router_options="master" on a free port) and HAProxy
# (mode tcp, nbthread 1, one server: the primary); prepares sysbench tables
# once on the primary; then per test (oltp_point_select, oltp_read_only) a
# warm-up per endpoint and ROUNDS rounds alternating direct -> haproxy ->
# loomscale. CPU per query is the utime+stime of the haproxy / proxy process
# (/proc/PID/stat, CLK_TCK) during its runs divided by the queries served.
# Errors are sysbench's "ignored errors:" and "reconnects:" counts and its
# FATAL lines (a run that fails is listed with them).
# Finally it opens SESSIONS idle sessions through the proxy and prints its RSS
# and heap. Everything it started is stopped at exit (Ctrl-C included).
# The report is printed and written to $TMPDIR/loomscale-bench-DATE.txt
# (raw sysbench output next to it, *.raw.log).
#
# readwritesplit (--router readwritesplit): the proxy's service is
# readwritesplit over a mariadbmon monitor of all three servers, and HAProxy
# has a second TCP frontend, balance roundrobin over the two replicas
# ("haproxy-rr"). After prepare the script waits until both replicas have the
# primary's GTID position (and again before every run, so one endpoint's
# replication backlog does not load the next one's run). Endpoints per test:
#   read-only tests (oltp_read_only, oltp_point_select, select_random_*):
#     direct (primary), haproxy-rr (round-robin over the replicas), loomscale;
#   other tests (oltp_read_write ...): direct, haproxy (the primary only:
#     writes through round-robin over read-only replicas would fail), loomscale.
# The report adds where the statements ran (share of "Questions" on the
# primary / replica1 / replica2). sysbench wraps each oltp_* event in
# BEGIN ... COMMIT, which readwritesplit routes to the primary like MaxScale;
# --tests oltp_read_only --sysbench-args "--skip_trx=on" sends the reads as
# autocommit statements, spread over the replicas (oltp_read_write without
# transactions fails on its own: concurrent DELETE/INSERT pairs, error 1062).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

ROOT="$(project_root)"
BENCH_DIR="$ROOT/tests-integration/bench"
CLUSTER_SH="$ROOT/tests-integration/cluster.sh"
BASE_PORT="${BENCH_BASE_PORT:-33306}"

# The exact command line, for the report, with the environment settings this script reads.
CMDLINE=""
for v in ROUTER BENCH_TESTS BENCH_BASE_PORT ROUNDS BENCH_TIME WARMUP THREADS SESSIONS PROXY_ARGS; do
    if [[ -n "${!v:-}" ]]; then
        CMDLINE+="$v=$(printf '%q' "${!v}") "
    fi
done
CMDLINE+="$(printf '%q' "$0")"
if (($#)); then
    CMDLINE+="$(printf ' %q' "$@")"
fi

ROUNDS="${ROUNDS:-2}"
TIME="${BENCH_TIME:-30}"
WARMUP="${WARMUP:-10}"
THREADS="${THREADS:-16}"
SESSIONS="${SESSIONS:-5000}"
SKIP_IDLE=0
PROXY_ARGS="${PROXY_ARGS:-}"
LS_THREADS=1
SYSBENCH_EXTRA=""
KEEP=0
TLS=0
ROUTER="${ROUTER:-readconnroute}"
TESTS_ARG="${BENCH_TESTS:-}"
ENDPOINTS=(direct haproxy loomscale)
FILTERS="${FILTERS:-}"
FILTERS_TOML="${FILTERS_TOML:-}"
LS_FPORT=""

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit "${1:-2}"
}

need_val() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value"; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --router) need_val "$@"; ROUTER="$2"; shift 2 ;;
        --tests) need_val "$@"; TESTS_ARG="$2"; shift 2 ;;
        --rounds) need_val "$@"; ROUNDS="$2"; shift 2 ;;
        --time) need_val "$@"; TIME="$2"; shift 2 ;;
        --warmup) need_val "$@"; WARMUP="$2"; shift 2 ;;
        --threads) need_val "$@"; THREADS="$2"; shift 2 ;;
        --sessions) need_val "$@"; SESSIONS="$2"; shift 2 ;;
        --skip-idle) SKIP_IDLE=1; shift ;;
        --proxy-args) [[ $# -ge 2 ]] || die "--proxy-args needs a value"; PROXY_ARGS="$2"; shift 2 ;;
        --loomscale-threads) need_val "$@"; LS_THREADS="$2"; shift 2 ;;
        --sysbench-args) [[ $# -ge 2 ]] || die "--sysbench-args needs a value"; SYSBENCH_EXTRA="$2"; shift 2 ;;
        --endpoints) need_val "$@"; read -r -a ENDPOINTS <<<"$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --tls) TLS=1; shift ;;
        --base-port) need_val "$@"; BASE_PORT="$2"; shift 2 ;;
        --filters) need_val "$@"; FILTERS="$2"; shift 2 ;;
        --filters-toml) need_val "$@"; FILTERS_TOML="$2"; shift 2 ;;
        -h | --help) usage 0 ;;
        *) die "unknown option '$1' (see $0 --help)" ;;
    esac
done
for v in ROUNDS TIME THREADS SESSIONS LS_THREADS; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP must be an integer >= 0, got '$WARMUP'"
case "$ROUTER" in
    readconnroute) RWS=0; TESTS=(oltp_point_select oltp_read_only) ;;
    readwritesplit) RWS=1; TESTS=(oltp_read_only oltp_read_write) ;;
    *) die "unknown router '$ROUTER' (want readconnroute or readwritesplit)" ;;
esac
if [[ -n "$TESTS_ARG" ]]; then
    read -r -a TESTS <<<"$TESTS_ARG"
fi
((${#TESTS[@]})) || die "--tests needs at least one sysbench test"
for t in "${TESTS[@]}"; do
    [[ "$t" =~ ^[a-z][a-z_]*$ ]] || die "not a sysbench test name: '$t' (e.g. oltp_read_only)"
done
if [[ -n "$FILTERS" ]]; then
    [[ -f "$FILTERS_TOML" ]] || die "--filters needs --filters-toml FILE with the [filter.NAME] tables"
    FILTERS_TOML="$(realpath "$FILTERS_TOML")"
    ENDPOINTS+=(loomscale-filtered)
fi
WITH_LS=0
for ep in "${ENDPOINTS[@]}"; do
    case "$ep" in
        direct | haproxy) ;;
        loomscale | loomscale-filtered) WITH_LS=1 ;;
        *) die "unknown endpoint '$ep' (want direct, haproxy, loomscale)" ;;
    esac
done
((WITH_LS)) || SKIP_IDLE=1
((TLS)) && SKIP_IDLE=1 # idle_sessions.py connects without TLS
[[ "$BASE_PORT" =~ ^[0-9]+$ ]] || die "--base-port must be a number, got '$BASE_PORT'"

# --- output ----------------------------------------------------------------

STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="${TMPDIR:-/tmp}/loomscale-bench-$STAMP.txt"
RAW="${TMPDIR:-/tmp}/loomscale-bench-$STAMP.raw.log"
: >"$OUT"
: >"$RAW"

# Report lines: stdout and the report file.
say() {
    printf '%s\n' "$*" | tee -a "$OUT"
}

# --- cleanup ---------------------------------------------------------------

WORK=""
PROXY_PID=""
HAPROXY_PID=""
IDLE_PID=""
CLUSTER_STARTED=0
CLEANED=0

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
    local rc=$?
    ((CLEANED)) && return 0
    CLEANED=1
    trap '' INT TERM
    if [[ -n "$IDLE_PID" ]]; then
        stop_pid "$IDLE_PID" 30
        wait "$IDLE_PID" 2>/dev/null || true
    fi
    if [[ -n "$PROXY_PID" ]]; then
        log "stopping loomscale (pid $PROXY_PID)"
        stop_pid "$PROXY_PID" 30
        wait "$PROXY_PID" 2>/dev/null || true
    fi
    if [[ -n "$HAPROXY_PID" ]]; then
        log "stopping haproxy (pid $HAPROXY_PID)"
        stop_pid "$HAPROXY_PID" 10
    fi
    if ((CLUSTER_STARTED)); then
        "$CLUSTER_SH" stop --dir "$WORK/cluster" --base-port "$BASE_PORT" || true
    fi
    if [[ -n "$WORK" && -d "$WORK" ]]; then
        if ((KEEP)) || ((rc != 0 && rc != 130 && rc != 143)); then
            log "work directory kept: $WORK"
        else
            rm -rf "$WORK"
        fi
    fi
    log "report: $OUT (raw sysbench output: $RAW)"
    return "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# --- prerequisites ---------------------------------------------------------

# 5000 client sessions + 5000 backend connections through one JVM, plus the
# cluster's: raise the open-files limit for everything started from here.
want_nofile=$((SESSIONS * 2 + 10000))
if (($(ulimit -n) < want_nofile)); then
    ulimit -n "$want_nofile" 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
fi
(($(ulimit -n) >= SESSIONS * 2 + 1000)) \
    || log "WARNING: open files limit is $(ulimit -n); $SESSIONS idle sessions need about $((SESSIONS * 2 + 1000))"

missing=()
find_cmd haproxy >/dev/null || missing+=(haproxy)
find_cmd sysbench >/dev/null || missing+=(sysbench)
if ((${#missing[@]})); then
    is_root || die "missing ${missing[*]}; run: sudo apt-get install -y ${missing[*]}"
    apt_install "${missing[@]}"
fi
HAPROXY="$(find_cmd haproxy)"
SYSBENCH="$(find_cmd sysbench)"
command -v python3 >/dev/null 2>&1 || die "python3 not found; run: apt-get install -y python3"
ensure_mariadb
if ((WITH_LS)); then
    find_jdk
    ensure_jar
fi
CLK_TCK="$(getconf CLK_TCK)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/loomscale-bench.XXXXXX")"
mkdir -p "$WORK/log" "$WORK/data"

# --- cluster ---------------------------------------------------------------

CLUSTER_STARTED=1
"$CLUSTER_SH" start --base-port "$BASE_PORT" --dir "$WORK/cluster" --max-connections 6000 >/dev/null
cluster_env() { sed -n "s/^$1=//p" "$WORK/cluster/cluster.env"; }
PRIMARY_PORT="$BASE_PORT"
PRIMARY_SOCKET="$(cluster_env PRIMARY_SOCKET)"
REPLICA1_PORT="$(cluster_env REPLICA1_PORT)"
REPLICA2_PORT="$(cluster_env REPLICA2_PORT)"
SOCKETS=("$PRIMARY_SOCKET" "$(cluster_env REPLICA1_SOCKET)" "$(cluster_env REPLICA2_SOCKET)")
SERVER_NAMES=(primary replica1 replica2)

# sql_on IDX SQL: root over the unix socket of server IDX (0 primary, 1 and 2 replicas).
sql_on() {
    "$MARIADB_CLIENT" --no-defaults --protocol=socket --socket="${SOCKETS[$1]}" -uroot \
        --connect-timeout=5 -Nse "$2"
}

# Waits until both replicas applied everything the primary has binlogged
# (MASTER_GTID_WAIT on each), for at most SECS seconds; dies with the
# replica's position and replication error otherwise.
wait_replicas() { # SECS
    local secs="$1" target i deadline r io sq err
    target="$(sql_on 0 'SELECT @@GLOBAL.gtid_binlog_pos')" || die "cannot read the primary's gtid_binlog_pos"
    deadline=$((SECONDS + secs))
    for i in 1 2; do
        while :; do
            r="$(sql_on "$i" "SELECT MASTER_GTID_WAIT('$target', 1)" 2>/dev/null || echo error)"
            [[ "$r" == 0 ]] && break
            if ((SECONDS >= deadline)); then
                read -r io sq err < <(sql_on "$i" 'SHOW SLAVE STATUS\G' 2>/dev/null | awk -F': ' '
                    $1 ~ /Slave_IO_Running$/ {io = $2} $1 ~ /Slave_SQL_Running$/ {sq = $2}
                    $1 ~ /Last_(IO|SQL)_Error$/ && $2 != "" {e = e " " $2}
                    END {print (io == "" ? "?" : io), (sq == "" ? "?" : sq), e}') || true
                die "${SERVER_NAMES[$i]} did not reach the primary's GTID position '$target' within ${secs}s" \
                    "(it is at '$(sql_on "$i" 'SELECT @@GLOBAL.gtid_current_pos' 2>/dev/null || echo '?')'," \
                    "Slave_IO_Running=${io:-?} Slave_SQL_Running=${sq:-?}${err:+, error:$err})"
            fi
        done
    done
}

# --- loomscale -------------------------------------------------------------

write_loomscale_config() {
    local servers='"primary"' service
    if ((RWS)); then
        servers='"primary", "replica1", "replica2"'
        service='[service.rws]
router = "readwritesplit"
cluster = "mon"
user = "loomscale"
password = "loomscale"

[listener.rws]
service = "rws"'
    else
        service='[service.rcr]
router = "readconnroute"
router_options = "master"
cluster = "mon"
user = "loomscale"
password = "loomscale"

[listener.rcr]
service = "rcr"'
    fi
    local server_tls="" listener_tls=""
    if ((TLS)); then
        server_tls="ssl = true
ssl_ca_cert = \"$(cluster_env TLS_CA)\"
ssl_verify_peer_certificate = true"
        listener_tls="ssl = true
ssl_cert = \"$(cluster_env TLS_CERT)\"
ssl_key = \"$(cluster_env TLS_KEY)\""
    fi
    cat >"$WORK/loomscale.toml" <<EOF
[loomscale]
threads = $LS_THREADS
logdir = "$WORK/log"
datadir = "$WORK/data"

[server.primary]
address = "127.0.0.1"
port = $PRIMARY_PORT
$server_tls
EOF
    if ((RWS)); then
        cat >>"$WORK/loomscale.toml" <<EOF

[server.replica1]
address = "127.0.0.1"
port = $REPLICA1_PORT
$server_tls

[server.replica2]
address = "127.0.0.1"
port = $REPLICA2_PORT
$server_tls
EOF
    fi
    cat >>"$WORK/loomscale.toml" <<EOF

[monitor.mon]
module = "mariadbmon"
servers = [$servers]
user = "loomscale"
password = "loomscale"
monitor_interval = "1s"

$service
address = "127.0.0.1"
port = $LS_PORT
$listener_tls
EOF
    if [[ -n "$FILTERS" ]]; then
        # The same service again, with the filters, on its own listener.
        local names="" f
        for f in $FILTERS; do names+="${names:+, }\"$f\""; done
        printf '\n%s\n' "$service" | sed -e 's/^\[service\..*\]$/[service.filtered]/' \
            -e 's/^\[listener\..*\]$/[listener.filtered]/' -e 's/^service = .*/service = "filtered"/' \
            | awk -v names="$names" '{print} /^\[service\.filtered\]$/ {print "filters = [" names "]"}' \
            >>"$WORK/loomscale.toml"
        printf 'address = "127.0.0.1"\nport = %s\n%s\n\n' "$LS_FPORT" "$listener_tls" >>"$WORK/loomscale.toml"
        cat "$FILTERS_TOML" >>"$WORK/loomscale.toml"
    fi
}

proxy_fail() {
    log "last lines of $WORK/loomscale.out:"
    tail -n 30 "$WORK/loomscale.out" >&2 || true
    KEEP=1
    die "$*"
}

start_loomscale() {
    local deadline
    local -a jvm_args
    LS_PORT="$(free_port 34006)"
    if [[ -n "$FILTERS" ]]; then
        LS_FPORT="$(free_port $((LS_PORT + 10)))"
    fi
    write_loomscale_config
    # PROXY_ARGS is split on whitespace on purpose (several JVM options).
    # shellcheck disable=SC2206
    jvm_args=($PROXY_ARGS)
    log "starting loomscale on port $LS_PORT: java ${jvm_args[*]} -jar target/loomscale.jar -c $WORK/loomscale.toml"
    (cd "$WORK" && exec "$JAVA_HOME/bin/java" ${jvm_args[@]+"${jvm_args[@]}"} \
        -jar "$ROOT/target/loomscale.jar" -c "$WORK/loomscale.toml" \
        </dev/null >"$WORK/loomscale.out" 2>&1) &
    PROXY_PID=$!
    # Ready = a query through the proxy works (the monitor found the primary).
    deadline=$((SECONDS + 90))
    local -a cli_tls=()
    ((TLS)) && cli_tls=(--ssl)
    until "$MARIADB_CLIENT" --no-defaults ${cli_tls[@]+"${cli_tls[@]}"} -h127.0.0.1 -P"$LS_PORT" -uapp -papp_pw sbtest \
        --connect-timeout=2 -Nse 'SELECT 1' >/dev/null 2>&1; do
        pid_alive "$PROXY_PID" || proxy_fail "loomscale exited during startup"
        ((SECONDS < deadline)) || proxy_fail "loomscale did not serve 'SELECT 1' on port $LS_PORT within 90s"
        sleep 0.5
    done
    ((RWS)) && wait_rws_replicas
    log "loomscale ready (pid $PROXY_PID)"
}

# readwritesplit sends a read to a replica only once its monitor has seen the
# replicas: wait until 'SELECT @@server_id' through the proxy (a new session
# each time) is answered by a replica (server ids 2 and 3), then try a little
# to see both.
wait_rws_replicas() {
    local deadline id seen=" " tries=0
    deadline=$((SECONDS + 60))
    until [[ "$seen" == *" 2 "* && "$seen" == *" 3 "* ]]; do
        id="$("$MARIADB_CLIENT" --no-defaults -h127.0.0.1 -P"$LS_PORT" -uapp -papp_pw sbtest \
            --connect-timeout=2 -Nse 'SELECT @@server_id' 2>/dev/null || true)"
        if [[ "$id" == [23] && "$seen" != *" $id "* ]]; then
            seen+="$id "
        fi
        if [[ "$seen" != " " ]]; then
            ((++tries < 20)) || break
        else
            pid_alive "$PROXY_PID" || proxy_fail "loomscale exited during startup"
            ((SECONDS < deadline)) \
                || proxy_fail "readwritesplit sent no read to a replica within 60s (last 'SELECT @@server_id': '${id:-no answer}')"
            sleep 0.5
        fi
    done
    seen="${seen# }"
    log "readwritesplit reads reach replica server id(s) ${seen% } (of 2 and 3)"
}

LS_PORT=""
if ((WITH_LS)); then
    start_loomscale
fi

# --- haproxy ---------------------------------------------------------------

HA_PORT="$(free_port $((${LS_PORT:-34006} + 1)))"
cat >"$WORK/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn 4096
    log stderr format short local0 err

defaults
    mode tcp
    option tcp-smart-accept
    option tcp-smart-connect
    timeout connect 5s
    timeout client 1h
    timeout server 1h

listen mariadb
    bind 127.0.0.1:$HA_PORT
    server primary 127.0.0.1:$PRIMARY_PORT
EOF
HA_RR_PORT=""
if ((RWS)); then
    # The readwritesplit peer: per-connection round-robin over the replicas,
    # no statement inspection (writes through it fail on the read-only replicas).
    HA_RR_PORT="$(free_port $((HA_PORT + 1)))"
    cat >>"$WORK/haproxy.cfg" <<EOF

listen mariadb_rr
    bind 127.0.0.1:$HA_RR_PORT
    balance roundrobin
    server replica1 127.0.0.1:$REPLICA1_PORT
    server replica2 127.0.0.1:$REPLICA2_PORT
EOF
fi
"$HAPROXY" -c -q -f "$WORK/haproxy.cfg" || die "haproxy rejected $WORK/haproxy.cfg"
"$HAPROXY" -f "$WORK/haproxy.cfg" -D -p "$WORK/haproxy.pid" </dev/null >"$WORK/haproxy.out" 2>&1 \
    || die "haproxy failed to start: $(tail -n 3 "$WORK/haproxy.out")"
HAPROXY_PID="$(head -n1 "$WORK/haproxy.pid")"
deadline=$((SECONDS + 10))
until port_in_use "$HA_PORT"; do
    ((SECONDS < deadline)) || die "haproxy not listening on $HA_PORT after 10s"
    sleep 0.1
done
if ((RWS)); then
    until port_in_use "$HA_RR_PORT"; do
        ((SECONDS < deadline)) || die "haproxy not listening on $HA_RR_PORT after 10s"
        sleep 0.1
    done
    log "haproxy ready on port $HA_PORT (primary) and $HA_RR_PORT (round-robin over the replicas) (pid $HAPROXY_PID)"
else
    log "haproxy ready on port $HA_PORT (pid $HAPROXY_PID)"
fi

# --- sysbench --------------------------------------------------------------

# SYSBENCH_EXTRA is split on whitespace on purpose.
# shellcheck disable=SC2206
sysbench_extra=($SYSBENCH_EXTRA)
((TLS)) && sysbench_extra+=(--mysql-ssl=on)
SSL_DIR="$WORK/sysbench"
mkdir -p "$SSL_DIR"
if ((TLS)); then
    # The servers' own certificate serves as sysbench's client certificate (nobody asks for one).
    cp "$(cluster_env TLS_CA)" "$SSL_DIR/cacert.pem"
    cp "$(cluster_env TLS_CERT)" "$SSL_DIR/client-cert.pem"
    cp "$(cluster_env TLS_KEY)" "$SSL_DIR/client-key.pem"
fi

sysbench_cmd() { # TEST PORT ACTION [extra...]
    local test="$1" port="$2" action="$3"
    shift 3
    # sysbench 1.0's --mysql-ssl=on reads cacert.pem, client-cert.pem and
    # client-key.pem from its working directory.
    (cd "$SSL_DIR" && exec "$SYSBENCH" "$test" --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$port" \
        --mysql-user=app --mysql-password=app_pw --mysql-db=sbtest \
        --tables=4 --table-size=10000 ${sysbench_extra[@]+"${sysbench_extra[@]}"} "$@" "$action")
}

endpoint_port() {
    case "$1" in
        direct) echo "$PRIMARY_PORT" ;;
        haproxy) echo "$HA_PORT" ;;
        haproxy-rr) echo "$HA_RR_PORT" ;;
        loomscale) echo "$LS_PORT" ;;
        loomscale-filtered) echo "$LS_FPORT" ;;
    esac
}

endpoint_pid() {
    case "$1" in
        haproxy | haproxy-rr) echo "$HAPROXY_PID" ;;
        loomscale | loomscale-filtered) echo "$PROXY_PID" ;;
        *) echo "" ;;
    esac
}

# Tests that only read: with readwritesplit their HAProxy peer is the
# round-robin over the replicas.
is_read_only_test() {
    case "$1" in
        oltp_read_only | oltp_point_select | select_random_points | select_random_ranges) return 0 ;;
        *) return 1 ;;
    esac
}

# The endpoints measured for TEST (ENDPOINTS, with haproxy -> haproxy-rr for
# read-only tests in readwritesplit mode).
test_endpoints() { # TEST
    local ep
    for ep in "${ENDPOINTS[@]}"; do
        if ((RWS)) && [[ "$ep" == haproxy ]] && is_read_only_test "$1"; then
            echo haproxy-rr
        else
            echo "$ep"
        fi
    done
}

# utime+stime of PID in clock ticks (all threads).
cpu_ticks() {
    awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat"
}

# "Questions" of the primary, replica1 and replica2 (space separated).
questions_all() {
    local i out=""
    for i in 0 1 2; do
        out+="$(sql_on "$i" "SHOW GLOBAL STATUS LIKE 'Questions'" | awk '{print $2}') "
    done
    echo "${out% }"
}

# sysbench's prepared-statement mode: the last --db-ps-mode in the extra
# args, else its default 'auto' (server-side prepared statements when the
# driver has them, which the MariaDB driver does).
PS_MODE="auto"
for a in ${sysbench_extra[@]+"${sysbench_extra[@]}"}; do
    if [[ "$a" == --db-ps-mode=* ]]; then
        PS_MODE="${a#--db-ps-mode=}"
    fi
done
case "$PS_MODE" in
    auto) PS_MODE="auto (server-side prepared statements)" ;;
    disable) PS_MODE="disable (text protocol)" ;;
esac

log "sysbench prepare (4 tables x 10000 rows) on the primary"
sysbench_cmd oltp_read_only "$PRIMARY_PORT" prepare --threads=4 >>"$RAW" 2>&1 \
    || die "sysbench prepare failed; see $RAW"
if ((RWS)); then
    log "waiting for both replicas to have the sysbench tables"
    wait_replicas 300
fi

declare -A Q T P95 N CPU FAIL ERR RECON SQ
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
FATALS=()

# run_one TEST ENDPOINT SECONDS MEASURE(0|1)
run_one() {
    local test="$1" ep="$2" secs="$3" measure="$4" port pid c0=0 c1=0 out rc=0 q t p e rcn q0="" q1="" k
    local -a d0 d1
    k="$test,$ep"
    port="$(endpoint_port "$ep")"
    pid="$(endpoint_pid "$ep")"
    if ((RWS)); then
        wait_replicas 120
        q0="$(questions_all)"
    fi
    if [[ -n "$pid" ]]; then
        pid_alive "$pid" || die "$ep (pid $pid) is no longer running"
        c0="$(cpu_ticks "$pid")"
    fi
    out="$(sysbench_cmd "$test" "$port" run --threads="$THREADS" --time="$secs" \
        --report-interval=0 --histogram=off 2>&1)" || rc=$?
    if [[ -n "$pid" ]]; then
        pid_alive "$pid" || die "$ep (pid $pid) died during the $test run; see $RAW"
        c1="$(cpu_ticks "$pid")"
    fi
    if ((RWS)); then
        q1="$(questions_all)"
    fi
    {
        printf '=== %s %s %ss measure=%s rc=%s\n' "$test" "$ep" "$secs" "$measure" "$rc"
        printf '%s\n' "$out"
    } >>"$RAW"
    read -r q t p e rcn < <(printf '%s\n' "$out" | awk '
        /^ *queries:/ {q = $2}
        /^ *total time:/ {t = $3; sub(/s$/, "", t)}
        /95th percentile:/ {p = $3}
        /^ *ignored errors:/ {e = $3}
        /^ *reconnects:/ {r = $2}
        END {print (q == "" ? 0 : q), (t == "" ? 0 : t), (p == "" ? 0 : p), (e == "" ? 0 : e), (r == "" ? 0 : r)}')
    if ((rc != 0)) || [[ "$q" == 0 ]]; then
        log "  $test via $ep: FAILED (sysbench exit $rc; see $RAW)"
        ((measure)) && FAIL[$k]=$((${FAIL[$k]:-0} + 1))
        FATALS+=("$test via $ep ($( ((measure)) && echo "measured" || echo "warm-up"), exit $rc):")
        while IFS= read -r l; do
            FATALS+=("    $l")
        done < <(printf '%s\n' "$out" | { grep -E 'FATAL|ERROR' || printf '%s\n' "$out" | tail -n 2; } | head -n 4)
        return 0
    fi
    if ((!measure)); then
        log "  $test via $ep: $q queries in ${t}s, p95 ${p} ms, errors $e, reconnects $rcn (warm-up, discarded)"
        return 0
    fi
    log "  $test via $ep: $q queries in ${t}s, p95 ${p} ms, errors $e, reconnects $rcn"
    Q[$k]=$((${Q[$k]:-0} + q))
    T[$k]="$(awk -v a="${T[$k]:-0}" -v b="$t" 'BEGIN {printf "%.4f", a + b}')"
    P95[$k]="$(awk -v a="${P95[$k]:-0}" -v b="$p" 'BEGIN {printf "%.4f", a + b}')"
    N[$k]=$((${N[$k]:-0} + 1))
    CPU[$k]=$((${CPU[$k]:-0} + c1 - c0))
    ERR[$k]=$((${ERR[$k]:-0} + e))
    RECON[$k]=$((${RECON[$k]:-0} + rcn))
    if ((RWS)); then
        read -r -a d0 <<<"$q0"
        read -r -a d1 <<<"$q1"
        SQ[$k]="$(awk -v s="${SQ[$k]:-0 0 0}" -v a="${d0[*]}" -v b="${d1[*]}" 'BEGIN {
            split(s, x, " "); split(a, y, " "); split(b, z, " ")
            printf "%d %d %d", x[1] + z[1] - y[1], x[2] + z[2] - y[2], x[3] + z[3] - y[3]}')"
    fi
}

for test in "${TESTS[@]}"; do
    mapfile -t test_eps < <(test_endpoints "$test")
    if ((WARMUP > 0)); then
        log "$test: ${WARMUP}s warm-up per endpoint"
        for ep in "${test_eps[@]}"; do
            run_one "$test" "$ep" "$WARMUP" 0
        done
    fi
    for ((r = 1; r <= ROUNDS; r++)); do
        log "$test: round $r/$ROUNDS"
        for ep in "${test_eps[@]}"; do
            run_one "$test" "$ep" "$TIME" 1
        done
    done
done

# --- report ----------------------------------------------------------------

qps_of() { # TEST EP -> queries/s or empty
    local k="$1,$2"
    [[ -n "${N[$k]:-}" ]] || return 0
    awk -v q="${Q[$k]}" -v t="${T[$k]}" 'BEGIN {if (t > 0) printf "%.1f", q / t}'
}

# qps ratio A/B of TEST, or "-".
ratio_of() { # TEST EP_A EP_B
    awk -v a="$(qps_of "$1" "$2")" -v b="$(qps_of "$1" "$3")" 'BEGIN {print (a > 0 && b > 0) ? sprintf("%.3f", a / b) : "-"}'
}

# CPU microseconds per query of TEST via EP, or "-".
cpu_us_of() { # TEST EP
    local k="$1,$2"
    [[ -n "${N[$k]:-}" && "$2" != direct ]] || { echo -; return 0; }
    awk -v cpu="${CPU[$k]}" -v q="${Q[$k]}" -v tck="$CLK_TCK" 'BEGIN {print (q > 0) ? sprintf("%.2f", cpu * 1e6 / tck / q) : "-"}'
}

CPU_MODEL="$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
say "LoomScale benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "  command: $CMDLINE"
say "  host: $(nproc) cores${CPU_MODEL:+ ($CPU_MODEL)}, $(uname -r); $("$MARIADBD" --version | awk '{print $3}')${JAVA_HOME:+; $("$JAVA_HOME/bin/java" -version 2>&1 | head -n1)}"
say "  load average before the runs: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
say "  $("$HAPROXY" -v | head -n1)"
say "  sysbench: --threads=$THREADS --time=$TIME, $ROUNDS round(s), ${WARMUP}s warm-up, tables=4 x 10000, db-ps-mode=$PS_MODE${SYSBENCH_EXTRA:+, extra: $SYSBENCH_EXTRA}"
say "  loomscale: $ROUTER, threads=$LS_THREADS${PROXY_ARGS:+, JVM args: $PROXY_ARGS}"
if ((TLS)); then
    say "  TLS on every endpoint (--tls): sysbench --mysql-ssl=on; direct = the server's TLS; haproxy passes TLS"
    say "    through (client to server); loomscale ends the client's TLS and opens its own to the server."
fi
if ((RWS)); then
    say "  endpoints: direct = the primary; haproxy-rr = HAProxy TCP balance roundrobin over replica1 and"
    say "    replica2 (read-only tests); haproxy = HAProxy TCP to the primary only (tests that write: they would"
    say "    fail on the read-only replicas through round-robin); loomscale = readwritesplit over a mariadbmon"
    say "    monitor of all three servers. 'vs haproxy' is against the test's HAProxy endpoint. 'stmts p/r1/r2'"
    say "    is the share of the servers' Questions (primary/replica1/replica2) during the measured runs."
    if ! [[ " $SYSBENCH_EXTRA " =~ \ --skip[_-]trx(=(on|1|true|yes))?\  ]]; then
        say "  note: sysbench runs each oltp event in BEGIN ... COMMIT, which readwritesplit routes to the primary"
        say "    (like MaxScale). --tests oltp_read_only --sysbench-args \"--skip_trx=on\" sends the reads as"
        say "    autocommit statements, which it spreads over the replicas (not for oltp_read_write: without"
        say "    transactions sysbench's DELETE/INSERT pairs of concurrent threads collide, error 1062)."
    fi
fi
say ""
header="$(printf '%-18s %-10s %12s %9s %10s %11s %14s %8s %10s' test endpoint queries/s 'p95 ms' 'vs direct' 'vs haproxy' 'CPU us/query' errors reconnects)"
((RWS)) && header+="$(printf ' %14s' 'stmts p/r1/r2')"
say "$header"
for test in "${TESTS[@]}"; do
    mapfile -t test_eps < <(test_endpoints "$test")
    ha_ep=""
    for ep in "${test_eps[@]}"; do
        [[ "$ep" == haproxy* ]] && ha_ep="$ep"
    done
    direct_qps="$(qps_of "$test" direct)"
    ha_qps="${ha_ep:+$(qps_of "$test" "$ha_ep")}"
    for ep in "${test_eps[@]}"; do
        k="$test,$ep"
        qps="$(qps_of "$test" "$ep")"
        if [[ -z "$qps" ]]; then
            say "$(printf '%-18s %-10s %12s' "$test" "$ep" "FAILED (${FAIL[$k]:-0} runs; see below and the raw log)")"
            continue
        fi
        line="$(awk -v test="$test" -v ep="$ep" -v qps="$qps" -v d="$direct_qps" -v h="$ha_qps" \
            -v p="${P95[$k]}" -v n="${N[$k]}" -v cpu="$(cpu_us_of "$test" "$ep")" \
            -v e="${ERR[$k]}" -v r="${RECON[$k]}" 'BEGIN {
                vd = (d > 0) ? sprintf("%.3f", qps / d) : "-"
                vh = (h > 0 && ep != "direct") ? sprintf("%.3f", qps / h) : "-"
                printf "%-18s %-10s %12.1f %9.2f %10s %11s %14s %8d %10d", test, ep, qps, p / n, vd, vh, cpu, e, r
            }')"
        if ((RWS)); then
            line+="$(awk -v s="${SQ[$k]:-0 0 0}" 'BEGIN {
                split(s, x, " "); t = x[1] + x[2] + x[3]
                printf " %14s", (t > 0) ? sprintf("%.0f/%.0f/%.0f", 100 * x[1] / t, 100 * x[2] / t, 100 * x[3] / t) : "-"}')"
        fi
        if [[ -n "${FAIL[$k]:-}" ]]; then
            line+="  (${FAIL[$k]} failed run(s) ignored)"
        fi
        say "$line"
    done
done
say ""

if ((RWS && WITH_LS)); then
    say "readwritesplit:"
    for test in "${TESTS[@]}"; do
        mapfile -t test_eps < <(test_endpoints "$test")
        for ha_ep in "${test_eps[@]}"; do
            [[ "$ha_ep" == haproxy* ]] || continue
            r="$(ratio_of "$test" loomscale "$ha_ep")"
            note=""
            if [[ "$ha_ep" == haproxy-rr && "$r" != - ]]; then
                note="$(awk -v r="$r" 'BEGIN {print (r >= 0.8) ? " (target >= 0.8: met)" : " (target >= 0.8: NOT met)"}')"
            fi
            say "  $test: loomscale/$ha_ep throughput $r$note; CPU per query $(cpu_us_of "$test" loomscale) us vs $(cpu_us_of "$test" "$ha_ep") us ($(
                awk -v a="$(cpu_us_of "$test" loomscale)" -v b="$(cpu_us_of "$test" "$ha_ep")" 'BEGIN {print (a > 0 && b > 0) ? sprintf("%.2fx", a / b) : "-"}'))"
        done
        k="$test,loomscale"
        say "  $test: loomscale/direct throughput $(ratio_of "$test" loomscale direct); loomscale errors ${ERR[$k]:-0}, reconnects ${RECON[$k]:-0}, failed runs ${FAIL[$k]:-0}"
    done
    say ""
fi

if ((${#FATALS[@]})); then
    say "failed sysbench runs:"
    for l in "${FATALS[@]}"; do
        say "  $l"
    done
    say ""
fi

if ((WITH_LS)); then
    # The proxy's own complaints during the whole run (startup included).
    mapfile -t proxy_warns < <(grep -E '\b(WARN|WARNING|ERROR)\b' "$WORK/loomscale.out" || true)
    say "loomscale log ($WORK/loomscale.out): ${#proxy_warns[@]} WARN/ERROR line(s)"
    for l in "${proxy_warns[@]:0:15}"; do
        say "  $l"
    done
    ((${#proxy_warns[@]} > 15)) && say "  ... ($((${#proxy_warns[@]} - 15)) more)"
    say ""
fi

# --- idle sessions -----------------------------------------------------------

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
threads_of() { awk '/^Threads:/ {print $2}' "/proc/$1/status"; }

if ((SKIP_IDLE)); then
    say "idle sessions: skipped"
    exit 0
fi

pid_alive "$PROXY_PID" || die "loomscale (pid $PROXY_PID) is no longer running"
rss0="$(rss_kb "$PROXY_PID")"
log "idle sessions: opening $SESSIONS sessions through loomscale (RSS before: $((rss0 / 1024)) MiB)"
python3 "$BENCH_DIR/idle_sessions.py" --port "$LS_PORT" --user app --password app_pw --db sbtest \
    --sessions "$SESSIONS" --ping >"$WORK/idle.out" 2>"$WORK/idle.err" &
IDLE_PID=$!
deadline=$((SECONDS + 600))
until grep -q '^READY' "$WORK/idle.out" 2>/dev/null; do
    if ! pid_alive "$IDLE_PID"; then
        cat "$WORK/idle.err" >&2
        die "idle_sessions.py exited before opening its sessions"
    fi
    ((SECONDS < deadline)) || die "idle_sessions.py did not finish opening sessions within 600s"
    sleep 0.5
done
ready="$(grep '^READY' "$WORK/idle.out")"
opened="$(sed -n 's/^READY opened=\([0-9]*\).*/\1/p' <<<"$ready")"
grep '^idle_sessions: [0-9]* x ' "$WORK/idle.err" >&2 || true
sleep 2 # let the proxy settle
rss1="$(rss_kb "$PROXY_PID")"
app_conns() { # IDX
    sql_on "$1" "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'app'" 2>/dev/null || echo '?'
}
say "idle sessions through loomscale: ${ready#READY }"
if ((RWS)); then
    say "  backend connections of user app: primary $(app_conns 0), replica1 $(app_conns 1), replica2 $(app_conns 2)"
else
    say "  backend connections of user app on the primary: $(app_conns 0)"
fi
say "  proxy threads: $(threads_of "$PROXY_PID")"
say "  proxy RSS: before $((rss0 / 1024)) MiB, with sessions $((rss1 / 1024)) MiB$(
    ((opened > 0)) && awk -v a="$rss0" -v b="$rss1" -v n="$opened" 'BEGIN {printf ", %.1f KiB per session", (b - a) / n}')"
say "  heap (jcmd $PROXY_PID GC.heap_info):"
if heap="$("$JAVA_HOME/bin/jcmd" "$PROXY_PID" GC.heap_info 2>&1)"; then
    while IFS= read -r l; do
        say "    $l"
    done < <(printf '%s\n' "$heap" | sed '1{/^[0-9]*:$/d}')
else
    say "    jcmd failed: $(printf '%s' "$heap" | tail -n1)"
fi

log "idle sessions: closing"
kill -TERM "$IDLE_PID" 2>/dev/null || true
rc=0
wait "$IDLE_PID" || rc=$?
IDLE_PID=""
alive="$(grep '^ALIVE' "$WORK/idle.out" || true)"
say "  still usable at close: ${alive#ALIVE }$( ((rc == 0)) || echo " (idle_sessions.py exit $rc)")"
