// The per-process audit journal: its encoding, AppendAuditJournaled and
// FlushAudit, recovery of journals left by killed processes (fork +
// SIGKILL), journals of live processes left alone, idempotent replay after a
// crash between a commit and the journal's truncation, and clean shutdown.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "store/audit_chain.h"
#include "store/audit_journal.h"
#include "store/crypto.h"
#include "store_test_util.h"

namespace gwanmun::store {
namespace {

using testing::Joined;
using testing::MakeRecord;
using testing::OpenOrDie;
using testing::RawSql;
using testing::ScratchDir;

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(EnsureCryptoInit().ok()); }
};

// Journal files (any state) next to the database in `dir`.
std::vector<std::string> JournalFiles(const ScratchDir& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    const std::string name = e.path().filename().string();
    if (name.find("-audit-") != std::string::npos) out.push_back(e.path().string());
  }
  return out;
}

int64_t CountRows(const std::string& db, const std::string& table) {
  auto conn = sqlite::Connection::Open(db, SQLITE_OPEN_READONLY, 5000);
  if (!conn.ok()) return -1;
  sqlite3_stmt* raw = nullptr;
  const std::string sql = "SELECT COUNT(*) FROM " + table;
  if (sqlite3_prepare_v2(conn.value()->db(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) return -1;
  sqlite::StmtPtr st(raw);
  if (sqlite3_step(raw) != SQLITE_ROW) return -1;
  return sqlite3_column_int64(raw, 0);
}

std::vector<AuditRecord> ReadAll(Store& store) {
  std::vector<AuditRecord> all;
  for (int64_t last = 0;;) {
    auto page = store.ReadAudit(last, 10000);
    EXPECT_TRUE(page.ok()) << page.status().message();
    if (!page.ok() || page.value().empty()) break;
    for (auto& r : page.value()) all.push_back(std::move(r));
    last = all.back().seq;
  }
  return all;
}

void ExpectChainOk(Store& store, int64_t records) {
  auto report = store.VerifyAudit();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report.value().ok) << Joined(report.value().problems);
  EXPECT_EQ(report.value().records, records);
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// A write lock on the database held by a connection of its own, so that no
// audit commit can happen until Release().
class WriteLock {
 public:
  explicit WriteLock(const std::string& db) {
    auto c = sqlite::Connection::Open(db, SQLITE_OPEN_READWRITE, 5000);
    EXPECT_TRUE(c.ok());
    if (!c.ok()) return;
    conn_ = std::move(c).value();
    EXPECT_TRUE(conn_->Exec("BEGIN IMMEDIATE").ok());
  }
  void Release() {
    if (conn_) {
      EXPECT_TRUE(conn_->Exec("ROLLBACK").ok());
    }
    conn_.reset();
  }
  ~WriteLock() { Release(); }

 private:
  std::unique_ptr<sqlite::Connection> conn_;
};

void ExpectSameContent(const AuditRecord& a, const AuditRecord& b) {
  EXPECT_EQ(a.time, b.time);
  EXPECT_EQ(a.request_id, b.request_id);
  EXPECT_EQ(a.key_id, b.key_id);
  EXPECT_EQ(a.team, b.team);
  EXPECT_EQ(a.endpoint, b.endpoint);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.upstream, b.upstream);
  EXPECT_EQ(a.region, b.region);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.latency_ms, b.latency_ms);
  EXPECT_EQ(a.tokens_in, b.tokens_in);
  EXPECT_EQ(a.tokens_out, b.tokens_out);
  EXPECT_EQ(a.findings, b.findings);
  EXPECT_EQ(a.action, b.action);
  EXPECT_EQ(a.fingerprints, b.fingerprints);
}

// --- encoding ---

