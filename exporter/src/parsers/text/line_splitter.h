#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

namespace edgewatch::text {

// Cuts a byte stream, arriving in chunks, into lines: a line ends at '\n', which is not part
// of it, and so does a '\r' before it. A line longer than `max_line` bytes (a CR before its
// newline counted) is handed on cut to its first max_line bytes (cut = true) and the rest of it
// up to its newline is dropped. Bytes
// after the last newline wait for the next chunk (Finish() hands them on at the end of the
// input). Pure: the caller reads into WriteArea() and says how much arrived; no allocation
// after construction. Not thread-safe.
class LineSplitter {
 public:
  // `chunk`: the most bytes one Commit() takes.
  LineSplitter(std::size_t max_line, std::size_t chunk);

  // Where the next chunk goes: `chunk` bytes.
  std::span<char> WriteArea() { return {buffer_.get() + pending_, chunk_}; }

  // `n` bytes (at most the chunk) were written into WriteArea(): calls
  // `on_line(std::string_view line, bool cut)` for every line they complete.
  template <typename OnLine>
  void Commit(std::size_t n, OnLine&& on_line) {
    char* const buffer = buffer_.get();
    const std::size_t end = pending_ + n;
    std::size_t start = 0;
    while (start < end) {
      const char* nl = static_cast<const char*>(std::memchr(buffer + start, '\n', end - start));
      if (nl == nullptr) {
        break;
      }
      const auto at = static_cast<std::size_t>(nl - buffer);
      if (skipping_) {
        skipping_ = false;
      } else {
        Emit(buffer + start, at - start, on_line);
      }
      start = at + 1;
    }
    std::size_t rest = end - start;
    if (skipping_) {
      rest = 0;
    } else if (rest > max_line_) {  // no newline in sight: the line is cut here
      Emit(buffer + start, rest, on_line);
      skipping_ = true;
      rest = 0;
    }
    std::memmove(buffer, buffer + start, rest);
    pending_ = rest;
  }

  // End of the input: hands on an unterminated last line, if there is one.
  template <typename OnLine>
  void Finish(OnLine&& on_line) {
    if (pending_ > 0 && !skipping_) {
      Emit(buffer_.get(), pending_, on_line);
    }
    Reset();
  }

  // Forgets the unfinished line (the file was truncated, say).
  void Reset() {
    pending_ = 0;
    skipping_ = false;
  }

  // Bytes of an unfinished line waiting for its end.
  std::size_t pending() const { return pending_; }

 private:
  template <typename OnLine>
  void Emit(const char* data, std::size_t size, OnLine& on_line) {
    const bool cut = size > max_line_;
    if (cut) {
      size = max_line_;
    } else if (size > 0 && data[size - 1] == '\r') {
      --size;
    }
    on_line(std::string_view(data, size), cut);
  }

  std::size_t max_line_;
  std::size_t chunk_;
  std::unique_ptr<char[]> buffer_;  // max_line + chunk bytes
  std::size_t pending_ = 0;         // an unfinished line at the buffer's start
  bool skipping_ = false;           // inside a line already cut
};

}  // namespace edgewatch::text
