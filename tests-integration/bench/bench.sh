#!/usr/bin/env bash
# bench.sh - throughput, latency, CPU and idle-session memory of LoomScale,
# compared with a direct connection and with HAProxy (TCP mode).
# A manual benchmark: tests and CI never run it.
#
# Usage: tests-integration/bench/bench.sh [options]
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
#   --endpoints "..."      subset of "direct haproxy loomscale" to measure
#                          (without loomscale no proxy is started, no idle test)
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
# Finally it opens SESSIONS idle sessions through the proxy and prints its RSS
# and heap. Everything it started is stopped at exit (Ctrl-C included).
# The report is printed and written to $TMPDIR/loomscale-bench-DATE.txt
# (raw sysbench output next to it, *.raw.log).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

ROOT="$(project_root)"
BENCH_DIR="$ROOT/tests-integration/bench"
CLUSTER_SH="$ROOT/tests-integration/cluster.sh"
BASE_PORT=33306

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
TESTS=(oltp_point_select oltp_read_only)
ENDPOINTS=(direct haproxy loomscale)

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit "${1:-2}"
}

need_val() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value"; }
while [[ $# -gt 0 ]]; do
    case "$1" in
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
        -h | --help) usage 0 ;;
        *) die "unknown option '$1' (see $0 --help)" ;;
    esac
done
for v in ROUNDS TIME THREADS SESSIONS LS_THREADS; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP must be an integer >= 0, got '$WARMUP'"
WITH_LS=0
for ep in "${ENDPOINTS[@]}"; do
    case "$ep" in
        direct | haproxy) ;;
        loomscale) WITH_LS=1 ;;
        *) die "unknown endpoint '$ep' (want direct, haproxy, loomscale)" ;;
    esac
done
((WITH_LS)) || SKIP_IDLE=1

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
PRIMARY_PORT="$BASE_PORT"
PRIMARY_SOCKET="$(sed -n 's/^PRIMARY_SOCKET=//p' "$WORK/cluster/cluster.env")"

# --- loomscale -------------------------------------------------------------

write_loomscale_config() {
    cat >"$WORK/loomscale.toml" <<EOF
[loomscale]
threads = $LS_THREADS
logdir = "$WORK/log"
datadir = "$WORK/data"

[server.primary]
address = "127.0.0.1"
port = $PRIMARY_PORT

[monitor.mon]
module = "mariadbmon"
servers = ["primary"]
user = "loomscale"
password = "loomscale"
monitor_interval = "1s"

[service.rcr]
router = "readconnroute"
router_options = "master"
cluster = "mon"
user = "loomscale"
password = "loomscale"

[listener.rcr]
service = "rcr"
address = "127.0.0.1"
port = $LS_PORT
EOF
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
    until "$MARIADB_CLIENT" --no-defaults -h127.0.0.1 -P"$LS_PORT" -uapp -papp_pw sbtest \
        --connect-timeout=2 -Nse 'SELECT 1' >/dev/null 2>&1; do
        pid_alive "$PROXY_PID" || proxy_fail "loomscale exited during startup"
        ((SECONDS < deadline)) || proxy_fail "loomscale did not serve 'SELECT 1' on port $LS_PORT within 90s"
        sleep 0.5
    done
    log "loomscale ready (pid $PROXY_PID)"
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
"$HAPROXY" -c -q -f "$WORK/haproxy.cfg" || die "haproxy rejected $WORK/haproxy.cfg"
"$HAPROXY" -f "$WORK/haproxy.cfg" -D -p "$WORK/haproxy.pid" </dev/null >"$WORK/haproxy.out" 2>&1 \
    || die "haproxy failed to start: $(tail -n 3 "$WORK/haproxy.out")"
HAPROXY_PID="$(head -n1 "$WORK/haproxy.pid")"
deadline=$((SECONDS + 10))
until port_in_use "$HA_PORT"; do
    ((SECONDS < deadline)) || die "haproxy not listening on $HA_PORT after 10s"
    sleep 0.1
done
log "haproxy ready on port $HA_PORT (pid $HAPROXY_PID)"

# --- sysbench --------------------------------------------------------------

# SYSBENCH_EXTRA is split on whitespace on purpose.
# shellcheck disable=SC2206
sysbench_extra=($SYSBENCH_EXTRA)

sysbench_cmd() { # TEST PORT ACTION [extra...]
    local test="$1" port="$2" action="$3"
    shift 3
    "$SYSBENCH" "$test" --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$port" \
        --mysql-user=app --mysql-password=app_pw --mysql-db=sbtest \
        --tables=4 --table-size=10000 ${sysbench_extra[@]+"${sysbench_extra[@]}"} "$@" "$action"
}

endpoint_port() {
    case "$1" in
        direct) echo "$PRIMARY_PORT" ;;
        haproxy) echo "$HA_PORT" ;;
        loomscale) echo "$LS_PORT" ;;
    esac
}

endpoint_pid() {
    case "$1" in
        haproxy) echo "$HAPROXY_PID" ;;
        loomscale) echo "$PROXY_PID" ;;
        *) echo "" ;;
    esac
}

# utime+stime of PID in clock ticks (all threads).
cpu_ticks() {
    awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat"
}

