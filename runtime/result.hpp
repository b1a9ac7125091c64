// Result<T>: a value or an Error a caller can act on. Errors that cross an API are values;
// exceptions are reserved for broken invariants and never cross an actor boundary.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace craton {

/// An error a user can understand: a short stable code plus a human message.
struct Error {
  std::string code;     ///< stable, machine-readable ("too_large", "malformed", ...)
  std::string message;  ///< one line for a human
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation with no value.
struct Ok {};
using Status = Result<Ok>;

}  // namespace craton
