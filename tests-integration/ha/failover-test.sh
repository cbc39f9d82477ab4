#!/usr/bin/env bash
# failover-test.sh - kill -9 the primary while sysbench oltp_read_write runs
# through readwritesplit, and measure what the clients saw.
# A manual test (the integration test HighAvailabilityIT checks the same with
# Connector/J); it needs sysbench, and prints a report.
#
# Usage: tests-integration/ha/failover-test.sh [--threads N] [--time S] [--kill-at S]
#                                              [--switchover] [--keep]
#   --threads N   sysbench threads (default 16)
#   --time S      sysbench run time in seconds (default 30)
#   --kill-at S   when to kill the primary, seconds into the run (default 10)
#   --switchover  instead of killing the primary, switch over to replica1 with
#                 `loomscale ctl call command mariadbmon switchover` (a planned
#                 change: the target is 0 client-visible errors)
#   --keep        keep the work directory (config, logs, ledger files)
#
# What it does: starts its own semi-synchronous cluster (cluster.sh
# --semi-sync, base port 35306, files under a temp dir), LoomScale
# (target/loomscale.jar, built if missing) with readwritesplit
# (transaction_replay = true, which turns on delayed_retry) over mariadbmon
# (auto_failover, auto_rejoin, failcount 3, monitor_interval 500ms), prepares
# sysbench's tables and a ledger table through the proxy, then runs
# oltp_ledger.lua: oltp_read_write plus one ledger row (thread, seq) per
# transaction, each pair written to a file once COMMIT returned OK. At
# --kill-at it kills the primary with SIGKILL. Afterwards it reports:
#   - seconds without writes: the longest gap between consecutive ledger rows
#     (their commit-time timestamps, on the new primary) around the kill;
#   - client-visible errors: sysbench's "ignored errors" (it runs with
#     --mysql-ignore-errors=1180,1213: a COMMIT in flight when the primary died
#     has an unknown outcome and gets ERR 1180; a transaction whose replay
#     finds rows changed by others is rolled back with ERR 1213, which sysbench
#     retries as it does deadlocks; any other error stops sysbench and is
#     reported as FATAL), with the count of each kind from the proxy's log;
#   - lost commits: pairs sysbench saw committed that are missing on the new primary;
# then restarts the old primary, waits until the monitor has rejoined it as a
# replica, and compares CHECKSUM TABLE of every table on the three servers.
# Exit status 0 when nothing was lost, writes came back within
# failcount x monitor_interval + 2 s and the three servers hold the same data.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

ROOT="$(project_root)"
THREADS=16
TIME=30
KILL_AT=10
KEEP=0
SWITCHOVER=0
BASE_PORT=35306
FAILCOUNT=3
INTERVAL_MS=500

while [[ $# -gt 0 ]]; do
    case "$1" in
        --threads) THREADS="$2"; shift 2 ;;
        --time) TIME="$2"; shift 2 ;;
        --kill-at) KILL_AT="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --switchover) SWITCHOVER=1; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done
((KILL_AT < TIME)) || die "--kill-at ($KILL_AT) must be less than --time ($TIME)"

find_jdk
ensure_mariadb
command -v sysbench >/dev/null 2>&1 || apt_install sysbench
ensure_jar

scratch_workdir failover

"$ROOT/tests-integration/cluster.sh" start --base-port "$BASE_PORT" --dir "$CLUSTER" --semi-sync >/dev/null
PORT="$(free_port 4406)"
ADMIN_PORT="$(free_port 8990)"
cat >"$WORK/loomscale.toml" <<EOF
[loomscale]
threads = 1
admin_port = $ADMIN_PORT
logdir = "$WORK"
datadir = "$WORK"

[server.server1]
address = "127.0.0.1"
port = $BASE_PORT
[server.server2]
address = "127.0.0.1"
port = $((BASE_PORT + 1))
[server.server3]
address = "127.0.0.1"
port = $((BASE_PORT + 2))

[monitor.cluster]
module = "mariadbmon"
servers = ["server1", "server2", "server3"]
user = "loomscale"
password = "loomscale"
monitor_interval = "${INTERVAL_MS}ms"
backend_connect_timeout = 1
backend_read_timeout = 2
auto_failover = true
auto_rejoin = true
failcount = $FAILCOUNT
replication_user = "repl"
replication_password = "repl"

[service.rws]
router = "readwritesplit"
cluster = "cluster"
user = "loomscale"
password = "loomscale"
transaction_replay = true
delayed_retry_timeout = 20

[listener.rws]
service = "rws"
address = "127.0.0.1"
port = $PORT
EOF
start_proxy "$ROOT/target/loomscale.jar" "$WORK/loomscale.toml" "$PORT"

SB=(sysbench --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$PORT" --mysql-user=app
    --mysql-password=app_pw --mysql-db=sbtest --tables=4 --table-size=10000)
log "preparing sysbench tables through the proxy"
"${SB[@]}" oltp_read_write prepare >/dev/null
root_sql "$BASE_PORT" "CREATE TABLE sbtest.ledger (thread INT, seq INT, ts TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), PRIMARY KEY (thread, seq))"
mkdir -p "$WORK/ledger"

EVENT="kill -9 of the primary"
((SWITCHOVER)) && EVENT="switchover to replica1 (loomscale ctl)"
log "running oltp_read_write + ledger, $THREADS threads, ${TIME}s; $EVENT at ${KILL_AT}s"
(cd "$ROOT/tests-integration/ha" && LEDGER_DIR="$WORK/ledger" "${SB[@]}" --threads="$THREADS" --time="$TIME" \
    --report-interval=1 --mysql-ignore-errors=1180,1213 ./oltp_ledger.lua run) >"$WORK/sysbench.log" 2>&1 &
