// SQLite implementation of Store.
//
// Connections: one writer connection (keys changes, audit appends, schema
// migrations) and a few reader connections (Authenticate, ListKeys,
// ReadAudit, VerifyAudit), each guarded by its own mutex. In WAL mode
// readers never block the writer nor each other.
//
// Audit appends: each transaction is BEGIN IMMEDIATE; read the head; insert
// the records with consecutive seqs and chained hashes; update the head;
// COMMIT. Reading the head inside the write transaction keeps seqs gap-free
// even if another process appends to the same file. With group commit,
// records queue up while a commit runs and the next commit takes all of them
// (up to max_batch) in one such transaction, so under load one commit (and,
// with synchronous=FULL, one fsync) serves many requests. The next commit is
// run by a synchronous caller that finds none running (no thread hand-off
// when idle) or else by the writer thread.
//
// Journaled appends (AppendAuditJournaled): the record is written to this
// process's audit journal (audit_journal.h) with one write(2), under
// journal_mu_, and queued for the writer in the same critical section, so
// the queue holds journaled records in jseq order. Each commit that holds
// journaled records also sets the journal's audit_journals.committed_jseq to
// the highest jseq it commits, in the same transaction. A failed commit puts
// its journaled records back at the queue's head and is retried with
// backoff (they must enter the chain before any later jseq is marked
// committed). Once everything written is committed and the journal has
// grown past kJournalTruncateBytes, it is cut to 0 bytes (jseq keeps
// counting). On a clean close: drain, truncate + fsync, delete the row, then
// unlink the file; if something is still uncommitted the file is left for
// recovery. Opening a store replays the journals of dead processes (their
// flock is free): entries above committed_jseq, in jseq order, with the
// bookkeeping in the same transaction, so a crash at any point never
// appends an entry twice.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <future>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <span>
#include <system_error>
#include <thread>
#include <utility>

