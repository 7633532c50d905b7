#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "app/exporter.h"
#include "app/http_server.h"
#include "app/web_routes.h"
#include "collectors/log_health.h"
#include "collectors/registry.h"
#include "collectors/udp_reflection_metrics.h"
#include "prometheus/check_names.h"

namespace edgewatch {
namespace {

// Every family edgewatch can export: each collector's catalogue, the shared log health families,
// the framework's own and the web server's.
std::vector<const MetricDesc*> Everything() {
  std::vector<const MetricDesc*> all;
  auto add = [&](MetricCatalogue c) { all.insert(all.end(), c.begin(), c.end()); };
  for (const auto& r : AllCollectors()) {
    EXPECT_FALSE(r.metrics.empty()) << r.name;
    add(r.metrics);
  }
  add(LogHealthMetrics());
  add(ReflectionTrafficMetrics());
  add(CollectorSet::Metrics());
  add(ExporterMetrics());
  add(HttpServerMetrics());
  add(WebRoutes::Metrics());
  return all;
}

const char* TypeName(prometheus::MetricType t) {
  switch (t) {
    case prometheus::MetricType::Counter:
      return "counter";
    case prometheus::MetricType::Gauge:
      return "gauge";
    case prometheus::MetricType::Histogram:
      return "histogram";
    default:
      return "other";
  }
}

TEST(MetricCatalogueTest, NamesFollowPrometheusConventions) {
  std::map<std::string_view, const MetricDesc*> seen;
  for (const MetricDesc* d : Everything()) {
    const std::string name(d->name);
    EXPECT_TRUE(prometheus::CheckMetricName(name)) << name;
    EXPECT_TRUE(name.starts_with("edgewatch_") || name.starts_with("process_")) << name;
    EXPECT_EQ(name.find(':'), std::string::npos) << name << ": colons are for recording rules";
    EXPECT_EQ(d->type == prometheus::MetricType::Counter, name.ends_with("_total")) << name;
    EXPECT_FALSE(d->help.empty()) << name;
    EXPECT_TRUE(d->help.ends_with(".")) << name;
    const auto [it, fresh] = seen.emplace(d->name, d);
    EXPECT_TRUE(fresh || it->second == d) << name << " is declared twice";
  }
}

// docs/metrics.md tables: a row per family, "| `name` | type | ..." (a second name may be
// written as "`..._suffix`" after the first).
std::map<std::string, std::string> DocumentedFamilies() {
  std::ifstream in(std::string(EDGEWATCH_SOURCE_DIR) + "/docs/metrics.md");
  std::map<std::string, std::string> out;
  std::string line;
  const std::regex name(R"(`([a-z_]+|\.\.\._[a-z_]+)`)");
  while (std::getline(in, line)) {
    if (!line.starts_with("| `")) {
      continue;
    }
    const auto cells_end = line.find('|', 2);
    const std::string first = line.substr(2, cells_end - 2);
    const auto type_end = line.find('|', cells_end + 1);
    std::string type = line.substr(cells_end + 1, type_end - cells_end - 1);
    type.erase(0, type.find_first_not_of(' '));
    type.erase(type.find_last_not_of(' ') + 1);
    std::string full;
    for (auto it = std::sregex_iterator(first.begin(), first.end(), name);
         it != std::sregex_iterator(); ++it) {
      const std::string n = (*it)[1];
      if (!n.starts_with("...")) {
        full = n;
        out[n] = type;
      } else if (!full.empty()) {
        // The stem of the first name before its last word, e.g. ..._payload_bytes_total.
        const std::string suffix = n.substr(3);
        for (std::size_t cut = full.size(); cut-- > 0;) {
          if (full[cut] == '_') {
            const std::string candidate = full.substr(0, cut) + suffix;
            out.emplace(candidate, type);
          }
        }
      }
    }
  }
  return out;
}

TEST(MetricCatalogueTest, EveryFamilyIsDocumentedWithItsType) {
  const auto documented = DocumentedFamilies();
  ASSERT_GT(documented.size(), 50u);
  for (const MetricDesc* d : Everything()) {
    const auto it = documented.find(std::string(d->name));
    ASSERT_NE(it, documented.end()) << d->name << " is missing from docs/metrics.md";
    EXPECT_EQ(it->second, TypeName(d->type)) << d->name;
  }
}

TEST(MetricCatalogueTest, EveryDocumentedFamilyExists) {
  std::map<std::string, bool> declared;
  for (const MetricDesc* d : Everything()) {
    declared[std::string(d->name)] = true;
  }
  // The expanded "..._suffix" guesses are not all real names; the full names in the first
  // column are.
  std::ifstream in(std::string(EDGEWATCH_SOURCE_DIR) + "/docs/metrics.md");
  std::string line;
  const std::regex first(R"(^\| `([a-z_]+)`)");
  std::smatch m;
  int rows = 0;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, first)) {
      ++rows;
      EXPECT_TRUE(declared.count(m[1])) << m[1] << " is documented but no catalogue declares it";
    }
  }
  EXPECT_GT(rows, 50);
}

}  // namespace
}  // namespace edgewatch
