// Runs the real binary: `gwanmun keys …` and `gwanmun audit …` against a
// data directory, with the store library used alongside to check effects.

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "store/audit_chain.h"
#include "store_test_util.h"

namespace gwanmun::store {
namespace {

using testing::MakeRecord;
using testing::RawSql;
using testing::ReadFileBytes;
using testing::ScratchDir;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `gwanmun <args>` through the shell (args are trusted test strings).
RunResult RunCli(const ScratchDir& dir, const std::string& args, const std::string& env = "") {
  const std::string err_path = dir.path() + "/stderr.txt";
  std::string cmd = (env.empty() ? "" : "env " + env + " ") + std::string(GWANMUN_BINARY) + " " +
                    args + " </dev/null 2>" + err_path;
  RunResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = ReadFileBytes(err_path);
  return r;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) v.push_back(line);
  }
  return v;
}

std::string D(const ScratchDir& dir) { return "--data-dir " + dir.path() + "/data"; }

void Append(const ScratchDir& dir, int from, int to) {
  auto store = OpenDataDir(dir.path() + "/data");
  ASSERT_TRUE(store.ok()) << store.status().message();
  for (int i = from; i <= to; ++i) {
    AuditRecord r = MakeRecord(i);
    ASSERT_TRUE(store.value()->AppendAudit(r).ok());
  }
}

TEST(KeysCliTest, CreateListRevoke) {
  ScratchDir dir;
  RunResult c = RunCli(dir, "keys create " + D(dir) +
                                " --team 결제팀 --models gpt-4o,gpt-4o-mini --rpm 60 --tpm 1000"
                                " --description 'billing bot' --json");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto j = nlohmann::json::parse(c.out);
  const std::string secret = j.at("secret"), key_id = j.at("key_id");
  EXPECT_EQ(secret.rfind("gw-", 0), 0u);
  EXPECT_EQ(j.at("team"), "결제팀");
  EXPECT_EQ(j.at("models"), nlohmann::json::array({"gpt-4o", "gpt-4o-mini"}));
  EXPECT_EQ(j.at("rpm"), 60);

  {  // The printed secret authenticates against the same data directory.
    auto store = OpenDataDir(dir.path() + "/data");
    ASSERT_TRUE(store.ok());
    auto p = store.value()->Authenticate(secret);
    ASSERT_TRUE(p.ok() && p.value().has_value());
    EXPECT_EQ(p.value()->key_id, key_id);
    EXPECT_EQ(p.value()->tpm, 1000);
  }

  RunResult text = RunCli(dir, "keys create " + D(dir) + " --team ml");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("shown only this once"), std::string::npos) << text.out;
  auto text_lines = Lines(text.out);
  ASSERT_FALSE(text_lines.empty());
  EXPECT_EQ(text_lines.back().rfind("gw-", 0), 0u) << text.out;  // the secret, on its own line

  RunResult list = RunCli(dir, "keys list " + D(dir));
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("KEY ID"), std::string::npos);
  EXPECT_NE(list.out.find(key_id), std::string::npos);
  EXPECT_NE(list.out.find("결제팀"), std::string::npos);
  EXPECT_NE(list.out.find("billing bot"), std::string::npos);
  EXPECT_EQ(list.out.find(secret), std::string::npos);
  EXPECT_EQ(list.out.find("gw-"), std::string::npos);  // no secret of any key

  RunResult revoke = RunCli(dir, "keys revoke " + D(dir) + " " + key_id);
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  RunResult json = RunCli(dir, "keys list --json " + D(dir));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto arr = nlohmann::json::parse(json.out);
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_EQ(arr[0].at("key_id"), key_id);
  EXPECT_TRUE(arr[0].at("revoked_at").is_string());
  EXPECT_TRUE(arr[1].at("revoked_at").is_null());
  EXPECT_FALSE(arr[0].contains("secret"));
  {
    auto store = OpenDataDir(dir.path() + "/data");
    ASSERT_TRUE(store.ok());
    EXPECT_FALSE(store.value()->Authenticate(secret).value().has_value());
  }
}

