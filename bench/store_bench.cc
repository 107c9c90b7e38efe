// Audit append throughput of the SQLite store (and Authenticate latency).
//
//   build/release/bench/store_bench --benchmark_counters_tabular=true
//
// Each benchmark opens a fresh database in a private temporary directory
// (on the same file system as $TMPDIR). "items_per_second" is appended
// records per second across all threads. Modes:
//   Group   group commit (default): appends from all threads share commits
//   Serial  one transaction per AppendAudit on the calling thread
//   Async   AppendAuditAsync in bursts of 256, each waited for (durable)
//   Journaled  AppendAuditJournaled (what the gateway uses): durable against
//           kill -9 on return; real time per iteration at threads:1 is the
//           latency of one call. The SQLite commits run in the background;
//           once the queue (max_queue) is full, appends wait for them, so a
//           long run measures the sustained rate
//   JournaledFlushed  bursts of 256 AppendAuditJournaled, then FlushAudit:
//           the rate at which records get into the hash chain
// and sync NORMAL (default; survives kill -9) or FULL (fsync per commit;
// survives power loss).

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "store/store.h"

namespace {

using gwanmun::Status;
using gwanmun::store::AuditRecord;
using gwanmun::store::SqliteOptions;
using gwanmun::store::Store;

AuditRecord Record(int64_t i) {
  AuditRecord r;
  r.request_id = "req-" + std::to_string(i);
  r.key_id = "key_0123456789abcdef";
  r.team = "결제팀";
  r.endpoint = "/v1/chat/completions";
  r.model = "gpt-4o";
  r.upstream = "azure-kr";
  r.region = "kr";
  r.status = 200;
  r.latency_ms = 123.456;
  r.tokens_in = 512;
  r.tokens_out = 128;
  r.findings = R"({"KR_RRN":1,"KR_PHONE":2})";
  r.action = "mask";
  r.fingerprints = R"(["f3a9c0d1e2b4"])";
  return r;
}

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "gwanmun_bench_XXXXXX").string();
    if (mkdtemp(templ.data()) != nullptr) path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One store shared by the benchmark's threads: thread 0 opens it before the
// timed loop (which all threads enter together) and closes it after.
class StoreFixture : public benchmark::Fixture {
 public:
  void Open(const benchmark::State& state, bool group, bool full) {
    if (state.thread_index() != 0) return;
    dir_ = std::make_unique<TempDir>();
    SqliteOptions o;
    o.group_commit = group;
    o.synchronous = full ? SqliteOptions::Synchronous::kFull : SqliteOptions::Synchronous::kNormal;
    auto s = gwanmun::store::OpenDataDir(dir_->path(), o);
    if (s.ok()) store_ = std::move(s).value();
  }
  void Close(benchmark::State& state) {
    if (state.thread_index() != 0) return;
    store_.reset();
    dir_.reset();
  }

