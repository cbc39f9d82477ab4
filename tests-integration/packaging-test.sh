#!/usr/bin/env bash
# packaging-test.sh - build the .deb and the .rpm and check what they install.
#
# Usage: tests-integration/packaging-test.sh
#
# 1. packaging/build.sh builds both into target/packages (installing the `rpm`
#    and `cpio` tools with apt-get when missing);
# 2. their file lists (`dpkg-deb -c`, `rpm -qpl`) are exactly the expected
#    ones, the same in both, with the configuration marked as a config file;
# 3. the launcher of each extracted package (`dpkg-deb -x`, `rpm2cpio | cpio`)
#    answers --version with a Java >= 21 although the default `java` on PATH
#    may be older, and accepts the shipped configuration with `check`; with no
#    Java >= 21 to find it fails with a message that says what to install;
#    `loomscale convert` of the MaxScale test fixture gives a file `check` accepts;
# 4. as root: `dpkg -i` in a throw-away root (an overlay over / in a private
#    mount namespace, so this machine's own system is never changed) creates
#    the loomscale user and directories, and the installed `loomscale
#    --version` and `loomscale check -c /etc/loomscale/loomscale.toml` work
#    as that user; an upgrade keeps a locally changed loomscale.toml; remove
#    and purge clean up; then `rpm -i` of the .rpm in the same root does the
#    same. Without root this part is reported as NOT RUN (and the script says
#    so in its last line).
# Exit status 0 only when every check that ran passed. Takes a few seconds.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ROOT="$(project_root)"
FAILS=0
CHECKS=0

