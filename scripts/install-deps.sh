#!/usr/bin/env bash
# Installs what edgewatch needs, from Debian 12 packages only. Without arguments: what builds and
# runs the exporter (scripts/quickstart.sh), nothing else; on a production host it brings no
# daemon. With --tests: also what every test needs (scripts/test.sh, .ci/run), including
# Postfix, Apache, Prometheus and Alertmanager, which start as services where systemd runs them
# and would replace Exim: a test machine's packages, not an edge host's.
# Idempotent: does nothing when everything is already installed.
set -euo pipefail

BUILD_PACKAGES=(
  cmake g++ make pkg-config git
  prometheus-cpp-dev libpcap-dev libboost-dev libyaml-cpp-dev libssl-dev libcrypt-dev zlib1g-dev
  libsystemd-dev
)
TEST_PACKAGES=(
  libgtest-dev libgmock-dev clang libclang-rt-14-dev clang-format
  prometheus prometheus-alertmanager apache2-utils openssl curl python3 python3-yaml
  python3-scapy python3-prometheus-client iproute2 util-linux tcpdump tshark apache2 nftables
  logrotate postfix systemd
  # real journal files for the journal source (systemd-journal-remote writes them)
  systemd-journal-remote
  # real flow exporters and collectors for the flow collector's tests and benchmarks
  pmacct softflowd nfdump
  # the monitoring mixin renders rules/ and grafana/
  jsonnet
  # the global view (deploy/global): VictoriaMetrics, vmagent, vmalert
  victoria-metrics
  # Exim's libraries; Exim itself is unpacked, not installed (exim_package below)
  libidn12 libgnutls-dane0 libdb5.3 libnsl2
  # the Debian package test: build, check, install
  dpkg-dev debhelper lintian libcap2-bin man-db groff-base
)

PACKAGES=("${BUILD_PACKAGES[@]}")
case "${1:-}" in
  "") ;;
  --tests) PACKAGES+=("${TEST_PACKAGES[@]}") ;;
  *)
    echo "usage: $0 [--tests]" >&2
    exit 2
    ;;
esac

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -q
  $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}"
fi

# The Exim test runs Debian's Exim (cPanel's and DirectAdmin's MTA), which cannot be installed
# beside Postfix (both provide mail-transport-agent): its package is unpacked where the test
# looks for it (tests/integration/exim.py), nothing of it is installed or started; only its
# system user is added.
EXIM_ROOT=/var/cache/edgewatch-tests/exim4
exim_package() {
  # The user Exim is built to run as, which exim4-base's postinst would add.
  if ! getent passwd Debian-exim >/dev/null; then
    $SUDO adduser --system --group --quiet --allow-bad-names --home /var/spool/exim4 \
      --no-create-home Debian-exim
  fi
  if [ -x "$EXIM_ROOT/usr/sbin/exim4" ]; then
    return
  fi
  local tmp
  tmp=$(mktemp -d)
  chmod 755 "$tmp"  # apt downloads as _apt
  (cd "$tmp" && apt-get download exim4-daemon-light exim4-base)
  $SUDO mkdir -p "$EXIM_ROOT"
  for deb in "$tmp"/*.deb; do
    $SUDO dpkg-deb -x "$deb" "$EXIM_ROOT"
  done
  rm -rf "$tmp"
}
if [ "${1:-}" = --tests ]; then
  exim_package
fi
