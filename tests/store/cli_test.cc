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
#include "store/crypto.h"
#include "store/fingerprint.h"
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

// Runs `gwanmun <args>` through the shell (args are trusted test strings),
// with stdin from `stdin_path`.
RunResult RunCli(const ScratchDir& dir, const std::string& args, const std::string& env = "",
                 const std::string& stdin_path = "/dev/null") {
  const std::string err_path = dir.path() + "/stderr.txt";
  std::string cmd = (env.empty() ? "" : "env " + env + " ") + std::string(GWANMUN_BINARY) + " " + args + " <" +
                    stdin_path + " 2>" + err_path;
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

TEST(KeysCliTest, PolicyPerKey) {
  ScratchDir dir;
  RunResult c = RunCli(dir, "keys create " + D(dir) + " --team 결제팀 --policy financial --json");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto created = nlohmann::json::parse(c.out);
  EXPECT_EQ(created.at("policy"), "financial");
  const std::string key_id = created.at("key_id"), secret = created.at("secret");

  RunResult plain = RunCli(dir, "keys create " + D(dir) + " --team ml");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.out.find("policy default"), std::string::npos) << plain.out;
  RunResult text = RunCli(dir, "keys create " + D(dir) + " --team hr --policy public");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("policy public"), std::string::npos) << text.out;

  RunResult json = RunCli(dir, "keys list --json " + D(dir));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto arr = nlohmann::json::parse(json.out);
  ASSERT_EQ(arr.size(), 3u);
  EXPECT_EQ(arr[0].at("key_id"), key_id);
  EXPECT_EQ(arr[0].at("policy"), "financial");
  EXPECT_EQ(arr[1].at("policy"), "");  // the deployment/team policy
  EXPECT_EQ(arr[2].at("policy"), "public");

  RunResult list = RunCli(dir, "keys list " + D(dir));
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("POLICY"), std::string::npos) << list.out;
  for (const auto& line : Lines(list.out)) {
    if (line.find(key_id) != std::string::npos) {
      EXPECT_NE(line.find("financial"), std::string::npos) << line;
    }
    if (line.find(" ml ") != std::string::npos) {
      EXPECT_NE(line.find("default"), std::string::npos) << line;
    }
  }

  {  // The store hands the policy to the gateway with the principal.
    auto store = OpenDataDir(dir.path() + "/data");
    ASSERT_TRUE(store.ok());
    auto p = store.value()->Authenticate(secret);
    ASSERT_TRUE(p.ok() && p.value().has_value());
    EXPECT_EQ(p.value()->policy, "financial");
  }

  // An unknown name: exit 2, the valid names listed, no key created.
  for (const char* bad : {"strict", "Financial", "off"}) {
    RunResult r = RunCli(dir, "keys create " + D(dir) + " --team t --policy " + std::string(bad));
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(r.err.find(std::string("'") + bad + "'"), std::string::npos) << r.err;
    for (const char* name : {"general", "financial", "public", "pseudonymize-all", "allow-all"}) {
      EXPECT_NE(r.err.find(name), std::string::npos) << name << " missing from: " << r.err;
    }
  }
  RunResult after = RunCli(dir, "keys list --json " + D(dir));
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(nlohmann::json::parse(after.out).size(), 3u);
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
  EXPECT_NE(broken.out.find("record seq 3: content does not match"), std::string::npos) << broken.out;
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
    execl(GWANMUN_BINARY, GWANMUN_BINARY, "audit", "tail", "-n", "1", "--follow", "--interval-ms", "20", "--format",
          "jsonl", "--data-dir", data.c_str(), static_cast<char*>(nullptr));
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

// --- audit search ---

constexpr char kFpSecret[] = "cli-test-fingerprint-secret-0123";
constexpr char kRrn[] = "850315-2987654";  // no part of it in key ids, times, …
constexpr char kSecretEnv[] = "GW_TEST_FP_SECRET=cli-test-fingerprint-secret-0123";

