#include "proxy/server.h"

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <limits>
#include <random>
#include <thread>
#include <unordered_map>

#include "openai/errors.h"
#include "openai/request.h"
#include "openai/sse.h"
#include "proxy/asio.h"
#include "proxy/auth.h"
#include "proxy/metrics.h"
#include "proxy/rate_limiter.h"
#include "proxy/router.h"
#include "proxy/upstream.h"
#include "proxy/wire.h"

namespace gwanmun::proxy {
namespace {

using boost::system::error_code;
using openai::ApiError;
using openai::Endpoint;
using Request = http::request<http::string_body>;
using Stream = beast::tcp_stream;

auto Redirect(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

constexpr size_t kReadBufferBytes = 16384;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string_view Sv(beast::string_view s) { return std::string_view(s.data(), s.size()); }

// Everything a request needs from the configuration; replaced as a whole on reload.
struct Runtime {
  config::Config cfg;
  std::vector<std::shared_ptr<const UpstreamTarget>> upstreams;
  Router router;
  Pipeline pipeline;
};

Result<std::shared_ptr<const Runtime>> BuildRuntime(const config::Config& cfg, const GatewayOptions& opts) {
  const std::vector<std::shared_ptr<const StageFactory>>& stages = opts.stages;
  auto rt = std::make_shared<Runtime>();
  rt->cfg = cfg;
  ProxyEnv env = ProxyEnv::FromEnvironment();
  for (const auto& u : cfg.upstreams) {
    auto t = MakeUpstreamTarget(u, env);
    if (!t.ok()) return t.status();
    rt->upstreams.push_back(t.value());
  }
  rt->router = Router(cfg.upstreams);
  std::vector<std::shared_ptr<const StageFactory>> all = stages;
  if (opts.make_stages) {
    auto built = opts.make_stages(cfg);
    if (!built.ok()) return built.status();
    for (auto& f : built.value()) all.push_back(std::move(f));
  }
  if (cfg.inject_stream_usage) all.push_back(MakeStreamUsageStage());
  rt->pipeline = Pipeline(std::move(all));
  return std::shared_ptr<const Runtime>(std::move(rt));
}

// Seconds from Retry-After (delta-seconds) or retry-after-ms; -1 if absent.
int RetryAfterMs(const UpstreamResponse& r) {
  std::string_view ms = r.header("retry-after-ms");
  if (!ms.empty()) {
    double v = std::atof(std::string(ms).c_str());
    if (v >= 0) return static_cast<int>(v);
  }
  std::string_view s = r.header("retry-after");
  if (!s.empty() && s.find_first_not_of("0123456789.") == std::string_view::npos) {
    return static_cast<int>(std::atof(std::string(s).c_str()) * 1000);
  }
  return -1;
}

// A stream's terminal event: after it, a client considers the answer complete.
bool IsTerminal(const openai::SseEvent& e) {
  if (!e.has_data) return false;
  if (e.data == "[DONE]") return true;
  std::string_view type = e.event;
  if (type.empty()) {
    // Providers that omit "event:" carry the type in the data.
    std::string_view d = e.data;
    if (d.find("\"type\":\"response.completed\"") != std::string_view::npos) return true;
    if (d.find("\"type\":\"response.failed\"") != std::string_view::npos) return true;
    if (d.find("\"type\":\"response.incomplete\"") != std::string_view::npos) return true;
    return false;
  }
  return type == "response.completed" || type == "response.failed" || type == "response.incomplete";
}

// A non-streaming answer, staged before it is sent.
struct Reply {
  int status = 200;
  std::string body;
  std::string content_type;  // "" = application/json (no allocation for the common case)
  int retry_after_s = -1;    // ≥ 0 → Retry-After
  std::string allow;         // Allow header for 405
};

struct Watch;

// Per-request state beyond the Exchange.
struct Ctx {
  Exchange ex;
  Clock::time_point start;
  Clock::duration upstream_wait{};
  std::string remote;
  int attempts = 0;
  std::shared_ptr<Watch> watch;    // the connection's (see Watch)
  double audit_wait_seconds = -1;  // set by Audit
  bool audit = false;              // /v1 requests are audited
  bool record = true;              // counted in metrics and the access log
  std::string error_code;
  Reply reply;
};

void SetReply(Ctx& ctx, int status, std::string body, std::string_view content_type = "application/json") {
  ctx.reply.status = status;
  ctx.reply.body = std::move(body);
  if (content_type == "application/json") {
    ctx.reply.content_type.clear();
  } else {
    ctx.reply.content_type = std::string(content_type);
  }
}

// The one place an ApiError becomes an HTTP answer.
void SetError(Ctx& ctx, const ApiError& e) {
  ctx.error_code = e.code.empty() ? e.type : e.code;
  ctx.reply = Reply{e.status, openai::ErrorBody(e), "", e.retry_after_s, ""};
}

// Watches the client socket while an upstream call is in flight: a client
// that disconnects cancels the upstream request. One per connection,
// re-armed for each request.
//
// The watch is a read, not a readiness wait: Asio re-registers the socket
// with epoll (one epoll_ctl) for every readiness wait, while a read costs at
// most one attempt that finds nothing (and non-streaming requests arm theirs
// only if they last, see DeferredWatches). Bytes it reads are the start of a
// pipelined next request: they are kept in `early` for the connection's
// buffer, and the watch ends (the client is evidently still there).
struct Watch {
  bool active = false;   // a request is in flight
  bool pending = false;  // the read is outstanding (its handler has not run)
  bool gone = false;
  UpstreamResponse* resp = nullptr;
  std::array<char, 2048> scratch;
  std::string early;
  size_t deferred_slot = SIZE_MAX;  // index in DeferredWatches while waiting there
};

void ArmWatch(tcp::socket& sock, const std::shared_ptr<Watch>& w) {
  w->pending = true;
  sock.async_read_some(asio::buffer(w->scratch), [w](error_code ec, size_t n) {
    w->pending = false;
    if (n > 0) {
      w->early.append(w->scratch.data(), n);
      return;
    }
    if (!w->active || ec == asio::error::operation_aborted) return;
    w->gone = true;  // end of stream or a connection error
    if (w->resp) w->resp->Cancel();
  });
}

// Watches of requests still in flight kDelay after they started, armed by
// one timer per event loop. Arming a watch costs a failed read (the client
// has nothing to send yet) and most non-streaming upstream calls finish
// sooner than a client would notice; a disconnect during a long call is
// still seen within about 2 × kDelay.
class DeferredWatches {
 public:
  static constexpr auto kDelay = std::chrono::milliseconds(50);

  explicit DeferredWatches(asio::io_context& ioc) : timer_(ioc) {}

  void Add(tcp::socket& sock, const std::shared_ptr<Watch>& w) {
    w->deferred_slot = entries_.size();
    entries_.push_back({&sock, w, Clock::now() + kDelay});
    Schedule();
  }
  void Remove(Watch& w) {
    const size_t i = w.deferred_slot;
    if (i >= entries_.size()) return;
    RemoveAt(i);
  }

 private:
  struct Entry {
    tcp::socket* sock;  // valid while the entry exists (WatchGuard removes it)
    std::shared_ptr<Watch> watch;
    Clock::time_point due;
  };
  void RemoveAt(size_t i) {
    entries_[i].watch->deferred_slot = SIZE_MAX;
    if (i + 1 != entries_.size()) {
      entries_[i] = std::move(entries_.back());
      entries_[i].watch->deferred_slot = i;
    }
    entries_.pop_back();
  }
  void Schedule() {
    if (scheduled_ || entries_.empty()) return;
    scheduled_ = true;
    timer_.expires_after(kDelay);
    timer_.async_wait([this](error_code ec) {
      scheduled_ = false;
      if (ec) return;
      const auto now = Clock::now();
      for (size_t i = 0; i < entries_.size();) {
        if (entries_[i].due > now) {
          ++i;
          continue;
        }
        std::shared_ptr<Watch> w = entries_[i].watch;
        tcp::socket& sock = *entries_[i].sock;
        RemoveAt(i);
        if (w->active && !w->pending && w->early.empty()) ArmWatch(sock, w);
      }
      Schedule();
    });
  }

  std::vector<Entry> entries_;
  asio::steady_timer timer_;
  bool scheduled_ = false;
};

// Arms the connection's watch for one request — at once, or through
// `deferred` after its delay — and disarms it on destruction. The
// connection must not read until the watch's handler has run
// (AwaitWatchIdle). `deferred` is weak: a request's coroutine frame may be
// destroyed after its event loop's DeferredWatches (a stop that did not wait
// for every request).
class WatchGuard {
 public:
  WatchGuard(tcp::socket& sock, std::shared_ptr<Watch> w, const std::shared_ptr<DeferredWatches>& deferred)
      : sock_(sock), w_(std::move(w)), deferred_(deferred) {
    w_->active = true;
    w_->gone = false;
    w_->resp = nullptr;
    if (w_->pending || !w_->early.empty()) return;
    if (deferred) {
      deferred->Add(sock_, w_);
    } else {
      ArmWatch(sock_, w_);
    }
  }
  ~WatchGuard() {
    w_->active = false;
    w_->resp = nullptr;
    if (w_->deferred_slot != SIZE_MAX) {
      if (auto d = deferred_.lock()) d->Remove(*w_);
    }
    if (w_->pending) {
      error_code ec;
      sock_.cancel(ec);
    }
  }
  WatchGuard(const WatchGuard&) = delete;
  WatchGuard& operator=(const WatchGuard&) = delete;
  Watch& operator*() { return *w_; }
  Watch* operator->() { return w_.get(); }

 private:
  tcp::socket& sock_;
  std::shared_ptr<Watch> w_;
  std::weak_ptr<DeferredWatches> deferred_;
};

// Before the connection reads again: lets a cancelled watch's handler run,
// then moves what the watch read into the connection's buffer.
asio::awaitable<void> AwaitWatchIdle(asio::io_context& ioc, Watch& watch, beast::flat_buffer& buf) {
  while (watch.pending) co_await asio::post(ioc, asio::use_awaitable);
  if (!watch.early.empty()) {
    auto room = buf.prepare(watch.early.size());
    asio::buffer_copy(room, asio::buffer(watch.early));
    buf.commit(watch.early.size());
    watch.early.clear();
  }
}

// After answering a request whose body was not read: stop sending, then
// read and drop what the client is still sending (bounded), so that closing
// does not reset the connection before the client has read the answer.
asio::awaitable<void> LingeringClose(Stream& stream) {
  error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.expires_after(std::chrono::seconds(2));
  std::array<char, 16384> scratch;
  size_t total = 0;
  while (!ec && total < (8u << 20)) {
    total += co_await stream.async_read_some(asio::buffer(scratch), Redirect(ec));
  }
}

class Gateway;

struct SessionEntry {
  Stream* stream = nullptr;
  bool busy = false;
};

struct Worker {
  explicit Worker(Gateway* g)
      : gw(g), pool(ioc), deferred_watches(std::make_shared<DeferredWatches>(ioc)) {}
  Gateway* gw;
  // Run by one thread; other threads only post to it (reload, drain), so the
  // reactor's per-socket locking is not needed.
  asio::io_context ioc{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};  // destroyed last (declared first)
  std::optional<tcp::acceptor> acceptor;
  UpstreamPool pool;
  std::shared_ptr<DeferredWatches> deferred_watches;
  openai::RequestParser json;
  std::shared_ptr<const Runtime> rt;  // touched only on this worker's thread
  uint64_t rng = 0;
  std::unordered_map<uint64_t, SessionEntry> sessions;
  uint64_t next_session = 0;
  std::atomic<int> active_sessions{0};
  int busy_sessions = 0;  // sessions handling a request (this thread only)
  std::thread thread;

  uint64_t Random() {
    uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::string NewRequestId() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id = "req_";
    for (int k = 0; k < 2; ++k) {
      uint64_t r = Random();
      for (int i = 0; i < 12; ++i) {
        id.push_back(kHex[r & 15]);
        r >>= 4;
      }
    }
    return id;
  }
};

class Gateway {
 public:
  explicit Gateway(GatewayOptions opts)
      : opts_(std::move(opts)), logs_(*opts_.logs), auth_(opts_.store), started_(std::chrono::system_clock::now()) {}

  Status Run();

 private:
  asio::awaitable<void> Accept(Worker& w);
  asio::awaitable<void> Serve(Worker& w, tcp::socket sock);
  asio::awaitable<bool> Handle(Worker& w, Stream& s, Request& req, Ctx& ctx);
  asio::awaitable<bool> HandleV1(Worker& w, Stream& s, Request& req, Ctx& ctx, bool keep);
  asio::awaitable<bool> ServeModels(Worker& w, Stream& s, Ctx& ctx, const Runtime& rt, bool keep);
  asio::awaitable<bool> Forward(Worker& w, Stream& s, Request& req, Ctx& ctx, const Runtime& rt, Chain& chain,
                                bool keep);
  asio::awaitable<bool> Relay(Worker& w, Stream& s, Ctx& ctx, const Runtime& rt, Chain& chain, UpstreamResponse& resp,
                              Watch& watch, bool keep);
  // Sends ctx.reply (after the audit record is durable, for /v1 requests).
  // Coroutines here take only references and scalars: g++ 12 may destroy a
  // class-type temporary inside a co_await expression twice, so replies are
  // staged in the Ctx by SetReply/SetError first.
  asio::awaitable<bool> Respond(Worker& w, Stream& s, Ctx& ctx, bool keep);
  asio::awaitable<bool> ClientGone(Worker& w, Ctx& ctx);
  Status Audit(Ctx& ctx);
  void Record(Ctx& ctx);
  std::optional<ApiError> Authenticate(const Runtime& rt, const Request& req, Ctx& ctx);
  void ChargeTokens(const Runtime& rt, Ctx& ctx);
  // The request for upstream `t`: `client` supplies the method and the
  // headers passed on (content type, accept, OpenAI-Beta); null for the
  // gateway's own GET.
  WireRequest UpstreamRequest(const UpstreamTarget& t, const Request* client, const Ctx& ctx, std::string target,
                              std::string body) const;

  void BeginDrain(asio::io_context& main, std::chrono::milliseconds timeout);
  void Reload();

  GatewayOptions opts_;
  Logs& logs_;
  Authenticator auth_;
  RateLimiter limiter_;
  CircuitBreakers breakers_;
  Metrics metrics_;
  std::atomic<bool> draining_{false};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::chrono::system_clock::time_point started_;
  std::string listen_address_;
};

// ---------------------------------------------------------------------------
// Accepting and reading requests

asio::awaitable<void> Gateway::Accept(Worker& w) {
  for (;;) {
    error_code ec;
    tcp::socket sock = co_await w.acceptor->async_accept(Redirect(ec));
    if (ec) {
      if (draining_ || !w.acceptor->is_open()) co_return;
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
        asio::steady_timer t(w.ioc, std::chrono::milliseconds(50));
        co_await t.async_wait(Redirect(ec));
      }
      continue;
    }
    sock.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(w.ioc, Serve(w, std::move(sock)), asio::detached);
  }
}

asio::awaitable<void> Gateway::Serve(Worker& w, tcp::socket sock) {
  w.active_sessions.fetch_add(1);
  std::string remote;
  {
    error_code ec;
    auto ep = sock.remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  Stream stream(std::move(sock));
  uint64_t id = w.next_session++;
  SessionEntry& entry = w.sessions[id];
  entry.stream = &stream;
  // Room for a typical request (head and a few KB of JSON) in one read:
  // Beast reads at most the free capacity, starting from 512 bytes.
  beast::flat_buffer buf;
  buf.reserve(kReadBufferBytes);
  auto watch = std::make_shared<Watch>();
  const config::ServerConfig scfg = w.rt->cfg.server;
  auto set_busy = [&](bool busy) {
    if (busy != entry.busy) w.busy_sessions += busy ? 1 : -1;
    entry.busy = busy;
  };
  for (;;) {
    set_busy(false);
    if (draining_) break;
    http::request_parser<http::string_body> parser;
    parser.header_limit(64 * 1024);
    // No limit while reading the header (Beast would stop at Content-Length
    // and leave the rest unparsed); checked below, then set for chunked bodies.
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    stream.expires_after(std::chrono::milliseconds(scfg.keepalive_timeout_ms));
    error_code ec;
    co_await http::async_read_header(stream, buf, parser, Redirect(ec));
    if (ec) break;
    set_busy(true);
    Ctx ctx;
    ctx.start = Clock::now();
    ctx.remote = remote;
    ctx.watch = watch;
    const auto& h = parser.get();
    size_t limit = w.rt->cfg.server.max_body_bytes;
    bool too_large = parser.content_length() && *parser.content_length() > limit;
    parser.body_limit(limit);
    if (!too_large) {
      if (beast::iequals(h[http::field::expect], "100-continue")) {
        http::response<http::empty_body> cont{http::status::continue_, 11};
        co_await http::async_write(stream, cont, Redirect(ec));
        if (ec) break;
      }
      stream.expires_after(std::chrono::milliseconds(scfg.header_timeout_ms));
      co_await http::async_read(stream, buf, parser, Redirect(ec));
      if (ec == http::error::body_limit) {
        too_large = true;
      } else if (ec) {
        break;
      }
    }
    stream.expires_never();
    Request req = parser.release();
    if (too_large) {
      // The unread body makes the connection unusable: answer and close.
      ctx.ex.method = std::string(Sv(req.method_string()));
      std::string_view target = Sv(req.target());
      ctx.ex.path = std::string(target.substr(0, target.find('?')));
      ctx.ex.endpoint = openai::EndpointForPath(ctx.ex.path);
      ctx.audit = ctx.ex.path.rfind("/v1/", 0) == 0;
      if (ctx.audit) {
        ctx.ex.request_id = w.NewRequestId();
        if (auto err = Authenticate(*w.rt, req, ctx)) {
          SetError(ctx, *err);
          co_await Respond(w, stream, ctx, false);
          co_await LingeringClose(stream);
          break;
        }
      }
      SetError(ctx, ApiError::BodyTooLarge(limit));
      co_await Respond(w, stream, ctx, false);
      co_await LingeringClose(stream);
      break;
    }
    bool keep = co_await Handle(w, stream, req, ctx);
    if (!keep) break;
    if (watch->pending || !watch->early.empty()) co_await AwaitWatchIdle(w.ioc, *watch, buf);
  }
  {
    error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.close();
  }
  set_busy(false);
  w.sessions.erase(id);
  w.active_sessions.fetch_sub(1);
}

// ---------------------------------------------------------------------------
// Dispatch

asio::awaitable<bool> Gateway::Handle(Worker& w, Stream& s, Request& req, Ctx& ctx) {
  std::string_view target = Sv(req.target());
  std::string_view path = target.substr(0, target.find('?'));
  ctx.ex.method = std::string(Sv(req.method_string()));
  ctx.ex.path = std::string(path);
  bool keep = req.keep_alive() && !draining_;
  bool get = req.method() == http::verb::get || req.method() == http::verb::head;

  if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
    ctx.record = false;
    if (!get) {
      SetError(ctx, ApiError::MethodNotAllowed(ctx.ex.method, path));
    } else if (path == "/healthz") {
      SetReply(ctx, 200, "{\"status\":\"ok\"}");
    } else if (path == "/readyz") {
      if (draining_) {
        SetReply(ctx, 503, "{\"status\":\"draining\"}");
      } else {
        SetReply(ctx, 200, "{\"status\":\"ready\",\"upstreams\":" + std::to_string(w.rt->upstreams.size()) + "}");
      }
    } else {
      SetReply(ctx, 200, metrics_.Render(), "text/plain; version=0.0.4; charset=utf-8");
    }
    co_return co_await Respond(w, s, ctx, keep);
  }
  if (path != "/v1" && path.rfind("/v1/", 0) != 0) {
    SetError(ctx, ApiError::UnknownUrl(ctx.ex.method, path));
    co_return co_await Respond(w, s, ctx, keep);
  }
  ctx.audit = true;
  co_return co_await HandleV1(w, s, req, ctx, keep);
}

std::optional<ApiError> Gateway::Authenticate(const Runtime& rt, const Request& req, Ctx& ctx) {
  if (!rt.cfg.auth.enabled) {
    ctx.ex.principal = store::Principal{};
    ctx.ex.principal.key_id = "anonymous";
    return std::nullopt;
  }
  std::string_view token = Authenticator::BearerToken(Sv(req[http::field::authorization]));
  if (token.empty()) token = Sv(req["api-key"]);  // Azure-style clients
  if (token.empty()) return ApiError::MissingApiKey();
  auto r = auth_.Authenticate(token, std::chrono::milliseconds(rt.cfg.auth.cache_ttl_ms), Clock::now());
  if (!r.ok()) {
    logs_.Error("key store failed", {{"request_id", ctx.ex.request_id}, {"error", r.status().message()}});
    return ApiError::Internal("The key store is unavailable.");
  }
  if (!r.value()) return ApiError::InvalidApiKey();
  ctx.ex.principal = std::move(*r.value());
  return std::nullopt;
}

asio::awaitable<bool> Gateway::HandleV1(Worker& w, Stream& s, Request& req, Ctx& ctx, bool keep) {
  std::shared_ptr<const Runtime> rt_hold = w.rt;  // stays valid across a reload
  const Runtime& rt = *rt_hold;
  Exchange& ex = ctx.ex;
  ex.request_id = w.NewRequestId();
  ex.endpoint = openai::EndpointForPath(ex.path);

  if (auto err = Authenticate(rt, req, ctx)) {
    SetError(ctx, *err);
    co_return co_await Respond(w, s, ctx, keep);
  }

  const bool json_endpoint = ex.endpoint == Endpoint::kChatCompletions || ex.endpoint == Endpoint::kResponses ||
                             ex.endpoint == Endpoint::kEmbeddings;
  if (json_endpoint && req.method() != http::verb::post) {
    SetError(ctx, ApiError::MethodNotAllowed(ex.method, ex.path));
    ctx.reply.allow = "POST";
    co_return co_await Respond(w, s, ctx, keep);
  }
  if (ex.endpoint == Endpoint::kModels) {
    if (req.method() != http::verb::get) {
      SetError(ctx, ApiError::MethodNotAllowed(ex.method, ex.path));
      ctx.reply.allow = "GET";
      co_return co_await Respond(w, s, ctx, keep);
    }
    co_return co_await ServeModels(w, s, ctx, rt, keep);
  }
  if (ex.endpoint == Endpoint::kOther && !rt.cfg.passthrough.enabled) {
    SetError(ctx, ApiError::UnknownUrl(ex.method, ex.path));
    co_return co_await Respond(w, s, ctx, keep);
  }

  auto admit = limiter_.Admit(ex.principal.key_id, ex.principal.rpm, ex.principal.tpm, Clock::now());
  if (!admit.allowed) {
    SetError(ctx, ApiError::RateLimited(admit.kind, admit.retry_after_s));
    co_return co_await Respond(w, s, ctx, keep);
  }

  ex.body = std::move(req.body());
  if (json_endpoint) {
    if (auto err = w.json.Parse(ex.endpoint, ex.body, &ex.request)) {
      SetError(ctx, *err);
      co_return co_await Respond(w, s, ctx, keep);
    }
    if (!rt.router.Serves(ex.request.model)) {
      SetError(ctx, ApiError::ModelNotFound(ex.request.model));
      co_return co_await Respond(w, s, ctx, keep);
    }
    if (!ModelAllowed(ex.principal.models, ex.request.model)) {
      SetError(ctx, ApiError::ModelNotAllowed(ex.request.model));
      co_return co_await Respond(w, s, ctx, keep);
    }
  }
  Chain chain = rt.pipeline.Start(ex);
  if (auto err = chain.OnRequest(ex)) {
    SetError(ctx, *err);
    co_return co_await Respond(w, s, ctx, keep);
  }
  co_return co_await Forward(w, s, req, ctx, rt, chain, keep);
}

// ---------------------------------------------------------------------------
// Models

asio::awaitable<bool> Gateway::ServeModels(Worker& w, Stream& s, Ctx& ctx, const Runtime& rt, bool keep) {
  std::vector<std::string> ids;
  for (const auto& m : rt.router.models()) {
    if (ModelAllowed(ctx.ex.principal.models, m)) ids.push_back(m);
  }
  // Upstreams serving "*": ask them what they have.
  for (size_t idx : rt.router.wildcard_upstreams()) {
    const UpstreamTarget& t = *rt.upstreams[idx];
    if (!breakers_.Allow(t.cfg.name, rt.cfg.circuit_breaker, Clock::now())) continue;
    WireRequest ureq = UpstreamRequest(t, nullptr, ctx, t.url.path + "/models", "");
    UpstreamResponse resp;
    auto t0 = Clock::now();
    Failure f = co_await w.pool.Send(t, ureq, &resp);
    std::string body;
    if (f == Failure::kNone && resp.status() == 200) f = co_await resp.ReadAll(&body, 8u << 20);
    ctx.upstream_wait += Clock::now() - t0;
    if (f != Failure::kNone || resp.status() != 200) {
      metrics_.UpstreamError(t.cfg.name, f != Failure::kNone ? FailureName(f) : "http_status");
      continue;
    }
    for (auto& id : w.json.ModelIds(body)) {
      if (ModelAllowed(ctx.ex.principal.models, id) && std::find(ids.begin(), ids.end(), id) == ids.end()) {
        ids.push_back(std::move(id));
      }
    }
  }
  auto created = std::chrono::duration_cast<std::chrono::seconds>(started_.time_since_epoch()).count();
  auto model_json = [&](const std::string& id) {
    std::string o = "{\"id\":\"";
    openai::AppendJsonEscaped(id, &o);
    o += "\",\"object\":\"model\",\"created\":" + std::to_string(created) + ",\"owned_by\":\"gwanmun\"}";
    return o;
  };
  if (ctx.ex.path == "/v1/models") {
    std::string body = "{\"object\":\"list\",\"data\":[";
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i) body += ',';
      body += model_json(ids[i]);
    }
    body += "]}";
    SetReply(ctx, 200, std::move(body));
    co_return co_await Respond(w, s, ctx, keep);
  }
  std::string id = ctx.ex.path.substr(std::string_view("/v1/models/").size());
  ctx.ex.request.model = id;
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
    if (rt.router.Serves(id) && !ModelAllowed(ctx.ex.principal.models, id)) {
      SetError(ctx, ApiError::ModelNotAllowed(id));
      co_return co_await Respond(w, s, ctx, keep);
    }
    SetError(ctx, ApiError::ModelNotFound(id));
    co_return co_await Respond(w, s, ctx, keep);
  }
  SetReply(ctx, 200, model_json(id));
  co_return co_await Respond(w, s, ctx, keep);
}

