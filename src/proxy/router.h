// Routing by model: which upstreams serve a model (with aliases), in which
// order to try them (weighted first pick, then fallbacks), and a circuit
// breaker per upstream. Pure logic: no I/O, safe to unit-test.

#ifndef GWANMUN_PROXY_ROUTER_H_
#define GWANMUN_PROXY_ROUTER_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace gwanmun::proxy {

using Clock = std::chrono::steady_clock;

class Router {
 public:
  struct Attempt {
    size_t upstream = 0;         // index into the config's upstreams
    std::string upstream_model;  // model name to send
  };

  Router() = default;
  explicit Router(const std::vector<config::UpstreamConfig>& upstreams);

  // Whether any upstream serves `model` (by name or "*").
  bool Serves(std::string_view model) const;

  // Upstreams to try for `model`, in order: the first drawn at random in
  // proportion to weight, then the others the same way (weight 0 last);
  // upstreams named explicitly come before "*" ones. Only upstreams whose
  // region is in `allowed_regions` (when non-empty). `random` seeds the draw.
  std::vector<Attempt> Plan(std::string_view model, const std::vector<std::string>& allowed_regions,
                            uint64_t random) const;

  // Model names served explicitly (no "*"), sorted.
  const std::vector<std::string>& models() const { return models_; }
  // Indices of upstreams serving "*".
  const std::vector<size_t>& wildcard_upstreams() const { return wildcard_; }

 private:
  struct Entry {
    size_t upstream;
    std::string upstream_model;
    int weight;
    std::string region;
  };
  std::map<std::string, std::vector<Entry>, std::less<>> by_model_;
  std::vector<Entry> wildcard_entries_;
  std::vector<size_t> wildcard_;
  std::vector<std::string> models_;
};

// True if `model` is allowed by a key's model list: empty list = all; an entry
// ending in '*' is a prefix.
bool ModelAllowed(const std::vector<std::string>& allowed, std::string_view model);

// Per-upstream circuit breakers, keyed by upstream name so they survive
// config reloads. Thread-safe.
//   closed → (failure_threshold consecutive failures) → open for open_ms →
//   half-open: one trial request; success closes, failure re-opens.
class CircuitBreakers {
 public:
  // Whether a request may go to `name` now (claims the half-open trial).
  bool Allow(const std::string& name, const config::CircuitBreakerConfig& cfg, Clock::time_point now);
  void OnSuccess(const std::string& name);
  void OnFailure(const std::string& name, const config::CircuitBreakerConfig& cfg, Clock::time_point now);
  // Seconds until `name` may be tried again (0 if it may now).
  int RetryAfterSeconds(const std::string& name, Clock::time_point now);
  bool IsOpen(const std::string& name, Clock::time_point now);

 private:
  struct State {
    int failures = 0;
    bool open = false;
    bool trial_in_flight = false;
    Clock::time_point open_until{};
  };
  std::mutex mu_;
  std::map<std::string, State, std::less<>> states_;
};

}  // namespace gwanmun::proxy

#endif  // GWANMUN_PROXY_ROUTER_H_
