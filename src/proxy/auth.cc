#include "proxy/auth.h"

#include "store/crypto.h"

namespace gwanmun::proxy {

std::string_view Authenticator::BearerToken(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  if (v.size() < 7) return {};
  static constexpr std::string_view kBearer = "bearer ";
  for (size_t i = 0; i < kBearer.size(); ++i) {
    char c = v[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kBearer[i]) return {};
  }
  v.remove_prefix(kBearer.size());
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

Result<std::optional<store::Principal>> Authenticator::Authenticate(std::string_view secret,
                                                                    std::chrono::milliseconds ttl,
                                                                    Clock::time_point now) {
  const store::Sha256Digest d = store::Sha256(secret);
  std::string digest(reinterpret_cast<const char*>(d.data()), d.size());
  if (ttl.count() > 0) {
    std::lock_guard lock(mu_);
    auto it = cache_.find(digest);
    if (it != cache_.end()) {
      if (now < it->second.expires) return std::optional<store::Principal>(it->second.principal);
      cache_.erase(it);
    }
  }
  auto r = store_->Authenticate(secret);
  if (!r.ok()) return r.status();
  if (r.value() && ttl.count() > 0) {
    std::lock_guard lock(mu_);
    if (cache_.size() > 100000) cache_.clear();  // bound memory under key floods
    cache_[digest] = Entry{*r.value(), now + ttl};
  }
  return r;
}

}  // namespace gwanmun::proxy