// ---------------------------------------------------------------------------
// Proxying

WireRequest Gateway::UpstreamRequest(const UpstreamTarget& t, const Request* client, const Ctx& ctx, std::string target,
                                     std::string body) const {
  if (!t.cfg.query.empty()) target += (target.find('?') == std::string::npos ? "?" : "&") + t.cfg.query;
  if (t.proxy && !t.url.tls()) target = "http://" + t.url.HostHeader() + target;  // absolute-form via HTTP proxy
  WireRequest r;
  std::string& h = r.head;
  h.reserve(384 + target.size());
  wire::StartRequest(&h, client ? Sv(client->method_string()) : std::string_view("GET"), target);
  wire::AppendField(&h, "Host", t.url.HostHeader());
  if (!t.auth_value.empty()) wire::AppendField(&h, t.auth_name, t.auth_value);
  if (t.proxy && !t.url.tls() && !t.proxy_authorization.empty()) {
    wire::AppendField(&h, "Proxy-Authorization", t.proxy_authorization);
  }
  if (client) {
    std::string_view ct = Sv((*client)[http::field::content_type]);
    wire::AppendField(&h, "Content-Type", ct.empty() ? std::string_view("application/json") : ct);
    std::string_view accept = Sv((*client)[http::field::accept]);
    if (!accept.empty()) wire::AppendField(&h, "Accept", accept);
    std::string_view beta = Sv((*client)["openai-beta"]);
    if (!beta.empty()) wire::AppendField(&h, "OpenAI-Beta", beta);
  }
  wire::AppendField(&h, "User-Agent", "gwanmun/0.1");
  wire::AppendField(&h, "x-gwanmun-request-id", ctx.ex.request_id);
  if (client) {
    wire::EndWithLength(&h, body.size(), true);
    r.body = std::move(body);
  } else {
    wire::End(&h, true);
  }
  return r;
}