TEST(KeysCliTest, ErrorsExitNonZero) {
  ScratchDir dir;
  RunResult unknown = RunCli(dir, "keys revoke " + D(dir) + " key_nope");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no such key"), std::string::npos) << unknown.err;
  EXPECT_NE(RunCli(dir, "keys create " + D(dir)).exit_code, 0);  // --team is required
  EXPECT_NE(RunCli(dir, "keys create " + D(dir) + " --team t --rpm -5").exit_code, 0);
  EXPECT_NE(RunCli(dir, "keys").exit_code, 0);
}

TEST(KeysCliTest, DataDirFromEnvironmentAndConfig) {
  ScratchDir dir;
  const std::string env_dir = dir.path() + "/from-env", cfg_dir = dir.path() + "/from-config";
  RunResult a = RunCli(dir, "keys create --team env --json", "GWANMUN_DATA_DIR=" + env_dir);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_FALSE(ReadFileBytes(env_dir + "/gwanmun.db").empty());

  const std::string cfg = dir.path() + "/gwanmun.yaml";
  std::ofstream(cfg) << "data_dir: " << cfg_dir << "\n";
  RunResult b = RunCli(dir, "keys create --team cfg --json --config " + cfg,
                       "GWANMUN_DATA_DIR=" + env_dir);  // the config file wins over the env
  ASSERT_EQ(b.exit_code, 0) << b.err;
  RunResult list = RunCli(dir, "keys list --json --config " + cfg);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto arr = nlohmann::json::parse(list.out);
  ASSERT_EQ(arr.size(), 1u);
  EXPECT_EQ(arr[0].at("team"), "cfg");

  // --data-dir wins over both.
  RunResult c = RunCli(dir, "keys list --json --config " + cfg + " --data-dir " + env_dir);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(nlohmann::json::parse(c.out).at(0).at("team"), "env");

  std::ofstream(cfg) << "data_dir: [not, a, string\n";
  RunResult bad = RunCli(dir, "keys list --config " + cfg);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("gwanmun.yaml"), std::string::npos) << bad.err;
}

TEST(AuditCliTest, VerifyIntactThenTampered) {
  ScratchDir dir;
  Append(dir, 1, 10);
  RunResult ok = RunCli(dir, "audit verify " + D(dir));
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("intact: 10 records"), std::string::npos) << ok.out;

  const std::string db = dir.path() + "/data/gwanmun.db";
  RawSql(db,
         "UPDATE audit_log SET model = 'gpt-3.5' WHERE seq = 3; DELETE FROM audit_log "
         "WHERE seq = 7");
  RunResult broken = RunCli(dir, "audit verify " + D(dir));
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.out.find("BROKEN"), std::string::npos) << broken.out;
  EXPECT_NE(broken.out.find("record seq 3: content does not match"), std::string::npos)
      << broken.out;
  EXPECT_NE(broken.out.find("record seq 7 is missing"), std::string::npos) << broken.out;

  RunResult json = RunCli(dir, "audit verify --json " + D(dir));
  EXPECT_EQ(json.exit_code, 1);
  auto j = nlohmann::json::parse(json.out);
  EXPECT_FALSE(j.at("ok").get<bool>());
  EXPECT_EQ(j.at("records"), 9);
  EXPECT_GE(j.at("problems").size(), 2u);
}

TEST(AuditCliTest, TailPrintsTheLastRecords) {
  ScratchDir dir;
  Append(dir, 1, 12);
  RunResult text = RunCli(dir, "audit tail -n 3 " + D(dir));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  auto lines = Lines(text.out);
  ASSERT_EQ(lines.size(), 3u) << text.out;
  EXPECT_EQ(lines[0].rfind("#10 ", 0), 0u) << lines[0];
  EXPECT_NE(lines[2].find("req-12"), std::string::npos);
  EXPECT_NE(lines[2].find("status=200"), std::string::npos);

  RunResult jsonl = RunCli(dir, "audit tail --format jsonl " + D(dir));  // default 10
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.err;
  auto jl = Lines(jsonl.out);
  ASSERT_EQ(jl.size(), 10u);
  EXPECT_EQ(nlohmann::json::parse(jl.front()).at("seq"), 3);
  EXPECT_EQ(nlohmann::json::parse(jl.back()).at("seq"), 12);

  RunResult all = RunCli(dir, "audit tail -n 100 " + D(dir));
  EXPECT_EQ(Lines(all.out).size(), 12u);
}

