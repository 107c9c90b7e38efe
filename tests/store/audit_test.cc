// The audit log in the SQLite store: appends, the hash chain, tampering with
// the file by raw SQL (edit, delete, swap, truncate, forge) and concurrent
// appends in every commit mode.

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/audit_chain.h"
#include "store_test_util.h"

namespace gwanmun::store {
namespace {

using testing::Joined;
using testing::MakeRecord;
using testing::OpenOrDie;
using testing::RawSql;
using testing::ScratchDir;

// Appends n records to a fresh store at `path` and closes it.
void Fill(const std::string& path, int n) {
  auto store = OpenOrDie(path);
  ASSERT_TRUE(store);
  for (int i = 1; i <= n; ++i) {
    AuditRecord r = MakeRecord(i);
    ASSERT_TRUE(store->AppendAudit(r).ok());
  }
}

VerifyReport VerifyFile(const std::string& path) {
  VerifyReport failed;
  failed.ok = false;
  failed.problems.push_back("cannot open or verify");
  auto store = OpenOrDie(path);
  if (!store) return failed;
  auto report = store->VerifyAudit();
  EXPECT_TRUE(report.ok()) << report.status().message();
  return report.ok() ? report.value() : failed;
}

bool Mentions(const VerifyReport& r, const std::string& needle) {
  for (const auto& p : r.problems) {
    if (p.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(AuditTest, AppendFillsSeqAndChainsHashes) {
  ScratchDir dir;
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  std::string prev(kGenesisHash);
  for (int i = 1; i <= 5; ++i) {
    AuditRecord r = MakeRecord(i);
    ASSERT_TRUE(store->AppendAudit(r).ok());
    EXPECT_EQ(r.seq, i);
    EXPECT_EQ(r.prev_hash, prev);
    EXPECT_EQ(r.hash, ChainHash(prev, r));
    EXPECT_EQ(r.hash.size(), 64u);
    prev = r.hash;
  }
  auto head = store->ReadAuditHead();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head.value().seq, 5);
  EXPECT_EQ(head.value().hash, prev);
  auto report = store->VerifyAudit();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().ok) << Joined(report.value().problems);
  EXPECT_EQ(report.value().records, 5);
  EXPECT_EQ(report.value().head_seq, 5);
  EXPECT_EQ(report.value().head_hash, prev);
}

TEST(AuditTest, EmptyLogVerifies) {
  ScratchDir dir;
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  auto report = store->VerifyAudit();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().ok);
  EXPECT_EQ(report.value().records, 0);
  EXPECT_EQ(report.value().head_hash, kGenesisHash);
}

TEST(AuditTest, RecordsRoundTripExactly) {
  ScratchDir dir;
  AuditRecord in = MakeRecord(1, "팀 \"따옴표\",\n줄바꿈");
  in.time.clear();  // filled by AppendAudit
  in.findings.clear();
  in.fingerprints.clear();
  in.latency_ms = 0.1 + 0.2;  // not exactly representable: rounded to µs
  in.tokens_out = int64_t{1} << 40;
  in.status = 0;
  {
    auto store = OpenOrDie(dir.db());
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->AppendAudit(in).ok());
  }
  EXPECT_FALSE(in.time.empty());
  EXPECT_EQ(in.findings, "{}");
  EXPECT_EQ(in.fingerprints, "[]");
  EXPECT_DOUBLE_EQ(in.latency_ms, 0.3);
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  auto out = store->ReadAudit(0, 10);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out.value().size(), 1u);
  const AuditRecord& r = out.value()[0];
  EXPECT_EQ(r.seq, 1);
  EXPECT_EQ(r.time, in.time);
  EXPECT_EQ(r.team, in.team);
  EXPECT_EQ(r.latency_ms, in.latency_ms);
  EXPECT_EQ(r.tokens_out, in.tokens_out);
  EXPECT_EQ(r.hash, in.hash);
  EXPECT_EQ(ChainHash(r.prev_hash, r), r.hash);
  EXPECT_TRUE(store->VerifyAudit().value().ok);
}

