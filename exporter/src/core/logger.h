#pragma once

#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace edgewatch {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kLogfmt, kJson };

std::optional<LogLevel> ParseLogLevel(std::string_view text);
std::optional<LogFormat> ParseLogFormat(std::string_view text);

// Structured logger writing one line per record (logfmt `ts=… level=… msg="…"` or JSON) to a
// stream. Copies share the stream and its mutex, so a Logger is cheap to pass by value and safe
// to use from any thread. With() returns a copy that adds fixed fields (e.g. collector=ntp).
class Logger {
 public:
  using Field = std::pair<std::string_view, std::string_view>;

  Logger(std::ostream& out, LogLevel level, LogFormat format, const Clock& clock);

  Logger With(std::string_view key, std::string_view value) const;

  void Log(LogLevel level, std::string_view msg, std::initializer_list<Field> fields = {}) const;
  void Debug(std::string_view msg, std::initializer_list<Field> fields = {}) const {
    Log(LogLevel::kDebug, msg, fields);
  }
  void Info(std::string_view msg, std::initializer_list<Field> fields = {}) const {
    Log(LogLevel::kInfo, msg, fields);
  }
  void Warn(std::string_view msg, std::initializer_list<Field> fields = {}) const {
    Log(LogLevel::kWarn, msg, fields);
  }
  void Error(std::string_view msg, std::initializer_list<Field> fields = {}) const {
    Log(LogLevel::kError, msg, fields);
  }

 private:
  struct Sink {
    std::mutex mu;
    std::ostream* out;  // guarded by mu
    LogLevel level;
    LogFormat format;
    const Clock* clock;
  };

  std::shared_ptr<Sink> sink_;
  std::vector<std::pair<std::string, std::string>> context_;
};

}  // namespace edgewatch