TEST_F(JournalTest, EncodeDecodeRoundTrip) {
  std::vector<AuditRecord> in;
  in.push_back(MakeRecord(1, "팀 \"따옴표\",\n줄바꿈"));
  AuditRecord odd = MakeRecord(2);
  odd.status = -7;
  odd.tokens_in = int64_t{1} << 50;
  odd.tokens_out = -1;
  odd.latency_ms = 0.1 + 0.2;
  odd.model = std::string("a\0b", 3);
  odd.fingerprints = R"(["KR_RRN:0123456789abcdef0123456789abcdef"])";
  in.push_back(odd);
  AuditRecord empty;  // every string empty
  in.push_back(empty);
  std::string bytes;
  for (size_t i = 0; i < in.size(); ++i) bytes += EncodeJournalEntry(static_cast<int64_t>(i) + 1, in[i]);
  JournalContents out = DecodeJournal(bytes);
  EXPECT_EQ(out.valid_bytes, bytes.size());
  EXPECT_EQ(out.ignored_bytes, 0u);
  ASSERT_EQ(out.entries.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out.entries[i].jseq, static_cast<int64_t>(i) + 1);
    ExpectSameContent(out.entries[i].record, in[i]);
    EXPECT_EQ(out.entries[i].record.seq, 0);
    EXPECT_TRUE(out.entries[i].record.hash.empty());
  }
  EXPECT_TRUE(DecodeJournal("").entries.empty());
}