TEST(AuditTest, WholeNumberAndNegativeZeroLatenciesVerifyAfterReopen) {
  // SQLite stores whole REALs as integers on disk; the chain must not care.
  ScratchDir dir;
  {
    auto store = OpenOrDie(dir.db());
    ASSERT_TRUE(store);
    for (double latency : {0.0, -0.0, 5.0, 1e15, -3.0, 123.456}) {
      AuditRecord r = MakeRecord(1);
      r.latency_ms = latency;
      ASSERT_TRUE(store->AppendAudit(r).ok());
    }
  }
  VerifyReport r = VerifyFile(dir.db());
  EXPECT_TRUE(r.ok) << Joined(r.problems);
}

TEST(AuditTest, ReadAuditPages) {
  ScratchDir dir;
  Fill(dir.db(), 25);
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  int64_t last = 0, seen = 0;
  for (;;) {
    auto page = store->ReadAudit(last, 10);
    ASSERT_TRUE(page.ok());
    if (page.value().empty()) break;
    for (const auto& r : page.value()) {
      EXPECT_EQ(r.seq, last + 1);
      EXPECT_EQ(r.request_id, "req-" + std::to_string(r.seq));
      last = r.seq;
      ++seen;
    }
  }
  EXPECT_EQ(seen, 25);
  EXPECT_TRUE(store->ReadAudit(25, 10).value().empty());
}

// --- tampering with the file by raw SQL ---

TEST(AuditTamperTest, EditedFieldIsNamed) {
  ScratchDir dir;
  Fill(dir.db(), 10);
  RawSql(dir.db(), "UPDATE audit_log SET status = 500 WHERE seq = 3");
  VerifyReport r = VerifyFile(dir.db());
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.problems.size(), 1u) << Joined(r.problems);
  EXPECT_TRUE(Mentions(r, "record seq 3: content does not match its hash")) << Joined(r.problems);
}

TEST(AuditTamperTest, EditWithRecomputedHashBreaksTheNextLink) {
  ScratchDir dir;
  Fill(dir.db(), 10);
  // The attacker knows the format and re-hashes the edited record.
  AuditRecord forged;
  {
    auto store = OpenOrDie(dir.db());
    ASSERT_TRUE(store);
    forged = store->ReadAudit(2, 1).value().at(0);
  }
  forged.team = "someone else";
  forged.hash = ChainHash(forged.prev_hash, forged);
  RawSql(dir.db(), "UPDATE audit_log SET team = 'someone else', hash = '" + forged.hash + "' WHERE seq = 3");
  VerifyReport r = VerifyFile(dir.db());
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(Mentions(r, "record seq 4: prev_hash does not match the hash of record seq 3")) << Joined(r.problems);
}

TEST(AuditTamperTest, DeletedRowIsNamed) {
  ScratchDir dir;
  Fill(dir.db(), 10);
  RawSql(dir.db(), "DELETE FROM audit_log WHERE seq = 4");
  VerifyReport r = VerifyFile(dir.db());
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(Mentions(r, "record seq 4 is missing")) << Joined(r.problems);
  EXPECT_TRUE(Mentions(r, "record seq 5: prev_hash")) << Joined(r.problems);
  EXPECT_EQ(r.records, 9);
}

TEST(AuditTamperTest, DeletedFirstRowIsNamed) {
  ScratchDir dir;
  Fill(dir.db(), 3);
  RawSql(dir.db(), "DELETE FROM audit_log WHERE seq = 1");
  VerifyReport r = VerifyFile(dir.db());
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(Mentions(r, "record seq 1 is missing")) << Joined(r.problems);
}