asio::awaitable<bool> Gateway::Forward(Worker& w, Stream& s, Request& req, Ctx& ctx, const Runtime& rt, Chain& chain,
                                       bool keep) {
  Exchange& ex = ctx.ex;
  std::vector<Router::Attempt> plan;
  if (ex.endpoint == Endpoint::kOther) {
    for (size_t i = 0; i < rt.upstreams.size(); ++i) {
      if (rt.upstreams[i]->cfg.name == rt.cfg.passthrough.upstream) plan.push_back({i, ""});
    }
  } else {
    plan = rt.router.Plan(ex.request.model, ex.route.allowed_regions, w.Random());
    if (plan.empty() && !ex.route.substitute_model.empty()) {
      // No upstream in the required region serves the model: its in-region substitute.
      plan = rt.router.Plan(ex.route.substitute_model, ex.route.allowed_regions, w.Random());
    }
    if (plan.empty()) {
      if (!ex.route.allowed_regions.empty()) {
        std::string msg = "No upstream in an allowed region serves this model";
        if (!ex.route.reason.empty()) msg += " (" + ex.route.reason + ")";
        SetError(ctx, ApiError::Forbidden(msg + ".", "gwanmun_residency_violation"));
      } else {
        SetError(ctx, ApiError::ModelNotFound(ex.request.model));
      }
      co_return co_await Respond(w, s, ctx, keep);
    }
  }
  std::string_view target_path = Sv(req.target());
  // Streams are long: watched from the start. Other calls after a delay.
  WatchGuard watch(s.socket(), ctx.watch, ex.request.stream ? nullptr : w.deferred_watches);
  std::optional<ApiError> last_error;
  int open_skipped = 0;
  int open_retry_after = INT_MAX;
  const auto& retry = rt.cfg.retry;
  for (const auto& attempt : plan) {
    const UpstreamTarget& t = *rt.upstreams[attempt.upstream];
    const std::string& name = t.cfg.name;
    if (!breakers_.Allow(name, rt.cfg.circuit_breaker, Clock::now())) {
      open_skipped++;
      open_retry_after = std::min(open_retry_after, std::max(1, breakers_.RetryAfterSeconds(name, Clock::now())));
      continue;
    }
    std::string target = ex.endpoint == Endpoint::kOther
                             ? t.url.path + std::string(target_path.substr(3))  // strip "/v1"
                             : t.url.path + std::string(openai::UpstreamSuffix(ex.endpoint));
    const bool same_body = ex.endpoint == Endpoint::kOther || attempt.upstream_model == ex.request.model;
    WireRequest ureq = UpstreamRequest(t, &req, ctx, std::move(target),
                                       same_body ? ex.body : openai::WithModel(ex.body, attempt.upstream_model));
    int backoff_ms = retry.backoff_ms;
    for (int n = 0; n <= retry.max_retries; ++n) {
      ctx.attempts++;
      metrics_.UpstreamAttempt(name);
      UpstreamResponse resp;
      watch->resp = &resp;
      auto t0 = Clock::now();
      Failure f = co_await w.pool.Send(t, ureq, &resp);
      ctx.upstream_wait += Clock::now() - t0;
      if (watch->gone) {
        watch->resp = nullptr;
        co_return co_await ClientGone(w, ctx);
      }
      int wait_ms = -1;  // ≥ 0: retry this upstream after wait_ms; -1: next upstream
      if (f != Failure::kNone) {
        watch->resp = nullptr;
        logs_.Warn("upstream attempt failed", {{"request_id", ex.request_id},
                                               {"upstream", name},
                                               {"kind", FailureName(f)},
                                               {"detail", resp.error_detail()}});
        metrics_.UpstreamError(name, FailureName(f));
        breakers_.OnFailure(name, rt.cfg.circuit_breaker, Clock::now());
        if (f == Failure::kTimeout) {
          last_error = ApiError::UpstreamTimeout("The upstream '" + name + "' did not answer in time.");
        } else {
          last_error = ApiError::UpstreamFailed("The upstream '" + name + "' could not be reached.");
          wait_ms = backoff_ms;
        }
      } else if (resp.status() == 429 || resp.status() >= 500) {
        watch->resp = nullptr;
        int ra = RetryAfterMs(resp);
        if (resp.status() == 429) {
          metrics_.UpstreamError(name, "http_429");
          last_error = ApiError::UpstreamRateLimited(ra >= 0 ? (ra + 999) / 1000 : 1);
        } else {
          metrics_.UpstreamError(name, "http_5xx");
          breakers_.OnFailure(name, rt.cfg.circuit_breaker, Clock::now());
          last_error = ApiError::UpstreamFailed("The upstream '" + name + "' failed (HTTP " +
                                                std::to_string(resp.status()) + ").");
        }
        wait_ms = ra > retry.max_retry_after_ms ? -1 : std::max(ra, backoff_ms);
      } else {
        breakers_.OnSuccess(name);
        ex.upstream = name;
        ex.region = t.cfg.region;
        ex.upstream_model = attempt.upstream_model;
        if (resp.status() == 401 || resp.status() == 403) {
          // Never pass the upstream's credential errors (they may quote our real key) to clients.
          logs_.Error("upstream rejected the gateway's credentials",
                      {{"request_id", ex.request_id}, {"upstream", name}, {"status", std::to_string(resp.status())}});
          SetError(ctx, ApiError::UpstreamFailed("The upstream '" + name + "' rejected the gateway's credentials."));
          co_return co_await Respond(w, s, ctx, keep);
        }
        co_return co_await Relay(w, s, ctx, rt, chain, resp, *watch, keep);
      }
      if (wait_ms < 0 || n == retry.max_retries) break;
      asio::steady_timer timer(w.ioc, std::chrono::milliseconds(wait_ms));
      error_code ec;
      co_await timer.async_wait(Redirect(ec));
      if (watch->gone) co_return co_await ClientGone(w, ctx);
      backoff_ms = std::min(retry.max_backoff_ms, backoff_ms * 2 + static_cast<int>(w.Random() % 50));
    }
  }
  if (!last_error) {
    last_error = open_skipped ? ApiError::NoHealthyUpstream(open_retry_after)
                              : ApiError::UpstreamFailed("No upstream could serve the request.");
  }
  SetError(ctx, *last_error);
  co_return co_await Respond(w, s, ctx, keep);
}