TEST_F(JournalTest, TornTrailingEntryIsIgnoredAtEveryCut) {
  const std::string a = EncodeJournalEntry(1, MakeRecord(1));
  const std::string b = EncodeJournalEntry(2, MakeRecord(2));
  const std::string c = EncodeJournalEntry(3, MakeRecord(3));
  const std::string whole = a + b + c;
  for (size_t cut = a.size() + b.size(); cut < whole.size(); ++cut) {
    JournalContents out = DecodeJournal(std::string_view(whole).substr(0, cut));
    ASSERT_EQ(out.entries.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(out.valid_bytes, a.size() + b.size());
    // Counted up to its last non-zero byte (a zero tail reads as room).
    size_t end = cut;
    while (end > a.size() + b.size() && whole[end - 1] == '\0') --end;
    EXPECT_EQ(out.ignored_bytes, end - a.size() - b.size());
    if (cut > a.size() + b.size()) {
      EXPECT_GT(out.ignored_bytes, 0u);  // the magic at least
    }
  }
  // Zeros after the last entry are preallocated room, not damage.
  JournalContents zeros = DecodeJournal(whole + std::string(4096, '\0'));
  EXPECT_EQ(zeros.entries.size(), 3u);
  EXPECT_EQ(zeros.valid_bytes, whole.size());
  EXPECT_EQ(zeros.ignored_bytes, 0u);
  // A torn entry before the zeros is still counted.
  JournalContents torn = DecodeJournal(a + b + c.substr(0, 4) + std::string(4096, '\0'));
  EXPECT_EQ(torn.entries.size(), 2u);
  EXPECT_EQ(torn.ignored_bytes, 4u);
}

TEST_F(JournalTest, CorruptEntryEndsTheValidPart) {
  const std::string a = EncodeJournalEntry(1, MakeRecord(1));
  const std::string b = EncodeJournalEntry(2, MakeRecord(2));
  const std::string c = EncodeJournalEntry(3, MakeRecord(3));
  // Every byte of the last entry, flipped, is detected.
  for (size_t i = 0; i < c.size(); ++i) {
    std::string bad = a + b + c;
    bad[a.size() + b.size() + i] ^= 0x01;
    JournalContents out = DecodeJournal(bad);
    EXPECT_EQ(out.entries.size(), 2u) << "byte " << i;
    EXPECT_EQ(out.ignored_bytes, c.size());
  }
  // A jseq that does not increase is not accepted.
  JournalContents dup = DecodeJournal(a + b + EncodeJournalEntry(2, MakeRecord(3)));
  EXPECT_EQ(dup.entries.size(), 2u);
  EXPECT_GT(dup.ignored_bytes, 0u);
  // An unknown version is not read.
  std::string v2 = c;
  v2[4] = 2;
  EXPECT_EQ(DecodeJournal(a + v2).entries.size(), 1u);
}

// --- the store ---

TEST_F(JournalTest, JournaledAppendsReachTheChainOnFlush) {
  ScratchDir dir;
  std::vector<AuditRecord> sent;
  {
    auto store = OpenOrDie(dir.db());
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->FlushAudit().ok());  // nothing yet
    EXPECT_TRUE(JournalFiles(dir).empty()) << "the journal is created lazily";
    for (int i = 1; i <= 200; ++i) {
      AuditRecord r = MakeRecord(i);
      if (i % 7 == 0) r.time.clear();  // filled at append time
      sent.push_back(r);
      ASSERT_TRUE(store->AppendAuditJournaled(r).ok());
    }
    ASSERT_EQ(JournalFiles(dir).size(), 1u);
    const std::string name = std::filesystem::path(JournalFiles(dir)[0]).filename().string();
    EXPECT_EQ(name.rfind("gwanmun.db-audit-" + std::to_string(getpid()) + "-", 0), 0u) << name;
    EXPECT_TRUE(name.ends_with(".journal")) << name;
    EXPECT_EQ(std::filesystem::status(JournalFiles(dir)[0]).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    ASSERT_TRUE(store->FlushAudit().ok());
    auto all = ReadAll(*store);
    ASSERT_EQ(all.size(), sent.size());
    for (size_t i = 0; i < all.size(); ++i) {
      EXPECT_EQ(all[i].seq, static_cast<int64_t>(i) + 1);
      EXPECT_EQ(all[i].request_id, sent[i].request_id);
      if (!sent[i].time.empty()) ExpectSameContent(all[i], sent[i]);
      EXPECT_FALSE(all[i].time.empty());
    }
    ExpectChainOk(*store, 200);
    EXPECT_EQ(CountRows(dir.db(), "audit_journals"), 1);
  }
  // Clean shutdown: journal file and its row are gone.
  EXPECT_TRUE(JournalFiles(dir).empty());
  EXPECT_EQ(CountRows(dir.db(), "audit_journals"), 0);
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  EXPECT_EQ(store->AuditRecovery().journals, 0);
  ExpectChainOk(*store, 200);
}

TEST_F(JournalTest, DestructionWithoutFlushCommitsEverything) {
  ScratchDir dir;
  {
    auto store = OpenOrDie(dir.db());
    ASSERT_TRUE(store);
    for (int i = 1; i <= 500; ++i) ASSERT_TRUE(store->AppendAuditJournaled(MakeRecord(i)).ok());
  }
  EXPECT_TRUE(JournalFiles(dir).empty());
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  EXPECT_EQ(store->AuditRecovery().replayed, 0);
  ExpectChainOk(*store, 500);
}

TEST_F(JournalTest, MixedAppendsFromManyThreads) {
  ScratchDir dir;
  for (bool group : {true, false}) {
    for (bool full : {false, true}) {
      SCOPED_TRACE(std::string(group ? "group" : "serial") + (full ? " full" : " normal"));
      SqliteOptions o;
      o.group_commit = group;
      o.synchronous = full ? SqliteOptions::Synchronous::kFull : SqliteOptions::Synchronous::kNormal;
      auto store = OpenOrDie(dir.db(), o);
      ASSERT_TRUE(store);
      const int64_t before = ReadAll(*store).size();
      constexpr int kThreads = 6;
      const int per_thread = full ? 30 : 300;
      std::vector<std::thread> threads;
      std::atomic<int> failures{0};
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < per_thread; ++i) {
            AuditRecord r = MakeRecord(i);
            r.request_id = "t" + std::to_string(t) + "-" + std::to_string(i) + (group ? "g" : "s") + (full ? "f" : "n");
            Status s;
            if (t % 3 == 0) {
              s = store->AppendAudit(r);
            } else if (t % 3 == 1) {
              std::promise<Status> p;
              store->AppendAuditAsync(r, [&p](const Status& st, const AuditRecord&) { p.set_value(st); });
              s = p.get_future().get();
            } else {
              s = store->AppendAuditJournaled(r);
            }
            if (!s.ok()) ++failures;
          }
        });
      }
      for (auto& t : threads) t.join();
      EXPECT_EQ(failures.load(), 0);
      ASSERT_TRUE(store->FlushAudit().ok());
      auto all = ReadAll(*store);
      EXPECT_EQ(static_cast<int64_t>(all.size()), before + kThreads * per_thread);
      std::set<std::string> ids;  // request ids carry the mode: unique across rounds
      for (const auto& r : all) EXPECT_TRUE(ids.insert(r.request_id).second) << r.request_id;
      ExpectChainOk(*store, static_cast<int64_t>(all.size()));
    }
  }
  EXPECT_TRUE(JournalFiles(dir).empty());
}

