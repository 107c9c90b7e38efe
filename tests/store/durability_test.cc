// kill -9 during load: a child process appends audit records from several
// threads and reports every acknowledged (AppendAudit returned OK, or
// AppendAuditAsync called back OK, or AppendAuditJournaled returned OK)
// record over a pipe; the parent SIGKILLs it mid-load, reopens the database
// (which replays the child's audit journal) and checks that every
// acknowledged record is there exactly once, unchanged, that no record is
// there twice, and that the chain verifies. No timing is asserted: the kill
// comes after a number of acknowledgements, wherever the child happens to
// be.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <thread>

#include "store_test_util.h"

namespace gwanmun::store {
namespace {

using testing::Joined;
using testing::MakeRecord;
using testing::OpenOrDie;
using testing::ScratchDir;

struct Ack {
  int64_t thread;
  int64_t index;
  int64_t seq;  // 0 for journaled appends (seq is assigned later)
};
static_assert(sizeof(Ack) <= PIPE_BUF, "acks must be written atomically");

struct DurabilityParam {
  const char* name;
  SqliteOptions::Synchronous sync;
  bool group_commit;
  enum class Api { kSync, kAsync, kJournaled };
  Api api;
  int acks_before_kill;
};

std::string RequestId(int64_t thread, int64_t index) {
  return "t" + std::to_string(thread) + "-" + std::to_string(index);
}

// Runs in the forked child: never returns.
[[noreturn]] void AppendForever(const std::string& path, const DurabilityParam& p, int fd) {
  SqliteOptions options;
  options.synchronous = p.sync;
  options.group_commit = p.group_commit;
  auto opened = OpenSqliteStore(path, options);
  if (!opened.ok()) _exit(3);
  std::unique_ptr<Store> store = std::move(opened).value();
  auto report = [fd](int64_t thread, int64_t index, const Status& s, const AuditRecord& r) {
    if (!s.ok()) _exit(4);
    Ack ack{thread, index, r.seq};
    if (write(fd, &ack, sizeof ack) != static_cast<ssize_t>(sizeof ack)) _exit(5);
  };
  std::vector<std::thread> threads;
  for (int64_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int64_t i = 0;; ++i) {
        AuditRecord r = MakeRecord(static_cast<int>(i));
        r.request_id = RequestId(t, i);
        if (p.api == DurabilityParam::Api::kJournaled) {
          Status s = store->AppendAuditJournaled(r);
          report(t, i, s, AuditRecord{});
        } else if (p.api == DurabilityParam::Api::kAsync) {
          store->AppendAuditAsync(std::move(r),
                                  [&report, t, i](const Status& s, const AuditRecord& done) { report(t, i, s, done); });
        } else {
          Status s = store->AppendAudit(r);
          report(t, i, s, r);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  _exit(6);
}

class DurabilityTest : public ::testing::TestWithParam<DurabilityParam> {};

TEST_P(DurabilityTest, AcknowledgedRecordsSurviveKill9) {
  const DurabilityParam& p = GetParam();
  ScratchDir dir;
  ASSERT_FALSE(dir.path().empty());
  { ASSERT_TRUE(OpenOrDie(dir.db())); }  // create the schema before the race

  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    AppendForever(dir.db(), p, fds[1]);
  }
  close(fds[1]);

  std::map<std::string, int64_t> acked;  // request_id → seq (0: journaled)
  bool killed = false;
  Ack ack;
  for (;;) {
    ssize_t n = read(fds[0], &ack, sizeof ack);
    if (n == 0) break;  // the child is gone and the pipe drained
    if (n < 0 && errno == EINTR) continue;
    ASSERT_EQ(n, static_cast<ssize_t>(sizeof ack));
    EXPECT_TRUE(acked.emplace(RequestId(ack.thread, ack.index), ack.seq).second)
        << RequestId(ack.thread, ack.index) << " acknowledged twice";
    if (!killed && static_cast<int>(acked.size()) >= p.acks_before_kill) {
      ASSERT_EQ(kill(pid, SIGKILL), 0);
      killed = true;  // keep reading: acks already in the pipe count too
    }
  }
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(killed) << "child ended early, exit status " << status;
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "child did not die of SIGKILL (status " << status << ")";
  ASSERT_GE(static_cast<int>(acked.size()), p.acks_before_kill);

  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  std::map<std::string, int64_t> stored;  // request_id → seq
  int64_t records = 0;
  int duplicates = 0;
  for (int64_t last = 0;;) {
    auto page = store->ReadAudit(last, 10000);
    ASSERT_TRUE(page.ok()) << page.status().message();
    if (page.value().empty()) break;
    for (const auto& r : page.value()) {
      ++records;
      if (!stored.emplace(r.request_id, r.seq).second) ++duplicates;
      // Content unchanged (MakeRecord(index) with this request id).
      const int64_t index = std::stoll(r.request_id.substr(r.request_id.find('-') + 1));
      AuditRecord want = MakeRecord(static_cast<int>(index));
      EXPECT_EQ(r.latency_ms, want.latency_ms) << r.request_id;
      EXPECT_EQ(r.tokens_in, want.tokens_in) << r.request_id;
      EXPECT_EQ(r.team, want.team) << r.request_id;
    }
    last = page.value().back().seq;
  }
  EXPECT_EQ(duplicates, 0) << "records appended twice";
  int missing = 0;
  for (const auto& [request_id, seq] : acked) {
    auto it = stored.find(request_id);
    if (it == stored.end()) {
      ++missing;
    } else if (seq != 0) {
      EXPECT_EQ(it->second, seq) << request_id;
    }
  }
  EXPECT_EQ(missing, 0) << "acknowledged records lost after kill -9";
  EXPECT_GE(stored.size(), acked.size());  // some committed before their ack was sent

  if (p.api == DurabilityParam::Api::kJournaled) {
    // The child's journal was found (its owner is dead) and removed.
    const AuditRecoveryReport rep = store->AuditRecovery();
    EXPECT_EQ(rep.journals, 1);
    std::printf("acked %zu, stored %lld, replayed from the journal %lld, torn tails %lld\n", acked.size(),
                static_cast<long long>(records), static_cast<long long>(rep.replayed),
                static_cast<long long>(rep.torn_or_corrupt));
  }
  auto report = store->VerifyAudit();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report.value().ok) << Joined(report.value().problems);
  EXPECT_EQ(report.value().records, records);

  // And the log goes on from where it stopped.
  AuditRecord next = MakeRecord(0);
  ASSERT_TRUE(store->AppendAudit(next).ok());
  EXPECT_EQ(next.seq, records + 1);
  EXPECT_TRUE(store->VerifyAudit().value().ok);
}

INSTANTIATE_TEST_SUITE_P(Modes, DurabilityTest,
                         ::testing::Values(DurabilityParam{"NormalGroupSync", SqliteOptions::Synchronous::kNormal, true,
                                                           DurabilityParam::Api::kSync, 3000},
                                           DurabilityParam{"NormalGroupAsync", SqliteOptions::Synchronous::kNormal,
                                                           true, DurabilityParam::Api::kAsync, 3000},
                                           DurabilityParam{"NormalSerialSync", SqliteOptions::Synchronous::kNormal,
                                                           false, DurabilityParam::Api::kSync, 1000},
                                           DurabilityParam{"FullGroupSync", SqliteOptions::Synchronous::kFull, true,
                                                           DurabilityParam::Api::kSync, 300},
                                           // What the gateway uses: many more acks before the kill, so that the
                                           // kill lands with records journaled but not yet committed.
                                           DurabilityParam{"NormalJournaled", SqliteOptions::Synchronous::kNormal, true,
                                                           DurabilityParam::Api::kJournaled, 20000},
                                           DurabilityParam{"NormalSerialJournaled", SqliteOptions::Synchronous::kNormal,
                                                           false, DurabilityParam::Api::kJournaled, 5000},
                                           DurabilityParam{"FullJournaled", SqliteOptions::Synchronous::kFull, true,
                                                           DurabilityParam::Api::kJournaled, 300}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace gwanmun::store