asio::awaitable<bool> Gateway::Relay(Worker& w, Stream& s, Ctx& ctx, const Runtime& rt, Chain& chain,
                                     UpstreamResponse& resp, Watch& watch, bool keep) {
  Exchange& ex = ctx.ex;
  ex.status = resp.status();
  const bool ok = ex.status / 100 == 2;
  std::string content_type(resp.header("content-type"));
  if (!(ok && resp.event_stream())) {
    std::string body;
    auto t0 = Clock::now();
    Failure f = co_await resp.ReadAll(&body, rt.cfg.server.max_response_bytes);
    ctx.upstream_wait += Clock::now() - t0;
    watch.resp = nullptr;
    if (watch.gone) co_return co_await ClientGone(w, ctx);
    if (f != Failure::kNone) {
      metrics_.UpstreamError(ex.upstream, FailureName(f));
      ApiError e = f == Failure::kTimeout ? ApiError::UpstreamTimeout("The upstream '" + ex.upstream + "' timed out.")
                   : f == Failure::kTooLarge
                       ? ApiError::UpstreamFailed("The upstream's response is larger than this gateway accepts.")
                       : ApiError::UpstreamFailed("The upstream '" + ex.upstream + "' broke off its response.");
      SetError(ctx, e);
      co_return co_await Respond(w, s, ctx, keep);
    }
    if (ok && ex.endpoint != Endpoint::kOther) ex.usage = w.json.UsageFromBody(body);
    chain.OnResponseHeaders(ex, false);
    chain.OnResponseBody(ex, body);
    ChargeTokens(rt, ctx);
    SetReply(ctx, ex.status, std::move(body), content_type.empty() ? "application/json" : content_type);
    co_return co_await Respond(w, s, ctx, keep);
  }

  // Streaming: forward event by event.
  chain.OnResponseHeaders(ex, true);
  metrics_.StreamOpened();
  struct StreamGauge {
    Metrics& m;
    ~StreamGauge() { m.StreamClosed(); }
  } gauge{metrics_};
  std::string head;
  wire::StartResponse(&head, 200);
  wire::AppendField(&head, "Content-Type", content_type);
  wire::AppendField(&head, "Cache-Control", "no-cache");
  wire::AppendField(&head, "x-request-id", ex.request_id);
  wire::EndChunked(&head, keep);
  error_code ec;
  const asio::const_buffer head_bytes = asio::buffer(head);
  co_await asio::async_write(s, head_bytes, Redirect(ec));
  if (ec) {
    resp.Cancel();
    co_return co_await ClientGone(w, ctx);
  }
  openai::SseParser sse;
  std::vector<openai::SseEvent> in, out;
  std::string chunk, sending, held;
  bool terminal = false;
  Failure f = Failure::kNone;
  for (;;) {
    chunk.clear();
    auto t0 = Clock::now();
    if (!resp.done()) f = co_await resp.ReadSome(&chunk);
    ctx.upstream_wait += Clock::now() - t0;
    if (watch.gone) break;
    if (f != Failure::kNone) break;
    const bool end = resp.done();
    in.clear();
    out.clear();
    sse.Feed(chunk, &in);
    if (end) sse.Finish(&in);
    for (auto& ev : in) {
      if (ev.has_data) {
        if (auto u = w.json.UsageFromEvent(ev.data)) ex.usage = u;
      }
      chain.OnStreamEvent(ex, std::move(ev), &out);
    }
    if (end) chain.OnStreamEnd(ex, &out);
    sending.clear();
    for (const auto& ev : out) {
      if (!terminal && IsTerminal(ev)) terminal = true;
      openai::AppendSseEvent(ev, terminal ? &held : &sending);
    }
    if (!sending.empty()) {
      std::array<char, 20> size_line;
      const std::array<asio::const_buffer, 3> piece{asio::buffer(wire::ChunkSizeLine(sending.size(), &size_line)),
                                                    asio::buffer(sending), asio::buffer(wire::kCrlf)};
      co_await asio::async_write(s, piece, Redirect(ec));  // named buffers: no temporaries inside co_await
      if (ec) {
        watch.gone = true;
        break;
      }
    }
    if (end) break;
  }
  watch.resp = nullptr;
  if (watch.gone) {
    resp.Cancel();
    co_return co_await ClientGone(w, ctx);
  }
  if (f != Failure::kNone) {
    // The stream has started: no retry. Tell the client in-band, as OpenAI does.
    metrics_.UpstreamError(ex.upstream, FailureName(f));
    ApiError e = f == Failure::kTimeout ? ApiError::UpstreamTimeout("The upstream stream stalled.")
                                        : ApiError::UpstreamFailed("The upstream broke off the stream.");
    ex.status = e.status;
    ctx.error_code = e.code;
    if (ex.endpoint == Endpoint::kResponses) {
      std::string d = "{\"type\":\"error\",\"code\":\"" + e.code + "\",\"message\":\"";
      openai::AppendJsonEscaped(e.message, &d);
      d += "\",\"param\":null}";
      held += "event: error\ndata: " + d + "\n\n";
    } else {
      held += "data: " + openai::ErrorBody(e) + "\n\n";
    }
    keep = false;
  }
  ChargeTokens(rt, ctx);
  Status audited = Audit(ctx);
  if (!audited.ok()) {
    logs_.Error("audit append failed; stream cut", {{"request_id", ex.request_id}, {"error", audited.message()}});
    Record(ctx);
    co_return false;
  }
  if (!held.empty()) {
    std::array<char, 20> size_line;
    const std::array<asio::const_buffer, 4> last_events{asio::buffer(wire::ChunkSizeLine(held.size(), &size_line)),
                                                        asio::buffer(held), asio::buffer(wire::kCrlf),
                                                        asio::buffer(wire::kLastChunk)};
    co_await asio::async_write(s, last_events, Redirect(ec));
  } else {
    const asio::const_buffer last = asio::buffer(wire::kLastChunk);
    co_await asio::async_write(s, last, Redirect(ec));
  }
  Record(ctx);
  co_return keep && !ec;
}