#include "store/audit_chain.h"
#include "store/audit_journal.h"
#include "store/crypto.h"
#include "store/fingerprint.h"
#include "store/schema.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace gwanmun::store {
namespace {

using sqlite::Connection;
using sqlite::Statement;
using sqlite::Transaction;

constexpr std::string_view kSecretPrefix = "gw-";
constexpr size_t kSecretRandomBytes = 32;  // 256 bits
constexpr size_t kKeyIdRandomBytes = 8;
constexpr size_t kMaxSecretSize = 512;  // anything longer is not ours
// A fully committed journal is cut to 0 bytes once it is at least this big
// (a truncation per tiny commit would cost an inode update each time).
constexpr uint64_t kJournalTruncateBytes = 256 * 1024;
// Records per transaction when replaying an orphaned journal.
constexpr size_t kReplayBatch = 4096;
// A failed commit of journaled records is retried after 10 ms, doubling up
// to 1 s; when closing, given up after this many failures in a row (the
// records stay in the journal for the next open).
constexpr int kMaxRetriesWhenClosing = 3;

// A connection and the mutex that serialises its use.
struct Slot {
  std::mutex mu;
  std::unique_ptr<Connection> conn;
};

std::string ModelsToJson(const std::vector<std::string>& models) {
  return nlohmann::json(models).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> ModelsFromJson(const std::string& text) {
  std::vector<std::string> models;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return models;
  for (const auto& m : j) {
    if (m.is_string()) models.push_back(m.get<std::string>());
  }
  return models;
}

AuditRecord RowToRecord(const Statement& st) {
  AuditRecord r;
  r.seq = st.Int(0);
  r.time = st.Text(1);
  r.request_id = st.Text(2);
  r.key_id = st.Text(3);
  r.team = st.Text(4);
  r.endpoint = st.Text(5);
  r.model = st.Text(6);
  r.upstream = st.Text(7);
  r.region = st.Text(8);
  r.status = static_cast<int>(st.Int(9));
  r.latency_ms = st.Double(10);
  r.tokens_in = st.Int(11);
  r.tokens_out = st.Int(12);
  r.findings = st.Text(13);
  r.action = st.Text(14);
  r.fingerprints = st.Text(15);
  r.prev_hash = st.Text(16);
  r.hash = st.Text(17);
  return r;
}

Result<AuditHead> ReadHead(Connection& c) {
  auto st = c.Prepare(schema::kSelectAuditHead);
  if (!st.ok()) return st.status();
  auto row = st.value().Step();
  if (!row.ok()) return row.status();
  if (!row.value()) return Status::Error("audit_head row is missing");
  return AuditHead{st.value().Int(0), st.value().Text(1)};
}

Result<int64_t> SchemaVersion(Connection& c) {
  auto st = c.Prepare(schema::kSelectSchemaVersion);
  if (!st.ok()) return st.status();
  auto row = st.value().Step();
  if (!row.ok()) return row.status();
  return st.value().Int(0);
}

Status Migrate(Connection& c) {
  auto migrations = schema::SqliteMigrations();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  auto too_new = [latest](int64_t version) {
    return Status::Error("database schema version " + std::to_string(version) +
                         " is newer than this gwanmun supports (" + std::to_string(latest) + "); upgrade gwanmun");
  };
  if (Status s = c.Exec(schema::kCreateMigrationsTable); !s.ok()) return s;
  // Up to date (the usual case): no write lock needed, so a CLI command
  // does not wait behind a busy gateway.
  auto current = SchemaVersion(c);
  if (!current.ok()) return current.status();
  if (current.value() > latest) return too_new(current.value());
  if (current.value() == latest) return Status::Ok();
  for (const auto& m : migrations) {
    Transaction tx(c);
    if (Status s = tx.Begin(/*immediate=*/true); !s.ok()) return s;
    auto version = SchemaVersion(c);  // again, under the write lock
    if (!version.ok()) return version.status();
    if (version.value() > latest) return too_new(version.value());
    if (version.value() >= m.version) continue;
    if (Status s = c.Exec(m.sql); !s.ok()) {
      return Status::Error("migration " + std::to_string(m.version) + ": " + s.message());
    }
    auto ins = c.Prepare(schema::kInsertMigration);
    if (!ins.ok()) return ins.status();
    ins.value().Bind(1, static_cast<int64_t>(m.version)).Bind(2, m.description).Bind(3, NowRfc3339Millis());
    if (Status s = ins.value().Run(); !s.ok()) return s;
    if (Status s = tx.Commit(); !s.ok()) return s;
  }
  return Status::Ok();
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const SqliteOptions& options) : options_(options) {
    options_.max_batch = std::max<size_t>(1, options_.max_batch);
    options_.max_queue = std::max<size_t>(1, options_.max_queue);
  }

  ~SqliteStore() override {
    {
      std::lock_guard<std::mutex> l(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    space_cv_.notify_all();
    if (writer_thread_.joinable()) writer_thread_.join();  // drains the queue first
    CloseJournal();
  }

  Status Init(const std::string& path) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    auto conn = Connection::Open(path, flags, options_.busy_timeout_ms);
    if (!conn.ok()) return conn.status();
    writer_.conn = std::move(conn).value();
    Connection& w = *writer_.conn;
    const bool in_memory = path.empty() || path == ":memory:";
    {
      auto st = w.Prepare(schema::kPragmaWal);
      if (!st.ok()) return st.status();
      auto row = st.value().Step();
      if (!row.ok()) return row.status();
      std::string mode = row.value() ? st.value().Text(0) : "";
      if (!in_memory && mode != "wal") {
        return Status::Error("cannot switch " + path + " to WAL mode (journal_mode=" + mode + ")");
      }
    }
    const bool full = options_.synchronous == SqliteOptions::Synchronous::kFull;
    if (Status s = w.Exec(full ? schema::kPragmaSyncFull : schema::kPragmaSyncNormal); !s.ok()) {
      return s;
    }
    if (Status s = w.Exec(schema::kPragmaForeignKeys); !s.ok()) return s;
    if (Status s = Migrate(w); !s.ok()) return s;
    if (!in_memory) {
      std::error_code ec;
      auto abs = std::filesystem::absolute(path, ec);
      path_ = ec ? path : abs.string();
      journal_enabled_ = options_.audit_journal;
      if (Status s = RecoverJournals(); !s.ok()) return s;
    }
    // An in-memory database is private to its connection: readers share the
    // writer there.
    if (!in_memory) {
      for (int i = 0; i < options_.read_connections; ++i) {
        auto rc = Connection::Open(path, SQLITE_OPEN_READWRITE, options_.busy_timeout_ms);
        if (!rc.ok()) return rc.status();
        if (Status s = rc.value()->Exec("PRAGMA query_only=1"); !s.ok()) return s;
        auto slot = std::make_unique<Slot>();
        slot->conn = std::move(rc).value();
        readers_.push_back(std::move(slot));
      }
    }
    return Status::Ok();
  }

  // --- keys ---

  Result<CreatedKey> CreateKey(const KeySpec& spec) override {
    if (spec.team.empty()) return Status::Error("a key needs a team");
    if (spec.rpm < 0 || spec.tpm < 0) return Status::Error("rpm and tpm must be >= 0");
    for (const auto& m : spec.models) {
      if (m.empty()) return Status::Error("empty model name");
    }
    CreatedKey out;
    out.info.principal.team = spec.team;
    out.info.principal.models = spec.models;
    out.info.principal.rpm = spec.rpm;
    out.info.principal.tpm = spec.tpm;
    out.info.principal.policy = spec.policy;
    out.info.description = spec.description;
    out.info.created_at = NowRfc3339Millis();
    const std::string models = ModelsToJson(spec.models);
    std::lock_guard<std::mutex> l(writer_.mu);
    Connection& c = *writer_.conn;
    Status last;
    // A collision of 64-bit ids (or, absurdly, 256-bit secrets) is retried.
    for (int attempt = 0; attempt < 4; ++attempt) {
      std::string key_id = "key_" + HexEncode(RandomBytes(kKeyIdRandomBytes));
      std::string secret = std::string(kSecretPrefix) + Base64UrlEncode(RandomBytes(kSecretRandomBytes));
      // Only SHA-256(secret) is stored. An unsalted fast hash is the right
      // tool here: the secret is 256 random bits, so there is nothing to
      // brute-force or precompute, and Authenticate must be cheap.
      Sha256Digest hash = Sha256(secret);
      auto st = c.Prepare(schema::kInsertKey);
      if (!st.ok()) return st.status();
      st.value()
          .Bind(1, key_id)
          .BindBlob(2, hash.data(), hash.size())
          .Bind(3, spec.team)
          .Bind(4, models)
          .Bind(5, spec.rpm)
          .Bind(6, spec.tpm)
          .Bind(7, spec.description)
          .Bind(8, out.info.created_at)
          .Bind(9, spec.policy);
      last = st.value().Run();
      if (last.ok()) {
        out.info.principal.key_id = std::move(key_id);
        out.secret = std::move(secret);
        return out;
      }
      if (sqlite3_extended_errcode(c.db()) != SQLITE_CONSTRAINT_UNIQUE &&
          sqlite3_extended_errcode(c.db()) != SQLITE_CONSTRAINT_PRIMARYKEY) {
        break;
      }
    }
    return Status::Error("create key: " + last.message());
  }

  Result<std::optional<Principal>> Authenticate(std::string_view secret) override {
    // The prefix is public, so rejecting other shapes early leaks nothing.
    if (!secret.starts_with(kSecretPrefix) || secret.size() > kMaxSecretSize) {
      return std::optional<Principal>();
    }
    // Finding the row by its hash (an index probe) can only leak timing about
    // SHA-256 of the presented value, which says nothing about any valid
    // secret; the final comparison is constant-time regardless.
    const Sha256Digest hash = Sha256(secret);
    return WithReader([&](Connection& c) -> Result<std::optional<Principal>> {
      auto st = c.Prepare(schema::kSelectActiveKeyByHash);
      if (!st.ok()) return st.status();
      Statement& s = st.value();
      s.BindBlob(1, hash.data(), hash.size());
      auto row = s.Step();
      if (!row.ok()) return row.status();
      if (!row.value()) return std::optional<Principal>();
      std::string_view stored = s.Blob(1);
      if (!ConstantTimeEqual(stored, std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()))) {
        return std::optional<Principal>();
      }
      Principal p;
      p.key_id = s.Text(0);
      p.team = s.Text(2);
      p.models = ModelsFromJson(s.Text(3));
      p.rpm = s.Int(4);
      p.tpm = s.Int(5);
      p.policy = s.Text(6);
      return std::optional<Principal>(std::move(p));
    });
  }

  Result<std::vector<KeyInfo>> ListKeys() override {
    return WithReader([&](Connection& c) -> Result<std::vector<KeyInfo>> {
      auto st = c.Prepare(schema::kSelectKeys);
      if (!st.ok()) return st.status();
      Statement& s = st.value();
      std::vector<KeyInfo> keys;
      for (;;) {
        auto row = s.Step();
        if (!row.ok()) return row.status();
        if (!row.value()) break;
        KeyInfo k;
        k.principal.key_id = s.Text(0);
        k.principal.team = s.Text(1);
        k.principal.models = ModelsFromJson(s.Text(2));
        k.principal.rpm = s.Int(3);
        k.principal.tpm = s.Int(4);
        k.description = s.Text(5);
        k.created_at = s.Text(6);
        if (!s.IsNull(7)) k.revoked_at = s.Text(7);
        k.principal.policy = s.Text(8);
        keys.push_back(std::move(k));
      }
      return keys;
    });
  }

  // Revoking an already revoked key succeeds and keeps the first revoked_at.
  Status RevokeKey(std::string_view key_id) override {
    std::lock_guard<std::mutex> l(writer_.mu);
    Connection& c = *writer_.conn;
    Transaction tx(c);
    if (Status s = tx.Begin(/*immediate=*/true); !s.ok()) return s;
    {
      auto st = c.Prepare(schema::kSelectKeyRevokedAt);
      if (!st.ok()) return st.status();
      st.value().Bind(1, key_id);
      auto row = st.value().Step();
      if (!row.ok()) return row.status();
      if (!row.value()) return Status::Error("no such key: " + std::string(key_id));
    }
    auto st = c.Prepare(schema::kRevokeKey);
    if (!st.ok()) return st.status();
    st.value().Bind(1, key_id).Bind(2, NowRfc3339Millis());
    if (Status s = st.value().Run(); !s.ok()) return s;
    return tx.Commit();
  }

  // --- audit ---

  Status AppendAudit(AuditRecord& record) override {
    NormalizeAuditRecord(record);
    if (!options_.group_commit) {
      std::lock_guard<std::mutex> l(writer_.mu);
      AuditRecord* one = &record;
      return CommitRecords({&one, 1});
    }
    std::promise<Status> committed;
    std::future<Status> result = committed.get_future();
    Enqueue(
        record,
        [&record, &committed](const Status& s, const AuditRecord& r) {
          if (s.ok()) record = r;
          committed.set_value(s);
        },
        /*may_lead=*/true);
    return result.get();
  }

  void AppendAuditAsync(AuditRecord record, AppendCallback done) override {
    NormalizeAuditRecord(record);
    if (!options_.group_commit) {
      Status s;
      {
        std::lock_guard<std::mutex> l(writer_.mu);
        AuditRecord* one = &record;
        s = CommitRecords({&one, 1});
      }
      if (done) done(s, record);
      return;
    }
    Enqueue(std::move(record), std::move(done), /*may_lead=*/false);
  }

  Status AppendAuditJournaled(AuditRecord record) override {
    if (!journal_enabled_) return AppendAudit(record);
    NormalizeAuditRecord(record);
    {
      std::unique_lock<std::mutex> l(queue_mu_);
      space_cv_.wait(l, [&] { return stopping_ || queue_.size() < options_.max_queue; });
      if (stopping_) return Status::Error("store is closing");
    }
    int64_t jseq = 0;
    {
      std::lock_guard<std::mutex> j(journal_mu_);
      if (!journal_) {
        auto created = JournalFile::Create(path_, FullSync());
        if (!created.ok()) return Status::Error("audit journal: " + created.status().message());
        journal_ = std::move(created).value();
        journal_name_ = journal_->name();
      }
      jseq = journal_written_ + 1;
      if (Status s = journal_->Append(EncodeJournalEntry(jseq, record)); !s.ok()) {
        return Status::Error("audit journal: " + s.message());
      }
      journal_written_ = jseq;
      // Queued under journal_mu_: queue order = jseq order.
      std::unique_lock<std::mutex> l(queue_mu_);
      if (!writer_thread_.joinable()) writer_thread_ = std::thread([this] { WriterLoop(); });
      queue_.push_back(Pending{std::move(record), nullptr, jseq, ++next_ticket_});
      // The writer is woken by the first record of an idle queue; while it
      // lingers to gather a batch, only a full batch wakes it early. (A
      // journaled record is already durable: nobody waits for its commit.)
      const bool wake = lingering_ ? queue_.size() >= options_.max_batch : (!committing_ && queue_.size() == 1);
      l.unlock();
      if (wake) queue_cv_.notify_one();
    }
    if (FullSync()) return SyncJournal(jseq);
    return Status::Ok();
  }

  Status FlushAudit() override {
    std::unique_lock<std::mutex> l(queue_mu_);
    const uint64_t target = next_ticket_;
    const uint64_t failures = commit_failures_;
    ++flush_waiters_;
    if (lingering_) queue_cv_.notify_all();
    flush_cv_.wait(l, [&] { return resolved_ticket_ >= target || commit_failures_ != failures; });
    --flush_waiters_;
    if (resolved_ticket_ >= target) return Status::Ok();
    return Status::Error("audit commit failed (journaled records are retried): " + last_failure_.message());
  }

  AuditRecoveryReport AuditRecovery() const override { return recovery_; }

  Result<std::vector<AuditRecord>> ReadAudit(int64_t after_seq, size_t limit) override {
    return WithReader([&](Connection& c) -> Result<std::vector<AuditRecord>> {
      auto st = c.Prepare(schema::kSelectAuditAfter);
      if (!st.ok()) return st.status();
      Statement& s = st.value();
      const auto capped =
          static_cast<int64_t>(std::min<size_t>(limit, static_cast<size_t>(std::numeric_limits<int64_t>::max())));
      s.Bind(1, after_seq).Bind(2, capped);
      std::vector<AuditRecord> out;
      for (;;) {
        auto row = s.Step();
        if (!row.ok()) return row.status();
        if (!row.value()) break;
        out.push_back(RowToRecord(s));
      }
      return out;
    });
  }

  // Candidates come from an instr() scan of the fingerprints column (no
  // JSON parsing in SQL), then each is checked by parsing its array, page by
  // page until `limit` records are found.
  Result<std::vector<AuditRecord>> FindAuditByFingerprint(std::string_view fingerprint_hex, size_t limit) override {
    if (!IsFingerprintHex(fingerprint_hex)) {
      return Status::Error("a fingerprint is 32 hex digits");
    }
    const std::string needle = ":" + LowerHex(fingerprint_hex) + "\"";
    constexpr int64_t kPage = 1000;
    std::vector<AuditRecord> found;
    int64_t after = 0;
    while (found.size() < limit) {
      int64_t rows = 0;
      Status s = WithReader([&](Connection& c) -> Status {
        auto st = c.Prepare(schema::kSelectAuditByFingerprint);
        if (!st.ok()) return st.status();
        Statement& q = st.value();
        q.Bind(1, after).Bind(2, std::string_view(needle)).Bind(3, kPage);
        while (found.size() < limit) {
          auto row = q.Step();
          if (!row.ok()) return row.status();
          if (!row.value()) break;
          ++rows;
          AuditRecord r = RowToRecord(q);
          after = r.seq;
          if (!MatchingFingerprintTypes(r.fingerprints, fingerprint_hex).empty()) {
            found.push_back(std::move(r));
          }
        }
        return Status::Ok();
      });
      if (!s.ok()) return s;
      if (rows < kPage) break;
    }
    return found;
  }

  Result<AuditHead> ReadAuditHead() override {
    return WithReader([&](Connection& c) { return ReadHead(c); });
  }

  Result<VerifyReport> VerifyAudit() override {
    return WithReader([&](Connection& c) -> Result<VerifyReport> {
      // One read transaction: the head and the rows come from one snapshot,
      // so appends running meanwhile do not look like a broken tail.
      Transaction tx(c);
      if (Status s = tx.Begin(/*immediate=*/false); !s.ok()) return s;
      auto head = ReadHead(c);
      if (!head.ok()) return head.status();
      ChainVerifier verifier;
      {
        auto st = c.Prepare(schema::kSelectAuditAll);
        if (!st.ok()) return st.status();
        Statement& s = st.value();
        for (;;) {
          auto row = s.Step();
          if (!row.ok()) return row.status();
          if (!row.value()) break;
          verifier.Add(RowToRecord(s));
        }
      }
      VerifyReport report = verifier.Finish(head.value());
      if (Status s = tx.Commit(); !s.ok()) return s;
      return report;
    });
  }

 private:
  struct Pending {
    AuditRecord record;
    AppendCallback done;
    int64_t jseq = 0;     // > 0: journaled (no callback; retried on failure)
    uint64_t ticket = 0;  // queue order, for FlushAudit
  };

  bool FullSync() const { return options_.synchronous == SqliteOptions::Synchronous::kFull; }

  // fdatasync of the journal covering at least `jseq`. One sync serves
  // every entry written before it started (group commit style).
  Status SyncJournal(int64_t jseq) {
    std::lock_guard<std::mutex> s(sync_mu_);
    if (journal_synced_ >= jseq) return Status::Ok();
    int64_t target = 0;
    JournalFile* file = nullptr;
    {
      std::lock_guard<std::mutex> j(journal_mu_);
      target = journal_written_;
      file = journal_.get();  // lives until the store is destroyed
    }
    Status st = file->Sync();  // only reads the fd: safe beside appends
    if (st.ok()) journal_synced_ = target;
    return st;
  }

  // Runs f(Connection&) on a free reader (or waits for one).
  template <typename F>
  auto WithReader(F&& f) -> decltype(f(std::declval<Connection&>())) {
    if (readers_.empty()) {
      std::lock_guard<std::mutex> l(writer_.mu);
      return f(*writer_.conn);
    }
    const size_t n = readers_.size();
    const size_t start = next_reader_.fetch_add(1, std::memory_order_relaxed) % n;
    for (size_t i = 0; i < n; ++i) {
      Slot& slot = *readers_[(start + i) % n];
      std::unique_lock<std::mutex> l(slot.mu, std::try_to_lock);
      if (l.owns_lock()) return f(*slot.conn);
    }
    Slot& slot = *readers_[start];
    std::lock_guard<std::mutex> l(slot.mu);
    return f(*slot.conn);
  }

  // Queues a record for the next commit. A synchronous caller that finds no
  // commit in progress leads: it commits the queue's head itself (no thread
  // hand-off when uncontended). Otherwise the writer thread takes over as
  // soon as the running commit ends, with everything queued meanwhile.
  void Enqueue(AuditRecord record, AppendCallback done, bool may_lead) {
    std::unique_lock<std::mutex> l(queue_mu_);
    space_cv_.wait(l, [&] { return stopping_ || queue_.size() < options_.max_queue; });
    if (stopping_) {
      l.unlock();
      if (done) done(Status::Error("store is closing"), record);
      return;
    }
    if (!writer_thread_.joinable()) writer_thread_ = std::thread([this] { WriterLoop(); });
    queue_.push_back(Pending{std::move(record), std::move(done), 0, ++next_ticket_});
    ++unjournaled_queued_;
    if (may_lead && !committing_ && !lingering_) {
      CommitBatchLocked(l);
    } else if (!committing_) {
      l.unlock();
      queue_cv_.notify_one();
    }
  }

  void WriterLoop() {
    std::unique_lock<std::mutex> l(queue_mu_);
    for (;;) {
      queue_cv_.wait(l, [&] { return (stopping_ || !queue_.empty()) && !committing_; });
      if (queue_.empty()) return;  // stopping, and everything is committed
      if (consecutive_failures_ > 0) {
        if (stopping_ && consecutive_failures_ >= kMaxRetriesWhenClosing) {
          DropQueueLocked(l);  // journaled records stay in the journal
          return;
        }
        if (std::chrono::steady_clock::now() < retry_at_) {
          queue_cv_.wait_until(l, retry_at_);
          continue;
        }
      }
      // Only journaled records queued: they are durable already, so gather
      // a larger batch for a moment (fewer commits and thread wake-ups under
      // load). Anyone waiting — a synchronous append, a callback, FlushAudit,
      // closing — ends the wait at once.
      if (unjournaled_queued_ == 0 && flush_waiters_ == 0 && !stopping_ && queue_.size() < options_.max_batch) {
        lingering_ = true;
        queue_cv_.wait_for(l, kJournalLinger, [&] {
          return stopping_ || flush_waiters_ > 0 || unjournaled_queued_ > 0 || queue_.size() >= options_.max_batch;
        });
        lingering_ = false;
        if (committing_ || queue_.empty()) continue;  // a leader took the queue meanwhile
      }
      CommitBatchLocked(l);
      if (!l.owns_lock()) l.lock();
    }
  }

  // With queue_mu_ held in `l` and no commit running: commits up to
  // max_batch records from the queue's head, runs their callbacks, and
  // wakes the writer thread if more are queued. Returns with `l` unlocked.
  void CommitBatchLocked(std::unique_lock<std::mutex>& l) {
    committing_ = true;
    const size_t n = std::min(queue_.size(), options_.max_batch);
    std::vector<Pending> batch(std::make_move_iterator(queue_.begin()),
                               std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(n)));
    for (size_t i = 0; i < n; ++i) {
      if (batch[i].jseq == 0) --unjournaled_queued_;
    }
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
    l.unlock();
    space_cv_.notify_all();
    std::vector<AuditRecord*> records;
    records.reserve(batch.size());
    int64_t max_jseq = 0;
    for (auto& p : batch) {
      records.push_back(&p.record);
      max_jseq = std::max(max_jseq, p.jseq);
    }
    Status s;
    {
      std::lock_guard<std::mutex> w(writer_.mu);
      // journal_name_ was set before the first journaled record was queued
      // (ordered by queue_mu_).
      s = CommitRecords(records, max_jseq > 0 ? std::string_view(journal_name_) : "", max_jseq);
    }
    if (s.ok() && max_jseq > 0) JournalCommitted(max_jseq);
    RunCallbacks(batch, s);
    l.lock();
    if (s.ok()) {
      consecutive_failures_ = 0;
    } else {
      // Journaled records must reach the chain before any later jseq is
      // marked committed: back to the head of the queue, in order.
      std::deque<Pending> retry;
      for (auto& p : batch) {
        if (p.jseq > 0) retry.push_back(std::move(p));
      }
      queue_.insert(queue_.begin(), std::make_move_iterator(retry.begin()), std::make_move_iterator(retry.end()));
      ++commit_failures_;
      ++consecutive_failures_;
      last_failure_ = s;
      const auto backoff =
          std::chrono::milliseconds(std::min<int64_t>(1000, int64_t{10} << std::min(consecutive_failures_ - 1, 7)));
      retry_at_ = std::chrono::steady_clock::now() + backoff;
    }
    committing_ = false;
    UpdateResolvedLocked();
    const bool more = !queue_.empty() || stopping_;
    l.unlock();
    flush_cv_.notify_all();
    if (more) queue_cv_.notify_one();
  }