SB_PID=$!
sleep "$KILL_AT"
KILL_TS="$(root_sql "$((BASE_PORT + 1))" "SELECT NOW(6)")"
if ((SWITCHOVER)); then
    java -jar "$ROOT/target/loomscale.jar" ctl --host "127.0.0.1:$ADMIN_PORT" call command mariadbmon switchover cluster server2 server1 \
        || die "switchover failed; see $WORK/loomscale.log"
else
    "$ROOT/tests-integration/cluster.sh" kill-node 1 --dir "$CLUSTER"
fi
SB_STATUS=0
wait "$SB_PID" || SB_STATUS=$?

PRIMARY=""
for n in 2 3; do
    p=$((BASE_PORT + n - 1))
    if [[ "$(root_sql "$p" "SELECT @@read_only")" == "0" ]]; then PRIMARY="$p"; fi
done
[[ -n "$PRIMARY" ]] || die "no writable replica after the kill; see $WORK/loomscale.log"

cat "$WORK"/ledger/committed.* | sort -u >"$WORK/committed.txt"
root_sql "$PRIMARY" "SELECT CONCAT(thread, ':', seq) FROM sbtest.ledger" | sort -u >"$WORK/present.txt"
LOST="$(comm -23 "$WORK/committed.txt" "$WORK/present.txt" | wc -l)"
COMMITTED="$(wc -l <"$WORK/committed.txt")"
GAP="$(root_sql "$PRIMARY" "SELECT IFNULL(MAX(TIMESTAMPDIFF(MICROSECOND, prev, ts)) / 1e6, -1) FROM (SELECT ts, LAG(ts) OVER (ORDER BY ts) AS prev FROM sbtest.ledger) g WHERE ts >= '$KILL_TS' - INTERVAL 1 SECOND")"
ERRORS="$(sed -n 's/^ *ignored errors: *\([0-9]*\).*/\1/p' "$WORK/sysbench.log" | tail -n1)"
FATAL="$(grep -c 'FATAL' "$WORK/sysbench.log" || true)"

if ((SWITCHOVER)); then
    log "the old primary should now replicate from the new one"
else
    log "restarting the old primary; auto_rejoin should make it a replica"
    "$ROOT/tests-integration/cluster.sh" start-node 1 --dir "$CLUSTER" >/dev/null
fi
REJOINED=0
for _ in $(seq 100); do
    if [[ "$(root_sql "$BASE_PORT" "SELECT COUNT(*) FROM information_schema.processlist WHERE command = 'Slave_IO' OR user = 'system user'" 2>/dev/null || echo 0)" -gt 0 ]] \
        && [[ "$(root_sql "$BASE_PORT" "SELECT @@read_only" 2>/dev/null)" == "1" ]]; then
        REJOINED=1
        break
    fi
    sleep 0.3
done
POS="$(root_sql "$PRIMARY" "SELECT @@gtid_binlog_pos")"
SUMS=()
for n in 1 2 3; do
    p=$((BASE_PORT + n - 1))
    [[ "$p" == "$PRIMARY" ]] || root_sql "$p" "SELECT MASTER_GTID_WAIT('$POS', 30)" >/dev/null || true
    SUMS+=("$(root_sql "$p" "CHECKSUM TABLE sbtest.sbtest1, sbtest.sbtest2, sbtest.sbtest3, sbtest.sbtest4, sbtest.ledger" | md5sum | cut -c1-12)")
done
SAME=0
[[ "${SUMS[0]}" == "${SUMS[1]}" && "${SUMS[1]}" == "${SUMS[2]}" ]] && SAME=1

TARGET="$(awk -v f="$FAILCOUNT" -v i="$INTERVAL_MS" 'BEGIN { printf "%.1f", f * i / 1000 + 2 }')"
echo
echo "== LoomScale under sysbench oltp_read_write ($THREADS threads, $EVENT at ${KILL_AT}s) =="
echo "new primary:                 port $PRIMARY"
echo "seconds without writes:      $GAP (target <= $TARGET)"
echo "transactions committed:      $COMMITTED (as sysbench saw them)"
echo "lost commits:                $LOST"
N1180="$(grep -c 'while a COMMIT was on its way' "$WORK/loomscale.log" || true)"
N1213="$(grep -c 'the transaction is rolled back' "$WORK/loomscale.log" || true)"
NREPLAY="$(grep -c 'transaction replayed on' "$WORK/loomscale.log" || true)"
echo "client-visible errors:       ${ERRORS:-0} (sysbench's ignored errors; proxy log: $N1180 x ERR 1180 COMMIT in flight, outcome unknown; $N1213 x ERR 1213 replay found changed rows, rolled back); sysbench FATAL lines: $FATAL; exit status $SB_STATUS"
echo "transactions replayed:       $NREPLAY (on the new primary, invisible to sysbench)"
echo "old primary rejoined:        $([[ $REJOINED == 1 ]] && echo yes || echo NO)"
echo "data identical on all three: $([[ $SAME == 1 ]] && echo yes || echo "NO (${SUMS[*]})")"
echo "(sysbench output: $WORK/sysbench.log, proxy log: $WORK/loomscale.log; --keep keeps them)"
OK=1
[[ "$LOST" == 0 && "$SAME" == 1 && "$REJOINED" == 1 && "$SB_STATUS" == 0 ]] || OK=0
((SWITCHOVER)) && [[ "${ERRORS:-0}" != 0 ]] && OK=0
awk -v g="$GAP" -v t="$TARGET" 'BEGIN { exit !(g >= 0 && g <= t) }' || OK=0
((OK)) || exit 1
