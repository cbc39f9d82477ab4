# shellcheck shell=bash
# Shared helpers for LoomScale's shell tooling. Source it, do not run it:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# Functions:
#   log MSG...            progress message on stderr
#   die MSG...            one-line error on stderr, exit 1
#   project_root          prints the repository root (absolute path)
#   find_jdk              exports JAVA_HOME (a JDK >= 21) and puts its bin first
#                         on PATH, or says which package to install and exits 1
#   ensure_mariadb        makes sure mariadbd, mariadb and mariadb-install-db
#                         exist (installs them with apt-get when root) and sets
#                         MARIADBD, MARIADB_CLIENT, MARIADB_INSTALL_DB
#   ensure_jar            builds target/loomscale.jar when missing or stale
#   apt_install PKG...    apt-get install (runs 'apt-get update' once per run)
#   port_in_use PORT      true when something accepts TCP on 127.0.0.1:PORT
#   free_port START       prints the first port >= START that nothing listens on
#
# Everything here is safe to source more than once.

if [[ -n "${_LOOMSCALE_COMMON_SOURCED:-}" ]]; then
    return 0
fi
_LOOMSCALE_COMMON_SOURCED=1

# Minimum Java feature release the project needs (pom.xml: release 21).
LOOMSCALE_MIN_JAVA=21

_LOOMSCALE_LOG_PREFIX="$(basename "${0:-loomscale}")"

log() {
    # A closed stderr (a pager or tee ended by Ctrl-C) must not abort a shutdown under set -e.
    printf '[%s] %s\n' "$_LOOMSCALE_LOG_PREFIX" "$*" >&2 2>/dev/null || true
}

die() {
    printf '[%s] ERROR: %s\n' "$_LOOMSCALE_LOG_PREFIX" "$*" >&2
    exit 1
}

project_root() {
    local here
    here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
    (cd "$here/../.." && pwd -P)
}

is_root() {
    [[ "$(id -u)" -eq 0 ]]
}

# apt-get update is run at most once per process tree (exported marker).
apt_update_once() {
    if [[ -z "${LOOMSCALE_APT_UPDATED:-}" ]]; then
        log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 \
            || die "apt-get update failed"
        export LOOMSCALE_APT_UPDATED=1
    fi
}

apt_install() {
    is_root || die "need root to install: apt-get install -y $*"
    command -v apt-get >/dev/null 2>&1 \
        || die "apt-get not found; install these packages by hand: $*"
    apt_update_once
    log "apt-get install -y $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2 \
        || die "apt-get install -y $* failed"
}

# Prints the candidate version apt would install for PKG, or nothing.
apt_candidate() {
    local cand
    command -v apt-cache >/dev/null 2>&1 || return 0
    cand="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')"
    if [[ -n "$cand" && "$cand" != "(none)" ]]; then
        printf '%s\n' "$cand"
    fi
}

# ---------------------------------------------------------------------------
# JDK discovery
# ---------------------------------------------------------------------------

# Prints the feature release (17, 21, 25, 8 ...) of JAVA_BIN, or nothing.
java_major() {
    local java_bin="$1" line ver
    line="$("$java_bin" -version 2>&1 | awk '/version "/ {print; exit}')" || true
    [[ -n "$line" ]] || return 0
    ver="${line#*version \"}"
    ver="${ver%%\"*}"
    if [[ "$ver" == 1.* ]]; then
        ver="${ver#1.}"
    fi
    ver="${ver%%[!0-9]*}"
    [[ -n "$ver" ]] && printf '%s\n' "$ver"
}

