// Structured JSON logs (spdlog): an application log on stderr and an access
// log (stdout, a file, or off) with one line per request. Neither ever holds
// request or response content, keys or upstream credentials.

#ifndef GWANMUN_PROXY_LOG_H_
#define GWANMUN_PROXY_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "config/config.h"

namespace gwanmun::proxy {

struct AccessRecord {
  std::string_view request_id;
  std::string_view remote;
  std::string_view method;
  std::string_view path;
  int status = 0;
  std::string_view key_id;
  std::string_view team;
  std::string_view model;
  std::string_view upstream;
  std::string_view region;
  bool stream = false;
  int attempts = 0;
  double latency_ms = 0;
  double overhead_ms = 0;
  int64_t tokens_in = 0;
  int64_t tokens_out = 0;
  std::string_view error_code;  // code of an error response, "" otherwise
};

using LogFields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class Logs {
 public:
  // Sets up both logs; fails if the access log file cannot be opened.
  static Result<std::unique_ptr<Logs>> Create(const config::LoggingConfig& cfg);
  ~Logs();

  void Access(const AccessRecord& r);
  void Info(std::string_view msg, LogFields fields = {});
  void Warn(std::string_view msg, LogFields fields = {});
  void Error(std::string_view msg, LogFields fields = {});
  void Flush();

 private:
  struct Impl;
  explicit Logs(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gwanmun::proxy

#endif  // GWANMUN_PROXY_LOG_H_