TEST(AuditCliTest, TailFollowPrintsNewRecords) {
  ScratchDir dir;
  Append(dir, 1, 2);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const std::string data = dir.path() + "/data";
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(GWANMUN_BINARY, GWANMUN_BINARY, "audit", "tail", "-n", "1", "--follow", "--interval-ms",
          "20", "--format", "jsonl", "--data-dir", data.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string got;
  // Reads until `needle` shows up; a generous deadline only guards against
  // hanging forever when the feature is broken.
  auto read_until = [&](const std::string& needle) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (got.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fds[0], POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) continue;
      char buf[4096];
      ssize_t n = read(fds[0], buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    return got.find(needle) != std::string::npos;
  };
  EXPECT_TRUE(read_until("\"request_id\":\"req-2\"")) << got;
  Append(dir, 3, 5);
  EXPECT_TRUE(read_until("\"request_id\":\"req-5\"")) << got;
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  close(fds[0]);
  EXPECT_EQ(got.find("\"req-1\""), std::string::npos);  // only the last 1 at start
  EXPECT_EQ(Lines(got).size(), 4u) << got;
}

TEST(AuditCliTest, ExportJsonlCanBeReverifiedIndependently) {
  ScratchDir dir;
  Append(dir, 1, 7);
  RunResult r = RunCli(dir, "audit export --format jsonl " + D(dir));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 7u);
  std::string prev(kGenesisHash);
  for (size_t i = 0; i < lines.size(); ++i) {
    auto j = nlohmann::json::parse(lines[i]);
    AuditRecord rec;
    rec.seq = j.at("seq");
    rec.time = j.at("time");
    rec.request_id = j.at("request_id");
    rec.key_id = j.at("key_id");
    rec.team = j.at("team");
    rec.endpoint = j.at("endpoint");
    rec.model = j.at("model");
    rec.upstream = j.at("upstream");
    rec.region = j.at("region");
    rec.status = j.at("status");
    rec.latency_ms = j.at("latency_ms");
    rec.tokens_in = j.at("tokens_in");
    rec.tokens_out = j.at("tokens_out");
    rec.findings = j.at("findings");
    rec.action = j.at("action");
    rec.fingerprints = j.at("fingerprints");
    EXPECT_EQ(rec.seq, static_cast<int64_t>(i) + 1);
    EXPECT_EQ(j.at("prev_hash"), prev);
    EXPECT_EQ(ChainHash(prev, rec), j.at("hash").get<std::string>()) << lines[i];
    prev = j.at("hash");
  }
}

TEST(AuditCliTest, ExportCsvToFile) {
  ScratchDir dir;
  {
    auto store = OpenDataDir(dir.path() + "/data");
    ASSERT_TRUE(store.ok());
    for (int i = 1; i <= 4; ++i) {
      AuditRecord r = MakeRecord(i, i == 2 ? "팀, \"인용\"" : "결제팀");
      ASSERT_TRUE(store.value()->AppendAudit(r).ok());
    }
  }
  const std::string out = dir.path() + "/audit.csv";
  RunResult r = RunCli(dir, "audit export --format csv --output " + out + " " + D(dir));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  auto lines = Lines(ReadFileBytes(out));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0].rfind("seq,time,request_id,key_id,team,", 0), 0u);
  EXPECT_NE(lines[2].find("\"팀, \"\"인용\"\"\""), std::string::npos) << lines[2];
  EXPECT_NE(lines[1].find(",13.500,"), std::string::npos) << lines[1];  // latency as hashed

  RunResult after = RunCli(dir, "audit export --after-seq 3 " + D(dir));
  ASSERT_EQ(after.exit_code, 0);
  ASSERT_EQ(Lines(after.out).size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(Lines(after.out)[0]).at("seq"), 4);

  EXPECT_NE(RunCli(dir, "audit export --format xml " + D(dir)).exit_code, 0);
  EXPECT_EQ(RunCli(dir, "audit export --output /nonexistent/dir/x.csv " + D(dir)).exit_code, 2);
}

}  // namespace
}  // namespace gwanmun::store
