#include "cli/demo_command.h"

#include <stdlib.h>  // mkdtemp

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string_view>
#include <thread>
#include <utility>

#include "cli/echo_upstream.h"
#include "common/status.h"
#include "config/config.h"
#include "policy/policy.h"
#include "proxy/asio.h"
#include "proxy/guard_stage.h"
#include "proxy/log.h"
#include "proxy/server.h"
#include "store/store.h"

namespace gwanmun::cli {
namespace {

namespace asio = proxy::asio;
namespace beast = proxy::beast;
namespace http = proxy::http;
using tcp = proxy::tcp;
using error_code = boost::system::error_code;
using json = nlohmann::json;

constexpr std::string_view kModel = "gpt-4o-mini";  // any name: the echo upstream serves "*"
constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr size_t kMaxResponseBytes = 64u << 20;

struct Prompt {
  std::string title;  // "" for --prompt
  std::string text;
};

// Fictitious data. The RRN has a valid check digit (weights 2…9,2…5,
// check = (11 − sum mod 11) mod 10), as the detector requires.
std::vector<Prompt> BuiltinPrompts() {
  return {
      {"고객 상담 메모 / Customer-service note",
       "고객 김민준 님(010-2345-6789, minjun.kim@example.co.kr)이 배송 지연을 문의하셨습니다. "
       "정중한 사과 답변을 써 주세요."},
      {"인사 요청 / HR request",
       "인사팀 요청: 신규 입사자 이서연(주민등록번호 920714-2345672)의 급여 계좌를 신한은행 "
       "110-234-567890으로 등록해 주세요."},
      {"자격 증명 / Credential",
       "배포가 실패합니다. AWS 액세스 키 AKIA4F7KQ2ZXMR9BT3WE로 설정했는데 권한 오류가 나요. "
       "원인이 뭘까요?"},
  };
}

template <typename Json>
std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A temporary directory removed (recursively) on destruction; or a given
// directory that is kept.
class DataDir {
 public:
  static Result<DataDir> Make(const std::string& given) {
    if (!given.empty()) return DataDir(given, false);
    std::error_code ec;
    auto base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string tmpl = (base / "gwanmun-demo-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      return Status::Error("cannot create a temporary directory under " + base.string());
    }
    return DataDir(tmpl, true);
  }
  DataDir(DataDir&& o) noexcept : path_(std::move(o.path_)), remove_(std::exchange(o.remove_, false)) {}
  DataDir& operator=(DataDir&&) = delete;
  ~DataDir() {
    std::error_code ec;
    if (remove_) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  DataDir(std::string path, bool remove) : path_(std::move(path)), remove_(remove) {}
  std::string path_;
  bool remove_ = false;
};

// RunGateway on its own thread. SIGTERM/SIGINT are handled by the gateway's
// signal_set whichever thread they are delivered to, so Stop() raises SIGTERM
// in-process, exactly as an operator stopping `gwanmun serve` would.
class GatewayThread {
 public:
  // Starts the gateway and waits until it listens (or fails to start).
  static Result<std::unique_ptr<GatewayThread>> Start(proxy::GatewayOptions options) {
    std::unique_ptr<GatewayThread> g(new GatewayThread());  // private constructor
    GatewayThread* p = g.get();
    options.on_listening = [p](const std::string& address) {
      std::lock_guard lock(p->mu_);
      p->address_ = address;
      p->cv_.notify_all();
    };
    g->thread_ = std::thread([p, o = std::move(options)]() mutable {
      Status s = proxy::RunGateway(std::move(o));
      std::lock_guard lock(p->mu_);
      p->finished_ = true;
      p->status_ = std::move(s);
      p->cv_.notify_all();
    });
    std::unique_lock lock(g->mu_);
    g->cv_.wait(lock, [p] { return !p->address_.empty() || p->finished_; });
    if (g->address_.empty()) {
      Status s = g->status_.ok() ? Status::Error("the gateway stopped before listening") : g->status_;
      lock.unlock();
      g->thread_.join();
      return s;
    }
    return g;
  }
  GatewayThread(const GatewayThread&) = delete;
  GatewayThread& operator=(const GatewayThread&) = delete;
  ~GatewayThread() { Stop(); }

  // "127.0.0.1:PORT".
  std::string address() const {
    std::lock_guard lock(mu_);
    return address_;
  }
  bool finished() const {
    std::lock_guard lock(mu_);
    return finished_;
  }

