#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "core/collector.h"
#include "prometheus/text_serializer.h"

namespace edgewatch::testing {

// What a scrape of `c` alone would show, in the text format.
inline std::string Exposition(const Collector& c) {
  MetricSink sink;
  EXPECT_TRUE(c.Collect(sink).ok());
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, std::move(sink).Take());
  return out.str();
}

}  // namespace edgewatch::testing
