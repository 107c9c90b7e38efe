// Persistent state of the gateway behind one interface: virtual keys and the
// tamper-evident audit log. SQLite (WAL) now; PostgreSQL later. All SQL and
// schema migrations live in this module.
//
// Thread-safety: a Store may be called concurrently from many threads.

#ifndef GWANMUN_STORE_STORE_H_
#define GWANMUN_STORE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gwanmun::store {

// Who is calling: the resolved virtual key.
struct Principal {
  std::string key_id;  // public id, e.g. "key_3f9a…" (never the secret)
  std::string team;
  std::vector<std::string> models;  // allowed models; empty = all
  int64_t rpm = 0;                  // requests per minute, 0 = unlimited
  int64_t tpm = 0;                  // tokens per minute, 0 = unlimited
  // Guardrail policy for this key's requests: a built-in profile name
  // (policy::BuiltinProfileNames()); "" = the deployment/team policy applies.
  std::string policy;
};

struct KeySpec {
  std::string team;
  std::vector<std::string> models;
  int64_t rpm = 0;
  int64_t tpm = 0;
  std::string description;
  // Guardrail profile for the key, "" for the deployment/team policy. The
  // store keeps it as given; callers check the name (the CLI accepts only
  // policy::BuiltinProfileNames()).
  std::string policy;
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
  int64_t seq = 0;   // assigned by AppendAudit, 1-based, gap-free
  std::string time;  // RFC 3339 UTC with milliseconds
  std::string request_id;
  std::string key_id;
  std::string team;
  std::string endpoint;  // e.g. "/v1/chat/completions"
  std::string model;
  std::string upstream;  // upstream name
  std::string region;    // upstream region tag
  int status = 0;        // HTTP status sent to the client
  double latency_ms = 0;
  int64_t tokens_in = 0;
  int64_t tokens_out = 0;
  std::string findings;      // JSON object of per-type counts, e.g. {"KR_RRN":1}; "{}" if none
  std::string action;        // guardrail action summary ("allow", "mask", "block", …)
  std::string fingerprints;  // JSON array of HMAC fingerprints of values, "[]" if none
  std::string prev_hash;     // hex; assigned by AppendAudit
  std::string hash;          // hex SHA-256 over prev_hash + canonical form; assigned
};

struct VerifyReport {
  bool ok = true;
  int64_t records = 0;
  std::vector<std::string> problems;  // human-readable, one per broken link/record
  // The stored head (last appended seq and its hash). Publishing head_hash
  // somewhere outside the database (a ticket, a log shipper) anchors the
  // chain: whoever rewrites the whole tail cannot reproduce it.
  int64_t head_seq = 0;
  std::string head_hash;
  // Number of problems found; `problems` lists at most the first 1000.
  int64_t problem_count = 0;
};

// The last appended record, as stored in the head table (seq 0 and 64 zeros
// when the log is empty).
struct AuditHead {
  int64_t seq = 0;
  std::string hash;
};

// What opening a store found in the audit journals of processes that are
// gone (see AppendAuditJournaled and docs/storage.md).
struct AuditRecoveryReport {
  int64_t journals = 0;           // orphaned journal files recovered (and removed)
  int64_t replayed = 0;           // records appended to the chain from them
  int64_t already_committed = 0;  // entries skipped: committed before the crash
  int64_t torn_or_corrupt = 0;    // journals whose tail was torn or corrupt
  int64_t ignored_bytes = 0;      // bytes of those tails, not replayed
};

