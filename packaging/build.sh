#!/usr/bin/env bash
# build.sh - build LoomScale's .deb and .rpm from target/loomscale.jar and the
# files under packaging/.
#
# Usage: packaging/build.sh [--out DIR]     (default DIR: target/packages)
#
# Builds target/loomscale.jar first when it is missing or older than src/ or
# pom.xml (Maven, with a JDK >= 21 found as the other scripts find it), then
#   DIR/loomscale_VERSION_all.deb          with dpkg-deb
#   DIR/loomscale-VERSION-1.noarch.rpm     with rpmbuild (the `rpm` package is
#                                          installed with apt-get when missing)
# VERSION is the pom's version with '-' turned into '~' (0.1.0~SNAPSHOT), so
# that a snapshot sorts before its release in both dpkg and rpm.
#
# Both packages install the same files:
#   /usr/bin/loomscale                       launcher (finds a Java >= 21)
#   /usr/share/loomscale/loomscale.jar
#   /usr/lib/loomscale/                      libdir, for third-party module jars
#   /usr/lib/systemd/system/loomscale.service
#   /etc/loomscale/loomscale.toml            config file, kept on upgrade
#   /etc/default/loomscale (deb) or /etc/sysconfig/loomscale (rpm)
#   /var/lib/loomscale, /var/log/loomscale   owned by the loomscale system user
#   /usr/share/doc/loomscale/README.md
# and create the `loomscale` system user and group when installed.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../tests-integration/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tests-integration/lib/common.sh"

ROOT="$(project_root)"
PKG="$ROOT/packaging"
OUT="$ROOT/target/packages"

while (($#)); do
    case "$1" in
        --out) OUT="$(mkdir -p "$2" && cd "$2" && pwd -P)"; shift 2 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
            exit 0
            ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

ensure_jar
JAR="$ROOT/target/loomscale.jar"

# The project's own <version>: the first one in pom.xml (it has no <parent>).
POM_VERSION="$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -n 1)"
[[ -n "$POM_VERSION" ]] || die "cannot read <version> from $ROOT/pom.xml"
VERSION="${POM_VERSION//-/\~}"

WORK="$ROOT/target/packaging"
rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"

# stage DIR ENVFILE: the installed tree, shared by both formats except for
# where the environment file of the service goes.
stage() {
    local dir="$1" envfile="$2"
    install -d -m 0755 "$dir/usr/bin" "$dir/usr/share/loomscale" "$dir/usr/lib/loomscale" \
        "$dir/usr/lib/systemd/system" "$dir/usr/share/doc/loomscale" "$dir/$(dirname "$envfile")"
    install -d -m 0750 "$dir/etc/loomscale" "$dir/var/lib/loomscale" "$dir/var/log/loomscale"
    install -m 0755 "$PKG/bin/loomscale" "$dir/usr/bin/loomscale"
    install -m 0644 "$JAR" "$dir/usr/share/loomscale/loomscale.jar"
    install -m 0644 "$PKG/systemd/loomscale.service" "$dir/usr/lib/systemd/system/loomscale.service"
    install -m 0640 "$PKG/loomscale.toml" "$dir/etc/loomscale/loomscale.toml"
    install -m 0644 "$PKG/default.env" "$dir/$envfile"
    install -m 0644 "$ROOT/README.md" "$dir/usr/share/doc/loomscale/README.md"
}

# --- .deb ------------------------------------------------------------------
command -v dpkg-deb >/dev/null 2>&1 || apt_install dpkg
DEB_ROOT="$WORK/deb"
stage "$DEB_ROOT" etc/default/loomscale
install -d -m 0755 "$DEB_ROOT/DEBIAN"
sed -e "s/@VERSION@/$VERSION/" -e "s/@INSTALLED_SIZE@/$(du -sk --exclude=DEBIAN "$DEB_ROOT" | cut -f1)/" \
    "$PKG/deb/control.in" >"$DEB_ROOT/DEBIAN/control"
install -m 0644 "$PKG/deb/conffiles" "$DEB_ROOT/DEBIAN/conffiles"
for s in postinst prerm postrm; do
    install -m 0755 "$PKG/deb/$s" "$DEB_ROOT/DEBIAN/$s"
done
DEB="$OUT/loomscale_${VERSION}_all.deb"
dpkg-deb --root-owner-group -Zxz --build "$DEB_ROOT" "$DEB" >/dev/null
log "built $DEB"

# --- .rpm ------------------------------------------------------------------
if ! command -v rpmbuild >/dev/null 2>&1; then
    log "rpmbuild missing: installing the rpm package"
    apt_install rpm
fi
RPM_STAGE="$WORK/rpm-stage"
stage "$RPM_STAGE" etc/sysconfig/loomscale
TOP="$WORK/rpmbuild"
mkdir -p "$TOP"/{BUILD,BUILDROOT,RPMS,SOURCES,SPECS,SRPMS}
rpmbuild -bb --quiet \
    --define "_topdir $TOP" \
    --define "_rpmdir $OUT" \
    --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
    --define "stage $RPM_STAGE" \
    --define "pkgversion $VERSION" \
    "$PKG/rpm/loomscale.spec" >"$WORK/rpmbuild.log" 2>&1 \
    || { cat "$WORK/rpmbuild.log" >&2; die "rpmbuild failed"; }
RPM="$OUT/loomscale-${VERSION}-1.noarch.rpm"
[[ -f "$RPM" ]] || die "rpmbuild finished but $RPM does not exist (see $WORK/rpmbuild.log)"
log "built $RPM"
