#include "proxy/router.h"

#include <algorithm>
#include <set>

namespace gwanmun::proxy {
namespace {

// splitmix64: a small deterministic generator for the weighted draw.
uint64_t Next(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

bool RegionAllowed(const std::vector<std::string>& allowed, const std::string& region) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), region) != allowed.end();
}

}  // namespace

Router::Router(const std::vector<config::UpstreamConfig>& upstreams) {
  std::set<std::string> names;
  for (size_t i = 0; i < upstreams.size(); ++i) {
    const auto& u = upstreams[i];
    for (const auto& m : u.models) {
      if (m.name == "*") {
        wildcard_entries_.push_back({i, "*", u.weight, u.region});
        wildcard_.push_back(i);
      } else {
        by_model_[m.name].push_back({i, m.upstream_model, u.weight, u.region});
        names.insert(m.name);
      }
    }
  }
  models_.assign(names.begin(), names.end());
}

bool Router::Serves(std::string_view model) const {
  return !wildcard_entries_.empty() || by_model_.find(model) != by_model_.end();
}

std::vector<Router::Attempt> Router::Plan(std::string_view model, const std::vector<std::string>& allowed_regions,
                                          uint64_t random) const {
  std::vector<Attempt> plan;
  auto draw = [&](std::vector<const Entry*> pool, bool wildcard) {
    // Weighted draw without replacement; zero weights keep their order at the end.
    std::vector<const Entry*> zero;
    std::erase_if(pool, [&](const Entry* e) {
      if (e->weight == 0) zero.push_back(e);
      return e->weight == 0;
    });
    while (!pool.empty()) {
      uint64_t total = 0;
      for (const Entry* e : pool) total += static_cast<uint64_t>(e->weight);
      uint64_t r = Next(random) % total;
      size_t pick = 0;
      for (; pick < pool.size(); ++pick) {
        uint64_t w = static_cast<uint64_t>(pool[pick]->weight);
        if (r < w) break;
        r -= w;
      }
      const Entry* e = pool[pick];
      plan.push_back({e->upstream, wildcard ? std::string(model) : e->upstream_model});
      pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(pick));
    }
    for (const Entry* e : zero) plan.push_back({e->upstream, wildcard ? std::string(model) : e->upstream_model});
  };
  std::vector<const Entry*> named;
  if (auto it = by_model_.find(model); it != by_model_.end()) {
    for (const auto& e : it->second) {
      if (RegionAllowed(allowed_regions, e.region)) named.push_back(&e);
    }
  }
  draw(std::move(named), false);
  std::vector<const Entry*> wild;
  for (const auto& e : wildcard_entries_) {
    bool already = std::any_of(plan.begin(), plan.end(), [&](const Attempt& a) { return a.upstream == e.upstream; });
    if (!already && RegionAllowed(allowed_regions, e.region)) wild.push_back(&e);
  }
  draw(std::move(wild), true);
  return plan;
}

bool ModelAllowed(const std::vector<std::string>& allowed, std::string_view model) {
  if (allowed.empty()) return true;
  for (const auto& a : allowed) {
    if (a == model) return true;
    if (!a.empty() && a.back() == '*' && model.substr(0, a.size() - 1) == std::string_view(a).substr(0, a.size() - 1)) {
      return true;
    }
  }
  return false;
}

bool CircuitBreakers::Allow(const std::string& name, const config::CircuitBreakerConfig& cfg, Clock::time_point now) {
  if (cfg.failure_threshold == 0) return true;
  std::lock_guard lock(mu_);
  auto it = states_.find(name);
  if (it == states_.end() || !it->second.open) return true;
  State& s = it->second;
  if (now < s.open_until || s.trial_in_flight) return false;
  s.trial_in_flight = true;  // half-open: this request is the trial
  return true;
}

void CircuitBreakers::OnSuccess(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = states_.find(name);
  if (it == states_.end()) return;
  it->second = State{};
}

void CircuitBreakers::OnFailure(const std::string& name, const config::CircuitBreakerConfig& cfg,
                                Clock::time_point now) {
  if (cfg.failure_threshold == 0) return;
  std::lock_guard lock(mu_);
  State& s = states_[name];
  s.failures++;
  if (s.trial_in_flight || s.failures >= cfg.failure_threshold) {
    s.open = true;
    s.trial_in_flight = false;
    s.open_until = now + std::chrono::milliseconds(cfg.open_ms);
  }
}

int CircuitBreakers::RetryAfterSeconds(const std::string& name, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = states_.find(name);
  if (it == states_.end() || !it->second.open || now >= it->second.open_until) return 0;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(it->second.open_until - now).count();
  return static_cast<int>((ms + 999) / 1000);
}

bool CircuitBreakers::IsOpen(const std::string& name, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = states_.find(name);
  return it != states_.end() && it->second.open && now < it->second.open_until;
}

}  // namespace gwanmun::proxy
