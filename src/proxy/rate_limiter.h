// Per-key request and token limits (rpm, tpm) as token buckets that refill
// continuously: a key with rpm N may burst N requests, then N per minute.
// Tokens are only known after the upstream answers, so the token bucket is
// charged afterwards and may go negative; while it is negative the key's
// requests are refused. Thread-safe.

#ifndef GWANMUN_PROXY_RATE_LIMITER_H_
#define GWANMUN_PROXY_RATE_LIMITER_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gwanmun::proxy {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  struct Decision {
    bool allowed = true;
    std::string_view kind;  // "requests" or "tokens" when refused
    int retry_after_s = 0;  // when refused: seconds until a request would pass
  };

  // Admits one request for `key_id` (consuming one request) or refuses it.
  // Limits ≤ 0 mean unlimited.
  Decision Admit(std::string_view key_id, int64_t rpm, int64_t tpm, Clock::time_point now);
  // Charges `tokens` used by a finished request.
  void Charge(std::string_view key_id, int64_t tpm, int64_t tokens, Clock::time_point now);

 private:
  struct Bucket {
    double level = 0;
    Clock::time_point last{};
    bool init = false;
  };
  struct Buckets {
    Bucket requests, tokens;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Buckets> keys;
  };
  Shard& ShardFor(std::string_view key_id);
  std::array<Shard, 16> shards_;
};

}  // namespace gwanmun::proxy

#endif  // GWANMUN_PROXY_RATE_LIMITER_H_
