#include "proxy/upstream.h"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <unordered_map>
#include <vector>

namespace gwanmun::proxy {
namespace {

using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr size_t kReadBufferBytes = 16384;

auto Redirect(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsIpLiteral(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

std::string Base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Percent-decoding for proxy userinfo.
std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::strtol(std::string(s.substr(i + 1, 2)).c_str(), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string Env(const char* upper, const char* lower) {
  if (const char* v = std::getenv(lower); v && *v) return v;
  if (const char* v = std::getenv(upper); v && *v) return v;
  return "";
}

}  // namespace

ProxyEnv ProxyEnv::FromEnvironment() {
  ProxyEnv e;
  e.https_proxy = Env("HTTPS_PROXY", "https_proxy");
  e.http_proxy = Env("HTTP_PROXY", "http_proxy");
  e.no_proxy = Env("NO_PROXY", "no_proxy");
  return e;
}

bool NoProxyMatches(std::string_view no_proxy, std::string_view host_in, uint16_t port) {
  std::string host = Lower(host_in);
  size_t i = 0;
  while (i < no_proxy.size()) {
    size_t j = no_proxy.find_first_of(", ", i);
    if (j == std::string_view::npos) j = no_proxy.size();
    std::string entry = Lower(no_proxy.substr(i, j - i));
    i = j + 1;
    if (entry.empty()) continue;
    if (entry == "*") return true;
    // Optional ":port" (not for bracket-less IPv6 entries).
    if (size_t colon = entry.rfind(':');
        colon != std::string::npos && entry.find(':') == colon && entry.front() != '[') {
      std::string p = entry.substr(colon + 1);
      entry.resize(colon);
      if (p != std::to_string(port)) continue;
    }
    if (!entry.empty() && entry.front() == '[' && entry.back() == ']') entry = entry.substr(1, entry.size() - 2);
    if (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
    if (host == entry) return true;
    if (host.size() > entry.size() && host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
        host[host.size() - entry.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

std::string_view FailureName(Failure f) {
  switch (f) {
    case Failure::kNone:
      return "none";
    case Failure::kConnect:
      return "connect";
    case Failure::kTimeout:
      return "timeout";
    case Failure::kProtocol:
      return "protocol";
    case Failure::kCancelled:
      return "cancelled";
    case Failure::kTooLarge:
      return "too_large";
  }
  return "unknown";
}

Result<std::shared_ptr<const UpstreamTarget>> MakeUpstreamTarget(const config::UpstreamConfig& cfg,
                                                                 const ProxyEnv& env) {
  auto t = std::make_shared<UpstreamTarget>();
  t->cfg = cfg;
  auto url = config::ParseUrl(cfg.base_url);
  if (!url.ok()) return Status::Error("upstream '" + cfg.name + "': base_url: " + url.status().message());
  t->url = url.value();
  auto key = config::ResolveApiKey(cfg);
  if (!key.ok()) return key.status();
  t->auth_name = cfg.auth_header;
  if (!key.value().empty()) {
    t->auth_value = cfg.auth_header == "authorization" ? "Bearer " + key.value() : key.value();
  }
  if (cfg.use_proxy) {
    const std::string& p = t->url.tls() ? env.https_proxy : env.http_proxy;
    if (!p.empty() && !NoProxyMatches(env.no_proxy, t->url.host, t->url.port)) {
      std::string purl = p.find("://") == std::string::npos ? "http://" + p : p;
      auto pu = config::ParseUrl(purl);
      if (!pu.ok()) return Status::Error("proxy URL from the environment: " + pu.status().message());
      if (pu.value().tls()) return Status::Error("https:// proxy URLs are not supported; use http://host:port");
      t->proxy = pu.value();
      if (!pu.value().userinfo.empty()) {
        t->proxy_authorization = "Basic " + Base64(PercentDecode(pu.value().userinfo));
      }
    }
  }
  if (t->url.tls()) {
    t->tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    error_code ec;
    t->tls->set_default_verify_paths(ec);
    if (ec) return Status::Error("upstream '" + cfg.name + "': cannot load the system trust store");
    if (!cfg.ca_file.empty()) {
      t->tls->load_verify_file(cfg.ca_file, ec);
      if (ec) return Status::Error("upstream '" + cfg.name + "': ca_file " + cfg.ca_file + ": " + ec.message());
    }
    t->tls->set_verify_mode(asio::ssl::verify_peer);
    SSL_CTX_set_min_proto_version(t->tls->native_handle(), TLS1_2_VERSION);
  }
  t->pool_key = t->url.scheme + "://" + t->url.host + ":" + std::to_string(t->url.port) + "|" +
                (t->proxy ? t->proxy->host + ":" + std::to_string(t->proxy->port) : "") + "|" + cfg.ca_file + "|" +
                cfg.name;
  return std::shared_ptr<const UpstreamTarget>(t);
}

// ---------------------------------------------------------------------------

namespace {

struct Conn {
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  Clock::time_point idle_since{};
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

template <class F>
auto Visit(Conn& c, F&& f) {
  if (c.tls) return f(*c.tls);
  return f(*c.plain);
}

// An idle pooled socket that is readable (EOF, a TLS close_notify, stray
// bytes) cannot carry a new request. One used within the last second is
// not checked (that would cost a system call per request under load): an
// upstream closing it meanwhile is caught by Send's stale-connection retry.
constexpr auto kCheckIdleAfter = std::chrono::seconds(1);
bool LooksDead(Conn& c) {
  char b;
  ssize_t n = ::recv(c.lowest().socket().native_handle(), &b, 1, MSG_PEEK | MSG_DONTWAIT);
  return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

// A Content-Length value: digits only.
bool ParseLength(std::string_view v, size_t* out) {
  if (v.empty()) return false;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
  return ec == std::errc() && end == v.data() + v.size();
}

Failure Classify(const error_code& ec) {
  if (ec == beast::error::timeout) return Failure::kTimeout;
  if (ec == asio::error::operation_aborted) return Failure::kCancelled;
  return Failure::kProtocol;
}

}  // namespace

struct UpstreamPool::Idle {
  std::unordered_map<std::string, std::vector<std::unique_ptr<Conn>>> conns;
  size_t count = 0;
};

struct UpstreamResponse::State {
  std::unique_ptr<Conn> conn;
  std::optional<http::response_parser<http::buffer_body>> parser;
  const UpstreamTarget* target = nullptr;
  std::weak_ptr<UpstreamPool::Idle> pool;
  bool cancelled = false;
  bool failed = false;
  std::string error;
  std::optional<size_t> body_left;  // Content-Length bodies: bytes not yet handed out
  Clock::time_point deadline{};     // the attempt's timeouts.total_ms
  // `d`, shortened so that no operation runs past the deadline.
  Clock::duration Bounded(std::chrono::milliseconds d) const {
    auto left = deadline - Clock::now();
    return left < Clock::duration(d) ? std::max(left, Clock::duration(std::chrono::milliseconds(1)))
                                     : Clock::duration(d);
  }
};

UpstreamResponse::UpstreamResponse() : s_(std::make_unique<State>()) {}

UpstreamResponse::~UpstreamResponse() {
  State& s = *s_;
  if (!s.conn || s.failed || s.cancelled || !s.parser || !s.parser->is_done() || !s.parser->get().keep_alive() ||
      s.conn->buffer.size() != 0) {
    return;  // the connection closes
  }
  auto idle = s.pool.lock();
  if (!idle) return;
  auto& list = idle->conns[s.target->pool_key];
  if (list.size() >= static_cast<size_t>(s.target->cfg.max_idle_connections)) return;
  s.conn->idle_since = Clock::now();
  s.conn->lowest().expires_never();
  list.push_back(std::move(s.conn));
  idle->count++;
}

int UpstreamResponse::status() const { return s_->parser ? static_cast<int>(s_->parser->get().result_int()) : 0; }

std::string_view UpstreamResponse::header(std::string_view name) const {
  if (!s_->parser) return {};
  const auto& h = s_->parser->get();
  auto it = h.find(beast::string_view(name.data(), name.size()));
  if (it == h.end()) return {};
  return std::string_view(it->value().data(), it->value().size());
}

bool UpstreamResponse::event_stream() const {
  std::string ct = Lower(header("content-type"));
  return ct.rfind("text/event-stream", 0) == 0;
}

bool UpstreamResponse::done() const { return s_->parser && s_->parser->is_done(); }
bool UpstreamResponse::cancelled() const { return s_->cancelled; }
const std::string& UpstreamResponse::error_detail() const { return s_->error; }

void UpstreamResponse::Cancel() {
  s_->cancelled = true;
  if (s_->conn) s_->conn->lowest().close();
}

asio::awaitable<Failure> UpstreamResponse::ReadSome(std::string* out) {
  State& s = *s_;
  if (s.cancelled) co_return Failure::kCancelled;
  if (!s.parser || !s.conn || s.failed) co_return Failure::kProtocol;
  if (s.parser->is_done()) co_return Failure::kNone;
  // Room for what is left of a Content-Length body (up to 16 KiB per
  // read): no 16 KiB allocation for a 500-byte answer.
  // (Counted here, not Beast's content_length_remaining(): g++ 12 at -O1
  // with the sanitizers warns about its boost::optional.)
  size_t chunk = 16384;
  if (s.body_left) chunk = std::clamp<size_t>(*s.body_left, 1, chunk);
  size_t old = out->size();
  out->resize(old + chunk);
  auto& body = s.parser->get().body();
  body.data = out->data() + old;
  body.size = chunk;
  if (Clock::now() >= s.deadline) {
    s.failed = true;
    s.error = "read body: total timeout";
    co_return Failure::kTimeout;
  }
  s.conn->lowest().expires_after(s.Bounded(std::chrono::milliseconds(s.target->cfg.timeouts.idle_ms)));
  error_code ec;
  Conn& c = *s.conn;
  co_await Visit(c, [&](auto& stream) { return http::async_read_some(stream, c.buffer, *s.parser, Redirect(ec)); });
  out->resize(old + (chunk - body.size));
  if (s.body_left) *s.body_left -= std::min(*s.body_left, chunk - body.size);
  if (ec == http::error::need_buffer) ec = {};
  if (s.cancelled) co_return Failure::kCancelled;
  if (ec) {
    s.failed = true;
    s.error = "read body: " + ec.message();
    co_return Classify(ec);
  }
  co_return Failure::kNone;
}

asio::awaitable<Failure> UpstreamResponse::ReadAll(std::string* out, size_t limit) {
  while (!done()) {
    Failure f = co_await ReadSome(out);
    if (f != Failure::kNone) co_return f;
    if (out->size() > limit) {
      s_->failed = true;
      co_return Failure::kTooLarge;
    }
  }
  co_return Failure::kNone;
}

// ---------------------------------------------------------------------------

UpstreamPool::UpstreamPool(asio::io_context& ioc) : ioc_(ioc), idle_(std::make_shared<Idle>()) {}
UpstreamPool::~UpstreamPool() = default;

size_t UpstreamPool::idle_connections() const {
  size_t n = 0;
  for (const auto& [k, v] : idle_->conns) n += v.size();
  return n;
}

namespace {

// Opens a connection into *slot (so that Cancel() can close it meanwhile).
asio::awaitable<Failure> Connect(asio::io_context& ioc, const UpstreamTarget& t, std::unique_ptr<Conn>* slot,
                                 const bool* cancelled) {
  const config::Url& hop = t.proxy ? *t.proxy : t.url;
  const auto connect_timeout = std::chrono::milliseconds(t.cfg.timeouts.connect_ms);
  error_code ec;
  tcp::resolver resolver(ioc);
  const std::string port = std::to_string(hop.port);
  auto results = co_await resolver.async_resolve(hop.host, port, Redirect(ec));
  if (*cancelled) co_return Failure::kCancelled;
  if (ec) co_return Failure::kConnect;
  *slot = std::make_unique<Conn>();
  Conn& c = **slot;
  c.buffer.reserve(kReadBufferBytes);  // a response head and small body in one read
  c.plain.emplace(ioc);
  c.plain->expires_after(connect_timeout);
  co_await c.plain->async_connect(results, Redirect(ec));
  if (*cancelled) co_return Failure::kCancelled;
  if (ec) co_return ec == beast::error::timeout ? Failure::kTimeout : Failure::kConnect;
  c.plain->socket().set_option(tcp::no_delay(true), ec);

  if (t.proxy && t.url.tls()) {
    // Tunnel through the proxy: CONNECT host:port.
    std::string authority = (t.url.host.find(':') != std::string::npos ? "[" + t.url.host + "]" : t.url.host) + ":" +
                            std::to_string(t.url.port);
    http::request<http::empty_body> req{http::verb::connect, authority, 11};
    req.set(http::field::host, authority);
    if (!t.proxy_authorization.empty()) req.set(http::field::proxy_authorization, t.proxy_authorization);
    co_await http::async_write(*c.plain, req, Redirect(ec));
    if (*cancelled) co_return Failure::kCancelled;
    if (ec) co_return ec == beast::error::timeout ? Failure::kTimeout : Failure::kConnect;
    http::response_parser<http::empty_body> p;
    p.skip(true);  // a 2xx answer to CONNECT has no body
    co_await http::async_read(*c.plain, c.buffer, p, Redirect(ec));
    if (*cancelled) co_return Failure::kCancelled;
    if (ec) co_return ec == beast::error::timeout ? Failure::kTimeout : Failure::kConnect;
    if (p.get().result_int() / 100 != 2) co_return Failure::kConnect;
    c.buffer.consume(c.buffer.size());
  }

  if (t.url.tls()) {
    beast::tcp_stream tcp = std::move(*c.plain);
    c.plain.reset();
    c.tls.emplace(std::move(tcp), *t.tls);
    if (!IsIpLiteral(t.url.host)) SSL_set_tlsext_host_name(c.tls->native_handle(), t.url.host.c_str());
    c.tls->set_verify_callback(asio::ssl::host_name_verification(t.url.host));
    beast::get_lowest_layer(*c.tls).expires_after(connect_timeout);
    co_await c.tls->async_handshake(asio::ssl::stream_base::client, Redirect(ec));
    if (*cancelled) co_return Failure::kCancelled;
    if (ec) co_return ec == beast::error::timeout ? Failure::kTimeout : Failure::kConnect;
  }
  co_return Failure::kNone;
}

bool IsStale(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

asio::awaitable<Failure> UpstreamPool::Send(const UpstreamTarget& t, const WireRequest& req, UpstreamResponse* resp) {
  UpstreamResponse::State& st = *resp->s_;
  st.target = &t;
  st.pool = idle_;
  st.deadline = Clock::now() + std::chrono::milliseconds(t.cfg.timeouts.total_ms);
  for (int round = 0; round < 2; ++round) {
    if (st.cancelled) co_return Failure::kCancelled;
    st.conn.reset();
    st.parser.reset();
    st.failed = false;
    st.body_left.reset();
    bool reused = false;
    // Take the most recently used idle connection that is still fresh.
    if (auto it = idle_->conns.find(t.pool_key); it != idle_->conns.end()) {
      auto& list = it->second;
      const auto max_idle = std::chrono::milliseconds(t.cfg.idle_connection_ms);
      while (!list.empty()) {
        std::unique_ptr<Conn> c = std::move(list.back());
        list.pop_back();
        idle_->count--;
        const auto idle_for = Clock::now() - c->idle_since;
        if (idle_for <= max_idle && (idle_for < kCheckIdleAfter || !LooksDead(*c))) {
          st.conn = std::move(c);
          reused = true;
          break;
        }
      }
    }
    if (!st.conn) {
      Failure f = co_await Connect(ioc_, t, &st.conn, &st.cancelled);
      if (f != Failure::kNone) {
        st.error = "connect failed";
        st.conn.reset();
        co_return f;
      }
    }
    Conn& c = *st.conn;
    c.lowest().expires_after(st.Bounded(std::chrono::milliseconds(t.cfg.timeouts.response_ms)));
    error_code ec;
    const std::array<asio::const_buffer, 2> bytes{asio::buffer(req.head), asio::buffer(req.body)};
    co_await Visit(c, [&](auto& stream) { return asio::async_write(stream, bytes, Redirect(ec)); });
    if (st.cancelled) co_return Failure::kCancelled;
    if (ec) {
      st.conn.reset();
      st.error = "write request: " + ec.message();
      if (reused && IsStale(ec)) continue;
      co_return Classify(ec);
    }
    st.parser.emplace();
    st.parser->body_limit(std::numeric_limits<std::uint64_t>::max());  // callers bound bodies
    co_await Visit(c,
                   [&](auto& stream) { return http::async_read_header(stream, c.buffer, *st.parser, Redirect(ec)); });
    if (st.cancelled) co_return Failure::kCancelled;
    if (ec) {
      bool nothing_read = c.buffer.size() == 0;
      st.error = "read response head: " + ec.message();
      st.conn.reset();
      st.parser.reset();
      if (reused && nothing_read && IsStale(ec)) continue;
      co_return Classify(ec);
    }
    if (size_t length = 0; ParseLength(resp->header("content-length"), &length)) st.body_left = length;
    co_return Failure::kNone;
  }
  co_return Failure::kProtocol;
}

}  // namespace gwanmun::proxy