log "sysbench prepare (4 tables x 10000 rows) on the primary"
sysbench_cmd oltp_read_only "$PRIMARY_PORT" prepare --threads=4 >>"$RAW" 2>&1 \
    || die "sysbench prepare failed; see $RAW"

declare -A Q T P95 N CPU FAIL

# run_one TEST ENDPOINT SECONDS MEASURE(0|1)
run_one() {
    local test="$1" ep="$2" secs="$3" measure="$4" port pid c0=0 c1=0 out rc=0 q t p
    port="$(endpoint_port "$ep")"
    pid="$(endpoint_pid "$ep")"
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
    {
        printf '=== %s %s %ss measure=%s rc=%s\n' "$test" "$ep" "$secs" "$measure" "$rc"
        printf '%s\n' "$out"
    } >>"$RAW"
    read -r q t p < <(printf '%s\n' "$out" | awk '
        /^ *queries:/ {q = $2}
        /^ *total time:/ {t = $3; sub(/s$/, "", t)}
        /95th percentile:/ {p = $3}
        END {print (q == "" ? 0 : q), (t == "" ? 0 : t), (p == "" ? 0 : p)}')
    if ((rc != 0)) || [[ "$q" == 0 ]]; then
        log "  $test via $ep: FAILED (sysbench exit $rc; see $RAW)"
        ((measure)) && FAIL[$test,$ep]=$((${FAIL[$test,$ep]:-0} + 1))
        return 0
    fi
    if ((!measure)); then
        log "  $test via $ep: $q queries in ${t}s, p95 ${p} ms (warm-up, discarded)"
        return 0
    fi
    log "  $test via $ep: $q queries in ${t}s, p95 ${p} ms"
    Q[$test,$ep]=$((${Q[$test,$ep]:-0} + q))
    T[$test,$ep]="$(awk -v a="${T[$test,$ep]:-0}" -v b="$t" 'BEGIN {printf "%.4f", a + b}')"
    P95[$test,$ep]="$(awk -v a="${P95[$test,$ep]:-0}" -v b="$p" 'BEGIN {printf "%.4f", a + b}')"
    N[$test,$ep]=$((${N[$test,$ep]:-0} + 1))
    CPU[$test,$ep]=$((${CPU[$test,$ep]:-0} + c1 - c0))
}

for test in "${TESTS[@]}"; do
    if ((WARMUP > 0)); then
        log "$test: ${WARMUP}s warm-up per endpoint"
        for ep in "${ENDPOINTS[@]}"; do
            run_one "$test" "$ep" "$WARMUP" 0
        done
    fi
    for ((r = 1; r <= ROUNDS; r++)); do
        log "$test: round $r/$ROUNDS"
        for ep in "${ENDPOINTS[@]}"; do
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

say "LoomScale benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "  host: $(nproc) cores, $(uname -r); $("$MARIADBD" --version | awk '{print $3}')${JAVA_HOME:+; $("$JAVA_HOME/bin/java" -version 2>&1 | head -n1)}"
say "  $("$HAPROXY" -v | head -n1)"
say "  sysbench: --threads=$THREADS --time=$TIME, $ROUNDS round(s), ${WARMUP}s warm-up, tables=4 x 10000${SYSBENCH_EXTRA:+, extra: $SYSBENCH_EXTRA}"
say "  loomscale: threads=$LS_THREADS${PROXY_ARGS:+, JVM args: $PROXY_ARGS}"
say ""
say "$(printf '%-18s %-10s %12s %9s %10s %11s %14s' test endpoint queries/s 'p95 ms' 'vs direct' 'vs haproxy' 'CPU us/query')"
for test in "${TESTS[@]}"; do
    direct_qps="$(qps_of "$test" direct)"
    ha_qps="$(qps_of "$test" haproxy)"
    for ep in "${ENDPOINTS[@]}"; do
        k="$test,$ep"
        qps="$(qps_of "$test" "$ep")"
        if [[ -z "$qps" ]]; then
            say "$(printf '%-18s %-10s %12s' "$test" "$ep" "FAILED (${FAIL[$k]:-0} runs; see raw log)")"
            continue
        fi
        line="$(awk -v test="$test" -v ep="$ep" -v qps="$qps" -v d="$direct_qps" -v h="$ha_qps" \
            -v p="${P95[$k]}" -v n="${N[$k]}" -v cpu="${CPU[$k]}" -v q="${Q[$k]}" -v tck="$CLK_TCK" 'BEGIN {
                vd = (d > 0) ? sprintf("%.3f", qps / d) : "-"
                vh = (h > 0 && ep != "direct") ? sprintf("%.3f", qps / h) : "-"
                c = (ep != "direct" && q > 0) ? sprintf("%.2f", cpu * 1e6 / tck / q) : "-"
                printf "%-18s %-10s %12.1f %9.2f %10s %11s %14s", test, ep, qps, p / n, vd, vh, c
            }')"
        if [[ -n "${FAIL[$k]:-}" ]]; then
            line+="  (${FAIL[$k]} failed run(s) ignored)"
        fi
        say "$line"
    done
done
say ""

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
backends="$("$MARIADB_CLIENT" --no-defaults --protocol=socket --socket="$PRIMARY_SOCKET" -uroot -Nse \
    "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'app'" 2>/dev/null || echo '?')"
say "idle sessions through loomscale: ${ready#READY }"
say "  backend connections of user app on the primary: $backends"
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
