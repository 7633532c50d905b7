#pragma once

#include <string>
#include <utility>
#include <variant>

// The one result shape of the whole tree, parsers included (standard library only): a value or
// an error. Parsers with nothing to tell on failure return std::optional.
namespace edgewatch {

// A failure with a message meant for an operator: complete, one line, no trailing period.
struct Error {
  std::string message;
};

// A value or an error `E` (std::expected arrives only in C++23). `E` is Error for messages, or
// a small enum where the caller counts reasons (packets, echo replies).
template <typename T, typename E = Error>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Expected(E error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

// Success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace edgewatch