  void RunJournaled(benchmark::State& state, bool full) {
    Open(state, true, full);
    int64_t i = state.thread_index() * int64_t{1'000'000'000};
    for (auto _ : state) {
      Status s = store_->AppendAuditJournaled(Record(++i));
      if (!s.ok()) state.SkipWithError(s.message().c_str());
    }
    state.SetItemsProcessed(state.iterations());
    if (state.thread_index() == 0) (void)store_->FlushAudit();  // untimed
    Close(state);
  }

  void RunJournaledFlushed(benchmark::State& state, bool full) {
    constexpr int64_t kBurst = 256;
    Open(state, true, full);
    int64_t i = state.thread_index() * int64_t{1'000'000'000};
    for (auto _ : state) {
      for (int64_t k = 0; k < kBurst; ++k) {
        Status s = store_->AppendAuditJournaled(Record(++i));
        if (!s.ok()) state.SkipWithError(s.message().c_str());
      }
      Status s = store_->FlushAudit();
      if (!s.ok()) state.SkipWithError(s.message().c_str());
    }
    state.SetItemsProcessed(state.iterations() * kBurst);
    Close(state);
  }

  void RunSync(benchmark::State& state, bool group, bool full) {
    Open(state, group, full);
    int64_t i = state.thread_index() * int64_t{1'000'000'000};
    for (auto _ : state) {
      AuditRecord r = Record(++i);
      Status s = store_->AppendAudit(r);
      if (!s.ok()) state.SkipWithError(s.message().c_str());
    }
    state.SetItemsProcessed(state.iterations());
    Close(state);
  }

  // Every iteration enqueues kBurst records and waits until all are durable,
  // so the timed region covers their commits.
  void RunAsync(benchmark::State& state, bool full) {
    constexpr int64_t kBurst = 256;
    Open(state, true, full);
    std::mutex mu;
    std::condition_variable cv;
    int64_t pending = 0;
    int64_t i = state.thread_index() * int64_t{1'000'000'000};
    for (auto _ : state) {
      {
        std::lock_guard<std::mutex> l(mu);
        pending = kBurst;
      }
      for (int64_t k = 0; k < kBurst; ++k) {
        store_->AppendAuditAsync(Record(++i), [&](const Status&, const AuditRecord&) {
          std::lock_guard<std::mutex> l(mu);
          if (--pending == 0) cv.notify_all();
        });
      }
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return pending == 0; });
    }
    state.SetItemsProcessed(state.iterations() * kBurst);
    Close(state);
  }

 protected:
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Store> store_;
};

BENCHMARK_DEFINE_F(StoreFixture, GroupNormal)(benchmark::State& st) { RunSync(st, true, false); }
BENCHMARK_DEFINE_F(StoreFixture, SerialNormal)(benchmark::State& st) { RunSync(st, false, false); }
BENCHMARK_DEFINE_F(StoreFixture, AsyncNormal)(benchmark::State& st) { RunAsync(st, false); }
BENCHMARK_DEFINE_F(StoreFixture, GroupFull)(benchmark::State& st) { RunSync(st, true, true); }
BENCHMARK_DEFINE_F(StoreFixture, SerialFull)(benchmark::State& st) { RunSync(st, false, true); }
BENCHMARK_DEFINE_F(StoreFixture, AsyncFull)(benchmark::State& st) { RunAsync(st, true); }
BENCHMARK_DEFINE_F(StoreFixture, JournaledNormal)(benchmark::State& st) { RunJournaled(st, false); }
BENCHMARK_DEFINE_F(StoreFixture, JournaledFull)(benchmark::State& st) { RunJournaled(st, true); }
BENCHMARK_DEFINE_F(StoreFixture, JournaledFlushedNormal)(benchmark::State& st) { RunJournaledFlushed(st, false); }

#define GWANMUN_THREADS ->Threads(1)->Threads(4)->Threads(16)->Threads(64)->UseRealTime()
BENCHMARK_REGISTER_F(StoreFixture, GroupNormal) GWANMUN_THREADS;
BENCHMARK_REGISTER_F(StoreFixture, SerialNormal) GWANMUN_THREADS;
BENCHMARK_REGISTER_F(StoreFixture, AsyncNormal)->Threads(1)->Threads(4)->UseRealTime();
BENCHMARK_REGISTER_F(StoreFixture, GroupFull) GWANMUN_THREADS;
BENCHMARK_REGISTER_F(StoreFixture, SerialFull)->Threads(1)->Threads(16)->UseRealTime();
BENCHMARK_REGISTER_F(StoreFixture, AsyncFull)->Threads(1)->Threads(4)->UseRealTime();
BENCHMARK_REGISTER_F(StoreFixture, JournaledNormal)->Threads(1)->Threads(64)->UseRealTime();
// 20000 appends stay below max_queue: no waiting for commits, so the time
// per iteration is the latency of one call as the gateway sees it.
BENCHMARK_REGISTER_F(StoreFixture, JournaledNormal)
    ->Name("StoreFixture/JournaledNormalLatency")
    ->Iterations(20000)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true)
    ->UseRealTime();
BENCHMARK_REGISTER_F(StoreFixture, JournaledFull)->Threads(1)->Threads(64)->UseRealTime();
BENCHMARK_REGISTER_F(StoreFixture, JournaledFlushedNormal)->Threads(1)->Threads(64)->UseRealTime();
#undef GWANMUN_THREADS

void BM_Authenticate(benchmark::State& state) {
  TempDir dir;
  auto s = gwanmun::store::OpenDataDir(dir.path());
  if (!s.ok()) {
    state.SkipWithError(s.status().message().c_str());
    return;
  }
  std::unique_ptr<Store> store = std::move(s).value();
  gwanmun::store::KeySpec spec;
  spec.team = "t";
  std::string secret;
  for (int i = 0; i < 1000; ++i) {
    auto k = store->CreateKey(spec);
    if (!k.ok()) {
      state.SkipWithError(k.status().message().c_str());
      return;
    }
    secret = k.value().secret;
  }
  for (auto _ : state) {
    auto p = store->Authenticate(secret);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Authenticate);

}  // namespace

BENCHMARK_MAIN();
