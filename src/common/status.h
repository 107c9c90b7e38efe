// Errors as values at module boundaries (in the spirit of LevelDB's Status).

#ifndef GWANMUN_COMMON_STATUS_H_
#define GWANMUN_COMMON_STATUS_H_

#include <string>
#include <utility>
#include <variant>

namespace gwanmun {

class Status {
 public:
  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }
  bool ok() const { return message_.empty(); }
  const std::string& message() const { return message_; }

 private:
  explicit Status(std::string m) : message_(m.empty() ? "unknown error" : std::move(m)) {}
  std::string message_;
};

// Either a value or an error.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}       // NOLINT: implicit by design
  Result(Status error) : v_(std::move(error)) {}  // NOLINT: must not be ok
  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace gwanmun

#endif  // GWANMUN_COMMON_STATUS_H_