  // With queue_mu_ held and no commit running: every ticket before the
  // queue's head is resolved (committed, or failed and reported).
  void UpdateResolvedLocked() { resolved_ticket_ = queue_.empty() ? next_ticket_ : queue_.front().ticket - 1; }

  // Closing with commits failing: fails the callbacks of what is queued and
  // forgets it. Journaled records stay in the journal (CloseJournal then
  // leaves the file, and the next open replays it).
  void DropQueueLocked(std::unique_lock<std::mutex>& l) {
    std::deque<Pending> dropped = std::move(queue_);
    queue_.clear();
    unjournaled_queued_ = 0;
    resolved_ticket_ = next_ticket_;
    const Status s = Status::Error("store closed while audit commits were failing: " + last_failure_.message());
    l.unlock();
    flush_cv_.notify_all();
    space_cv_.notify_all();
    RunCallbacks(dropped, s);
    l.lock();
  }

  // Tells the waiters of `pending` (journaled records have none) how their
  // commit ended. Callbacks must not throw; one that does must not stop the
  // commits.
  template <typename Container>
  static void RunCallbacks(Container& pending, const Status& s) {
    for (auto& p : pending) {
      if (!p.done) continue;
      try {
        p.done(s, p.record);
      } catch (...) {
      }
    }
  }