TEST_F(JournalTest, JournalIsTruncatedOnceCommittedAndLarge) {
  ScratchDir dir;
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  // ~300 bytes per entry: well past the 256 KiB truncation threshold.
  for (int i = 1; i <= 3000; ++i) ASSERT_TRUE(store->AppendAuditJournaled(MakeRecord(i)).ok());
  ASSERT_TRUE(store->FlushAudit().ok());
  auto files = JournalFiles(dir);
  ASSERT_EQ(files.size(), 1u);
  std::ifstream in(files[0], std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_LT(DecodeJournal(bytes).valid_bytes, 256u * 1024);
  EXPECT_LE(bytes.size(), JournalFile::kInitialMapBytes);
  // jseq keeps counting after a truncation: more appends and a crash-free
  // reopen still give a clean chain.
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(store->AppendAuditJournaled(MakeRecord(i)).ok());
  ASSERT_TRUE(store->FlushAudit().ok());
  ExpectChainOk(*store, 3010);
}

TEST_F(JournalTest, MappedJournalGrowsAndEmpties) {
  ScratchDir dir;
  const std::string db = dir.db();
  auto created = JournalFile::Create(db, false);
  ASSERT_TRUE(created.ok()) << created.status().message();
  JournalFile& j = *created.value();
  ASSERT_TRUE(j.mapped());
  // Past the initial mapping: the file grows and keeps every frame.
  std::vector<std::string> frames;
  size_t total = 0;
  for (int64_t i = 1; total <= JournalFile::kInitialMapBytes + 4096; ++i) {
    frames.push_back(EncodeJournalEntry(i, MakeRecord(static_cast<int>(i))));
    ASSERT_TRUE(j.Append(frames.back()).ok());
    total += frames.back().size();
  }
  EXPECT_EQ(j.size(), total);
  auto read = j.Read();
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read.value().entries.size(), frames.size());
  EXPECT_EQ(read.value().valid_bytes, total);
  EXPECT_EQ(read.value().ignored_bytes, 0u);
  EXPECT_GT(std::filesystem::file_size(j.path()), JournalFile::kInitialMapBytes);
  // Emptied: nothing is read back, the room returns to its initial size,
  // and appending starts over at the front.
  ASSERT_TRUE(j.Truncate().ok());
  EXPECT_EQ(j.size(), 0u);
  EXPECT_EQ(std::filesystem::file_size(j.path()), JournalFile::kInitialMapBytes);
  read = j.Read();
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read.value().entries.empty());
  EXPECT_EQ(read.value().ignored_bytes, 0u);
  ASSERT_TRUE(j.Append(EncodeJournalEntry(int64_t(frames.size()) + 1, MakeRecord(1))).ok());
  read = j.Read();
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read.value().entries.size(), 1u);
  EXPECT_EQ(read.value().entries[0].jseq, int64_t(frames.size()) + 1);
}

TEST_F(JournalTest, DisabledJournalIsPlainAppend) {
  ScratchDir dir;
  SqliteOptions o;
  o.audit_journal = false;
  auto store = OpenOrDie(dir.db(), o);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->AppendAuditJournaled(MakeRecord(1)).ok());
  EXPECT_TRUE(JournalFiles(dir).empty());
  ExpectChainOk(*store, 1);  // already committed: no flush needed
}

TEST_F(JournalTest, InMemoryStoreFallsBackToAppend) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->AppendAuditJournaled(MakeRecord(1)).ok());
  ASSERT_TRUE(store->FlushAudit().ok());
  ExpectChainOk(*store, 1);
}

// --- recovery ---

