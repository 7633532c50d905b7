#include "io/pcap_source.h"

namespace edgewatch::io {

namespace {

std::string ActivateError(const std::string& interface, int rc, pcap_t* p) {
  const std::string detail = pcap_geterr(p);
  switch (rc) {
    case PCAP_ERROR_PERM_DENIED:
      return "cannot capture on " + interface +
             ": permission denied; run as root or grant CAP_NET_RAW, e.g. "
             "AmbientCapabilities=CAP_NET_RAW (" +
             detail + ")";
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return "cannot capture on " + interface + " in promiscuous mode: CAP_NET_RAW is needed (" +
             detail + ")";
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return "cannot capture on " + interface + ": no such interface (" + detail + ")";
    case PCAP_ERROR_IFACE_NOT_UP:
      return "cannot capture on " + interface + ": interface is down";
    default:
      return "cannot capture on " + interface + ": " + detail;
  }
}

}  // namespace

Expected<PcapSource> PcapSource::OpenLive(const LiveCaptureOptions& o) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* raw = pcap_create(o.interface.c_str(), errbuf);
  if (raw == nullptr) {
    return Error{"cannot capture on " + o.interface + ": " + errbuf};
  }
  PcapSource source(raw, false);
  pcap_set_snaplen(raw, o.snaplen);
  pcap_set_promisc(raw, o.promiscuous ? 1 : 0);
  pcap_set_buffer_size(raw, static_cast<int>(o.buffer_bytes));
  pcap_set_timeout(raw, o.timeout_ms);
  // Immediate mode off: TPACKET_V3 hands over whole blocks, far fewer wake-ups under a flood.
  pcap_set_immediate_mode(raw, 0);
  if (pcap_set_tstamp_precision(raw, PCAP_TSTAMP_PRECISION_NANO) == 0) {
    source.nano_ = true;
  }
  const int rc = pcap_activate(raw);
  if (rc < 0) {
    return Error{ActivateError(o.interface, rc, raw)};
  }
  if (o.outbound_only && pcap_setdirection(raw, PCAP_D_OUT) != 0) {
    return Error{"cannot capture only what " + o.interface + " sends: " + pcap_geterr(raw)};
  }
  if (!o.filter.empty()) {
    bpf_program program{};
    if (pcap_compile(raw, &program, o.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return Error{"cannot compile capture filter \"" + o.filter + "\": " + pcap_geterr(raw)};
    }
    const int set = pcap_setfilter(raw, &program);
    pcap_freecode(&program);
    if (set != 0) {
      return Error{"cannot set capture filter on " + o.interface + ": " + pcap_geterr(raw)};
    }
  }
  return source;
}

Expected<PcapSource> PcapSource::OpenFile(const std::string& path) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* raw =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (raw == nullptr) {
    const std::string detail = errbuf;  // libpcap names the path in some messages, not all
    return Error{detail.starts_with(path) ? detail : path + ": " + detail};
  }
  return PcapSource(raw, true);
}

Expected<CaptureStats> PcapSource::Stats() const {
  pcap_stat stat{};
  if (pcap_stats(handle_.get(), &stat) != 0) {
    return Error{pcap_geterr(handle_.get())};
  }
  return CaptureStats{stat.ps_recv, static_cast<std::uint64_t>(stat.ps_drop) + stat.ps_ifdrop};
}

}  // namespace edgewatch::io
