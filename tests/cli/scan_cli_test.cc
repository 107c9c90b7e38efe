// Runs the real `gwanmun scan` binary and checks the JSONL contract that
// ../shared/eval/score.py reads, error reporting, and the text report.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

struct RunResult {
  int exit_code;
  std::string out;
  std::string err;
};

RunResult RunCli(const std::string& args, const std::string& stdin_data = "") {
  // Per-test file names: CTest runs tests in parallel processes.
  std::string dir = ::testing::TempDir();
  std::string tag =
      std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" + std::to_string(getpid());
  std::string in_path = dir + "/cli_stdin_" + tag + ".txt";
  std::string err_path = dir + "/cli_stderr_" + tag + ".txt";
  {
    std::ofstream f(in_path, std::ios::binary);
    f << stdin_data;
  }
  std::string cmd = std::string(GWANMUN_BINARY) + " " + args + " <" + in_path + " 2>" + err_path;
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

std::vector<nlohmann::json> Lines(const std::string& out) {
  std::vector<nlohmann::json> v;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) v.push_back(nlohmann::json::parse(line));
  }
  return v;
}

TEST(ScanCliTest, JsonlContract) {
  std::string input = R"({"id": "a", "text": "메일은 hong.gildong@example.co.kr로 보내 주세요."})"
                      "\n"
                      R"({"id": 7, "text": "아무것도 없음", "tags": ["x"]})"
                      "\n";
  auto r = RunCli("scan --format jsonl -", input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["id"], "a");
  EXPECT_EQ(lines[1]["id"], 7);
  ASSERT_EQ(lines[0]["spans"].size(), 1u);
  const auto& s = lines[0]["spans"][0];
  // "메일은 " is 10 bytes; the address is 26 bytes; the particle 로 is excluded.
  EXPECT_EQ(s["start"], 10);
  EXPECT_EQ(s["end"], 36);
  EXPECT_EQ(s["type"], "EMAIL");
  EXPECT_GT(s["confidence"].get<double>(), 0.5);
  EXPECT_TRUE(lines[1]["spans"].empty());
}

TEST(ScanCliTest, MalformedLineIsReportedAndTheRestProcessed) {
  std::string input = R"({"id": "1", "text": "x"})"
                      "\n"
                      "{not json\n"
                      R"({"id": "3"})"
                      "\n"
                      R"({"id": "4", "text": "y"})"
                      "\n";
  auto r = RunCli("scan --format jsonl -", input);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(":2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":3:"), std::string::npos) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["id"], "1");
  EXPECT_EQ(lines[1]["id"], "4");
}

TEST(ScanCliTest, TextReportMasksValuesAndExitCode) {
  std::string dir = ::testing::TempDir() + "/scan_dir_" + std::to_string(getpid());
  std::string mk = "mkdir -p " + dir + "/sub";
  ASSERT_EQ(std::system(mk.c_str()), 0);
  {
    std::ofstream f(dir + "/sub/mail.txt");
    f << "첫 줄\n연락은 someone.private@example.org 으로\n";
  }
  {
    std::ofstream f(dir + "/bin.dat", std::ios::binary);
    f << std::string("someone.private@example.org\0\0\0", 31);
  }
  auto r = RunCli("scan --exit-code " + dir);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("sub/mail.txt:2:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("EMAIL"), std::string::npos);
  EXPECT_EQ(r.out.find("someone.private@example.org"), std::string::npos) << "value not masked";
  EXPECT_EQ(r.out.find("bin.dat"), std::string::npos) << "binary file not skipped";
  auto clean = RunCli("scan --exit-code -", "nothing to see here\n");
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
}

TEST(ScanCliTest, UnknownTypeIsAnError) {
  auto r = RunCli("scan --types NOPE -", "x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown type"), std::string::npos);
}

}  // namespace
