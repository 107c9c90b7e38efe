// HTTP/1.1 client for upstreams: plain or TLS (OpenSSL, verified against the
// system trust store plus an optional CA file, SNI, host name check), through
// an HTTPS_PROXY (CONNECT tunnel) or HTTP_PROXY (absolute-form) unless
// NO_PROXY matches, with keep-alive connection pooling. One UpstreamPool per
// event-loop thread; nothing here is thread-safe except UpstreamTarget,
// which is immutable.
//
//   UpstreamResponse resp;
//   Failure f = co_await pool.Send(target, wire_request, &resp);  // connect/reuse, write, read head
//   … resp.status(), resp.header("content-type") …
//   f = co_await resp.ReadSome(&bytes);                      // body as it arrives
//
// A reused connection that turns out to be closed by the upstream is
// replaced transparently (once) before any response byte was read.

#ifndef GWANMUN_PROXY_UPSTREAM_H_
#define GWANMUN_PROXY_UPSTREAM_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "config/config.h"
#include "proxy/asio.h"
#include "proxy/egress.h"

namespace gwanmun::proxy {

// Everything needed to reach one upstream. Built at start and on reload.
struct UpstreamTarget {
  config::UpstreamConfig cfg;
  config::Url url;
  std::string auth_name;                    // header name ("authorization"/"api-key")
  std::string auth_value;                   // header value; "" = no key. Never logged.
  std::optional<config::Url> proxy;         // egress proxy, if one applies
  std::string proxy_authorization;          // "Basic …" from the proxy URL's userinfo
  std::shared_ptr<asio::ssl::context> tls;  // https upstreams
  std::string pool_key;                     // connections are shared per key
};

// Validates the URL, reads the API key (env var or file), sets up TLS.
Result<std::shared_ptr<const UpstreamTarget>> MakeUpstreamTarget(const config::UpstreamConfig& cfg,
                                                                 const ProxyEnv& env);

enum class Failure {
  kNone,
  kConnect,    // DNS, TCP, proxy CONNECT or TLS handshake failed
  kTimeout,    // a configured timeout expired
  kProtocol,   // the upstream closed or sent something that is not HTTP
  kCancelled,  // Cancel() was called (client went away)
  kTooLarge,   // body over the caller's limit
};
std::string_view FailureName(Failure f);

// A request ready for the wire (see wire.h): the head — request line and
// header fields including Host and credentials, through the blank line —
// and the body.
struct WireRequest {
  std::string head;
  std::string body;
};

class UpstreamPool;

class UpstreamResponse {
 public:
  UpstreamResponse();
  ~UpstreamResponse();  // a fully read keep-alive connection goes back to its pool
  UpstreamResponse(const UpstreamResponse&) = delete;
  UpstreamResponse& operator=(const UpstreamResponse&) = delete;

  int status() const;
  // Header value, "" if absent.
  std::string_view header(std::string_view name) const;
  bool event_stream() const;  // content-type text/event-stream
  bool done() const;          // the whole body has been read

  // Appends the next body bytes to *out, waiting at most the upstream's
  // idle timeout. kNone and done() at the end of the body.
  asio::awaitable<Failure> ReadSome(std::string* out);
  // Reads the rest of the body into *out; kTooLarge past `limit` bytes.
  asio::awaitable<Failure> ReadAll(std::string* out, size_t limit);
  // Closes the connection; pending and later operations fail with kCancelled.
  void Cancel();
  bool cancelled() const;
  // What went wrong in the last failed operation (for logs; no secrets).
  const std::string& error_detail() const;

 private:
  friend class UpstreamPool;
  struct State;
  std::unique_ptr<State> s_;
};

class UpstreamPool {
 public:
  explicit UpstreamPool(asio::io_context& ioc);
  ~UpstreamPool();

  // Sends `req` and reads the response head into *resp.
  asio::awaitable<Failure> Send(const UpstreamTarget& target, const WireRequest& req, UpstreamResponse* resp);

  size_t idle_connections() const;

  struct Idle;  // implementation detail (shared with in-flight responses)

 private:
  asio::io_context& ioc_;
  std::shared_ptr<Idle> idle_;
};

}  // namespace gwanmun::proxy

#endif  // GWANMUN_PROXY_UPSTREAM_H_