void Gateway::ChargeTokens(const Runtime& /*rt*/, Ctx& ctx) {
  if (!ctx.ex.usage) return;
  limiter_.Charge(ctx.ex.principal.key_id, ctx.ex.principal.tpm, ctx.ex.usage->total_tokens, Clock::now());
}

// ---------------------------------------------------------------------------
// Responding, auditing, recording

asio::awaitable<bool> Gateway::Respond(Worker& /*w*/, Stream& s, Ctx& ctx, bool keep) {
  Reply& reply = ctx.reply;
  ctx.ex.status = reply.status;
  if (ctx.audit) {
    Status audited = Audit(ctx);
    if (!audited.ok()) {
      logs_.Error("audit append failed; response withheld",
                  {{"request_id", ctx.ex.request_id}, {"error", audited.message()}});
      SetError(ctx, ApiError::Internal("The audit log is unavailable; the response was withheld."));
      ctx.ex.status = reply.status;
    }
  }
  std::string head;
  head.reserve(160 + reply.content_type.size());
  const std::string_view content_type =
      reply.content_type.empty() ? std::string_view("application/json") : std::string_view(reply.content_type);
  wire::StartResponse(&head, reply.status);
  wire::AppendField(&head, "Content-Type", content_type);
  if (!ctx.ex.request_id.empty()) wire::AppendField(&head, "x-request-id", ctx.ex.request_id);
  if (reply.retry_after_s >= 0) wire::AppendField(&head, "Retry-After", std::to_string(reply.retry_after_s));
  if (!reply.allow.empty()) wire::AppendField(&head, "Allow", reply.allow);
  wire::EndWithLength(&head, reply.body.size(), keep);
  const std::array<asio::const_buffer, 2> bytes{asio::buffer(head), asio::buffer(reply.body)};
  error_code ec;
  co_await asio::async_write(s, bytes, Redirect(ec));
  Record(ctx);
  co_return keep && !ec;
}

