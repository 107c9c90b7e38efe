#include "proxy/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace gwanmun::proxy {
namespace {

// Refills `b` (capacity = per-minute limit) up to `now`.
void Refill(double limit, RateLimiter::Clock::time_point now, double* level, RateLimiter::Clock::time_point* last,
            bool* init) {
  if (!*init) {
    *level = limit;
    *last = now;
    *init = true;
    return;
  }
  double secs = std::chrono::duration<double>(now - *last).count();
  if (secs > 0) {
    *level = std::min(limit, *level + secs * limit / 60.0);
    *last = now;
  }
}

int SecondsUntil(double needed, double limit) {
  double secs = needed / (limit / 60.0);
  return std::max(1, static_cast<int>(std::ceil(secs)));
}

}  // namespace

RateLimiter::Shard& RateLimiter::ShardFor(std::string_view key_id) {
  return shards_[std::hash<std::string_view>{}(key_id) % shards_.size()];
}

RateLimiter::Decision RateLimiter::Admit(std::string_view key_id, int64_t rpm, int64_t tpm, Clock::time_point now) {
  if (rpm <= 0 && tpm <= 0) return {};
  Shard& sh = ShardFor(key_id);
  std::lock_guard lock(sh.mu);
  auto it = sh.keys.find(std::string(key_id));
  if (it == sh.keys.end()) it = sh.keys.emplace(std::string(key_id), Buckets{}).first;
  Buckets& b = it->second;
  if (tpm > 0) {
    Refill(static_cast<double>(tpm), now, &b.tokens.level, &b.tokens.last, &b.tokens.init);
    if (b.tokens.level <= 0) {
      return {false, "tokens", SecondsUntil(-b.tokens.level + 1, static_cast<double>(tpm))};
    }
  }
  if (rpm > 0) {
    Refill(static_cast<double>(rpm), now, &b.requests.level, &b.requests.last, &b.requests.init);
    if (b.requests.level < 1) {
      return {false, "requests", SecondsUntil(1 - b.requests.level, static_cast<double>(rpm))};
    }
    b.requests.level -= 1;
  }
  return {};
}

void RateLimiter::Charge(std::string_view key_id, int64_t tpm, int64_t tokens, Clock::time_point now) {
  if (tpm <= 0 || tokens <= 0) return;
  Shard& sh = ShardFor(key_id);
  std::lock_guard lock(sh.mu);
  Buckets& b = sh.keys[std::string(key_id)];
  Refill(static_cast<double>(tpm), now, &b.tokens.level, &b.tokens.last, &b.tokens.init);
  b.tokens.level -= static_cast<double>(tokens);
}

}  // namespace gwanmun::proxy