  // After a commit that made every jseq <= `jseq` part of the chain.
  void JournalCommitted(int64_t jseq) {
    std::lock_guard<std::mutex> j(journal_mu_);
    journal_committed_ = jseq;
    // Under journal_mu_, so no append races in between the check and the
    // cut. A failed truncation is harmless (committed_jseq skips entries).
    if (journal_committed_ == journal_written_ && journal_->size() >= kJournalTruncateBytes) {
      (void)journal_->Truncate();
    }
  }

  // Clean close, after the writer thread has drained the queue: if every
  // journaled record is committed, truncate (and fsync, so the truncation
  // is durable before the row goes), delete the journal's row, unlink the
  // file. Otherwise leave both for recovery by the next open.
  void CloseJournal() {
    std::lock_guard<std::mutex> j(journal_mu_);
    if (!journal_ || journal_committed_ != journal_written_) return;
    if (!journal_->Truncate().ok() || !journal_->Sync().ok()) return;
    {
      std::lock_guard<std::mutex> w(writer_.mu);
      auto st = writer_.conn->Prepare(schema::kDeleteJournal);
      if (!st.ok()) return;
      st.value().Bind(1, std::string_view(journal_name_));
      if (!st.value().Run().ok()) return;  // an empty file + row: recovery removes both
    }
    (void)journal_->Unlink();
  }