asio::awaitable<bool> Gateway::ClientGone(Worker& /*w*/, Ctx& ctx) {
  ctx.ex.status = 499;  // client closed request (nginx's convention)
  ctx.error_code = "client_disconnected";
  if (ctx.audit) {
    Status audited = Audit(ctx);
    if (!audited.ok()) logs_.Error("audit append failed", {{"request_id", ctx.ex.request_id}});
  }
  Record(ctx);
  co_return false;
}

Status Gateway::Audit(Ctx& ctx) {
  const Exchange& ex = ctx.ex;
  store::AuditRecord r;
  r.request_id = ex.request_id;
  r.key_id = ex.principal.key_id;
  r.team = ex.principal.team;
  r.endpoint = ex.endpoint == Endpoint::kOther ? ex.path : std::string(openai::EndpointName(ex.endpoint));
  r.model = ex.request.model;
  r.upstream = ex.upstream;
  r.region = ex.region;
  r.status = ex.status;
  r.latency_ms = Seconds(Clock::now() - ctx.start) * 1000.0;
  if (ex.usage) {
    r.tokens_in = ex.usage->input_tokens;
    r.tokens_out = ex.usage->output_tokens;
  }
  r.findings = ex.findings;
  r.action = ex.action;
  r.fingerprints = ex.fingerprints;

  // One write(2) to the store's audit journal on this event-loop thread: the
  // record is then durable against kill -9 (fdatasync'ed too with
  // synchronous=FULL), and the store commits it into the hash chain in the
  // background, batched with others. No thread hand-off, no waiting for
  // SQLite.
  auto t0 = Clock::now();
  Status st = opts_.store->AppendAuditJournaled(std::move(r));
  ctx.audit_wait_seconds = Seconds(Clock::now() - t0);
  return st;
}