TEST(AuditTamperTest, DeletedAndRenumberedRowsAreCaught) {
  // Delete seq 4 and shift the later seqs down to hide the gap.
  ScratchDir dir;
  Fill(dir.db(), 6);
  RawSql(dir.db(),
         "DELETE FROM audit_log WHERE seq = 4;"
         "UPDATE audit_log SET seq = seq - 1 WHERE seq > 4;"
         "UPDATE audit_head SET seq = 5, hash = (SELECT hash FROM audit_log WHERE seq = 5)");
  VerifyReport r = VerifyFile(dir.db());
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(Mentions(r, "record seq 4: prev_hash")) << Joined(r.problems);
  EXPECT_TRUE(Mentions(r, "record seq 4: content does not match")) << Joined(r.problems);
}

TEST(AuditTamperTest, SwappedRowsAreNamed) {
  // Swap the positions (seq) of records 3 and 4.
  ScratchDir dir;
  Fill(dir.db(), 6);
  RawSql(dir.db(),
         "UPDATE audit_log SET seq = -1 WHERE seq = 3;"
         "UPDATE audit_log SET seq = 3 WHERE seq = 4;"
         "UPDATE audit_log SET seq = 4 WHERE seq = -1");
  VerifyReport r = VerifyFile(dir.db());
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(Mentions(r, "record seq 3:")) << Joined(r.problems);
  EXPECT_TRUE(Mentions(r, "record seq 4:")) << Joined(r.problems);
}

TEST(AuditTamperTest, SwappedContentsKeepingSeqAreNamed) {
  // Swap every column but seq between records 3 and 4.
  ScratchDir dir;
  Fill(dir.db(), 6);
  const std::string cols =
      "time, request_id, key_id, team, endpoint, model, upstream, region, status, latency_ms,"
      " tokens_in, tokens_out, findings, action, fingerprints, prev_hash, hash";
  RawSql(dir.db(), "CREATE TABLE t AS SELECT seq, " + cols +
                       " FROM audit_log WHERE seq IN (3, 4);"
                       "DELETE FROM audit_log WHERE seq IN (3, 4);"
                       "INSERT INTO audit_log(seq, " +
                       cols + ") SELECT 7 - seq, " + cols +
                       " FROM t;"
                       "DROP TABLE t");
  VerifyReport r = VerifyFile(dir.db());
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(Mentions(r, "record seq 3: content does not match")) << Joined(r.problems);
  EXPECT_TRUE(Mentions(r, "record seq 4: content does not match")) << Joined(r.problems);
}

TEST(AuditTamperTest, TruncatedTailIsDetected) {
  ScratchDir dir;
  Fill(dir.db(), 10);
  RawSql(dir.db(), "DELETE FROM audit_log WHERE seq > 7");
  VerifyReport r = VerifyFile(dir.db());
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(Mentions(r, "log truncated")) << Joined(r.problems);
  EXPECT_TRUE(Mentions(r, "records 8..10 are missing")) << Joined(r.problems);
}

TEST(AuditTamperTest, RowsAddedBehindTheStoresBackAreDetected) {
  ScratchDir dir;
  Fill(dir.db(), 3);
  // A well-formed record 4 chained onto 3, but not through AppendAudit.
  AuditRecord r4;
  {
    auto store = OpenOrDie(dir.db());
    ASSERT_TRUE(store);
    AuditRecord last = store->ReadAudit(2, 1).value().at(0);
    r4 = MakeRecord(4);
    r4.seq = 4;
    r4.prev_hash = last.hash;
    r4.hash = ChainHash(r4.prev_hash, r4);
  }
  auto q = [](const std::string& v) { return "'" + v + "'"; };  // no quotes in MakeRecord
  RawSql(dir.db(), "INSERT INTO audit_log VALUES (4, " + q(r4.time) + ", " + q(r4.request_id) + ", " + q(r4.key_id) +
                       ", " + q(r4.team) + ", " + q(r4.endpoint) + ", " + q(r4.model) + ", " + q(r4.upstream) + ", " +
                       q(r4.region) + ", " + std::to_string(r4.status) + ", " + std::to_string(r4.latency_ms) + ", " +
                       std::to_string(r4.tokens_in) + ", " + std::to_string(r4.tokens_out) + ", " + q(r4.findings) +
                       ", " + q(r4.action) + ", " + q(r4.fingerprints) + ", " + q(r4.prev_hash) + ", " + q(r4.hash) +
                       ")");
  VerifyReport r = VerifyFile(dir.db());
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.problems.size(), 1u) << Joined(r.problems);  // the record itself is well-formed
  EXPECT_TRUE(Mentions(r, "not appended through gwanmun")) << Joined(r.problems);
}