  // Replays the journals of processes that are gone (see the file comment).
  Status RecoverJournals() {
    auto orphans = JournalFile::OpenOrphans(path_);
    if (!orphans.ok()) return orphans.status();
    for (auto& file : orphans.value()) {
      if (Status s = RecoverJournal(*file); !s.ok()) {
        return Status::Error("recovering audit journal " + file->path() + ": " + s.message());
      }
    }
    return Status::Ok();
  }

  Status RecoverJournal(JournalFile& file) {
    auto read = file.Read();
    if (!read.ok()) return read.status();
    JournalContents& contents = read.value();
    const std::string name = file.name();
    ++recovery_.journals;
    if (contents.ignored_bytes > 0) {
      ++recovery_.torn_or_corrupt;
      recovery_.ignored_bytes += static_cast<int64_t>(contents.ignored_bytes);
    }
    std::lock_guard<std::mutex> w(writer_.mu);
    Connection& c = *writer_.conn;
    size_t next = 0;  // index of the first entry not yet looked at
    bool first = true;
    while (first || next < contents.entries.size()) {
      Transaction tx(c);
      if (Status s = tx.Begin(/*immediate=*/true); !s.ok()) return s;
      auto committed = JournalCommittedJseq(c, name);
      if (!committed.ok()) return committed.status();
      while (next < contents.entries.size() && contents.entries[next].jseq <= committed.value()) {
        ++next;
        if (first) ++recovery_.already_committed;
      }
      first = false;
      std::vector<AuditRecord*> records;
      int64_t last = 0;
      for (; next < contents.entries.size() && records.size() < kReplayBatch; ++next) {
        records.push_back(&contents.entries[next].record);
        last = contents.entries[next].jseq;
      }
      if (records.empty()) break;
      if (Status s = AppendToChain(c, records); !s.ok()) return s;
      if (Status s = SetJournalCommitted(c, name, last); !s.ok()) return s;
      if (Status s = tx.Commit(); !s.ok()) return s;
      recovery_.replayed += static_cast<int64_t>(records.size());
    }
    // Everything is in the chain and the row says so. Remove the file first
    // (or make it durably empty), then the row, so no state replays twice.
    if (file.Truncate().ok() && file.Sync().ok()) {
      if (Status s = DeleteJournalRow(c, name); !s.ok()) return s;
      return file.Unlink();
    }
    if (Status s = file.Unlink(); !s.ok()) return s;
    return DeleteJournalRow(c, name);
  }

