// Runs the real `gwanmun demo` (in-process gateway + echo model) and checks
// what the model saw and what came back, per policy, plain and streamed.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

using nlohmann::json;

// The personal values of demo_command.cc's built-in prompts.
const std::vector<std::string> kCustomerValues = {"김민준", "010-2345-6789", "minjun.kim@example.co.kr"};
const std::vector<std::string> kHrValues = {"이서연", "920714-2345672", "110-234-567890"};
const std::string kRrn = "920714-2345672";
const std::string kAwsKeyId = "AKIA4F7KQ2ZXMR9BT3WE";

struct RunResult {
  int exit_code;
  std::string out;
  std::string err;
};

std::string Tag() {
  return std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" + std::to_string(getpid());
}

// `env` is prepended to the command line (e.g. "TMPDIR=/x").
RunResult RunCli(const std::string& args, const std::string& env = "") {
  std::string err_path = ::testing::TempDir() + "/demo_stderr_" + Tag() + ".txt";
  std::string cmd = env + " " + GWANMUN_BINARY + " " + args + " </dev/null 2>" + err_path;
  FILE* p = popen(cmd.c_str(), "r");
  RunResult r{-1, "", ""};
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_path, std::ios::binary);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  return r;
}

std::vector<json> Lines(const std::string& out) {
  std::vector<json> v;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) v.push_back(json::parse(line));
  }
  return v;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
    s.replace(p, from.size(), to);
  }
  return s;
}

void ExpectPseudonymized(const json& o, const std::vector<std::string>& values,
                         const std::vector<std::string>& placeholders) {
  ASSERT_EQ(o["status"], 200) << o.dump();
  EXPECT_FALSE(o["blocked"].get<bool>());
  ASSERT_TRUE(o["upstream_saw"].is_string()) << o.dump();
  std::string saw = o["upstream_saw"];
  for (const auto& v : values) EXPECT_FALSE(Contains(saw, v)) << v << " reached the model: " << saw;
  for (const auto& p : placeholders) EXPECT_TRUE(Contains(saw, p)) << p << " missing: " << saw;
}

TEST(DemoTest, DefaultPolicyPseudonymizesMasksAndBlocks) {
  auto r = RunCli("demo --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;

  // Customer-service note: everything pseudonymized and restored.
  const json& cs = lines[0];
  ExpectPseudonymized(cs, kCustomerValues, {"[[PERSON_NAME_1]]", "[[KR_PHONE_1]]", "[[EMAIL_1]]"});
  EXPECT_EQ(cs["received"], "Echo: " + cs["sent"].get<std::string>());
  EXPECT_FALSE(cs["stream"].get<bool>());

  // HR request: the RRN is masked (never restored), the rest pseudonymized.
  const json& hr = lines[1];
  ExpectPseudonymized(hr, kHrValues, {"[[KR_RRN]]", "[[KR_BANK_ACCOUNT_1]]", "[[PERSON_NAME_1]]"});
  EXPECT_EQ(hr["received"], "Echo: " + Replace(hr["sent"], kRrn, "[[KR_RRN]]"));

  // Credential: blocked by the gateway, never sent.
  const json& cred = lines[2];
  EXPECT_TRUE(Contains(cred["sent"], kAwsKeyId));
  EXPECT_EQ(cred["status"], 403);
  EXPECT_TRUE(cred["blocked"].get<bool>());
  EXPECT_TRUE(cred["upstream_saw"].is_null());
  EXPECT_TRUE(cred["received"].is_null());
  ASSERT_TRUE(cred["error"].is_string());
  EXPECT_TRUE(Contains(cred["error"], "SECRET")) << cred["error"];
  EXPECT_FALSE(Contains(cred["error"], kAwsKeyId));
}

TEST(DemoTest, PseudonymizeAllRestoresEveryAnswerExactly) {
  auto r = RunCli("demo --json --policy pseudonymize-all");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  ExpectPseudonymized(lines[0], kCustomerValues, {"[[PERSON_NAME_1]]"});
  ExpectPseudonymized(lines[1], kHrValues, {"[[KR_RRN_1]]", "[[KR_BANK_ACCOUNT_1]]"});
  ExpectPseudonymized(lines[2], {kAwsKeyId}, {"[[SECRET_1]]"});
  for (const json& o : lines) EXPECT_EQ(o["received"], "Echo: " + o["sent"].get<std::string>());
}

TEST(DemoTest, AllowAllShowsTheOriginalsUpstream) {
  auto r = RunCli("demo --json --policy allow-all");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  for (const json& o : lines) {
    EXPECT_EQ(o["status"], 200);
    EXPECT_EQ(o["upstream_saw"], o["sent"]);
    EXPECT_EQ(o["received"], "Echo: " + o["sent"].get<std::string>());
  }
  EXPECT_TRUE(Contains(lines[1]["upstream_saw"], kRrn));
}

TEST(DemoTest, StreamingGivesTheSameAnswers) {
  auto plain = RunCli("demo --json");
  auto streamed = RunCli("demo --json --stream");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
  auto a = Lines(plain.out);
  auto b = Lines(streamed.out);
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), 3u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(b[i]["stream"].get<bool>());
    EXPECT_EQ(b[i]["status"], a[i]["status"]);
    EXPECT_EQ(b[i]["received"], a[i]["received"]) << i;
    EXPECT_EQ(b[i]["upstream_saw"], a[i]["upstream_saw"]) << i;
    if (b[i]["status"] == 200) {
      EXPECT_GT(b[i]["events"].get<int>(), 3);
    }
  }
  EXPECT_EQ(b[0]["received"], "Echo: " + b[0]["sent"].get<std::string>());
}

