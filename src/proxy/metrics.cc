#include "proxy/metrics.h"

#include <cstdio>

namespace gwanmun::proxy {
namespace {

// Prometheus label values: escape backslash, quote and newline.
void AppendLabel(std::string_view v, std::string* out) {
  for (char c : v) {
    if (c == '\\')
      out->append("\\\\");
    else if (c == '"')
      out->append("\\\"");
    else if (c == '\n')
      out->append("\\n");
    else
      out->push_back(c);
  }
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

void Metrics::Histogram::Observe(double v) {
  size_t i = 0;
  while (i < kBuckets.size() && v > kBuckets[i]) ++i;
  if (i < kBuckets.size()) counts[i]++;
  count++;
  sum += v;
}

void Metrics::Guardrail(std::string_view action, std::string_view findings) {
  std::string_view main = action.substr(0, action.find(';'));
  std::lock_guard lock(mu_);
  if (!main.empty()) {
    auto it = guard_actions_.find(main);
    if (it == guard_actions_.end()) it = guard_actions_.emplace(std::string(main), 0).first;
    ++it->second;
  }
  // {"TYPE":n,...}: type names are [A-Z0-9_], so a plain scan suffices.
  size_t pos = 0;
  while ((pos = findings.find('"', pos)) != std::string_view::npos) {
    size_t end = findings.find('"', pos + 1);
    if (end == std::string_view::npos) break;
    std::string_view type = findings.substr(pos + 1, end - pos - 1);
    size_t colon = findings.find(':', end);
    if (colon == std::string_view::npos) break;
    uint64_t n = 0;
    size_t q = colon + 1;
    while (q < findings.size() && findings[q] >= '0' && findings[q] <= '9')
      n = n * 10 + static_cast<uint64_t>(findings[q++] - '0');
    auto it = guard_findings_.find(type);
    if (it == guard_findings_.end()) it = guard_findings_.emplace(std::string(type), 0).first;
    it->second += n;
    pos = q;
  }
}

void Metrics::Record(const RequestSample& s) {
  std::lock_guard lock(mu_);
  auto r = requests_.find(std::tuple<std::string_view, int, std::string_view>(s.endpoint, s.status, s.upstream));
  if (r == requests_.end()) {
    r = requests_.emplace(std::tuple<std::string, int, std::string>(s.endpoint, s.status, s.upstream), 0).first;
  }
  ++r->second;
  if (s.audit_wait_seconds >= 0) audit_wait_.Observe(s.audit_wait_seconds);
  auto t = total_.find(s.endpoint);
  if (t == total_.end()) t = total_.emplace(std::string(s.endpoint), Histogram{}).first;
  t->second.Observe(s.total_seconds);
  auto o = overhead_.find(s.endpoint);
  if (o == overhead_.end()) o = overhead_.emplace(std::string(s.endpoint), Histogram{}).first;
  o->second.Observe(s.overhead_seconds);
  tokens_in_ += static_cast<uint64_t>(s.tokens_in > 0 ? s.tokens_in : 0);
  tokens_out_ += static_cast<uint64_t>(s.tokens_out > 0 ? s.tokens_out : 0);
}

void Metrics::UpstreamAttempt(std::string_view upstream) {
  std::lock_guard lock(mu_);
  auto it = upstream_attempts_.find(upstream);
  if (it == upstream_attempts_.end()) it = upstream_attempts_.emplace(std::string(upstream), 0).first;
  it->second++;
}

void Metrics::UpstreamError(std::string_view upstream, std::string_view kind) {
  std::lock_guard lock(mu_);
  upstream_errors_[{std::string(upstream), std::string(kind)}]++;
}

std::string Metrics::Render() const {
  std::string out;
  std::lock_guard lock(mu_);
  out += "# HELP gwanmun_requests_total Requests by endpoint, status sent to the client and upstream.\n";
  out += "# TYPE gwanmun_requests_total counter\n";
  for (const auto& [k, v] : requests_) {
    out += "gwanmun_requests_total{endpoint=\"";
    AppendLabel(std::get<0>(k), &out);
    out += "\",status=\"" + std::to_string(std::get<1>(k)) + "\",upstream=\"";
    AppendLabel(std::get<2>(k), &out);
    out += "\"} " + std::to_string(v) + "\n";
  }
  auto hist = [&](const char* name, const char* help, const std::map<std::string, Histogram, std::less<>>& m) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " histogram\n";
    for (const auto& [ep, h] : m) {
      uint64_t cum = 0;
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        cum += h.counts[i];
        out += std::string(name) + "_bucket{endpoint=\"";
        AppendLabel(ep, &out);
        out += "\",le=\"" + Num(kBuckets[i]) + "\"} " + std::to_string(cum) + "\n";
      }
      out += std::string(name) + "_bucket{endpoint=\"";
      AppendLabel(ep, &out);
      out += "\",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
      out += std::string(name) + "_sum{endpoint=\"";
      AppendLabel(ep, &out);
      out += "\"} " + Num(h.sum) + "\n";
      out += std::string(name) + "_count{endpoint=\"";
      AppendLabel(ep, &out);
      out += "\"} " + std::to_string(h.count) + "\n";
    }
  };
  hist("gwanmun_request_duration_seconds", "Total time from request read to response end.", total_);
  hist("gwanmun_gateway_overhead_seconds", "Time of a request not spent waiting on the upstream.", overhead_);
  out += "# HELP gwanmun_upstream_errors_total Failed upstream attempts by kind.\n";
  out += "# TYPE gwanmun_upstream_errors_total counter\n";
  for (const auto& [k, v] : upstream_errors_) {
    out += "gwanmun_upstream_errors_total{upstream=\"";
    AppendLabel(k.first, &out);
    out += "\",kind=\"";
    AppendLabel(k.second, &out);
    out += "\"} " + std::to_string(v) + "\n";
  }
  out += "# HELP gwanmun_upstream_attempts_total Requests sent to each upstream (including retries).\n";
  out += "# TYPE gwanmun_upstream_attempts_total counter\n";
  for (const auto& [k, v] : upstream_attempts_) {
    out += "gwanmun_upstream_attempts_total{upstream=\"";
    AppendLabel(k, &out);
    out += "\"} " + std::to_string(v) + "\n";
  }
  {
    std::map<std::string, Histogram, std::less<>> one{{"all", audit_wait_}};
    hist("gwanmun_audit_wait_seconds", "Time a response waited for its audit record to be durable.", one);
  }
  out += "# HELP gwanmun_open_streams Streaming responses in progress.\n# TYPE gwanmun_open_streams gauge\n";
  out += "gwanmun_open_streams " + std::to_string(open_streams_.load(std::memory_order_relaxed)) + "\n";
  out += "# HELP gwanmun_tokens_total Tokens reported by upstreams.\n# TYPE gwanmun_tokens_total counter\n";
  out += "gwanmun_tokens_total{direction=\"input\"} " + std::to_string(tokens_in_) + "\n";
  out += "gwanmun_tokens_total{direction=\"output\"} " + std::to_string(tokens_out_) + "\n";
  out +=
      "# HELP gwanmun_guardrail_actions_total Guarded requests by main action.\n"
      "# TYPE gwanmun_guardrail_actions_total counter\n";
  for (const auto& [a, n] : guard_actions_) {
    out += "gwanmun_guardrail_actions_total{action=\"" + a + "\"} " + std::to_string(n) + "\n";
  }
  out +=
      "# HELP gwanmun_guardrail_findings_total Sensitive values found in requests, by type.\n"
      "# TYPE gwanmun_guardrail_findings_total counter\n";
  for (const auto& [t, n] : guard_findings_) {
    out += "gwanmun_guardrail_findings_total{type=\"" + t + "\"} " + std::to_string(n) + "\n";
  }
  return out;
}

}  // namespace gwanmun::proxy
