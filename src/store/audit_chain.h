// The audit log's hash chain, independent of the storage backend.
//
// Canonical form (version 1) of a record: the line "gwanmun-audit-v1\n", then
// for each field in this order
//   seq time request_id key_id team endpoint model upstream region status
//   latency_ms tokens_in tokens_out findings action fingerprints
// the bytes  <name> ' ' <decimal byte length of value> ' ' <value> '\n'.
// Integers are plain decimal; latency_ms is printf("%.3f") (records are
// normalised to whole microseconds first), which any language reproduces.
// The length prefix makes the form unambiguous whatever the strings contain.
//
//   hash = lower-hex( SHA-256( prev_hash || canonical form ) )
//
// where prev_hash is the previous record's hash as 64 ASCII hex characters
// (64 '0's for seq 1). So an auditor can re-verify an export with a few lines
// of any language.

#ifndef GWANMUN_STORE_AUDIT_CHAIN_H_
#define GWANMUN_STORE_AUDIT_CHAIN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "store/store.h"

namespace gwanmun::store {

// prev_hash of the first record.
inline constexpr std::string_view kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

// Puts a record's caller-supplied fields in the form that is stored and
// hashed: empty time → now; empty findings → "{}"; empty fingerprints → "[]";
// latency rounded to whole microseconds, and a non-finite or negative-zero
// latency → 0 (SQLite may store whole REALs as integers, turning -0.0 into 0).
void NormalizeAuditRecord(AuditRecord& record);

// The canonical form above (uses every field but prev_hash and hash).
std::string CanonicalAuditForm(const AuditRecord& record);

// hash = hex(SHA-256(prev_hash || CanonicalAuditForm(record))).
std::string ChainHash(std::string_view prev_hash, const AuditRecord& record);

// Current UTC time as RFC 3339 with milliseconds, e.g. 2026-01-02T03:04:05.678Z.
std::string NowRfc3339Millis();

// Checks a log fed record by record in ascending seq order (as stored), then
// the stored head. Detects: an edited record (its content no longer matches
// its hash), a deleted record (seq gap, and the next prev_hash no longer
// links), reordered records (seq is hashed, and links break), a truncated
// tail (the head table names a later seq/hash than the last record), and
// records appended behind the store's back. What it cannot detect alone is a
// consistent rewrite of everything from some record to the end including the
// head: compare head_hash with a copy kept elsewhere for that.
class ChainVerifier {
 public:
  static constexpr size_t kMaxListedProblems = 1000;

  void Add(const AuditRecord& record);
  // Compares with the head table and returns the report.
  VerifyReport Finish(const AuditHead& head);

 private:
  void Problem(std::string message);

  VerifyReport report_;
  int64_t last_seq_ = 0;
  std::string last_hash_{kGenesisHash};
};

}  // namespace gwanmun::store

#endif  // GWANMUN_STORE_AUDIT_CHAIN_H_