  static Result<int64_t> JournalCommittedJseq(Connection& c, const std::string& name) {
    auto st = c.Prepare(schema::kSelectJournalCommitted);
    if (!st.ok()) return st.status();
    st.value().Bind(1, std::string_view(name));
    auto row = st.value().Step();
    if (!row.ok()) return row.status();
    return row.value() ? st.value().Int(0) : int64_t{0};
  }

  static Status SetJournalCommitted(Connection& c, std::string_view name, int64_t jseq) {
    auto st = c.Prepare(schema::kUpsertJournalCommitted);
    if (!st.ok()) return st.status();
    st.value().Bind(1, name).Bind(2, jseq);
    return st.value().Run();
  }

  static Status DeleteJournalRow(Connection& c, std::string_view name) {
    auto st = c.Prepare(schema::kDeleteJournal);
    if (!st.ok()) return st.status();
    st.value().Bind(1, name);
    return st.value().Run();
  }

  // Appends `records` (normalised) in one transaction, filling seq,
  // prev_hash and hash; with `committed_jseq` > 0 also records that
  // journal `journal_name` is committed up to there. On failure nothing is
  // stored and those fields are cleared. Caller holds writer_.mu.
  Status CommitRecords(std::span<AuditRecord* const> records, std::string_view journal_name = {},
                       int64_t committed_jseq = 0) {
    Status s = TryCommitRecords(records, journal_name, committed_jseq);
    if (!s.ok()) {
      for (AuditRecord* r : records) {
        r->seq = 0;
        r->prev_hash.clear();
        r->hash.clear();
      }
    }
    return s;
  }

