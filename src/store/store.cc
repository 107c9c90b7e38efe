// Default implementations of Store's optional methods, in terms of the
// required ones (so test doubles of Store need not implement them).

#include "store/store.h"

#include "store/fingerprint.h"

namespace gwanmun::store {

Result<std::vector<AuditRecord>> Store::FindAuditByFingerprint(std::string_view fingerprint_hex, size_t limit) {
  if (!IsFingerprintHex(fingerprint_hex)) {
    return Status::Error("a fingerprint is 32 hex digits");
  }
  constexpr size_t kPage = 1000;
  std::vector<AuditRecord> found;
  int64_t after = 0;
  while (found.size() < limit) {
    auto page = ReadAudit(after, kPage);
    if (!page.ok()) return page.status();
    for (auto& r : page.value()) {
      after = r.seq;
      if (found.size() < limit && !MatchingFingerprintTypes(r.fingerprints, fingerprint_hex).empty()) {
        found.push_back(std::move(r));
      }
    }
    if (page.value().size() < kPage) break;
  }
  return found;
}

}  // namespace gwanmun::store