// Called once an asynchronously appended record is durable (or failed), on
// the thread that ran the commit (the store's writer thread, or a thread
// inside AppendAudit): keep it short, non-blocking and non-throwing (e.g.
// post to an executor), and never call AppendAudit from it (deadlock). On
// success the record has seq, prev_hash and hash filled.
using AppendCallback = std::function<void(const Status&, const AuditRecord&)>;

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

  // --- additions (defaults keep test doubles of Store compiling) ---

  // Like AppendAudit, but returns at once; `done` runs when the record is
  // durable (same guarantee as AppendAudit returning OK) or has failed. Lets
  // an event-loop thread log a request without blocking on the disk; records
  // from concurrent callers are committed together (group commit). When the
  // queue of uncommitted records is full, this blocks until there is room.
  virtual void AppendAuditAsync(AuditRecord record, AppendCallback done) {
    Status s = AppendAudit(record);
    if (done) done(s, record);
  }
  // The head of the chain: seq and hash of the last appended record.
  virtual Result<AuditHead> ReadAuditHead() { return Status::Error("ReadAuditHead: unsupported"); }
  // Records whose fingerprints (AuditRecord::fingerprints, a JSON array of
  // "TYPE:HEX" strings, see store/fingerprint.h) hold an entry with HEX equal
  // to `fingerprint_hex`, whatever its TYPE; oldest first, at most `limit`.
  // `fingerprint_hex` must be 32 hex digits (either case; see
  // IsFingerprintHex), else an error; stored entries hold lower-case hex.
  // Matches only the fingerprints field, never other fields, and (for
  // arrays written without JSON escapes, as nlohmann::json writes ASCII)
  // exactly what MatchingFingerprintTypes matches. The default pages
  // through ReadAudit (a full scan).
  virtual Result<std::vector<AuditRecord>> FindAuditByFingerprint(std::string_view fingerprint_hex, size_t limit);
  // Records `record` durably against a process crash (kill -9) and returns at
  // once; the record enters the hash chain shortly after, in a background
  // commit (seq/hash assigned then). Same guarantee as AppendAudit returning
  // OK, without waiting for SQLite. On error the record may or may not enter
  // the chain later. Default: AppendAudit.
  //
  // SQLite store: the record is copied into this process's memory-mapped
  // audit journal (one write(2) where mapping is refused; plus fdatasync
  // with synchronous=FULL), then queued for the writer
  // thread's group commit. A journal left by a killed process is replayed
  // into the chain by the next store opened on the database (any process);
  // replayed records get their seq/hash at replay time, so their position in
  // the chain reflects replay time while `time` is the request time.
  virtual Status AppendAuditJournaled(AuditRecord record) { return AppendAudit(record); }
  // Blocks until every record appended so far (either way) is in the chain,
  // or returns an error if a commit fails meanwhile (journaled records are
  // then retried in the background). For tests, CLI, shutdown.
  virtual Status FlushAudit() { return Status::Ok(); }
  // What this store's opening recovered from orphaned audit journals.
  virtual AuditRecoveryReport AuditRecovery() const { return {}; }
};

// How the SQLite store trades durability for speed.
struct SqliteOptions {
  // NORMAL (default): in WAL mode a commit is a write() into the WAL file
  // without fsync, so a committed transaction survives the process being
  // killed (kill -9, crash, OOM killer: the data is in the OS page cache) but
  // the last commits may be lost on power loss or a kernel crash (the
  // database is never corrupted). FULL: the WAL is fsync'ed on every commit,
  // so it also survives power loss, at the cost of one fsync per commit
  // (amortised over a batch by group commit).
  enum class Synchronous { kNormal, kFull };
  Synchronous synchronous = Synchronous::kNormal;
  // Group commit: records appended while a commit runs are queued and the
  // next commit takes all of them in one transaction (each AppendAudit still
  // returns only after its record's commit). Off: each append runs its own
  // transaction on the calling thread.
  bool group_commit = true;
  size_t max_batch = 1024;     // records per transaction (group commit)
  size_t max_queue = 65536;    // uncommitted records before callers block
  int busy_timeout_ms = 5000;  // waiting for another process's write lock
  int read_connections = 4;    // readers (Authenticate, ReadAudit, …)
  // AppendAuditJournaled writes this process's audit journal (file-backed
  // databases only). Off: it is AppendAudit. Recovery of journals left by
  // other processes runs on open either way.
  bool audit_journal = true;
};

// Opens (creating and migrating if needed) an SQLite store at `path`.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const SqliteOptions& options);

// The database file inside a data directory: `data_dir`/gwanmun.db.
std::string DatabasePath(const std::string& data_dir);
// Creates `data_dir` (and parents, mode 0700) if missing, then opens
// DatabasePath(data_dir).
Result<std::unique_ptr<Store>> OpenDataDir(const std::string& data_dir, const SqliteOptions& options = {});

}  // namespace gwanmun::store

#endif  // GWANMUN_STORE_STORE_H_