TEST(AuditTamperTest, ConsistentTailRewriteNeedsTheAnchoredHead) {
  // Deleting the tail AND rewinding the head is invisible from inside the
  // file; it shows as a head hash different from a copy kept elsewhere.
  ScratchDir dir;
  Fill(dir.db(), 10);
  std::string anchored = VerifyFile(dir.db()).head_hash;
  RawSql(dir.db(),
         "DELETE FROM audit_log WHERE seq > 7;"
         "UPDATE audit_head SET seq = 7, hash = (SELECT hash FROM audit_log WHERE seq = 7)");
  VerifyReport r = VerifyFile(dir.db());
  EXPECT_TRUE(r.ok) << Joined(r.problems);
  EXPECT_EQ(r.head_seq, 7);
  EXPECT_NE(r.head_hash, anchored);
}

TEST(AuditTamperTest, TamperingSeenByAnOpenStore) {
  // Readers see another connection's change at once (WAL): no reopen needed.
  ScratchDir dir;
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  for (int i = 1; i <= 4; ++i) {
    AuditRecord r = MakeRecord(i);
    ASSERT_TRUE(store->AppendAudit(r).ok());
  }
  ASSERT_TRUE(store->VerifyAudit().value().ok);
  RawSql(dir.db(), "UPDATE audit_log SET tokens_out = 0 WHERE seq = 2");
  VerifyReport r = store->VerifyAudit().value();
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(Mentions(r, "record seq 2: content does not match")) << Joined(r.problems);
}

// --- concurrency ---

struct ModeParam {
  const char* name;
  bool group_commit;
  bool async;
};

class AuditConcurrencyTest : public ::testing::TestWithParam<ModeParam> {};

// Many threads append at once; every caller learns a distinct seq, seqs are
// 1..N without gaps, each seq holds the record its caller appended, and the
// chain verifies.
TEST_P(AuditConcurrencyTest, ManyThreadsGiveGapFreeValidChain) {
  constexpr int kThreads = 8, kPerThread = 250;
  ScratchDir dir;
  SqliteOptions options;
  options.group_commit = GetParam().group_commit;
  auto store = OpenOrDie(dir.db(), options);
  ASSERT_TRUE(store);

  std::mutex mu;
  std::condition_variable cv;
  std::map<int64_t, std::string> acked;  // seq → request_id
  int done = 0, failures = 0;
  auto ack = [&](const Status& s, const AuditRecord& r) {
    std::lock_guard<std::mutex> l(mu);
    if (s.ok()) {
      if (!acked.emplace(r.seq, r.request_id).second) ++failures;  // duplicate seq
    } else {
      ++failures;
    }
    ++done;
    cv.notify_all();
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        AuditRecord r = MakeRecord(i);
        r.request_id = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (GetParam().async) {
          store->AppendAuditAsync(std::move(r), ack);
        } else {
          Status s = store->AppendAudit(r);
          ack(s, r);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return done == kThreads * kPerThread; });
  }
  EXPECT_EQ(failures, 0);
  ASSERT_EQ(acked.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(acked.begin()->first, 1);
  EXPECT_EQ(acked.rbegin()->first, kThreads * kPerThread);

  auto all = store->ReadAudit(0, 100000);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all.value().size(), acked.size());
  for (size_t i = 0; i < all.value().size(); ++i) {
    const AuditRecord& r = all.value()[i];
    ASSERT_EQ(r.seq, static_cast<int64_t>(i) + 1);
    EXPECT_EQ(r.request_id, acked[r.seq]) << "seq " << r.seq;
  }
  auto report = store->VerifyAudit();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().ok) << Joined(report.value().problems);
}