  Status TryCommitRecords(std::span<AuditRecord* const> records, std::string_view journal_name,
                          int64_t committed_jseq) {
    Connection& c = *writer_.conn;
    Transaction tx(c);
    if (Status s = tx.Begin(/*immediate=*/true); !s.ok()) return s;
    if (Status s = AppendToChain(c, records); !s.ok()) return s;
    if (committed_jseq > 0) {
      if (Status s = SetJournalCommitted(c, journal_name, committed_jseq); !s.ok()) return s;
    }
    // Returns only once COMMIT has written the WAL (and fsync'ed it with
    // synchronous=FULL): see SqliteOptions::synchronous.
    return tx.Commit();
  }

  // Inside an open write transaction: reads the head, inserts `records`
  // with the next seqs and chained hashes, updates the head.
  static Status AppendToChain(Connection& c, std::span<AuditRecord* const> records) {
    auto head = ReadHead(c);
    if (!head.ok()) return head.status();
    int64_t seq = head.value().seq;
    std::string prev = std::move(head.value().hash);
    for (AuditRecord* r : records) {
      r->seq = ++seq;
      r->prev_hash = prev;
      r->hash = ChainHash(prev, *r);
      prev = r->hash;
      auto st = c.Prepare(schema::kInsertAudit);
      if (!st.ok()) return st.status();
      // The record outlives the statement: no copies of its text.
      st.value()
          .Bind(1, r->seq)
          .BindStatic(2, r->time)
          .BindStatic(3, r->request_id)
          .BindStatic(4, r->key_id)
          .BindStatic(5, r->team)
          .BindStatic(6, r->endpoint)
          .BindStatic(7, r->model)
          .BindStatic(8, r->upstream)
          .BindStatic(9, r->region)
          .Bind(10, static_cast<int64_t>(r->status))
          .Bind(11, r->latency_ms)
          .Bind(12, r->tokens_in)
          .Bind(13, r->tokens_out)
          .BindStatic(14, r->findings)
          .BindStatic(15, r->action)
          .BindStatic(16, r->fingerprints)
          .BindStatic(17, r->prev_hash)
          .BindStatic(18, r->hash);
      if (Status s = st.value().Run(); !s.ok()) return Status::Error("append audit: " + s.message());
    }
    {
      auto st = c.Prepare(schema::kUpdateAuditHead);
      if (!st.ok()) return st.status();
      st.value().Bind(1, seq).Bind(2, prev);
      if (Status s = st.value().Run(); !s.ok()) return s;
    }
    return Status::Ok();
  }

