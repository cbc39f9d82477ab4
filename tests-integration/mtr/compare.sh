#!/usr/bin/env bash
# compare.sh - run test cases of MariaDB's own test suite (mariadb-test-run,
# from the mariadb-test package) straight against the primary, then through
# readconnroute and readwritesplit, and list the tests whose outcome differs.
# A manual check of transparency (about 3 s a test and endpoint); not part of
# test-all.sh.
#
# Usage: tests-integration/mtr/compare.sh [--tests "NAME ..."] [--mtr-args "..."] [--base-port N] [--keep]
#   --tests "..."  main-suite test names (default: the list below, which pass
#                  straight against this cluster; many others fail there too,
#                  for reasons of the environment, such as mtr's own server
#                  options, users without passwords or files outside the vardir)
#   --mtr-args ".." more options for mariadb-test-run, e.g. "--ps-protocol"
#                  (every statement as a server-side prepared statement)
#   --base-port N  the cluster's primary port (default 36306; the proxy listens
#                  on N+100 (readconnroute) and N+101 (readwritesplit))
#   --keep         keep the work directory (mtr logs per test and endpoint)
#
# What it does: starts its own cluster (cluster.sh, files under a temp dir),
# sets the server options mtr's tests expect that can be set at run time
# (latin1, MyISAM, log_bin_trust_function_creators), snapshots every server's
# global variables, and starts LoomScale from a copy of target/loomscale.jar
# with enable_root_user (mtr connects as root) and, for readwritesplit,
# causal_reads = local (tests read what they just wrote). Then it runs each
# test once per endpoint with `mariadb-test-run --extern`. Before each test it
# recreates the test databases, removes files tests left in the datadirs,
# restores the global variables a test changed and, if a test broke
# replication (a statement a replica cannot apply), skips that statement on
# the replica. Prints one line per test (direct, readconnroute,
# readwritesplit) and then the tests whose outcome differs from direct.
# Exit status 0 when no outcome differs.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

ROOT="$(project_root)"
BASE_PORT=36306
KEEP=0
MTR_ARGS=""
TESTS="auto_increment bool case client comments compare count_distinct delete errors except foreign_key
func_crypt func_if func_op func_regexp greedy_optimizer in_subq_cond_pushdown insert_update keywords limit
metadata negation_elimination odbc olap precedence ps_10nestset replace row select_found sp-cursor sp-dynamic
sp-for-loop sp-row sp-vars sp_trans statistics strict subselect2 temporal_literal type_blob type_date
type_datetime type_enum type_int type_set win_rank"

while [[ $# -gt 0 ]]; do
    case "$1" in
        --tests) TESTS="$2"; shift 2 ;;
        --mtr-args) MTR_ARGS="$2"; shift 2 ;;
        --base-port) BASE_PORT="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done

find_jdk
ensure_mariadb
MTR_DIR=/usr/share/mysql/mysql-test
[[ -x "$MTR_DIR/mariadb-test-run" ]] || apt_install mariadb-test
[[ -x "$MTR_DIR/mariadb-test-run" ]] || die "mariadb-test-run not found in $MTR_DIR (package mariadb-test)"
ensure_jar

scratch_workdir mtr

NODES=("$BASE_PORT" $((BASE_PORT + 1)) $((BASE_PORT + 2)))
RCR_PORT=$((BASE_PORT + 100))
RWS_PORT=$((BASE_PORT + 101))

"$ROOT/tests-integration/cluster.sh" start --base-port "$BASE_PORT" --dir "$CLUSTER" >/dev/null
for p in "${NODES[@]}"; do
    root_sql "$p" "SET GLOBAL character_set_server = latin1, collation_server = latin1_swedish_ci,
              default_storage_engine = MyISAM, log_bin_trust_function_creators = 1,
              sort_buffer_size = 262144, max_heap_table_size = 1048576"
done
for p in "${NODES[@]:1}"; do
    # The replication SQL thread took its session defaults (default_storage_engine, character
    # sets) when it started: restart it so a CREATE TABLE without ENGINE makes the same table there.
    root_sql "$p" "STOP SLAVE SQL_THREAD; START SLAVE SQL_THREAD"
done
root_sql "$BASE_PORT" "ALTER DATABASE test CHARACTER SET latin1 COLLATE latin1_swedish_ci"
for p in "${NODES[@]}"; do
    root_sql "$p" "SHOW GLOBAL VARIABLES" >"$WORK/globals.$p"
done

# Variables a test may change and that cannot or need not be put back.
KEEP_VARS='^(gtid_|server_id|port|pid_file|socket|datadir|tmpdir|log_error|report_|hostname|.*uuid|relay_|read_only|general_log_file|slow_query_log_file|log_basename|basedir|aria_log_dir|log_bin|innodb_buffer_pool|have_|plugin|secure|lc_messages_dir|character_sets_dir|license|system_time|timestamp|last_gtid|proxy_protocol|version|wsrep|rpl_semi|init_rpl_role|ssl_|tls_)'

