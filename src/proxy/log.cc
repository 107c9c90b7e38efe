#include "proxy/log.h"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "openai/errors.h"

namespace gwanmun::proxy {
namespace {

void Field(std::string* out, std::string_view k, std::string_view v) {
  out->push_back(',');
  out->push_back('"');
  out->append(k);
  out->append("\":\"");
  openai::AppendJsonEscaped(v, out);
  out->push_back('"');
}

void NumField(std::string* out, std::string_view k, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, ",\"%.*s\":%.3f", static_cast<int>(k.size()), k.data(), v);
  out->append(buf);
}

void IntField(std::string* out, std::string_view k, int64_t v) {
  out->append(",\"");
  out->append(k);
  out->append("\":");
  out->append(std::to_string(v));
}

std::string Message(std::string_view msg, LogFields fields) {
  std::string s = "\"msg\":\"";
  openai::AppendJsonEscaped(msg, &s);
  s.push_back('"');
  for (const auto& [k, v] : fields) Field(&s, k, v);
  return s;
}

}  // namespace

struct Logs::Impl {
  std::shared_ptr<spdlog::details::thread_pool> pool;
  std::shared_ptr<spdlog::logger> app;
  std::shared_ptr<spdlog::logger> access;  // null when off
};

Logs::Logs(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Logs::~Logs() {
  if (impl_->access) impl_->access->flush();
  impl_->app->flush();
}

Result<std::unique_ptr<Logs>> Logs::Create(const config::LoggingConfig& cfg) {
  auto impl = std::make_unique<Impl>();
  auto app_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  impl->app = std::make_shared<spdlog::logger>("gwanmun", app_sink);
  impl->app->set_formatter(std::make_unique<spdlog::pattern_formatter>(
      "{\"ts\":\"%Y-%m-%dT%H:%M:%S.%eZ\",\"level\":\"%l\",%v}", spdlog::pattern_time_type::utc));
  impl->app->set_level(spdlog::level::from_str(cfg.level));
  impl->app->flush_on(spdlog::level::info);
  if (cfg.access_log != "off") {
    spdlog::sink_ptr sink;
    try {
      if (cfg.access_log == "-") {
        sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
      } else {
        sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(cfg.access_log);
      }
    } catch (const spdlog::spdlog_ex& e) {
      return Status::Error("logging.access_log: " + std::string(e.what()));
    }
    impl->pool = std::make_shared<spdlog::details::thread_pool>(8192, 1);
    impl->access =
        std::make_shared<spdlog::async_logger>("access", sink, impl->pool, spdlog::async_overflow_policy::block);
    impl->access->set_pattern("{\"ts\":\"%Y-%m-%dT%H:%M:%S.%eZ\",\"type\":\"access\"%v}",
                              spdlog::pattern_time_type::utc);
    impl->access->flush_on(spdlog::level::info);
  }
  return std::unique_ptr<Logs>(new Logs(std::move(impl)));
}

void Logs::Access(const AccessRecord& r) {
  if (!impl_->access) return;
  std::string s;
  s.reserve(384);
  Field(&s, "request_id", r.request_id);
  Field(&s, "remote", r.remote);
  Field(&s, "method", r.method);
  Field(&s, "path", r.path);
  IntField(&s, "status", r.status);
  Field(&s, "key_id", r.key_id);
  Field(&s, "team", r.team);
  Field(&s, "model", r.model);
  Field(&s, "upstream", r.upstream);
  Field(&s, "region", r.region);
  s.append(r.stream ? ",\"stream\":true" : ",\"stream\":false");
  IntField(&s, "attempts", r.attempts);
  NumField(&s, "latency_ms", r.latency_ms);
  NumField(&s, "overhead_ms", r.overhead_ms);
  IntField(&s, "tokens_in", r.tokens_in);
  IntField(&s, "tokens_out", r.tokens_out);
  if (!r.error_code.empty()) Field(&s, "error", r.error_code);
  impl_->access->info(s);
}

void Logs::Info(std::string_view msg, LogFields fields) { impl_->app->info(Message(msg, fields)); }
void Logs::Warn(std::string_view msg, LogFields fields) { impl_->app->warn(Message(msg, fields)); }
void Logs::Error(std::string_view msg, LogFields fields) { impl_->app->error(Message(msg, fields)); }

void Logs::Flush() {
  if (impl_->access) impl_->access->flush();
  impl_->app->flush();
}

}  // namespace gwanmun::proxy