INSTANTIATE_TEST_SUITE_P(Modes, AuditConcurrencyTest,
                         ::testing::Values(ModeParam{"GroupSync", true, false}, ModeParam{"GroupAsync", true, true},
                                           ModeParam{"SerialSync", false, false},
                                           ModeParam{"SerialAsync", false, true}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(AuditTest, TwoStoresOnOneFileKeepOneChain) {
  // As two processes would: the head is read inside each write transaction.
  ScratchDir dir;
  auto a = OpenOrDie(dir.db());
  auto b = OpenOrDie(dir.db());
  ASSERT_TRUE(a && b);
  std::atomic<int> failures{0};
  auto work = [&](Store* s, const char* name) {
    for (int i = 0; i < 200; ++i) {
      AuditRecord r = MakeRecord(i);
      r.request_id = std::string(name) + std::to_string(i);
      if (!s->AppendAudit(r).ok()) ++failures;
    }
  };
  std::thread ta(work, a.get(), "a"), tb(work, b.get(), "b");
  ta.join();
  tb.join();
  EXPECT_EQ(failures.load(), 0);
  auto report = a->VerifyAudit();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().ok) << Joined(report.value().problems);
  EXPECT_EQ(report.value().records, 400);
}

TEST(AuditTest, VerifyDuringAppendsSeesConsistentSnapshots) {
  ScratchDir dir;
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      AuditRecord r = MakeRecord(i);
      if (!store->AppendAudit(r).ok()) break;
    }
  });
  int64_t last_records = -1;
  for (int i = 0; i < 30; ++i) {
    auto report = store->VerifyAudit();
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report.value().ok) << Joined(report.value().problems);
    EXPECT_GE(report.value().records, last_records);
    last_records = report.value().records;
  }
  stop = true;
  writer.join();
}

TEST(AuditTest, ClosingTheStoreCommitsQueuedAsyncRecords) {
  ScratchDir dir;
  std::atomic<int> ok{0};
  {
    auto store = OpenOrDie(dir.db());
    ASSERT_TRUE(store);
    for (int i = 0; i < 500; ++i) {
      store->AppendAuditAsync(MakeRecord(i), [&](const Status& s, const AuditRecord&) {
        if (s.ok()) ++ok;
      });
    }
  }  // the destructor drains the queue
  EXPECT_EQ(ok.load(), 500);
  VerifyReport r = VerifyFile(dir.db());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.records, 500);
}

TEST(AuditTest, SynchronousFullAndSmallQueueWork) {
  ScratchDir dir;
  SqliteOptions options;
  options.synchronous = SqliteOptions::Synchronous::kFull;
  options.max_queue = 2;
  options.max_batch = 3;
  auto store = OpenOrDie(dir.db(), options);
  ASSERT_TRUE(store);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        AuditRecord r = MakeRecord(i);
        EXPECT_TRUE(store->AppendAudit(r).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto report = store->VerifyAudit();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().ok);
  EXPECT_EQ(report.value().records, 80);
}

TEST(AuditTest, NewerSchemaIsRefused) {
  ScratchDir dir;
  Fill(dir.db(), 1);
  RawSql(dir.db(), "INSERT INTO schema_migrations VALUES (999, 'future', 'now')");
  auto store = OpenSqliteStore(dir.db());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("newer"), std::string::npos) << store.status().message();
}

TEST(AuditTest, UnopenablePathIsAnError) {
  ScratchDir dir;
  auto store = OpenSqliteStore(dir.path() + "/no/such/dir/gwanmun.db");
  EXPECT_FALSE(store.ok());
  auto in_dir = OpenDataDir(dir.path() + "/created/on/demand");
  EXPECT_TRUE(in_dir.ok()) << in_dir.status().message();
}

}  // namespace
}  // namespace gwanmun::store