  SqliteOptions options_;
  Slot writer_;
  std::vector<std::unique_ptr<Slot>> readers_;
  std::atomic<size_t> next_reader_{0};

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;  // writer thread: work or stop
  std::condition_variable space_cv_;  // producers: room in the queue
  std::deque<Pending> queue_;
  bool committing_ = false;        // a batch is being committed (by a leader or the writer)
  bool lingering_ = false;         // the writer waits a moment to gather journaled records
  size_t unjournaled_queued_ = 0;  // queued records someone waits for (not journaled)
  int flush_waiters_ = 0;          // FlushAudit calls waiting
  static constexpr std::chrono::milliseconds kJournalLinger{2};
  bool stopping_ = false;
  uint64_t next_ticket_ = 0;      // tickets handed out (Pending::ticket)
  uint64_t resolved_ticket_ = 0;  // every ticket <= this is committed or failed
  uint64_t commit_failures_ = 0;  // failed commits so far
  int consecutive_failures_ = 0;
  Status last_failure_;
  std::chrono::steady_clock::time_point retry_at_;
  std::condition_variable flush_cv_;  // FlushAudit: resolved_ticket_ moved or a commit failed
  std::thread writer_thread_;

  // Audit journal. Lock order: journal_mu_, then queue_mu_ or writer_.mu.
  std::string path_;  // absolute database path ("" in memory)
  bool journal_enabled_ = false;
  std::mutex journal_mu_;
  std::unique_ptr<JournalFile> journal_;  // created by the first journaled append
  std::string journal_name_;              // journal_->name(), set with it
  int64_t journal_written_ = 0;           // last jseq written
  int64_t journal_committed_ = 0;         // last jseq in the chain
  std::mutex sync_mu_;                    // synchronous=FULL: one fdatasync at a time
  int64_t journal_synced_ = 0;            // under sync_mu_
  AuditRecoveryReport recovery_;          // set by Init
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  return OpenSqliteStore(path, SqliteOptions{});
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const SqliteOptions& options) {
  if (Status s = EnsureCryptoInit(); !s.ok()) return s;
  // No process-wide allocation statistics: they take a global mutex on every
  // SQLite allocation (dozens per audit record). Only possible before
  // SQLite initialises; later calls change nothing.
  [[maybe_unused]] static const int kMemStatusOff = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  auto store = std::make_unique<SqliteStore>(options);
  if (Status s = store->Init(path); !s.ok()) return s;
  return std::unique_ptr<Store>(std::move(store));
}

std::string DatabasePath(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "gwanmun.db").string();
}

Result<std::unique_ptr<Store>> OpenDataDir(const std::string& data_dir, const SqliteOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(data_dir, ec)) {
    fs::create_directories(data_dir, ec);
    if (ec) return Status::Error("cannot create data directory " + data_dir + ": " + ec.message());
    // Keys' hashes and the audit log: owner only.
    fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  } else if (!fs::is_directory(data_dir, ec)) {
    return Status::Error("data directory " + data_dir + " is not a directory");
  }
  return OpenSqliteStore(DatabasePath(data_dir), options);
}

}  // namespace gwanmun::store