void Gateway::Record(Ctx& ctx) {
  if (!ctx.record) return;
  const Exchange& ex = ctx.ex;
  auto total = Clock::now() - ctx.start;
  auto overhead = total - ctx.upstream_wait;
  std::string_view endpoint = openai::EndpointName(ex.endpoint);
  int64_t tin = ex.usage ? ex.usage->input_tokens : 0;
  int64_t tout = ex.usage ? ex.usage->output_tokens : 0;
  metrics_.Record(
      {endpoint, ex.status, ex.upstream, Seconds(total), Seconds(overhead), tin, tout, ctx.audit_wait_seconds});
  if (!ex.action.empty()) metrics_.Guardrail(ex.action, ex.findings);
  AccessRecord a;
  a.request_id = ex.request_id;
  a.remote = ctx.remote;
  a.method = ex.method;
  a.path = ex.path;
  a.status = ex.status;
  a.key_id = ex.principal.key_id;
  a.team = ex.principal.team;
  a.model = ex.request.model;
  a.upstream = ex.upstream;
  a.region = ex.region;
  a.stream = ex.request.stream;
  a.attempts = ctx.attempts;
  a.latency_ms = Seconds(total) * 1000.0;
  a.overhead_ms = Seconds(overhead) * 1000.0;
  a.tokens_in = tin;
  a.tokens_out = tout;
  a.error_code = ctx.error_code;
  logs_.Access(a);
}

