#include "config/bgp_config.h"

namespace edgewatch {
namespace {

Expected<bool> ParseBool(const std::string& text) {
  if (text == "true" || text == "false") {
    return text == "true";
  }
  return Error{"expected true or false, got \"" + text + "\""};
}

void ReadBgpNeighbor(MapReader& m, LabelNames& names, BgpNeighborConfig& n) {
  m.String("name", n.name);
  bool has_address = false;
  m.Value("address", n.host, [&](const std::string& t) -> Expected<std::string> {
    has_address = true;
    if (auto ip = ParseIpAddress(t)) {
      n.address = *ip;
      return t;
    }
    return ParseHostName(t);
  });
  m.Value("asn", n.asn, [](const std::string& t) { return ParseUnsigned(t, 1, 4294967295u); });
  m.String("description", n.description);
  m.Value("interval", n.interval, Optional(PositiveDuration));
  m.Value("timeout", n.timeout, Optional(PositiveDuration));
  m.Value("size", n.size, [](const std::string& t) { return ParseUnsigned(t, 16, 9000); });
  m.Value("source", n.source, Optional(ParseIpAddress));
  m.Value("ttl", n.ttl, Optional([](const std::string& t) { return ParseUnsigned(t, 1, 255); }));
  m.Value("tcp_probe", n.tcp_probe, Optional(ParseBool));
  names.Add(m, n.name);
  if (!has_address) {
    m.Fail("address", "every neighbor needs an address");
  }
}

void ReadBgp(MapReader& m, BgpConfig& c, ConfigContext& context) {
  m.Bool("enabled", c.enabled);
  m.Value("interval", c.interval, PositiveDuration);
  m.Value("timeout", c.timeout, PositiveDuration);
  m.Value("window", c.window, [](const std::string& t) { return ParseUnsigned(t, 1, 1000); });
  m.Value("resolve_interval", c.resolve_interval, PositiveDuration);
  m.Bool("tcp_probe", c.tcp_probe);
  m.Value("tcp_probe_interval", c.tcp_probe_interval, PositiveDuration);
  m.ListOfSections("neighbors", [&](MapReader& n) {
    ReadBgpNeighbor(n, context.neighbors, c.neighbors.emplace_back());
  });
}

}  // namespace

const ConfigSection kBgpSection = SectionOf<BgpConfig, &ReadBgp>();

}  // namespace edgewatch