  // Raises SIGTERM (unless the gateway already stopped, e.g. on Ctrl-C: its
  // handler is gone then) and waits for the drain. RunGateway's status.
  Status Stop() {
    if (!thread_.joinable()) return status_;
    if (!finished()) std::raise(SIGTERM);
    thread_.join();
    return status_;
  }

 private:
  GatewayThread() = default;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string address_;    // guarded by mu_
  bool finished_ = false;  // guarded by mu_
  Status status_;          // guarded by mu_ until the thread is joined
  std::thread thread_;
};

struct HttpReply {
  int status = 0;
  std::string body;
};

// One POST with a deadline for the whole exchange (plain HTTP/1.1, new connection).
Result<HttpReply> PostJson(const config::HostPort& to, const std::string& target, std::string body) {
  error_code ec;
  auto address = asio::ip::make_address(to.host, ec);
  if (ec) return Status::Error("'" + to.host + "' is not an IP address");
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, to.host + ":" + std::to_string(to.port));
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "gwanmun-demo");
  req.keep_alive(false);
  req.body() = std::move(body);
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  std::string step = "connect";
  error_code result;
  stream.expires_after(kRequestTimeout);
  stream.async_connect(tcp::endpoint(address, to.port), [&](error_code e) {
    if (e) {
      result = e;
      return;
    }
    step = "send";
    http::async_write(stream, req, [&](error_code e2, size_t) {
      if (e2) {
        result = e2;
        return;
      }
      step = "receive";
      http::async_read(stream, buffer, parser, [&](error_code e3, size_t) { result = e3; });
    });
  });
  ioc.run();
  if (result) return Status::Error(step + ": " + result.message());
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return HttpReply{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

struct Outcome {
  std::string title;
  std::string sent;
  std::optional<std::string> upstream_saw;
  std::optional<std::string> received;
  int status = 0;  // 0: no HTTP answer
  bool blocked = false;
  bool stream = false;
  int events = 0;
  std::string error;       // the gateway's error message, or why the request failed
  std::string error_code;  // the gateway's error code, e.g. gwanmun_policy_violation
};

// Message content of a chat.completion, or nullopt.
std::optional<std::string> CompletionText(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array() || choices->empty()) return std::nullopt;
  const json& c = (*choices)[0];
  if (!c.is_object() || !c.contains("message") || !c["message"].is_object()) return std::nullopt;
  auto content = c["message"].find("content");
  if (content == c["message"].end() || !content->is_string()) return std::nullopt;
  return content->get<std::string>();
}

// Concatenates choices[0].delta.content over the SSE events of `body`.
// Counts the data events before [DONE]; an "error" event fills `error`.
std::optional<std::string> StreamText(const std::string& body, int* events, std::string* error) {
  std::string text;
  bool done = false;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t eol = body.find('\n', pos);
    if (eol == std::string::npos) eol = body.size();
    std::string_view line(body.data() + pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.substr(0, 5) != "data:") continue;
    line.remove_prefix(5);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line == "[DONE]") {
      done = true;
      break;
    }
    ++*events;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;
    if (auto e = j.find("error"); e != j.end() && e->is_object()) {
      *error = e->value("message", std::string("stream error"));
      continue;
    }
    auto choices = j.find("choices");
    if (choices == j.end() || !choices->is_array() || choices->empty()) continue;
    const json& c = (*choices)[0];
    if (!c.is_object() || !c.contains("delta") || !c["delta"].is_object()) continue;
    auto content = c["delta"].find("content");
    if (content != c["delta"].end() && content->is_string()) text += content->get<std::string>();
  }
  if (!done && error->empty()) *error = "the stream ended without [DONE]";
  if (!error->empty()) return std::nullopt;
  return text;
}

Outcome Send(const config::HostPort& gateway, EchoUpstream& echo, const Prompt& prompt, bool stream) {
  Outcome o;
  o.title = prompt.title;
  o.sent = prompt.text;
  o.stream = stream;
  json req = {{"model", kModel}, {"messages", json::array({{{"role", "user"}, {"content", prompt.text}}})}};
  if (stream) req["stream"] = true;
  echo.TakeLastUserContent();  // forget anything earlier
  auto reply = PostJson(gateway, "/v1/chat/completions", Dump(req));
  o.upstream_saw = echo.TakeLastUserContent();
  if (!reply.ok()) {
    o.error = reply.status().message();
    return o;
  }
  o.status = reply.value().status;
  const std::string& body = reply.value().body;
  if (o.status != 200) {
    json j = json::parse(body, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("error") && j["error"].is_object()) {
      const json& e = j["error"];
      if (e.contains("message") && e["message"].is_string()) o.error = e["message"];
      if (e.contains("code") && e["code"].is_string()) o.error_code = e["code"];
    }
    if (o.error.empty()) o.error = "HTTP " + std::to_string(o.status);
    o.blocked = o.status == 403;
    return o;
  }
  if (stream) {
    o.received = StreamText(body, &o.events, &o.error);
  } else {
    o.received = CompletionText(body);
    if (!o.received) o.error = "the answer is not a chat.completion";
  }
  return o;
}