ok() { CHECKS=$((CHECKS + 1)); log "ok: $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); log "FAIL: $*"; }
# check DESCRIPTION COMMAND...: runs the command, ok when it succeeds.
check() {
    local what="$1"
    shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}

# The files both packages install, besides the service's environment file
# (/etc/default/loomscale in the .deb, /etc/sysconfig/loomscale in the .rpm).
EXPECTED_FILES="/etc/loomscale
/etc/loomscale/loomscale.toml
/usr/bin/loomscale
/usr/lib/loomscale
/usr/lib/systemd/system/loomscale.service
/usr/share/doc/loomscale
/usr/share/doc/loomscale/README.md
/usr/share/loomscale
/usr/share/loomscale/loomscale.jar
/var/lib/loomscale
/var/log/loomscale"

# --version of a launcher: "LoomScale <pom version> (Java <feature>...)" with feature >= 21.
version_ok() {
    local out="$1" feature
    [[ "$out" =~ ^LoomScale\ ${POM_VERSION//./\\.}\ \(Java\ ([0-9]+) ]] || return 1
    feature="${BASH_REMATCH[1]}"
    ((feature >= 21))
}

# ---------------------------------------------------------------------------
# Inside the private mount namespace (re-executed by the script itself).
# ---------------------------------------------------------------------------
in_namespace() {
    local t="$1" deb="$2" rpm="$3" m
    m="$t/root"
    mkdir -p "$t/upper" "$t/work" "$m"
    mount -t overlay overlay -o "lowerdir=/,upperdir=$t/upper,workdir=$t/work" "$m"
    mount -t proc proc "$m/proc"
    mount --rbind /dev "$m/dev"
    mount --make-rprivate "$m/dev"
    # An empty /run: no systemd socket of the real machine is reachable, so the
    # maintainer scripts take their "no systemd" branch.
    mount -t tmpfs tmpfs "$m/run"
    mount -t tmpfs tmpfs "$m/tmp"
    cp "$deb" "$m/tmp/loomscale.deb"
    cp "$rpm" "$m/tmp/loomscale.rpm"
    in_root() { chroot "$m" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
    as_user() { in_root runuser -u loomscale -- "$@"; }

    if in_root getent passwd loomscale >/dev/null; then
        log "FAIL: a loomscale user exists before the install (the throw-away root is not fresh)"
        return 1
    fi
    in_root dpkg -i /tmp/loomscale.deb >"$t/dpkg-i.log" 2>&1 || { cat "$t/dpkg-i.log" >&2; return 1; }
    echo "ok: dpkg -i in the throw-away root"
    local shell owner mode out
    shell="$(in_root getent passwd loomscale | cut -d: -f7)"
    [[ "$shell" == */nologin ]] && echo "ok: system user loomscale (shell $shell)" \
        || echo "FAIL: user loomscale missing or with a login shell: '$shell'"
    for d in /var/lib/loomscale /var/log/loomscale; do
        owner="$(in_root stat -c '%U:%G %a' "$d")"
        [[ "$owner" == "loomscale:loomscale 750" ]] && echo "ok: $d is $owner" || echo "FAIL: $d is '$owner'"
    done
    mode="$(in_root stat -c '%U:%G %a' /etc/loomscale/loomscale.toml)"
    [[ "$mode" == "root:loomscale 640" ]] && echo "ok: loomscale.toml is $mode" || echo "FAIL: loomscale.toml is '$mode'"
    out="$(as_user loomscale --version 2>&1)" || true
    version_ok "$out" && echo "ok: installed loomscale --version as user loomscale: $out" \
        || echo "FAIL: installed loomscale --version: $out"
    out="$(as_user loomscale check -c /etc/loomscale/loomscale.toml 2>&1)" \
        && echo "ok: loomscale check -c /etc/loomscale/loomscale.toml as user loomscale: $out" \
        || echo "FAIL: loomscale check of the installed config: $out"
    if command -v systemd-analyze >/dev/null 2>&1; then
        out="$(in_root systemd-analyze verify /usr/lib/systemd/system/loomscale.service 2>&1)" \
            && echo "ok: systemd-analyze verify loomscale.service" \
            || echo "FAIL: systemd-analyze verify loomscale.service: $out"
    fi

    # Upgrade to a newer version whose default loomscale.toml differs: the
    # local change is kept, the new default lands beside it.
    local up="$t/upgrade"
    mkdir -p "$up"
    dpkg-deb -R "$deb" "$up/tree"
    sed -i "s/^Version: .*/&+upgradetest/" "$up/tree/DEBIAN/control"
    echo "# a line only the newer package has" >>"$up/tree/etc/loomscale/loomscale.toml"
    dpkg-deb --root-owner-group -Zxz --build "$up/tree" "$m/tmp/loomscale-up.deb" >/dev/null
    echo "# changed by the administrator" >>"$m/etc/loomscale/loomscale.toml"
    in_root dpkg -i --force-confdef --force-confold /tmp/loomscale-up.deb >"$t/dpkg-up.log" 2>&1 \
        || { cat "$t/dpkg-up.log" >&2; echo "FAIL: dpkg -i of the upgrade"; }
    if grep -q '^# changed by the administrator' "$m/etc/loomscale/loomscale.toml" \
        && ! grep -q 'only the newer package' "$m/etc/loomscale/loomscale.toml" \
        && [[ -f "$m/etc/loomscale/loomscale.toml.dpkg-dist" ]]; then
        echo "ok: upgrade kept the changed loomscale.toml (new default in loomscale.toml.dpkg-dist)"
    else
        echo "FAIL: upgrade did not keep the changed loomscale.toml"
    fi
    out="$(as_user loomscale check -c /etc/loomscale/loomscale.toml 2>&1)" \
        && echo "ok: check after the upgrade" || echo "FAIL: check after the upgrade: $out"

    in_root dpkg -r loomscale >"$t/dpkg-r.log" 2>&1 || { cat "$t/dpkg-r.log" >&2; echo "FAIL: dpkg -r"; }
    [[ ! -e "$m/usr/share/loomscale/loomscale.jar" && ! -e "$m/usr/bin/loomscale" && -f "$m/etc/loomscale/loomscale.toml" ]] \
        && echo "ok: dpkg -r removed the program and kept the configuration" \
        || echo "FAIL: dpkg -r left the program or removed the configuration"
    in_root dpkg -P loomscale >"$t/dpkg-p.log" 2>&1 || { cat "$t/dpkg-p.log" >&2; echo "FAIL: dpkg -P"; }
    [[ ! -e "$m/etc/loomscale" && ! -e "$m/var/lib/loomscale" && ! -e "$m/var/log/loomscale" ]] \
        && echo "ok: dpkg -P removed /etc/loomscale, /var/lib/loomscale and /var/log/loomscale" \
        || echo "FAIL: dpkg -P left files behind: $(ls -d "$m"/etc/loomscale "$m"/var/lib/loomscale "$m"/var/log/loomscale 2>/dev/null | tr '\n' ' ')"

    # The .rpm in the same root (the user now exists, as after an earlier
    # install; --nodeps: this Debian root's rpm database knows no packages).
    in_root userdel loomscale >/dev/null 2>&1 || true
    in_root groupdel loomscale >/dev/null 2>&1 || true
    if in_root rpm -i --nodeps /tmp/loomscale.rpm >"$t/rpm-i.log" 2>&1; then
        echo "ok: rpm -i in the throw-away root"
        mode="$(in_root stat -c '%U:%G %a' /etc/loomscale/loomscale.toml /var/lib/loomscale /var/log/loomscale | tr '\n' ' ')"
        [[ "$mode" == "root:loomscale 640 loomscale:loomscale 750 loomscale:loomscale 750 " ]] \
            && echo "ok: rpm: user loomscale, config and directories owned as expected" \
            || echo "FAIL: rpm: owners and modes are '$mode'"
        out="$(as_user loomscale --version 2>&1)" || true
        version_ok "$out" && echo "ok: rpm-installed loomscale --version: $out" || echo "FAIL: rpm-installed --version: $out"
        out="$(as_user loomscale check -c /etc/loomscale/loomscale.toml 2>&1)" \
            && echo "ok: rpm-installed check of /etc/loomscale/loomscale.toml" || echo "FAIL: rpm-installed check: $out"
        in_root rpm -e loomscale >"$t/rpm-e.log" 2>&1 && [[ ! -e "$m/usr/bin/loomscale" ]] \
            && echo "ok: rpm -e" || { cat "$t/rpm-e.log" >&2; echo "FAIL: rpm -e"; }
    else
        cat "$t/rpm-i.log" >&2
        echo "FAIL: rpm -i in the throw-away root"
    fi
}

if [[ "${1:-}" == "--in-namespace" ]]; then
    POM_VERSION="$5"
    in_namespace "$2" "$3" "$4"
    exit 0
fi

case "${1:-}" in
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
        exit 0
        ;;
esac

# ---------------------------------------------------------------------------
start=$SECONDS
"$ROOT/packaging/build.sh"
POM_VERSION="$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -n 1)"
VERSION="${POM_VERSION//-/\~}"
DEB="$ROOT/target/packages/loomscale_${VERSION}_all.deb"
RPM="$ROOT/target/packages/loomscale-${VERSION}-1.noarch.rpm"
[[ -f "$DEB" && -f "$RPM" ]] || die "build.sh did not produce $DEB and $RPM"
command -v cpio >/dev/null 2>&1 || apt_install cpio

T="$(mktemp -d /tmp/loomscale-pkgtest.XXXXXX)"
trap 'rm -rf "$T"' EXIT

# --- contents --------------------------------------------------------------
deb_files="$(dpkg-deb -c "$DEB" | awk '{print $6}' | sed -e 's:^\./:/:' -e 's:/$::' | grep -v '^$' \
    | grep -v -x -e /etc -e /etc/default -e /usr -e /usr/bin -e /usr/lib -e /usr/lib/systemd \
        -e /usr/lib/systemd/system -e /usr/share -e /usr/share/doc -e /var -e /var/lib -e /var/log | sort)"
rpm_files="$(rpm -qpl "$RPM" | sort)"
expected_deb="$(printf '%s\n/etc/default/loomscale\n' "$EXPECTED_FILES" | sort)"
expected_rpm="$(printf '%s\n/etc/sysconfig/loomscale\n' "$EXPECTED_FILES" | sort)"
if [[ "$deb_files" == "$expected_deb" ]]; then ok "dpkg-deb -c lists exactly the expected files"; else
    fail "dpkg-deb -c differs from the expected list:"; diff <(echo "$expected_deb") <(echo "$deb_files") >&2 || true; fi
if [[ "$rpm_files" == "$expected_rpm" ]]; then ok "rpm -qpl lists exactly the expected files (the same as the .deb)"; else
    fail "rpm -qpl differs from the expected list:"; diff <(echo "$expected_rpm") <(echo "$rpm_files") >&2 || true; fi
check "the .deb marks loomscale.toml and /etc/default/loomscale as conffiles" \
    test "$(dpkg-deb -f "$DEB" Package) $(dpkg-deb -I "$DEB" conffiles | sort | tr '\n' ' ')" \
    == "loomscale /etc/default/loomscale /etc/loomscale/loomscale.toml "
check "the .rpm marks loomscale.toml and /etc/sysconfig/loomscale as config files" \
    test "$(rpm -qpc "$RPM" | sort | tr '\n' ' ')" == "/etc/loomscale/loomscale.toml /etc/sysconfig/loomscale "
# fflags: c = %config, n = noreplace (an upgrade keeps a changed file).
check "the .rpm marks loomscale.toml %config(noreplace)" \
    test "$(rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' "$RPM" | awk '$1=="/etc/loomscale/loomscale.toml"{print $2}')" == "cn"
check "the launcher is executable in both packages" \
    test "$(dpkg-deb -c "$DEB" | awk '$6=="./usr/bin/loomscale"{print $1}')$(rpm -qlvp "$RPM" | awk '$9=="/usr/bin/loomscale"{print $1}')" \
    == "-rwxr-xr-x-rwxr-xr-x"
unit="$(dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./usr/lib/systemd/system/loomscale.service)"
for line in "User=loomscale" "Restart=on-failure" "LimitNOFILE=65536" "Type=simple" \
    "ExecStart=/usr/bin/loomscale -c /etc/loomscale/loomscale.toml"; do
    check "loomscale.service has $line" grep -qx "$line" <<<"$unit"
done

# --- extracted packages ----------------------------------------------------
dpkg-deb -x "$DEB" "$T/deb"
mkdir -p "$T/rpm"
(cd "$T/rpm" && rpm2cpio "$RPM" | cpio -idm --quiet)
# A PATH with only the system's own java (17 on Debian 12), no JAVA_HOME.
for x in deb rpm; do
    out="$(env -u JAVA_HOME -u LOOMSCALE_JAVA_HOME PATH=/usr/bin:/bin "$T/$x/usr/bin/loomscale" --version 2>&1)" || true
    check "launcher of the extracted .$x answers --version with Java >= 21: $out" version_ok "$out"
    out="$(env -u JAVA_HOME PATH=/usr/bin:/bin "$T/$x/usr/bin/loomscale" check -c "$T/$x/etc/loomscale/loomscale.toml" 2>&1)" \
        && ok "extracted .$x: check accepts the shipped loomscale.toml ($out)" \
        || fail "extracted .$x: check of the shipped loomscale.toml: $out"
done
# `loomscale convert` through the packaged launcher, its output checked by the packaged `check`.
conv_err="$T/convert.err"
if env -u JAVA_HOME PATH=/usr/bin:/bin "$T/deb/usr/bin/loomscale" convert \
    "$ROOT/src/test/resources/convert/maxscale.cnf" >"$T/converted.toml" 2>"$conv_err" \
    && out="$(env -u JAVA_HOME PATH=/usr/bin:/bin "$T/deb/usr/bin/loomscale" check -c "$T/converted.toml" 2>&1)"; then
    ok "loomscale convert of the MaxScale fixture passes loomscale check ($out)"
else
    fail "loomscale convert of the MaxScale fixture: $(tail -n 3 "$conv_err")"
fi
old=""
for h in /usr/lib/jvm/*; do
    if [[ -f "$h/release" ]] && grep -Eq '^JAVA_VERSION="(1\.[0-9]|[0-9]|1[0-9])[."]' "$h/release"; then
        old="$h"
        break
    fi
done
if [[ -n "$old" ]]; then
    out="$(JAVA_HOME="$old" PATH="$old/bin:/usr/bin:/bin" "$T/deb/usr/bin/loomscale" --version 2>&1)" || true
    check "launcher skips JAVA_HOME=$old (older than 21) and finds a newer Java: $out" version_ok "$out"
else
    log "not checked: skipping an old JAVA_HOME (no Java older than 21 under /usr/lib/jvm)"
fi
rc=0
out="$(env -u JAVA_HOME LOOMSCALE_JVM_DIRS=/nonexistent PATH=/nonexistent:/bin "$T/deb/usr/bin/loomscale" --version 2>&1)" || rc=$?
check "without any Java >= 21 the launcher exits 1 and says what to install" \
    test "$rc:$(grep -c 'no Java 21 or newer found.*openjdk-21-jre-headless' <<<"$out")" == "1:1"

# --- throw-away root -------------------------------------------------------
ns_note=""
if is_root && command -v unshare >/dev/null 2>&1; then
    ns_out="$(unshare --mount --propagation private "${BASH_SOURCE[0]}" --in-namespace "$T/ns" "$DEB" "$RPM" "$POM_VERSION" 2>&1)" \
        || { fail "throw-away root: the namespace script failed"; }
    while IFS= read -r l; do
        case "$l" in
            ok:*) ok "throw-away root: ${l#ok: }" ;;
            FAIL:*) fail "throw-away root: ${l#FAIL: }" ;;
            *) [[ -n "$l" ]] && log "  $l" ;;
        esac
    done <<<"$ns_out"
    grep -q '^ok: rpm -e' <<<"$ns_out" || fail "throw-away root: did not run to the end"
else
    ns_note=" (NOT RUN: dpkg -i / rpm -i in a throw-away root need root and unshare)"
fi

log "$CHECKS checks, $FAILS failed, $((SECONDS - start))s$ns_note"
((FAILS == 0))
