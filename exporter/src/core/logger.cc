#include "core/logger.h"

#include <array>
#include <cstdio>
#include <ctime>

namespace edgewatch {
namespace {

constexpr std::array<std::string_view, 4> kLevelNames = {"debug", "info", "warn", "error"};

std::string FormatTimestamp(Clock::SystemTime t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count() % 1000));
  return buf;
}

void AppendEscaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
}

bool NeedsQuoting(std::string_view value) {
  if (value.empty()) {
    return true;
  }
  for (char c : value) {
    if (c == ' ' || c == '=' || c == '"' || static_cast<unsigned char>(c) < 0x20) {
      return true;
    }
  }
  return false;
}

void AppendField(std::string& line, LogFormat format, std::string_view key,
                 std::string_view value) {
  if (format == LogFormat::kJson) {
    if (line.size() > 1) {
      line += ',';
    }
    line += '"';
    AppendEscaped(line, key);
    line += "\":\"";
    AppendEscaped(line, value);
    line += '"';
    return;
  }
  if (!line.empty()) {
    line += ' ';
  }
  line += key;
  line += '=';
  if (NeedsQuoting(value)) {
    line += '"';
    AppendEscaped(line, value);
    line += '"';
  } else {
    line += value;
  }
}

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view text) {
  for (size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == text) {
      return static_cast<LogLevel>(i);
    }
  }
  return std::nullopt;
}

std::optional<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == "logfmt") {
    return LogFormat::kLogfmt;
  }
  if (text == "json") {
    return LogFormat::kJson;
  }
  return std::nullopt;
}

Logger::Logger(std::ostream& out, LogLevel level, LogFormat format, const Clock& clock)
    : sink_(std::make_shared<Sink>()) {
  sink_->out = &out;
  sink_->level = level;
  sink_->format = format;
  sink_->clock = &clock;
}

Logger Logger::With(std::string_view key, std::string_view value) const {
  Logger copy = *this;
  copy.context_.emplace_back(key, value);
  return copy;
}

void Logger::Log(LogLevel level, std::string_view msg, std::initializer_list<Field> fields) const {
  if (level < sink_->level) {
    return;
  }
  const LogFormat format = sink_->format;
  std::string line = format == LogFormat::kJson ? "{" : "";
  AppendField(line, format, "ts", FormatTimestamp(sink_->clock->Now()));
  AppendField(line, format, "level", kLevelNames[static_cast<size_t>(level)]);
  for (const auto& [key, value] : context_) {
    AppendField(line, format, key, value);
  }
  AppendField(line, format, "msg", msg);
  for (const auto& [key, value] : fields) {
    AppendField(line, format, key, value);
  }
  if (format == LogFormat::kJson) {
    line += '}';
  }
  line += '\n';
  std::lock_guard<std::mutex> lock(sink_->mu);
  sink_->out->write(line.data(), static_cast<std::streamsize>(line.size()));
  sink_->out->flush();
}

}  // namespace edgewatch