// Writes a journal as a killed process would have left it.
std::string WriteOrphan(const ScratchDir& dir, const std::vector<AuditRecord>& records, const std::string& tail = "") {
  const std::string path = dir.db() + "-audit-999999-deadbeef.journal";
  std::string bytes;
  for (size_t i = 0; i < records.size(); ++i) {
    AuditRecord r = records[i];
    NormalizeAuditRecord(r);
    bytes += EncodeJournalEntry(static_cast<int64_t>(i) + 1, r);
  }
  WriteFile(path, bytes + tail);
  return path;
}

TEST_F(JournalTest, CrashBetweenCommitAndTruncateDoesNotDuplicate) {
  ScratchDir dir;
  constexpr int kCommitted = 7;
  constexpr int kTotal = 12;
  std::vector<AuditRecord> records;
  for (int i = 1; i <= kTotal; ++i) records.push_back(MakeRecord(i));
  {
    auto store = OpenOrDie(dir.db());
    ASSERT_TRUE(store);
    for (int i = 0; i < kCommitted; ++i) {
      AuditRecord r = records[i];
      ASSERT_TRUE(store->AppendAudit(r).ok());
    }
  }
  // The dead process had committed jseq 1..7 (and recorded that in the same
  // transaction) but was killed before truncating its journal of 1..12.
  const std::string path = WriteOrphan(dir, records);
  RawSql(dir.db(), "INSERT INTO audit_journals(name, committed_jseq) VALUES ('" +
                       std::filesystem::path(path).filename().string() + "', " + std::to_string(kCommitted) + ")");
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  const AuditRecoveryReport rep = store->AuditRecovery();
  EXPECT_EQ(rep.journals, 1);
  EXPECT_EQ(rep.replayed, kTotal - kCommitted);
  EXPECT_EQ(rep.already_committed, kCommitted);
  EXPECT_EQ(rep.torn_or_corrupt, 0);
  auto all = ReadAll(*store);
  ASSERT_EQ(all.size(), static_cast<size_t>(kTotal));
  for (int i = 0; i < kTotal; ++i) {
    EXPECT_EQ(all[i].seq, i + 1);
    ExpectSameContent(all[i], records[i]);
  }
  ExpectChainOk(*store, kTotal);
  EXPECT_TRUE(JournalFiles(dir).empty());
  EXPECT_EQ(CountRows(dir.db(), "audit_journals"), 0);
  // Opening again replays nothing.
  store.reset();
  store = OpenOrDie(dir.db());
  EXPECT_EQ(store->AuditRecovery().journals, 0);
  ExpectChainOk(*store, kTotal);
}

TEST_F(JournalTest, RecoveryAppendsAfterWhatIsInTheChain) {
  ScratchDir dir;
  { auto store = OpenOrDie(dir.db()); }
  std::vector<AuditRecord> records = {MakeRecord(1), MakeRecord(2), MakeRecord(3)};
  WriteOrphan(dir, records);
  // An empty leftover journal (truncated, row already deleted) is removed too.
  WriteFile(dir.db() + "-audit-999998-cafebabe.journal", "");
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  EXPECT_EQ(store->AuditRecovery().journals, 2);
  EXPECT_EQ(store->AuditRecovery().replayed, 3);
  AuditRecord next = MakeRecord(4);
  ASSERT_TRUE(store->AppendAudit(next).ok());
  EXPECT_EQ(next.seq, 4);
  ExpectChainOk(*store, 4);
  EXPECT_TRUE(JournalFiles(dir).empty());
}

TEST_F(JournalTest, TornTailIsIgnoredAndReported) {
  ScratchDir dir;
  { auto store = OpenOrDie(dir.db()); }
  std::vector<AuditRecord> records = {MakeRecord(1), MakeRecord(2), MakeRecord(3)};
  const std::string fourth = EncodeJournalEntry(4, MakeRecord(4));
  WriteOrphan(dir, records, fourth.substr(0, fourth.size() / 2));
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  const AuditRecoveryReport rep = store->AuditRecovery();
  EXPECT_EQ(rep.replayed, 3);
  EXPECT_EQ(rep.torn_or_corrupt, 1);
  EXPECT_EQ(rep.ignored_bytes, static_cast<int64_t>(fourth.size() / 2));
  auto all = ReadAll(*store);
  ASSERT_EQ(all.size(), 3u);
  for (int i = 0; i < 3; ++i) ExpectSameContent(all[i], records[i]);
  ExpectChainOk(*store, 3);
  EXPECT_TRUE(JournalFiles(dir).empty());
}