// Records 1..4: an RRN (1, 3), a phone (2, 3), the RRN found as a name (4).
void AppendWithFingerprints(const ScratchDir& dir) {
  ASSERT_TRUE(EnsureCryptoInit().ok());
  const std::string rrn = Fingerprint(kFpSecret, kRrn);
  const std::string phone = Fingerprint(kFpSecret, "010-9876-5432");
  auto store = OpenDataDir(dir.path() + "/data");
  ASSERT_TRUE(store.ok()) << store.status().message();
  const std::string fps[] = {"[\"KR_RRN:" + rrn + "\"]", "[\"KR_PHONE:" + phone + "\"]",
                             "[\"KR_PHONE:" + phone + "\",\"KR_RRN:" + rrn + "\"]", "[\"PERSON_NAME:" + rrn + "\"]"};
  for (int i = 1; i <= 4; ++i) {
    AuditRecord r = MakeRecord(i, i == 3 ? "인사팀" : "결제팀");
    r.fingerprints = fps[i - 1];
    ASSERT_TRUE(store.value()->AppendAudit(r).ok());
  }
}

// No spelling of the RRN, nor a recognisable part of it, was printed.
void ExpectNoValue(const RunResult& r) {
  for (const char* part : {"8503152987654", "850315", "2987654"}) {
    EXPECT_EQ(r.out.find(part), std::string::npos) << part << " in stdout: " << r.out;
    EXPECT_EQ(r.err.find(part), std::string::npos) << part << " in stderr: " << r.err;
  }
}

std::string S(const ScratchDir& dir) { return "audit search " + D(dir) + " "; }

