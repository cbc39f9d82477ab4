#!/usr/bin/env bash
# test-all.sh - build LoomScale and run every test: unit tests (surefire) and
# integration tests, the *IT classes (failsafe).
#
# Usage: tests-integration/test-all.sh [EXTRA MAVEN ARGS...]
#   e.g. tests-integration/test-all.sh -Dit.test=RoutingIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
#
# Finds a JDK >= 21, makes sure MariaDB is installed (the ITs start their own
# cluster with tests-integration/cluster.sh on ports 23306-23308), then runs
# `mvn -B verify` from the project root and exits with Maven's status.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ROOT="$(project_root)"
IT_BASE_PORT=23306

case "${1:-}" in
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
        exit 0
        ;;
esac

# A cluster left on the IT ports by an aborted earlier run would make every
# IT fail. Stop it, but only when it is one of ours: a mariadbd whose datadir
# is DIR/s1/data with a DIR/cluster.env of cluster.sh for that port.
stop_stale_it_cluster() {
    local port pid datadir dir
    for ((port = IT_BASE_PORT; port < IT_BASE_PORT + 3; port++)); do
        port_in_use "$port" || continue
        pid="$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 || true)"
        pid="${pid#pid=}"
        datadir=""
        if [[ -n "$pid" ]]; then
            datadir="$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | sed -n 's/^--datadir=//p' | head -n1)"
        fi
        dir="$(dirname "$(dirname "$datadir")")"
        if [[ -n "$datadir" && -f "$dir/cluster.env" ]] \
            && grep -qx "BASE_PORT=$IT_BASE_PORT" "$dir/cluster.env"; then
            log "stopping a leftover test cluster in $dir (port $port)"
            "$ROOT/tests-integration/cluster.sh" stop --dir "$dir" --base-port "$IT_BASE_PORT"
        else
            die "port $port, needed by the integration tests, is in use${pid:+ by pid $pid}; stop that process first"
        fi
    done
}

find_jdk
ensure_mariadb
prepare_maven
stop_stale_it_cluster

cd "$ROOT"
log "running: mvn -B -ntp verify $*"
start=$SECONDS
rc=0
mvn -B -ntp verify "$@" || rc=$?
log "mvn exited with status $rc after $((SECONDS - start))s"
exit "$rc"