// ---------------------------------------------------------------------------
// Lifecycle

void Gateway::Reload() {
  if (!opts_.reload) {
    logs_.Warn("SIGHUP: no configuration file to reload");
    return;
  }
  auto cfg = opts_.reload();
  if (!cfg.ok()) {
    logs_.Error("reload failed; keeping the running configuration", {{"error", cfg.status().message()}});
    return;
  }
  auto rt = BuildRuntime(cfg.value(), opts_);
  if (!rt.ok()) {
    logs_.Error("reload failed; keeping the running configuration", {{"error", rt.status().message()}});
    return;
  }
  const auto& old = opts_.config.server;
  const auto& now = cfg.value().server;
  if (old.listen_host != now.listen_host || old.listen_port != now.listen_port || old.threads != now.threads) {
    logs_.Warn("reload: server.listen and server.threads only change on restart");
  }
  for (auto& w : workers_) {
    asio::post(w->ioc, [wp = w.get(), r = rt.value()] { wp->rt = r; });
  }
  logs_.Info("configuration reloaded", {{"upstreams", std::to_string(cfg.value().upstreams.size())}});
}

void Gateway::BeginDrain(asio::io_context& main, std::chrono::milliseconds timeout) {
  if (draining_.exchange(true)) return;
  logs_.Info("draining", {{"timeout_ms", std::to_string(timeout.count())}});
  for (auto& w : workers_) {
    asio::post(w->ioc, [wp = w.get()] {
      error_code ec;
      if (wp->acceptor) wp->acceptor->close(ec);
      for (auto& [id, e] : wp->sessions) {
        if (!e.busy) e.stream->socket().close(ec);  // idle keep-alive connections
      }
    });
  }
  auto deadline = Clock::now() + timeout;
  auto timer = std::make_shared<asio::steady_timer>(main);
  auto poll = std::make_shared<std::function<void(error_code)>>();
  *poll = [this, timer, poll, deadline, &main](error_code) {
    int active = 0;
    for (auto& w : workers_) active += w->active_sessions.load();
    if (active == 0 || Clock::now() >= deadline) {
      if (active) logs_.Warn("drain timeout; closing connections", {{"open", std::to_string(active)}});
      for (auto& w : workers_) w->ioc.stop();
      main.stop();
      *poll = nullptr;  // break the self-reference
      return;
    }
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait(*poll);
  };
  asio::post(main, [poll] { (*poll)(error_code{}); });
}

Status Gateway::Run() {
  auto rt = BuildRuntime(opts_.config, opts_);
  if (!rt.ok()) return rt.status();
  const config::ServerConfig& sc = opts_.config.server;
  int threads = sc.threads > 0 ? sc.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  error_code ec;
  auto addr = asio::ip::make_address(sc.listen_host == "localhost" ? "127.0.0.1" : sc.listen_host, ec);
  if (ec) return Status::Error("server.listen: '" + sc.listen_host + "' is not an IP address");
  tcp::endpoint ep(addr, sc.listen_port);
  std::random_device rd;
  for (int i = 0; i < threads; ++i) {
    auto w = std::make_unique<Worker>(this);
    w->rt = rt.value();
    w->rng = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    w->acceptor.emplace(w->ioc);
    w->acceptor->open(ep.protocol(), ec);
    if (!ec) w->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
      w->acceptor->set_option(reuse_port(true), ec);
    }
    if (!ec) w->acceptor->bind(ep, ec);
    if (!ec) w->acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::Error("cannot listen on " + sc.listen_host + ":" + std::to_string(ep.port()) + ": " +
                           ec.message());
    }
    if (i == 0) ep = w->acceptor->local_endpoint();  // port 0 → the real port for the others
    workers_.push_back(std::move(w));
  }
  listen_address_ = (ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string()) + ":" +
                    std::to_string(ep.port());

  asio::io_context main{1};
  asio::signal_set signals(main, SIGINT, SIGTERM, SIGHUP);
  std::function<void(error_code, int)> on_signal = [&](error_code e, int sig) {
    if (e) return;
    if (sig == SIGHUP) {
      Reload();
    } else {
      BeginDrain(main, std::chrono::milliseconds(opts_.config.server.drain_timeout_ms));
    }
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  for (auto& w : workers_) {
    asio::co_spawn(w->ioc, Accept(*w), asio::detached);
    Worker* wp = w.get();
    w->thread = std::thread([wp] {
      auto guard = asio::make_work_guard(wp->ioc);
      wp->ioc.run();
    });
  }
  logs_.Info("listening", {{"address", listen_address_},
                           {"threads", std::to_string(threads)},
                           {"upstreams", std::to_string(opts_.config.upstreams.size())},
                           {"auth", opts_.config.auth.enabled ? "on" : "off"}});
  if (opts_.on_listening) opts_.on_listening(listen_address_);
  main.run();
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  workers_.clear();
  // Every journaled record into the hash chain before returning.
  if (Status flushed = opts_.store->FlushAudit(); !flushed.ok()) {
    logs_.Error("audit flush failed at shutdown; records stay in the journal", {{"error", flushed.message()}});
  }
  logs_.Info("stopped");
  logs_.Flush();
  return Status::Ok();
}

}  // namespace

Status RunGateway(GatewayOptions options) {
  if (options.store == nullptr || options.logs == nullptr)
    return Status::Error("RunGateway: store and logs are required");
  Gateway g(std::move(options));
  return g.Run();
}

}  // namespace gwanmun::proxy
