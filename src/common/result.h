// Result<T>: a value or an Error. Errors cross layer boundaries this way; the code maps to an
// HTTP status in the API layer.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace osapi {

enum class ErrorCode {
  kInvalidArgument,   // bad input: 400
  kNotFound,          // 404
  kUnauthenticated,   // 401
  kPermissionDenied,  // 403
  kTimeout,           // deadline passed
  kUnavailable,       // dependency down (NATS, API unreachable)
  kAlreadyExists,
  kInternal,  // everything else: 500
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  Error() = default;
  Error(ErrorCode c, std::string m) : code(c), message(std::move(m)) {}
  // Prefix the message with context: "connect: <old message>".
  Error wrap(const std::string& context) const { return Error(code, context + ": " + message); }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void> equivalent.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : err_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  static Status Ok() { return Status(); }

  bool ok() const { return !err_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *err_; }

 private:
  std::optional<Error> err_;
};

inline Error make_error(ErrorCode code, std::string message) {
  return Error(code, std::move(message));
}

}  // namespace osapi
