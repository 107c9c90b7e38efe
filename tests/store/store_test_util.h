// Helpers shared by the store tests: a private scratch directory per test,
// records, raw SQL on a database file, and reading files.

#ifndef GWANMUN_TESTS_STORE_STORE_TEST_UTIL_H_
#define GWANMUN_TESTS_STORE_STORE_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "store/sqlite.h"
#include "store/store.h"

namespace gwanmun::store::testing {

// A fresh directory, removed with everything in it at scope exit. Tests run
// in parallel processes, so every test gets its own.
class ScratchDir {
 public:
  ScratchDir() {
    std::string templ = ::testing::TempDir() + "/gwanmun_store_XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    char* made = mkdtemp(buf.data());
    if (made != nullptr) path_ = made;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string db() const { return path_ + "/gwanmun.db"; }

 private:
  std::string path_;
};

inline AuditRecord MakeRecord(int i, std::string team = "결제팀") {
  AuditRecord r;
  r.time = "2026-01-02T03:04:05.678Z";
  r.request_id = "req-" + std::to_string(i);
  r.key_id = "key_0123456789abcdef";
  r.team = std::move(team);
  r.endpoint = "/v1/chat/completions";
  r.model = "gpt-4o";
  r.upstream = "azure-kr";
  r.region = "kr";
  r.status = 200;
  r.latency_ms = 12.5 + i;
  r.tokens_in = 100 + i;
  r.tokens_out = 20;
  r.findings = R"({"KR_RRN":1})";
  r.action = "mask";
  r.fingerprints = "[]";
  return r;
}

// Runs SQL on the database file through a connection of its own (as an
// attacker with file access would).
inline void RawSql(const std::string& db_path, const std::string& sql) {
  auto conn = sqlite::Connection::Open(db_path, SQLITE_OPEN_READWRITE, 5000);
  ASSERT_TRUE(conn.ok()) << conn.status().message();
  Status s = conn.value()->Exec(sql);
  ASSERT_TRUE(s.ok()) << s.message() << " in: " << sql;
}

inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::unique_ptr<Store> OpenOrDie(const std::string& path, const SqliteOptions& o = {}) {
  auto s = OpenSqliteStore(path, o);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? std::move(s).value() : nullptr;
}

inline std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

}  // namespace gwanmun::store::testing

#endif  // GWANMUN_TESTS_STORE_STORE_TEST_UTIL_H_
