#!/usr/bin/env bash
# sandbox.sh - try LoomScale locally: a 3-server MariaDB cluster plus the proxy.
#
# Usage: tests-integration/sandbox.sh [EXTRA PROXY ARGS...]
#
# What it does:
#   1. installs MariaDB if mariadbd is missing (as root; otherwise it tells
#      you the apt-get line), finds a JDK >= 21, builds target/loomscale.jar
#      when it is missing or older than src/ or pom.xml;
#   2. starts a GTID replication cluster with tests-integration/cluster.sh:
#      primary 127.0.0.1:13306, replicas 13307 and 13308, datadirs under
#      tests-integration/.sandbox/cluster (users app/app_pw, root/root_pw,
#      loomscale/loomscale; databases test and sbtest);
#   3. runs the proxy in the foreground from the project root:
#        java $JAVA_OPTS -jar target/loomscale.jar -c conf/sandbox.toml --log=stderr [ARGS...]
#      which listens on 127.0.0.1:4006 (readwritesplit: reads to the replicas,
#      writes to the primary), 127.0.0.1:4008 (read-write, routed to the
#      primary) and 127.0.0.1:4009 (read-only, routed to the replicas).
#
# Ctrl-C, TERM or the proxy exiting: the proxy gets SIGTERM (KILL after 30 s),
# then the cluster is stopped and its datadirs removed. Nothing is left running.
# Environment: JAVA_OPTS (extra JVM options), LOOMSCALE_SANDBOX_CONF (another
# config file; it must use the same ports).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ROOT="$(project_root)"
CLUSTER_SH="$ROOT/tests-integration/cluster.sh"
CLUSTER_DIR="$ROOT/tests-integration/.sandbox/cluster"
BASE_PORT=13306
SPLIT_PORT=4006
RW_PORT=4008
RO_PORT=4009
CONF="${LOOMSCALE_SANDBOX_CONF:-$ROOT/conf/sandbox.toml}"
PROXY_STOP_TIMEOUT=30

case "${1:-}" in
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
        exit 0
        ;;
esac

PROXY_PID=""
CLUSTER_STARTED=0
CLEANED=0

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
    local rc=$?
    ((CLEANED)) && return 0
    CLEANED=1
    # A second Ctrl-C must not interrupt the shutdown half-way, nor a closed stderr (the
    # output piped to a pager or tee that Ctrl-C ended) abort it: then go on silently.
    trap '' INT TERM PIPE
    set +e
    log "shutting down" 2>/dev/null || exec 2>/dev/null
    if [[ -n "$PROXY_PID" ]] && pid_alive "$PROXY_PID"; then
        log "stopping the proxy (pid $PROXY_PID)"
        stop_pid "$PROXY_PID" "$PROXY_STOP_TIMEOUT"
    fi
    if [[ -n "$PROXY_PID" ]]; then
        wait "$PROXY_PID" 2>/dev/null || true
    fi
    if ((CLUSTER_STARTED)); then
        log "stopping the MariaDB cluster"
        "$CLUSTER_SH" stop --dir "$CLUSTER_DIR" --base-port "$BASE_PORT" || true
    fi
    return "$rc"
}
trap cleanup EXIT
trap 'log "interrupted" 2>/dev/null; exit 130' INT
trap 'log "terminated" 2>/dev/null; exit 143' TERM

[[ -f "$CONF" ]] || die "config file $CONF not found"
for p in "$SPLIT_PORT" "$RW_PORT" "$RO_PORT"; do
    port_in_use "$p" && die "port $p is already in use (another sandbox or proxy running?)"
done

ensure_mariadb
find_jdk
ensure_jar

CLUSTER_STARTED=1
"$CLUSTER_SH" start --base-port "$BASE_PORT" --dir "$CLUSTER_DIR" >/dev/null

cat >&2 <<EOF

  LoomScale sandbox
    read/write split:       mariadb -h127.0.0.1 -P$SPLIT_PORT -uapp -papp_pw test
    read-write (primary):   mariadb -h127.0.0.1 -P$RW_PORT -uapp -papp_pw test
    read-only (replicas):   mariadb -h127.0.0.1 -P$RO_PORT -uapp -papp_pw test
    servers, bypassing it:  mariadb -h127.0.0.1 -P$BASE_PORT -uapp -papp_pw test   (replicas: $((BASE_PORT + 1)), $((BASE_PORT + 2)))
    admin account:          -uroot -proot_pw
    config: ${CONF#"$ROOT"/}    cluster: ${CLUSTER_DIR#"$ROOT"/}
  Ctrl-C stops the proxy and the cluster.

EOF

# JAVA_OPTS is split on whitespace on purpose (several JVM options).
# shellcheck disable=SC2206
java_opts=(${JAVA_OPTS:-})
cd "$ROOT"
log "starting: java ${java_opts[*]} -jar target/loomscale.jar -c ${CONF#"$ROOT"/} --log=stderr $*"
# In the background so that this shell's traps run at once on a signal (a
# foreground child would delay them); a background job also ignores the
# terminal's SIGINT, so the proxy is stopped only once, by cleanup's SIGTERM.
# --log=stderr: the sandbox runs in the foreground, so its log goes to the terminal
# (an installed proxy writes logdir/loomscale.log instead).
mkdir -p "$ROOT/tests-integration/.sandbox/data" "$ROOT/tests-integration/.sandbox/log"
java ${java_opts[@]+"${java_opts[@]}"} -jar "$ROOT/target/loomscale.jar" -c "$CONF" --log=stderr "$@" &
PROXY_PID=$!
rc=0
wait "$PROXY_PID" || rc=$?
PROXY_PID=""
log "proxy exited with status $rc"
exit "$rc"