TEST(DemoTest, OwnPromptsReplaceTheBuiltInOnes) {
  auto r = RunCli("demo --json --prompt '담당자 박지훈 010-9876-5432' --prompt 'hello'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0]["sent"], "담당자 박지훈 010-9876-5432");
  ExpectPseudonymized(lines[0], {"010-9876-5432"}, {"[[KR_PHONE_1]]"});
  EXPECT_EQ(lines[0]["received"], "Echo: 담당자 박지훈 010-9876-5432");
  EXPECT_EQ(lines[1]["upstream_saw"], "hello");
  EXPECT_EQ(lines[1]["received"], "Echo: hello");
}

TEST(DemoTest, TextOutputAndTemporaryDirectoryRemoved) {
  std::string tmp = ::testing::TempDir() + "/demo_tmp_" + Tag();
  std::filesystem::remove_all(tmp);
  std::filesystem::create_directories(tmp);
  auto r = RunCli("demo", "TMPDIR=" + tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "What you sent:")) << r.out;
  EXPECT_TRUE(Contains(r.out, "모델이 받은 내용 / What the model saw: "));
  EXPECT_TRUE(Contains(r.out, "사용자가 받은 답 / What you got back:  Echo: "));
  EXPECT_TRUE(Contains(r.out, "(blocked: ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "(streamed, ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "[[PERSON_NAME_1]]"));
  EXPECT_TRUE(std::filesystem::is_empty(tmp)) << "the temporary data directory was left behind";
  std::filesystem::remove_all(tmp);
}

TEST(DemoTest, DataDirIsKept) {
  std::string dir = ::testing::TempDir() + "/demo_data_" + Tag();
  std::filesystem::remove_all(dir);
  auto r = RunCli("demo --json --data-dir " + dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir + "/gwanmun.db"));
  auto tail = RunCli("audit tail --data-dir " + dir);
  EXPECT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_FALSE(tail.out.empty());
  EXPECT_FALSE(Contains(tail.out, kRrn)) << "the audit log holds no values";
  std::filesystem::remove_all(dir);
}

TEST(DemoTest, UnknownPolicy) {
  auto r = RunCli("demo --policy nope");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "unknown profile")) << r.err;
}

}  // namespace