# Sets JAVA_HOME/PATH to the best JDK >= LOOMSCALE_MIN_JAVA and returns 0,
# or returns 1 without output. An explicit JAVA_HOME that qualifies wins;
# otherwise the highest version among /usr/lib/jvm/* and `java` on PATH.
find_jdk_quiet() {
    local -a candidates=()
    local c real major best="" best_major=0 seen=" "
    if [[ -n "${JAVA_HOME:-}" ]]; then
        candidates+=("$JAVA_HOME")
    fi
    for c in /usr/lib/jvm/*; do
        [[ -d "$c" ]] && candidates+=("$c")
    done
    if command -v java >/dev/null 2>&1; then
        real="$(readlink -f "$(command -v java)")"
        candidates+=("$(dirname "$(dirname "$real")")")
    fi
    for c in "${candidates[@]}"; do
        real="$(readlink -f "$c" 2>/dev/null)" || continue
        [[ "$seen" == *" $real "* ]] && continue
        seen+="$real "
        # A JDK, not a JRE: Maven needs javac, the bench needs jcmd.
        [[ -x "$real/bin/java" && -x "$real/bin/javac" ]] || continue
        major="$(java_major "$real/bin/java")"
        [[ -n "$major" && "$major" -ge "$LOOMSCALE_MIN_JAVA" ]] || continue
        if [[ -n "${JAVA_HOME:-}" && "$real" == "$(readlink -f "$JAVA_HOME")" ]]; then
            best="$real"
            best_major="$major"
            break
        fi
        if [[ "$major" -gt "$best_major" ]]; then
            best="$real"
            best_major="$major"
        fi
    done
    [[ -n "$best" ]] || return 1
    export JAVA_HOME="$best"
    case ":$PATH:" in
        ":$best/bin:"*) ;;
        *) export PATH="$best/bin:$PATH" ;;
    esac
    LOOMSCALE_JAVA_MAJOR="$best_major"
    return 0
}

# Prints the Debian package that would provide a JDK >= 21, or nothing.
jdk_package_candidate() {
    local v
    for v in 25 21 24 23 22; do
        if [[ -n "$(apt_candidate "openjdk-$v-jdk-headless")" ]]; then
            printf 'openjdk-%s-jdk-headless\n' "$v"
            return 0
        fi
    done
}

find_jdk() {
    if find_jdk_quiet; then
        log "using JDK $LOOMSCALE_JAVA_MAJOR at $JAVA_HOME"
        return 0
    fi
    local pkg
    pkg="$(jdk_package_candidate)"
    if [[ -n "$pkg" ]]; then
        die "no JDK >= $LOOMSCALE_MIN_JAVA found (looked at JAVA_HOME, /usr/lib/jvm/*, java on PATH); install one: apt-get install -y $pkg"
    fi
    die "no JDK >= $LOOMSCALE_MIN_JAVA found (looked at JAVA_HOME, /usr/lib/jvm/*, java on PATH) and apt offers no openjdk-21/25-jdk-headless; install a JDK >= $LOOMSCALE_MIN_JAVA (e.g. Temurin 21) under /usr/lib/jvm or set JAVA_HOME"
}

# ---------------------------------------------------------------------------
# MariaDB
# ---------------------------------------------------------------------------

# Like `command -v`, but also looks in the sbin directories that a normal
# user's PATH on Debian lacks (mariadbd lives in /usr/sbin).
find_cmd() {
    local name="$1" d
    if command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
        return 0
    fi
    for d in /usr/sbin /usr/local/sbin /sbin /usr/local/mysql/bin /usr/local/mysql/sbin; do
        if [[ -x "$d/$name" ]]; then
            printf '%s\n' "$d/$name"
            return 0
        fi
    done
    return 1
}

_locate_mariadb() {
    MARIADBD="$(find_cmd mariadbd)" || return 1
    MARIADB_CLIENT="$(find_cmd mariadb)" || return 1
    MARIADB_INSTALL_DB="$(find_cmd mariadb-install-db)" || return 1
    MARIADB_ADMIN="$(find_cmd mariadb-admin)" || MARIADB_ADMIN=""
    export MARIADBD MARIADB_CLIENT MARIADB_INSTALL_DB MARIADB_ADMIN
}

ensure_mariadb() {
    if _locate_mariadb; then
        return 0
    fi
    if ! is_root; then
        die "MariaDB server not installed; run: sudo apt-get update && sudo apt-get install -y mariadb-server mariadb-client"
    fi
    log "mariadbd/mariadb/mariadb-install-db missing: installing MariaDB"
    apt_install mariadb-server mariadb-client
    _locate_mariadb || die "mariadb-server installed but mariadbd, mariadb or mariadb-install-db still not found"
}

# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------

# Checks that mvn exists and quiets the JDK 24+ warning about Maven's own
# (guava) use of sun.misc.Unsafe. Call find_jdk first.
prepare_maven() {
    command -v mvn >/dev/null 2>&1 \
        || die "Maven not found; install it: apt-get install -y maven"
    if [[ "${LOOMSCALE_JAVA_MAJOR:-0}" -ge 24 && "${MAVEN_OPTS:-}" != *sun-misc-unsafe-memory-access* ]]; then
        export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
    fi
}

# Builds target/loomscale.jar with the found JDK when it is missing or older
# than pom.xml or any file under src/. Call find_jdk first.
ensure_jar() {
    local root jar newer=""
    root="$(project_root)"
    jar="$root/target/loomscale.jar"
    if [[ -f "$jar" ]]; then
        newer="$(find "$root/pom.xml" "$root/src" -newer "$jar" -print -quit 2>/dev/null || true)"
        if [[ -z "$newer" ]]; then
            return 0
        fi
        log "target/loomscale.jar is older than ${newer#"$root"/}: rebuilding"
    else
        log "target/loomscale.jar missing: building it"
    fi
    [[ -n "${LOOMSCALE_JAVA_MAJOR:-}" ]] || find_jdk
    prepare_maven
    (cd "$root" && mvn -B -q -DskipTests package) \
        || die "build failed: (cd $root && mvn -B -DskipTests package) shows the errors"
    [[ -f "$jar" ]] || die "build finished but $jar does not exist (check finalName in pom.xml)"
}

# ---------------------------------------------------------------------------
# Ports and processes
# ---------------------------------------------------------------------------

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local p="$1"
    while ((p < 65535)); do
        if ! port_in_use "$p"; then
            printf '%s\n' "$p"
            return 0
        fi
        p=$((p + 1))
    done
    die "no free TCP port at or above $1"
}

# True when PID is alive (and not a zombie).
pid_alive() {
    local pid="$1" state
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    state="$(awk '{sub(/.*\) /, ""); print $1}' "/proc/$pid/stat" 2>/dev/null)" || return 1
    [[ "$state" != "Z" ]]
}

# Sends TERM to PID, waits up to SECS (default 20) seconds, then KILLs it.
stop_pid() {
    local pid="$1" secs="${2:-20}" i
    pid_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < secs * 10; i++)); do
        pid_alive "$pid" || return 0
        sleep 0.1
    done
    log "pid $pid still alive after ${secs}s: sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        pid_alive "$pid" || return 0
        sleep 0.1
    done
    log "WARNING: pid $pid did not exit after KILL"
}

# ---------------------------------------------------------------------------
# A scratch cluster and proxy, for the manual tests (ha/failover-test.sh,
# mtr/compare.sh)
# ---------------------------------------------------------------------------

# scratch_workdir NAME: sets WORK (a new temp directory) and CLUSTER (under it)
# and an EXIT trap (run on Ctrl-C and TERM too) that stops PROXY_PID and the
# cluster and removes WORK unless KEEP=1.
scratch_workdir() {
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/loomscale-$1.XXXXXX")"
    CLUSTER="$WORK/cluster"
    PROXY_PID=""
    trap scratch_cleanup EXIT
    trap 'exit 130' INT TERM # so the EXIT trap also runs when the script is interrupted or killed
}

scratch_cleanup() {
    if [[ -n "${PROXY_PID:-}" ]]; then
        stop_pid "$PROXY_PID" 10 || true
    fi
    "$(project_root)/tests-integration/cluster.sh" stop --dir "$CLUSTER" >/dev/null 2>&1 || true
    if ((${KEEP:-0})); then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}

# root_sql PORT STATEMENT...: runs SQL as the clusters' root@'%' over TCP;
# tab-separated rows without column names.
root_sql() {
    local port="$1"
    shift
    mariadb --no-defaults -h127.0.0.1 -P"$port" -uroot -proot_pw --batch --skip-column-names -e "$*"
}

# start_proxy JAR CONFIG PORT: starts LoomScale in the background (its log in
# WORK/loomscale.log), sets PROXY_PID and waits until PORT accepts connections.
start_proxy() {
    java -jar "$1" -c "$2" --log=stderr >"$WORK/loomscale.log" 2>&1 &
    PROXY_PID=$!
    local _
    for _ in $(seq 100); do port_in_use "$3" && return 0; sleep 0.1; done
    die "LoomScale did not listen on $3; see $WORK/loomscale.log"
}
