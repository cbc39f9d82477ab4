#!/usr/bin/env bash
# test-all.sh - build LoomScale and run every test: unit tests (surefire),
# integration tests, the *IT classes (failsafe), then the packaging test
# (tests-integration/packaging-test.sh: builds the .deb and .rpm and checks
# them; a few seconds).
#
# Usage: tests-integration/test-all.sh [EXTRA MAVEN ARGS...]
#   e.g. tests-integration/test-all.sh -Dit.test=RoutingIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
#
# Finds a JDK >= 21, makes sure MariaDB is installed (the ITs start their own
# cluster with tests-integration/cluster.sh on ports 23306-23308), then runs
# `mvn -B verify` from the project root, then the packaging test; exits 0 only
# when both pass.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ROOT="$(project_root)"
IT_BASE_PORT=23306  # the pom's loomscale.it.basePort

case "${1:-}" in
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
        exit 0
        ;;
esac

# The ITs run `cluster.sh start --base-port 23306` themselves; cluster.sh
# reuses or wipes a cluster in the same dir, but a cluster of another dir (an
# aborted run elsewhere, another checkout) or any other process on those ports
# would make every IT fail. Say so now, with the command that frees the port;
# nothing is stopped here (it may belong to a run still going on).
check_it_ports() {
    local port pid datadir dir
    for ((port = IT_BASE_PORT; port < IT_BASE_PORT + 3; port++)); do
        port_in_use "$port" || continue
        pid="$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 || true)"
        pid="${pid#pid=}"
        datadir=""
        if [[ -n "$pid" ]]; then
            datadir="$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | sed -n 's/^--datadir=//p' | head -n1)"
        fi
        dir="$(dirname "$(dirname "${datadir:-/x/x}")")"
        if [[ -n "$datadir" && -f "$dir/cluster.env" ]]; then
            if [[ "$dir" == "$ROOT"/* ]]; then
                log "port $port: test cluster of this checkout in $dir is running; cluster.sh will reuse or recreate it"
                continue
            fi
            die "port $port, needed by the integration tests, is used by the test cluster in $dir; stop it with: tests-integration/cluster.sh stop --dir $dir"
        fi
        die "port $port, needed by the integration tests, is in use${pid:+ by pid $pid}; stop that process first"
    done
}

find_jdk
ensure_mariadb
prepare_maven
check_it_ports

cd "$ROOT"
log "running: mvn -B -ntp verify $*"
start=$SECONDS
rc=0
mvn -B -ntp verify "$@" || rc=$?
log "mvn exited with status $rc after $((SECONDS - start))s"
pkg_rc=0
"$ROOT/tests-integration/packaging-test.sh" || pkg_rc=$?
log "packaging-test.sh exited with status $pkg_rc"
((rc != 0)) && exit "$rc"
exit "$pkg_rc"
