// Persistent state of the gateway behind one interface: virtual keys and the
// tamper-evident audit log. SQLite (WAL) now; PostgreSQL later. All SQL and
// schema migrations live in this module.
//
// Thread-safety: a Store may be called concurrently from many threads.

#ifndef GWANMUN_STORE_STORE_H_
#define GWANMUN_STORE_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gwanmun::store {

// Who is calling: the resolved virtual key.
struct Principal {
  std::string key_id;               // public id, e.g. "key_3f9a…" (never the secret)
  std::string team;
  std::vector<std::string> models;  // allowed models; empty = all
  int64_t rpm = 0;                  // requests per minute, 0 = unlimited
  int64_t tpm = 0;                  // tokens per minute, 0 = unlimited
};

struct KeySpec {
  std::string team;
  std::vector<std::string> models;
  int64_t rpm = 0;
  int64_t tpm = 0;
  std::string description;
};

struct KeyInfo {
  Principal principal;
  std::string created_at;  // RFC 3339 UTC
  std::optional<std::string> revoked_at;
  std::string description;
};

struct CreatedKey {
  KeyInfo info;
  std::string secret;  // shown once ("gw-…"); only a hash is stored
};

// One record per request. Never holds request or response content.
struct AuditRecord {
  int64_t seq = 0;          // assigned by AppendAudit, 1-based, gap-free
  std::string time;         // RFC 3339 UTC with milliseconds
  std::string request_id;
  std::string key_id;
  std::string team;
  std::string endpoint;     // e.g. "/v1/chat/completions"
  std::string model;
  std::string upstream;     // upstream name
  std::string region;       // upstream region tag
  int status = 0;           // HTTP status sent to the client
  double latency_ms = 0;
  int64_t tokens_in = 0;
  int64_t tokens_out = 0;
  std::string findings;     // JSON object of per-type counts, e.g. {"KR_RRN":1}; "{}" if none
  std::string action;       // guardrail action summary ("allow", "mask", "block", …)
  std::string fingerprints; // JSON array of HMAC fingerprints of values, "[]" if none
  std::string prev_hash;    // hex; assigned by AppendAudit
  std::string hash;         // hex SHA-256 over prev_hash + canonical form; assigned
};

struct VerifyReport {
  bool ok = true;
  int64_t records = 0;
  std::vector<std::string> problems;  // human-readable, one per broken link/record
};

class Store {
 public:
  virtual ~Store() = default;

  // --- keys ---
  virtual Result<CreatedKey> CreateKey(const KeySpec& spec) = 0;
  // Resolves a presented bearer secret. nullopt if unknown or revoked.
  // Compares hashes in constant time.
  virtual Result<std::optional<Principal>> Authenticate(std::string_view secret) = 0;
  virtual Result<std::vector<KeyInfo>> ListKeys() = 0;
  // Revokes by key id. Error if no such key.
  virtual Status RevokeKey(std::string_view key_id) = 0;

  // --- audit ---
  // Appends a record, filling seq, prev_hash and hash. Durable against a
  // process crash (kill -9) when it returns OK.
  virtual Status AppendAudit(AuditRecord& record) = 0;
  // Records with seq > after_seq, oldest first, at most `limit`.
  virtual Result<std::vector<AuditRecord>> ReadAudit(int64_t after_seq, size_t limit) = 0;
  // Re-computes the hash chain; reports edited, deleted or reordered records.
  virtual Result<VerifyReport> VerifyAudit() = 0;
};

// Opens (creating and migrating if needed) an SQLite store at `path`.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

}  // namespace gwanmun::store

#endif  // GWANMUN_STORE_STORE_H_
