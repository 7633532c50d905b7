#!/usr/bin/env bash
# Reflection benchmark: edgewatch against tcpdump on the same capture, same machine, one run.
#   1. Offline: `edgewatch replay --pcap F` vs `tcpdump -r F -w /dev/null 'udp port 123'`.
#   2. Live: tcpreplay --topspeed onto a veth from a network namespace while edgewatch and
#      tcpdump capture on the other end at the same time; compare kernel drops.
# Usage: bench/reflection/run.sh [BUILD_DIR] [PACKETS]   (as root; prints a Markdown report)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
packets=${2:-3000000}
bin=$build/exporter/edgewatch
for tool in tcpdump tcpreplay ip python3; do
  command -v $tool >/dev/null || { echo "$tool is not installed" >&2; exit 1; }
done
[ -x "$bin" ] || { echo "no $bin; build with -DCMAKE_BUILD_TYPE=Release first" >&2; exit 1; }

work=$(mktemp -d)
ns=ewbench$$
cleanup() {
  [ -n "${ew_pid:-}" ] && kill "$ew_pid" 2>/dev/null || true
  [ -n "${td_pid:-}" ] && kill "$td_pid" 2>/dev/null || true
  ip link del ewbo$$ 2>/dev/null || true
  ip netns del $ns 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

pcap=$work/mixed.pcap
python3 "$here/make_capture.py" "$pcap" "$packets"
cat "$pcap" >/dev/null  # page cache warm for both tools

seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "## Offline: $packets packets ($(du -h "$pcap" | cut -f1)), median of 5 alternating runs"
echo
echo "| tool | seconds | packets/s |"
echo "|---|---|---|"
: >"$work/tcpdump.times"
: >"$work/edgewatch.times"
for _ in 1 2 3 4 5; do
  seconds tcpdump -r "$pcap" -w /dev/null 'udp port 123' >>"$work/tcpdump.times"
  seconds "$bin" replay --pcap "$pcap" --no-collector.process >>"$work/edgewatch.times"
done
for tool in tcpdump edgewatch; do
  t=$(median <"$work/$tool.times")
  printf '| %s | %.3f | %.0f |\n' "$tool" "$t" "$(echo "$packets / $t" | bc -l)"
done
echo
echo "tcpdump: \`tcpdump -r F -w /dev/null 'udp port 123'\`; edgewatch: \`edgewatch replay --pcap F\`"
echo "(decodes every frame, classifies NTP and the other vectors, runs the request table and top-K)."

# Live: the namespace sends, both capture on the outer end at the same time.
ip netns add $ns
ip link add ewbo$$ type veth peer name ewbi$$
ip link set ewbi$$ netns $ns
ip link set ewbo$$ up
ip -n $ns link set ewbi$$ up
cat >"$work/edgewatch.yml" <<YML
process:
  enabled: false
reflection:
  interface: ewbo$$
  local_networks: [203.0.113.0/24]
YML
"$bin" --config.file="$work/edgewatch.yml" --web.listen-address=127.0.0.1:0 2>"$work/ew.log" &
ew_pid=$!
tcpdump -i ewbo$$ -B 8192 -w /dev/null 'udp port 123' 2>"$work/tcpdump.log" &
td_pid=$!
for _ in $(seq 100); do
  grep -q "capture started" "$work/ew.log" && grep -q "listening on" "$work/tcpdump.log" && break
  sleep 0.1
done
port=$(grep -o 'address=127.0.0.1:[0-9]*' "$work/ew.log" | head -1 | cut -d: -f2)
replay_out=$(ip netns exec $ns tcpreplay --topspeed -i ewbi$$ "$pcap" 2>&1)
sleep 2
kill -INT $td_pid
wait $td_pid 2>/dev/null || true
td_pid=
metrics=$(curl -s "http://127.0.0.1:$port/metrics")
ew_drop=$(echo "$metrics" | awk '/^edgewatch_capture_packets_dropped_total/ {print $2}')
ew_recv=$(echo "$metrics" | awk '/^edgewatch_capture_packets_received_total/ {print $2}')
td_drop=$(awk '/dropped by kernel/ {print $1}' "$work/tcpdump.log")
td_recv=$(awk '/packets received by filter/ {print $1}' "$work/tcpdump.log")
rate=$(echo "$replay_out" | grep -o '[0-9.]* pps' | head -1)
echo
echo "## Live: tcpreplay --topspeed of the same capture onto a veth ($rate), both capturing at once"
echo
echo "| tool | received | dropped by kernel |"
echo "|---|---|---|"
echo "| tcpdump -B 8192 'udp port 123' | $td_recv | $td_drop |"
echo "| edgewatch (default 8 MiB ring, all vectors) | $ew_recv | $ew_drop |"
