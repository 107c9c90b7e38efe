// Prometheus metrics of the gateway (text exposition format 0.0.4):
//   gwanmun_requests_total{endpoint,status,upstream}         counter
//   gwanmun_request_duration_seconds{endpoint}               histogram, total time
//   gwanmun_gateway_overhead_seconds{endpoint}               histogram, time not spent
//                                                            waiting on the upstream
//   gwanmun_upstream_errors_total{upstream,kind}             counter (connect, timeout,
//                                                            http_5xx, http_429, protocol)
//   gwanmun_upstream_attempts_total{upstream}                counter
//   gwanmun_open_streams                                     gauge
//   gwanmun_tokens_total{direction}                          counter (input, output)
//   gwanmun_audit_wait_seconds                               histogram: waiting for the
//                                                            audit record to be durable
//   gwanmun_guardrail_actions_total{action}                  counter: requests by the
//                                                            guardrails' main action
//                                                            (none, allow, mask, pseudonymize,
//                                                            mask+pseudonymize, block, block:…)
//   gwanmun_guardrail_findings_total{type}                   counter: values found, by type
// Thread-safe; one short critical section per request (plus one per
// upstream attempt).

#ifndef GWANMUN_PROXY_METRICS_H_
#define GWANMUN_PROXY_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace gwanmun::proxy {

class Metrics {
 public:
  struct RequestSample {
    std::string_view endpoint;
    int status = 0;
    std::string_view upstream;  // "" when none was reached
    double total_seconds = 0;
    double overhead_seconds = 0;
    int64_t tokens_in = 0;
    int64_t tokens_out = 0;
    double audit_wait_seconds = -1;  // < 0: the request was not audited
  };

  void Record(const RequestSample& s);
  void UpstreamAttempt(std::string_view upstream);
  void UpstreamError(std::string_view upstream, std::string_view kind);
  // One guarded request: its audit action ("pseudonymize;store=false" counts
  // as "pseudonymize") and findings ({"KR_PHONE":2,…}, as in the audit log).
  void Guardrail(std::string_view action, std::string_view findings_json);
  void StreamOpened() { open_streams_.fetch_add(1, std::memory_order_relaxed); }
  void StreamClosed() { open_streams_.fetch_sub(1, std::memory_order_relaxed); }

  std::string Render() const;

  // Bucket upper bounds (seconds) shared by both histograms: 50 µs … 120 s.
  static constexpr std::array<double, 20> kBuckets = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,    0.025,  0.05,    0.1,    0.25,  0.5,    1,
                                                      2.5,     5,      10,      30,     60,    120};

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};  // non-cumulative
    uint64_t count = 0;
    double sum = 0;
    void Observe(double v);
  };
  mutable std::mutex mu_;
  // std::less<>: looked up with string_views, no allocation per request.
  std::map<std::tuple<std::string, int, std::string>, uint64_t, std::less<>> requests_;
  std::map<std::string, Histogram, std::less<>> total_;
  std::map<std::string, Histogram, std::less<>> overhead_;
  std::map<std::pair<std::string, std::string>, uint64_t> upstream_errors_;
  std::map<std::string, uint64_t, std::less<>> upstream_attempts_;
  Histogram audit_wait_;
  std::map<std::string, uint64_t, std::less<>> guard_actions_;
  std::map<std::string, uint64_t, std::less<>> guard_findings_;
  uint64_t tokens_in_ = 0, tokens_out_ = 0;
  std::atomic<int64_t> open_streams_{0};
};

}  // namespace gwanmun::proxy

#endif  // GWANMUN_PROXY_METRICS_H_