// Child processes report over a pipe; one byte per event.
void WriteByte(int fd, char c) {
  if (write(fd, &c, 1) != 1) _exit(10);
}
char ReadByte(int fd) {
  char c = 0;
  for (;;) {
    ssize_t n = read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    return n == 1 ? c : '\0';
  }
}

TEST_F(JournalTest, KilledBeforeCommittingIsReplayedExactly) {
  ScratchDir dir;
  { ASSERT_TRUE(OpenOrDie(dir.db())); }
  constexpr int kRecords = 50;
  int up[2];
  int down[2];
  ASSERT_EQ(pipe(up), 0);
  ASSERT_EQ(pipe(down), 0);
  // Fork before any SQLite connection is open here: a child must not
  // inherit SQLite connections (or their locks' bookkeeping).
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(up[0]);
    close(down[1]);
    auto opened = OpenSqliteStore(dir.db());
    if (!opened.ok()) _exit(3);
    WriteByte(up[1], 'o');
    if (ReadByte(down[0]) != 'l') _exit(5);
    for (int i = 1; i <= kRecords; ++i) {
      if (!opened.value()->AppendAuditJournaled(MakeRecord(i)).ok()) _exit(4);
    }
    WriteByte(up[1], 'j');
    for (;;) pause();
  }
  close(up[1]);
  close(down[0]);
  ASSERT_EQ(ReadByte(up[0]), 'o');
  WriteLock lock(dir.db());  // nothing the child journals can commit
  WriteByte(down[1], 'l');
  ASSERT_EQ(ReadByte(up[0]), 'j');
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  close(down[1]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  close(up[0]);
  lock.Release();
  ASSERT_EQ(JournalFiles(dir).size(), 1u);

  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  EXPECT_EQ(store->AuditRecovery().journals, 1);
  EXPECT_EQ(store->AuditRecovery().replayed, kRecords);
  EXPECT_EQ(store->AuditRecovery().already_committed, 0);
  auto all = ReadAll(*store);
  ASSERT_EQ(all.size(), static_cast<size_t>(kRecords));
  for (int i = 0; i < kRecords; ++i) ExpectSameContent(all[i], MakeRecord(i + 1));
  ExpectChainOk(*store, kRecords);
  EXPECT_TRUE(JournalFiles(dir).empty());
}

TEST_F(JournalTest, KilledWhileCommittingLosesNothingAndDuplicatesNothing) {
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    ScratchDir dir;
    { ASSERT_TRUE(OpenOrDie(dir.db())); }
    int up[2];
    ASSERT_EQ(pipe(up), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(up[0]);
      auto opened = OpenSqliteStore(dir.db());
      if (!opened.ok()) _exit(3);
      for (int i = 1;; ++i) {
        if (!opened.value()->AppendAuditJournaled(MakeRecord(i)).ok()) _exit(4);
        if (write(up[1], &i, sizeof i) != sizeof i) _exit(5);
      }
    }
    close(up[1]);
    int acked = 0;
    bool killed = false;
    for (int i = 0;;) {
      ssize_t n = read(up[0], &i, sizeof i);
      if (n == 0) break;
      if (n < 0 && errno == EINTR) continue;
      ASSERT_EQ(n, static_cast<ssize_t>(sizeof i));
      ASSERT_EQ(i, acked + 1);
      acked = i;
      if (!killed && acked >= 2000 + 1500 * round) {
        ASSERT_EQ(kill(pid, SIGKILL), 0);
        killed = true;
      }
    }
    close(up[0]);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    auto store = OpenOrDie(dir.db());
    ASSERT_TRUE(store);
    auto all = ReadAll(*store);
    std::map<std::string, int> count;
    for (const auto& r : all) ++count[r.request_id];
    for (const auto& [id, n] : count) EXPECT_EQ(n, 1) << id << " appended " << n << " times";
    for (int i = 1; i <= acked; ++i) {
      EXPECT_EQ(count.count("req-" + std::to_string(i)), 1u) << "acknowledged req-" << i << " lost";
    }
    // In journal order: the child's records are committed in jseq order.
    for (size_t k = 0; k < all.size(); ++k) {
      EXPECT_EQ(all[k].request_id, "req-" + std::to_string(k + 1));
    }
    ExpectChainOk(*store, static_cast<int64_t>(all.size()));
    EXPECT_TRUE(JournalFiles(dir).empty());
    const AuditRecoveryReport rep = store->AuditRecovery();
    EXPECT_EQ(rep.journals, 1);
    EXPECT_LE(rep.replayed, static_cast<int64_t>(all.size()));
    EXPECT_GE(static_cast<int64_t>(all.size()), acked);
  }
}

