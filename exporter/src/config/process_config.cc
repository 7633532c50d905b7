#include "config/process_config.h"

namespace edgewatch {
namespace {

void ReadProcess(MapReader& m, ProcessConfig& c, ConfigContext&) { m.Bool("enabled", c.enabled); }

}  // namespace

const ConfigSection kProcessSection = SectionOf<ProcessConfig, &ReadProcess>();

}  // namespace edgewatch