// A request that got neither an answer nor a refusal.
bool Failed(const Outcome& o) { return o.status == 0 || o.status >= 500 || (o.status == 200 && !o.error.empty()); }

// Keys in the documented order.
nlohmann::ordered_json ToJson(const Outcome& o) {
  using oj = nlohmann::ordered_json;
  oj j = {{"sent", o.sent},
          {"upstream_saw", o.upstream_saw ? oj(*o.upstream_saw) : oj(nullptr)},
          {"received", o.received ? oj(*o.received) : oj(nullptr)},
          {"status", o.status},
          {"blocked", o.blocked},
          {"stream", o.stream}};
  if (o.stream) j["events"] = o.events;
  if (!o.error.empty()) j["error"] = o.error;
  return j;
}

// Labels padded to the same display width (Hangul takes two columns).
constexpr std::string_view kSentLabel = "  사용자가 보낸 내용 / What you sent:    ";
constexpr std::string_view kSawLabel = "  모델이 받은 내용 / What the model saw: ";
constexpr std::string_view kGotLabel = "  사용자가 받은 답 / What you got back:  ";

void PrintText(std::ostream& out, size_t n, const Outcome& o) {
  out << "\n[" << n << "]";
  if (!o.title.empty()) out << " " << o.title;
  if (o.stream && o.status == 200) {
    out << " (streamed, " << o.events << " events)";
  } else if (o.stream) {
    out << " (streamed)";
  }
  out << "\n" << kSentLabel << o.sent << "\n" << kSawLabel;
  if (o.upstream_saw) {
    out << *o.upstream_saw;
  } else if (o.blocked) {
    out << "(blocked: " << o.error << ")";
  } else {
    out << "(nothing)";
  }
  out << "\n" << kGotLabel;
  if (o.received) {
    out << *o.received;
  } else if (o.status != 0 && o.status != 200) {
    out << "(HTTP " << o.status << (o.error_code.empty() ? "" : " " + o.error_code) << ")";
  } else {
    out << "(failed: " << o.error << ")";
  }
  out << "\n";
}

Status CheckPolicy(const std::string& name) {
  if (name == "off") return Status::Ok();
  auto names = policy::BuiltinProfileNames();
  if (std::find(names.begin(), names.end(), name) != names.end()) return Status::Ok();
  std::string list;
  for (const auto& n : names) list += n + ", ";
  return Status::Error("--policy: unknown profile '" + name + "' (" + list + "or off)");
}

config::Config DemoConfig(const std::string& policy, const std::string& data_dir, const std::string& upstream_url) {
  config::Config c;
  c.server.listen_host = "127.0.0.1";
  c.server.listen_port = 0;
  c.server.threads = 1;
  c.server.drain_timeout_ms = 5000;
  c.auth.enabled = false;
  c.data_dir = data_dir;
  c.logging.level = "warn";
  c.logging.access_log = "off";
  config::UpstreamConfig u;
  u.name = "echo";
  u.base_url = upstream_url;
  u.region = "kr";
  u.models.push_back({"*", "*"});
  u.use_proxy = false;  // 127.0.0.1, whatever HTTP_PROXY says
  u.timeouts.connect_ms = 2000;
  u.timeouts.response_ms = 10000;
  u.timeouts.idle_ms = 10000;
  u.timeouts.total_ms = 20000;
  c.upstreams.push_back(std::move(u));
  if (policy == "off") {
    c.guardrails.enabled = false;
  } else {
    c.guardrails.policy.profile = policy;
  }
  return c;
}

}  // namespace

