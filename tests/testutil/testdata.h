#pragma once

#include <string>

namespace edgewatch::testing {

// Absolute path of a file under tests/testdata.
inline std::string TestData(const std::string& relative) {
  return std::string(EDGEWATCH_TESTDATA) + "/" + relative;
}

}  // namespace edgewatch::testing
