#!/usr/bin/env bash
# Installs what edgewatch needs to build and to run every test, from Debian 12 packages only.
# Idempotent: does nothing when everything is already installed.
set -euo pipefail

PACKAGES=(
  # build
  cmake g++ make pkg-config git
  prometheus-cpp-dev libpcap-dev libboost-dev libyaml-cpp-dev libssl-dev libcrypt-dev zlib1g-dev
  # tests
  libgtest-dev libgmock-dev clang libclang-rt-14-dev clang-format
  prometheus prometheus-alertmanager apache2-utils openssl curl python3 python3-yaml
  python3-scapy iproute2 util-linux tcpdump tshark apache2 nftables logrotate postfix systemd
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}"