int RunDemo(const DemoOptions& options, std::ostream& out, std::ostream& err) {
  std::signal(SIGPIPE, SIG_IGN);
  if (Status s = CheckPolicy(options.policy); !s.ok()) {
    err << "gwanmun demo: " << s.message() << "\n";
    return 2;
  }
  std::vector<Prompt> prompts;
  if (options.prompts.empty()) {
    prompts = BuiltinPrompts();
  } else {
    for (const auto& p : options.prompts) prompts.push_back({"", p});
  }

  auto dir = DataDir::Make(options.data_dir);
  if (!dir.ok()) {
    err << "gwanmun demo: " << dir.status().message() << "\n";
    return 2;
  }
  auto echo = EchoUpstream::Start();
  if (!echo.ok()) {
    err << "gwanmun demo: " << echo.status().message() << "\n";
    return 2;
  }
  config::Config cfg = DemoConfig(options.policy, dir.value().path(), echo.value()->base_url());
  if (Status s = config::Validate(cfg); !s.ok()) {
    err << "gwanmun demo: " << s.message() << "\n";
    return 2;
  }
  auto logs = proxy::Logs::Create(cfg.logging);
  if (!logs.ok()) {
    err << "gwanmun demo: " << logs.status().message() << "\n";
    return 2;
  }
  auto st = store::OpenDataDir(cfg.data_dir);
  if (!st.ok()) {
    err << "gwanmun demo: cannot open the store in " << cfg.data_dir << ": " << st.status().message() << "\n";
    return 2;
  }
  proxy::GatewayOptions g;
  g.config = cfg;
  g.make_stages = [](const config::Config& c) { return proxy::MakeGuardStages(c); };
  g.store = st.value().get();
  g.logs = logs.value().get();
  auto gateway = GatewayThread::Start(std::move(g));
  if (!gateway.ok()) {
    err << "gwanmun demo: " << gateway.status().message() << "\n";
    return 2;
  }
  auto address = config::ParseHostPort(gateway.value()->address());
  if (!address.ok()) {
    err << "gwanmun demo: " << address.status().message() << "\n";
    return 2;
  }

  if (!options.json) {
    out << "gwanmun demo: policy " << options.policy << "; gateway http://" << gateway.value()->address()
        << "/v1 -> built-in echo model " << echo.value()->base_url() << "\n"
        << "The echo model answers \"Echo: \" + what it received. [[TYPE_N]]: pseudonymized, "
           "restored in the answer; [[TYPE]]: masked for good; blocked: never sent.\n";
  }
  bool failed = false;
  size_t n = 0;
  auto run = [&](const Prompt& p, bool stream) {
    Outcome o = Send(address.value(), *echo.value(), p, stream);
    failed = failed || Failed(o);
    ++n;
    if (options.json) {
      out << Dump(ToJson(o)) << "\n";
    } else {
      PrintText(out, n, o);
    }
    out.flush();
  };
  for (const Prompt& p : prompts) {
    if (gateway.value()->finished()) break;  // stopped by a signal
    run(p, options.stream);
  }
  if (!options.json && !options.stream && !gateway.value()->finished()) {
    Prompt again = prompts.front();
    again.title = again.title.empty() ? "[1] again" : again.title + ", again";
    run(again, true);
  }

  Status s = gateway.value()->Stop();
  if (!s.ok()) {
    err << "gwanmun demo: " << s.message() << "\n";
    return 2;
  }
  if (!options.json && !options.data_dir.empty()) {
    out << "\nAudit records: gwanmun audit tail --data-dir " << options.data_dir << "\n";
  }
  if (n < prompts.size()) failed = true;  // interrupted
  return failed ? 1 : 0;
}

DemoCommand::DemoCommand(CLI::App& app) {
  demo_ =
      app.add_subcommand("demo", "Show the guardrails on built-in Korean prompts (in-process gateway + echo model)");
  demo_->add_option("--policy", options_.policy,
                    "Guardrail profile: general (default), financial, public, pseudonymize-all, "
                    "allow-all, or off");
  demo_->add_option("--prompt", options_.prompts, "Send this text instead of the built-in prompts (repeatable)")
      ->allow_extra_args(false);
  demo_->add_flag("--stream", options_.stream, "Send every prompt as a streaming request");
  demo_->add_flag("--json", options_.json, "One JSON object per prompt: sent, upstream_saw, received, status, blocked");
  demo_->add_option("--data-dir", options_.data_dir,
                    "Keep the store (audit log) here instead of a temporary directory");
}

bool DemoCommand::parsed() const { return demo_->parsed(); }

int DemoCommand::Run(std::ostream& out, std::ostream& err) const { return RunDemo(options_, out, err); }

}  // namespace gwanmun::cli