TEST(AuditSearchCliTest, FindsRecordsByValue) {
  ScratchDir dir;
  AppendWithFingerprints(dir);
  RunResult text = RunCli(dir, S(dir) + "--value " + kRrn + " --secret-env GW_TEST_FP_SECRET", kSecretEnv);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  ExpectNoValue(text);
  auto lines = Lines(text.out);
  ASSERT_EQ(lines.size(), 3u) << text.out;
  EXPECT_EQ(lines[0].rfind("#1 ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("req-1"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("key_0123456789abcdef"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("team=결제팀"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("/v1/chat/completions"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("model=gpt-4o"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("upstream=azure-kr"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("region=kr"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("status=200"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("action=mask"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("types=KR_RRN"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1].rfind("#3 ", 0), 0u) << lines[1];
  EXPECT_NE(lines[1].find("team=인사팀"), std::string::npos) << lines[1];
  EXPECT_EQ(lines[2].rfind("#4 ", 0), 0u) << lines[2];
  EXPECT_NE(lines[2].find("types=PERSON_NAME"), std::string::npos) << lines[2];

  // Other spellings of the same value, JSONL output.
  for (const char* value : {"8503152987654", "'850315 - 2987654'", "８５０３１５－２９８７６５４"}) {
    RunResult json = RunCli(dir, S(dir) + "--json --value " + value + " --secret-env GW_TEST_FP_SECRET", kSecretEnv);
    ASSERT_EQ(json.exit_code, 0) << value << ": " << json.err;
    ExpectNoValue(json);
    auto jl = Lines(json.out);
    ASSERT_EQ(jl.size(), 3u) << json.out;
    auto j = nlohmann::json::parse(jl[1]);
    EXPECT_EQ(j.at("seq"), 3);
    EXPECT_EQ(j.at("request_id"), "req-3");
    EXPECT_EQ(j.at("team"), "인사팀");
    EXPECT_EQ(j.at("region"), "kr");
    EXPECT_EQ(j.at("status"), 200);
    EXPECT_EQ(j.at("action"), "mask");
    EXPECT_EQ(j.at("types"), nlohmann::json::array({"KR_RRN"}));
    EXPECT_FALSE(j.contains("fingerprints"));
  }

  // --type restricts to entries of that type (case-insensitive name).
  RunResult typed =
      RunCli(dir, S(dir) + "--json --type kr_rrn --value " + kRrn + " --secret-env GW_TEST_FP_SECRET", kSecretEnv);
  ASSERT_EQ(typed.exit_code, 0) << typed.err;
  auto tl = Lines(typed.out);
  ASSERT_EQ(tl.size(), 2u) << typed.out;
  EXPECT_EQ(nlohmann::json::parse(tl[0]).at("seq"), 1);
  EXPECT_EQ(nlohmann::json::parse(tl[1]).at("seq"), 3);
  RunResult wrong_type =
      RunCli(dir, S(dir) + "--type KR_PHONE --value " + kRrn + " --secret-env GW_TEST_FP_SECRET", kSecretEnv);
  EXPECT_EQ(wrong_type.exit_code, 1) << wrong_type.err;
  EXPECT_TRUE(wrong_type.out.empty()) << wrong_type.out;
  ExpectNoValue(wrong_type);

  // --limit: the oldest N, and a note that there are more.
  RunResult limited = RunCli(dir, S(dir) + "--limit 1 --value " + kRrn + " --secret-env GW_TEST_FP_SECRET", kSecretEnv);
  ASSERT_EQ(limited.exit_code, 0) << limited.err;
  ASSERT_EQ(Lines(limited.out).size(), 1u) << limited.out;
  EXPECT_EQ(Lines(limited.out)[0].rfind("#1 ", 0), 0u);
  EXPECT_NE(limited.err.find("--limit"), std::string::npos) << limited.err;
  RunResult limited_typed = RunCli(
      dir, S(dir) + "--limit 1 --type PERSON_NAME --value " + kRrn + " --secret-env GW_TEST_FP_SECRET", kSecretEnv);
  ASSERT_EQ(limited_typed.exit_code, 0) << limited_typed.err;
  ASSERT_EQ(Lines(limited_typed.out).size(), 1u) << limited_typed.out;
  EXPECT_EQ(Lines(limited_typed.out)[0].rfind("#4 ", 0), 0u);
  EXPECT_TRUE(limited_typed.err.empty()) << limited_typed.err;

  // The phone number.
  RunResult phone = RunCli(dir, S(dir) + "--value '010 9876 5432' --secret-env GW_TEST_FP_SECRET", kSecretEnv);
  ASSERT_EQ(phone.exit_code, 0) << phone.err;
  auto pl = Lines(phone.out);
  ASSERT_EQ(pl.size(), 2u) << phone.out;
  EXPECT_EQ(pl[0].rfind("#2 ", 0), 0u);
  EXPECT_NE(pl[1].find("types=KR_PHONE"), std::string::npos) << pl[1];
  EXPECT_EQ(phone.out.find("9876"), std::string::npos);
}

TEST(AuditSearchCliTest, SecretFromFileOrConfigAndValueFromStdin) {
  ScratchDir dir;
  AppendWithFingerprints(dir);
  const std::string secret_file = dir.path() + "/fp.secret";
  std::ofstream(secret_file) << kFpSecret << "\n";  // a trailing newline is ignored
  RunResult by_file = RunCli(dir, S(dir) + "--value " + kRrn + " --secret-file " + secret_file);
  ASSERT_EQ(by_file.exit_code, 0) << by_file.err;
  EXPECT_EQ(Lines(by_file.out).size(), 3u) << by_file.out;
  ExpectNoValue(by_file);

  // The config file's audit section (and its data_dir).
  const std::string cfg = dir.path() + "/gwanmun.yaml";
  std::ofstream(cfg) << "data_dir: " << dir.path() << "/data\n"
                     << "audit:\n  fingerprint_secret_env: GW_TEST_FP_SECRET\n";
  RunResult by_config = RunCli(dir, "audit search --config " + cfg + " --value " + kRrn, kSecretEnv);
  ASSERT_EQ(by_config.exit_code, 0) << by_config.err;
  EXPECT_EQ(Lines(by_config.out).size(), 3u) << by_config.out;
  ExpectNoValue(by_config);
  // The config names the variable, but it is not set.
  RunResult unset = RunCli(dir, "audit search --config " + cfg + " --value " + kRrn);
  EXPECT_EQ(unset.exit_code, 2);
  EXPECT_NE(unset.err.find("GW_TEST_FP_SECRET"), std::string::npos) << unset.err;
  ExpectNoValue(unset);

  // --value - reads the value from stdin (out of ps and shell history).
  const std::string value_file = dir.path() + "/value.txt";
  std::ofstream(value_file) << kRrn << "\n";
  RunResult from_stdin = RunCli(dir, S(dir) + "--value - --secret-env GW_TEST_FP_SECRET", kSecretEnv, value_file);
  ASSERT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  EXPECT_EQ(Lines(from_stdin.out).size(), 3u) << from_stdin.out;
  ExpectNoValue(from_stdin);

  // A different secret finds nothing.
  RunResult other = RunCli(dir, S(dir) + "--value " + kRrn + " --secret-env GW_TEST_FP_SECRET",
                           "GW_TEST_FP_SECRET=another-secret-0123456789");
  EXPECT_EQ(other.exit_code, 1) << other.err;
  EXPECT_TRUE(other.out.empty()) << other.out;
}

TEST(AuditSearchCliTest, NoMatchExitsOneAndErrorsExitTwo) {
  ScratchDir dir;
  AppendWithFingerprints(dir);
  RunResult absent = RunCli(dir, S(dir) + "--value 770707-1555555 --secret-env GW_TEST_FP_SECRET", kSecretEnv);
  EXPECT_EQ(absent.exit_code, 1) << absent.err;
  EXPECT_TRUE(absent.out.empty()) << absent.out;
  EXPECT_EQ(absent.err.find("770707"), std::string::npos) << absent.err;
  EXPECT_EQ(absent.err.find("1555555"), std::string::npos) << absent.err;

  RunResult no_secret = RunCli(dir, S(dir) + "--value " + kRrn);
  EXPECT_EQ(no_secret.exit_code, 2);
  EXPECT_TRUE(no_secret.out.empty()) << no_secret.out;
  EXPECT_NE(no_secret.err.find("no fingerprint secret configured"), std::string::npos) << no_secret.err;
  EXPECT_NE(no_secret.err.find("audit.fingerprint_secret_env"), std::string::npos) << no_secret.err;
  ExpectNoValue(no_secret);

  // A config without an audit section has no secret either.
  const std::string cfg = dir.path() + "/gwanmun.yaml";
  std::ofstream(cfg) << "data_dir: " << dir.path() << "/data\n";
  RunResult cfg_no_secret = RunCli(dir, "audit search --config " + cfg + " --value " + kRrn);
  EXPECT_EQ(cfg_no_secret.exit_code, 2);
  EXPECT_NE(cfg_no_secret.err.find("no fingerprint secret configured"), std::string::npos) << cfg_no_secret.err;
  ExpectNoValue(cfg_no_secret);

  RunResult unset_env = RunCli(dir, S(dir) + "--value " + kRrn + " --secret-env GW_TEST_UNSET");
  EXPECT_EQ(unset_env.exit_code, 2);
  ExpectNoValue(unset_env);
  RunResult short_secret = RunCli(dir, S(dir) + "--value " + kRrn + " --secret-env GW_TEST_FP", "GW_TEST_FP=short");
  EXPECT_EQ(short_secret.exit_code, 2);
  ExpectNoValue(short_secret);
  RunResult missing_file = RunCli(dir, S(dir) + "--value " + kRrn + " --secret-file " + dir.path() + "/nope");
  EXPECT_EQ(missing_file.exit_code, 2);
  ExpectNoValue(missing_file);

  // A value split by an unquoted space: rejected without echoing the rest.
  RunResult split = RunCli(dir, S(dir) + "--value 850315 2987654 --secret-env GW_TEST_FP_SECRET", kSecretEnv);
  EXPECT_EQ(split.exit_code, 2);
  ExpectNoValue(split);
  RunResult empty = RunCli(dir, S(dir) + "--value ' ' --secret-env GW_TEST_FP_SECRET", kSecretEnv);
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(RunCli(dir, S(dir) + "--secret-env GW_TEST_FP_SECRET", kSecretEnv).exit_code, 0) << "--value is required";
  EXPECT_NE(RunCli(dir, S(dir) + "--value " + kRrn + " --limit 0 --secret-env GW_TEST_FP_SECRET", kSecretEnv).exit_code,
            0);
  RunResult both =
      RunCli(dir, S(dir) + "--value " + kRrn + " --secret-env GW_TEST_FP_SECRET --secret-file /dev/null", kSecretEnv);
  EXPECT_NE(both.exit_code, 0);
  ExpectNoValue(both);
}

}  // namespace
}  // namespace gwanmun::store