TEST_F(JournalTest, LiveOwnersJournalIsLeftAlone) {
  ScratchDir dir;
  { ASSERT_TRUE(OpenOrDie(dir.db())); }
  constexpr int kRecords = 20;
  int up[2];
  int down[2];
  ASSERT_EQ(pipe(up), 0);
  ASSERT_EQ(pipe(down), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(up[0]);
    close(down[1]);
    SqliteOptions o;
    o.busy_timeout_ms = 20;  // commits fail while the parent holds the lock, and are retried
    int code = 0;
    {
      auto opened = OpenSqliteStore(dir.db(), o);
      if (!opened.ok()) _exit(3);
      WriteByte(up[1], 'o');
      if (ReadByte(down[0]) != 'l') _exit(5);
      for (int i = 1; i <= kRecords; ++i) {
        if (!opened.value()->AppendAuditJournaled(MakeRecord(i)).ok()) _exit(4);
      }
      WriteByte(up[1], 'j');
      if (ReadByte(down[0]) != 'g') _exit(5);
      // The lock is gone: retried commits succeed.
      for (int attempt = 0; attempt < 100; ++attempt) {
        if (opened.value()->FlushAudit().ok()) break;
        if (attempt == 99) code = 6;
      }
    }  // clean close: the journal is removed
    _exit(code);
  }
  close(up[1]);
  close(down[0]);
  ASSERT_EQ(ReadByte(up[0]), 'o');
  WriteLock lock(dir.db());  // the child's commits fail (and are retried)
  WriteByte(down[1], 'l');
  ASSERT_EQ(ReadByte(up[0]), 'j');
  ASSERT_EQ(JournalFiles(dir).size(), 1u);

  // A second store in this process while the owner lives: no replay.
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  EXPECT_EQ(store->AuditRecovery().journals, 0);
  EXPECT_EQ(store->AuditRecovery().replayed, 0);
  EXPECT_TRUE(ReadAll(*store).empty());
  EXPECT_EQ(JournalFiles(dir).size(), 1u);

  lock.Release();
  WriteByte(down[1], 'g');
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  close(up[0]);
  close(down[1]);
  auto all = ReadAll(*store);
  ASSERT_EQ(all.size(), static_cast<size_t>(kRecords));
  for (int i = 0; i < kRecords; ++i) ExpectSameContent(all[i], MakeRecord(i + 1));
  ExpectChainOk(*store, kRecords);
  EXPECT_TRUE(JournalFiles(dir).empty());
}

TEST_F(JournalTest, FlushReportsFailingCommitsAndRetries) {
  ScratchDir dir;
  { ASSERT_TRUE(OpenOrDie(dir.db())); }
  SqliteOptions o;
  o.busy_timeout_ms = 10;
  auto store = OpenOrDie(dir.db(), o);
  ASSERT_TRUE(store);
  WriteLock lock(dir.db());
  ASSERT_TRUE(store->AppendAuditJournaled(MakeRecord(1)).ok());
  EXPECT_FALSE(store->FlushAudit().ok());
  lock.Release();
  Status s;
  for (int i = 0; i < 100; ++i) {
    s = store->FlushAudit();
    if (s.ok()) break;
  }
  ASSERT_TRUE(s.ok()) << s.message();
  ExpectChainOk(*store, 1);
}

}  // namespace
}  // namespace gwanmun::store
