// The request/response path as a chain of stages, in the spirit of Envoy's
// HTTP filters. Guardrails (detection, rewriting, placeholder restore inside
// streams, data residency) plug in here without touching the proxy.
//
// For every /v1 request that reaches an upstream, the gateway builds one
// Chain from the Pipeline: each StageFactory may create a per-request Stage
// (or decline). Then:
//
//   request  direction, stages first → last:
//     OnRequest(ex)            body complete (bounded by server.max_body_bytes),
//                              already authenticated and validated; may
//                              rewrite ex.body, narrow ex.route, annotate the
//                              audit fields, or refuse with an ApiError.
//   response direction, stages last → first:
//     OnResponseHeaders(ex, streaming)
//     non-streaming:  OnResponseBody(ex, body)      the complete body; may rewrite
//     streaming:      OnStreamEvent(ex, ev, out)    per SSE event, as it arrives
//                     OnStreamEnd(ex, out)          upstream finished: flush
//
// Streams are never buffered whole: a stage sees each event when the
// upstream sends it and emits zero or more events to `out`. To hold bytes
// back (e.g. a placeholder split across events) a stage keeps them in its own
// state and emits them with a later event or at OnStreamEnd. Events a stage
// does not change keep their exact upstream bytes (SseEvent::raw); a stage
// that changes one calls ev.MarkModified().
//
// Stages run on the request's event-loop thread and must not block (no disk
// or network I/O); per-request state lives in the Stage object.

#ifndef GWANMUN_PROXY_STAGE_H_
#define GWANMUN_PROXY_STAGE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openai/errors.h"
#include "openai/request.h"
#include "openai/sse.h"
#include "store/store.h"

namespace gwanmun::proxy {

// Limits on where a request may be routed (data residency, issue 4).
struct RouteConstraints {
  std::vector<std::string> allowed_regions;  // empty = any region
  // Why regions are restricted, e.g. "KR_RRN requires region kr". Sent in the
  // 403 when no upstream qualifies, so it must name data classes, never values.
  std::string reason;
  // Model to ask for instead when no upstream in the allowed regions serves
  // the requested one (a configured in-region substitute); "" = none.
  std::string substitute_model;
};

// One request as it travels through the gateway.
struct Exchange {
  std::string request_id;
  store::Principal principal;  // key_id "anonymous" with --no-auth
  openai::Endpoint endpoint = openai::Endpoint::kOther;
  std::string method;
  std::string path;               // without query string
  openai::ParsedRequest request;  // model, stream, include_usage (from the client's body)
  std::string body;               // what will be sent upstream; stages may rewrite it

  RouteConstraints route;

  // Set once an upstream answers (before any response-direction call).
  std::string upstream;                // upstream name
  std::string upstream_model;          // model name sent to it
  std::string region;                  // its region tag
  int status = 0;                      // status the client gets
  std::optional<openai::Usage> usage;  // from the upstream's own usage data

  // Audit annotations for guardrails: never values, only types and counts.
  std::string findings = "{}";      // JSON object, e.g. {"KR_RRN":1}
  std::string action;               // e.g. "allow", "mask", "pseudonymize", "block"
  std::string fingerprints = "[]";  // JSON array of HMAC fingerprints
};

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::optional<openai::ApiError> OnRequest(Exchange& /*ex*/) { return std::nullopt; }
  virtual void OnResponseHeaders(Exchange& /*ex*/, bool /*streaming*/) {}
  virtual void OnResponseBody(Exchange& /*ex*/, std::string& /*body*/) {}
  virtual void OnStreamEvent(Exchange& /*ex*/, openai::SseEvent&& ev, std::vector<openai::SseEvent>& out) {
    out.push_back(std::move(ev));
  }
  virtual void OnStreamEnd(Exchange& /*ex*/, std::vector<openai::SseEvent>& /*out*/) {}
};

// Makes the per-request Stage; nullptr when the stage has nothing to do for
// this request. Factories are immutable and shared by all threads.
class StageFactory {
 public:
  virtual ~StageFactory() = default;
  virtual std::string_view name() const = 0;
  // Called after authentication and validation (ex.request is filled).
  virtual std::unique_ptr<Stage> Create(const Exchange& ex) const = 0;
};

// The stages of one request, in order.
class Chain {
 public:
  Chain() = default;
  explicit Chain(std::vector<std::unique_ptr<Stage>> stages) : stages_(std::move(stages)) {}
  bool empty() const { return stages_.empty(); }

  std::optional<openai::ApiError> OnRequest(Exchange& ex);
  void OnResponseHeaders(Exchange& ex, bool streaming);
  void OnResponseBody(Exchange& ex, std::string& body);
  // Appends what reaches the client for one upstream event to *out.
  void OnStreamEvent(Exchange& ex, openai::SseEvent&& ev, std::vector<openai::SseEvent>* out);
  void OnStreamEnd(Exchange& ex, std::vector<openai::SseEvent>* out);

 private:
  // Runs events emitted by stage `from` (response order index) through the
  // remaining stages.
  void Continue(Exchange& ex, size_t from, std::vector<openai::SseEvent>&& events, std::vector<openai::SseEvent>* out);
  std::vector<std::unique_ptr<Stage>> stages_;
};

// An ordered list of stage factories; immutable once built.
class Pipeline {
 public:
  Pipeline() = default;
  explicit Pipeline(std::vector<std::shared_ptr<const StageFactory>> factories) : factories_(std::move(factories)) {}
  Chain Start(const Exchange& ex) const;
  const std::vector<std::shared_ptr<const StageFactory>>& factories() const { return factories_; }

 private:
  std::vector<std::shared_ptr<const StageFactory>> factories_;
};

// Built-in stage: when a chat stream's client did not ask for
// stream_options.include_usage, asks the upstream for it anyway (token limits
// and the audit need it) and removes the usage-only chunk before the client
// sees it. Other chunks then carry "usage":null, which clients ignore.
std::shared_ptr<const StageFactory> MakeStreamUsageStage();

}  // namespace gwanmun::proxy

#endif  // GWANMUN_PROXY_STAGE_H_
