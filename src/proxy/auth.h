// Virtual-key authentication in front of the Store, with a short-lived cache
// so the hot path does not query SQLite per request. A revoked key stops
// working within cache_ttl of the revocation (0 = no cache).
//
// The cache is keyed by SHA-256 of the presented secret: the secret itself
// is never kept, and looking up a digest leaks nothing useful about the
// secret through timing. The Store compares its own hashes in constant time.
// Thread-safe.

#ifndef GWANMUN_PROXY_AUTH_H_
#define GWANMUN_PROXY_AUTH_H_

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "store/store.h"

namespace gwanmun::proxy {

class Authenticator {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Authenticator(store::Store* store) : store_(store) {}

  // The principal for `secret`, nullopt if unknown or revoked, an error if
  // the store failed. Only successful lookups are cached.
  Result<std::optional<store::Principal>> Authenticate(std::string_view secret, std::chrono::milliseconds ttl,
                                                       Clock::time_point now);

  // The bearer token of an Authorization header value, "" if none.
  static std::string_view BearerToken(std::string_view authorization);

 private:
  struct Entry {
    store::Principal principal;
    Clock::time_point expires;
  };
  store::Store* store_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;  // key: binary SHA-256 of the secret
};

}  // namespace gwanmun::proxy

#endif  // GWANMUN_PROXY_AUTH_H_