restore_globals() { # restore_globals PORT: SET GLOBAL what differs from the snapshot
    local p="$1" name value
    root_sql "$p" "SHOW GLOBAL VARIABLES" >"$WORK/now.$p" || { log "server on port $p does not answer"; return 0; }
    while IFS=$'\t' read -r name value; do
        [[ "$name" =~ $KEEP_VARS ]] && continue
        if [[ "$value" =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then
            root_sql "$p" "SET GLOBAL \`$name\` = $value" 2>/dev/null || true
        else
            root_sql "$p" "SET GLOBAL \`$name\` = '${value//\'/\'\'}'" 2>/dev/null || true
        fi
    done < <(comm -23 <(sort "$WORK/globals.$p") <(sort "$WORK/now.$p"))
}

keep_replicating() { # a replica whose SQL thread stopped on a test's statement skips it
    local p running
    for p in "${NODES[@]:1}"; do
        for _ in $(seq 20); do
            running="$(root_sql "$p" "SHOW SLAVE STATUS\G" | awk '/Slave_SQL_Running:/ {print $2}')" || true
            [[ "$running" == "No" ]] || break
            root_sql "$p" "SET GLOBAL sql_slave_skip_counter = 1; START SLAVE SQL_THREAD" || true
            sleep 0.3
        done
    done
}

reset_state() {
    local n db
    for n in 1 2 3; do
        for db in test mysqltest mysqltest1 mysqltest2 db1 db2; do
            # Files a test wrote (SELECT ... INTO OUTFILE) keep DROP DATABASE from removing the directory.
            [[ -d "$CLUSTER/s$n/data/$db" ]] && find "$CLUSTER/s$n/data/$db" -maxdepth 1 -type f \
                ! -name '*.frm' ! -name '*.ibd' ! -name '*.MY?' ! -name '*.MA?' ! -name 'db.opt' \
                ! -name '*.par' ! -name '*.TRG' ! -name '*.TRN' -delete
        done
    done
    root_sql "$BASE_PORT" "DROP DATABASE IF EXISTS test; CREATE DATABASE test CHARACTER SET latin1;
        DROP DATABASE IF EXISTS mysqltest; DROP DATABASE IF EXISTS mysqltest1; DROP DATABASE IF EXISTS mysqltest2;
        DROP DATABASE IF EXISTS db1; DROP DATABASE IF EXISTS db2; CREATE DATABASE IF NOT EXISTS mtr;
        CREATE PROCEDURE IF NOT EXISTS mtr.add_suppression(pattern VARCHAR(255)) BEGIN END" >/dev/null 2>&1 || true
    for p in "${NODES[@]}"; do
        restore_globals "$p"
    done
    keep_replicating
}

cp "$ROOT/target/loomscale.jar" "$WORK/loomscale.jar" # a rebuild of target/ while this runs must not change it
cat >"$WORK/loomscale.toml" <<EOF
[loomscale]
threads = 2
admin_enabled = false
logdir = "$WORK"
datadir = "$WORK"

[server.server1]
address = "127.0.0.1"
port = ${NODES[0]}
[server.server2]
address = "127.0.0.1"
port = ${NODES[1]}
[server.server3]
address = "127.0.0.1"
port = ${NODES[2]}

[monitor.cluster]
module = "mariadbmon"
servers = ["server1", "server2", "server3"]
user = "loomscale"
password = "loomscale"
monitor_interval = "1s"

[service.rcr]
router = "readconnroute"
router_options = "master"
cluster = "cluster"
user = "loomscale"
password = "loomscale"
enable_root_user = true

[service.rws]
router = "readwritesplit"
cluster = "cluster"
user = "loomscale"
password = "loomscale"
enable_root_user = true
causal_reads = "local"

[listener.rcr]
service = "rcr"
address = "127.0.0.1"
port = $RCR_PORT
[listener.rws]
service = "rws"
address = "127.0.0.1"
port = $RWS_PORT
EOF
start_proxy "$WORK/loomscale.jar" "$WORK/loomscale.toml" "$RWS_PORT"
for _ in $(seq 50); do root_sql "$RWS_PORT" "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done

run_one() { # run_one ENDPOINT PORT TEST -> pass, fail, skipped or none
    local out="$WORK/$1-$3.log"
    (cd "$MTR_DIR" && timeout 600 ./mariadb-test-run --extern host=127.0.0.1 --extern port="$2" --extern user=root \
        --extern password=root_pw --extern protocol=tcp --vardir="$WORK/var-$1" --force --testcase-timeout=5 \
        "${MTR_EXTRA[@]}" "main.$3") >"$out" 2>&1 || true
    local r
    r="$(grep -m1 -E "^main\.$3 .*\[ (pass|fail|skipped) \]" "$out" | sed -E 's/.*\[ (pass|fail|skipped) \].*/\1/')" || true
    echo "${r:-none}"
}

IFS=$' \n\t' read -r -d '' -a LIST <<<"$TESTS" || true
MTR_EXTRA=()
[[ -z "$MTR_ARGS" ]] || IFS=' ' read -r -a MTR_EXTRA <<<"$MTR_ARGS"
log "running ${#LIST[@]} tests against the primary ($BASE_PORT), readconnroute ($RCR_PORT), readwritesplit ($RWS_PORT)"
printf '%-28s %-8s %-8s %-8s\n' test direct rcr rws | tee "$WORK/results.txt"
DIFFERS=()
i=0
for t in "${LIST[@]}"; do
    i=$((i + 1))
    row=()
    for ep in direct:"$BASE_PORT" rcr:"$RCR_PORT" rws:"$RWS_PORT"; do
        reset_state
        row+=("$(run_one "${ep%%:*}" "${ep#*:}" "$t")")
    done
    printf '%-28s %-8s %-8s %-8s  (%d/%d)\n' "$t" "${row[@]}" "$i" "${#LIST[@]}" | tee -a "$WORK/results.txt"
    [[ "${row[1]}" == "${row[0]}" && "${row[2]}" == "${row[0]}" ]] || DIFFERS+=("$t")
done
if ((${#DIFFERS[@]} == 0)); then
    log "every test had the same outcome through the proxy as straight against the primary"
    exit 0
fi
log "outcome differs from direct for: ${DIFFERS[*]} (logs: $WORK/<endpoint>-<test>.log; run with --keep)"
exit 1
