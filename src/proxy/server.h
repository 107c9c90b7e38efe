// The gateway server: an OpenAI-compatible HTTP/1.1 proxy.
//
//   POST /v1/chat/completions, /v1/responses, /v1/embeddings   proxied (streams too)
//   GET  /v1/models, /v1/models/{id}                           models the key may use
//   other /v1/*                                                404, or pass-through if configured
//   GET  /metrics, /healthz, /readyz
//
// Threads: one io_context per thread (server.threads, default one per core),
// each with its own SO_REUSEPORT acceptor and upstream connection pool, so a
// request never crosses threads. Signals (handled by the thread calling
// RunGateway): SIGHUP reloads the configuration (new requests use it; open
// connections and requests in flight are untouched), SIGTERM/SIGINT stop
// accepting, finish requests in flight (up to server.drain_timeout_ms) and
// return.
//
// Every /v1 request gets exactly one audit record
// (Store::AppendAuditJournaled: a copy into the store's per-process,
// memory-mapped audit journal on the event-loop thread; the store commits it
// into the hash chain in the background). The last bytes of a response — the whole
// non-streaming response, or a stream's terminal event ("[DONE]",
// "response.completed", …) and end — are written only after that call
// returned OK, i.e. the record is durable against a process crash, so a
// response a client received is in the log even if the process is killed
// right after (the next store opened on the database replays the journal).
// If the audit write fails the response is withheld (500, or the stream is
// cut). RunGateway returns after Store::FlushAudit, so on a graceful stop
// every record is in the chain.

#ifndef GWANMUN_PROXY_SERVER_H_
#define GWANMUN_PROXY_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "proxy/log.h"
#include "proxy/stage.h"
#include "store/store.h"

namespace gwanmun::proxy {

struct GatewayOptions {
  config::Config config;
  // Produces the configuration again on SIGHUP (file re-read, flags
  // re-applied). Empty: SIGHUP only logs that there is nothing to reload.
  std::function<Result<config::Config>()> reload;
  store::Store* store = nullptr;  // required; outlives the gateway
  Logs* logs = nullptr;           // required
  // Stages ahead of the built-in ones. Kept across reloads.
  std::vector<std::shared_ptr<const StageFactory>> stages;
  // Builds configuration-dependent stages (the guardrails) from each
  // configuration, at start and on every reload; they run after `stages`.
  // An error at start stops the gateway; on reload the old runtime stays.
  std::function<Result<std::vector<std::shared_ptr<const StageFactory>>>(const config::Config&)> make_stages;
  // Called once listening, with the bound "host:port" (port 0 resolved).
  std::function<void(const std::string&)> on_listening;
};

// Runs until SIGTERM/SIGINT and the drain. Returns 0, or an error if the
// configuration is unusable (e.g. an API key variable is missing) or the
// address cannot be bound.
Status RunGateway(GatewayOptions options);

}  // namespace gwanmun::proxy

#endif  // GWANMUN_PROXY_SERVER_H_
