// The guardrail stage on its own: request rewriting, decisions, and the
// restoration of placeholders in bodies and in streams cut anywhere.
#include "proxy/guard_stage.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>

#include "openai/json_text.h"

namespace gwanmun::proxy {
namespace {

using Json = nlohmann::json;
using openai::Endpoint;
using openai::SseEvent;

std::shared_ptr<const detect::Scanner> SharedScanner() {
  static std::shared_ptr<const detect::Scanner> s = [] {
    auto r = detect::Scanner::Compile(detect::ScannerOptions{});
    EXPECT_TRUE(r.ok());
    return std::shared_ptr<const detect::Scanner>(std::move(r).value());
  }();
  return s;
}

Pipeline GuardPipeline(const std::string& profile, std::function<void(GuardSettings&)> tweak = nullptr) {
  GuardSettings s;
  s.scanner = SharedScanner();
  s.policy = *policy::BuiltinProfile(profile);
  if (tweak) tweak(s);
  return Pipeline({MakeGuardStage(std::move(s))});
}

Exchange ChatExchange(const std::string& user_text, bool stream = false) {
  Exchange ex;
  ex.endpoint = Endpoint::kChatCompletions;
  ex.path = "/v1/chat/completions";
  ex.request.model = "gpt-4o";
  ex.request.stream = stream;
  std::string lit;
  openai::AppendJsonString(user_text, &lit);
  ex.body =
      R"({"model":"gpt-4o","messages":[{"role":"system","content":"be brief"},{"role":"user","content":)" + lit + "}]}";
  return ex;
}

std::string UpstreamUserText(const Exchange& ex) {
  Json j = Json::parse(ex.body);
  return j["messages"][1]["content"].get<std::string>();
}

// Values in this file are made up for the tests (valid formats, fictional people).
const std::string kText =
    "고객 김민준님(010-2345-6789, minjun.kim@example.co.kr)의 주민등록번호 900101-1234568 확인 요청. "
    "김민준님께 다시 연락: 010-2345-6789.";
const std::vector<std::string> kValues = {"김민준", "010-2345-6789", "minjun.kim@example.co.kr", "900101-1234568"};

TEST(GuardStageTest, PseudonymizesEveryValueAndRecordsCountsNotValues) {
  Pipeline p = GuardPipeline("pseudonymize-all");
  Exchange ex = ChatExchange(kText);
  Chain c = p.Start(ex);
  ASSERT_FALSE(c.OnRequest(ex));
  for (const auto& v : kValues) EXPECT_EQ(ex.body.find(v), std::string::npos) << v;
  std::string up = UpstreamUserText(ex);
  EXPECT_NE(up.find("[[KR_PHONE_1]]"), std::string::npos) << up;
  // The same value gets the same placeholder everywhere.
  EXPECT_EQ(up.find("[[KR_PHONE_2]]"), std::string::npos) << up;
  EXPECT_NE(ex.body.find("\"store\":false"), std::string::npos);
  Json findings = Json::parse(ex.findings);
  EXPECT_EQ(findings["KR_PHONE"], 2);
  EXPECT_EQ(findings["KR_RRN"], 1);
  EXPECT_NE(ex.action.find("pseudonymize"), std::string::npos);
  EXPECT_NE(ex.action.find("store=false"), std::string::npos);
  for (const auto& v : kValues) EXPECT_EQ((ex.findings + ex.action).find(v), std::string::npos);
  EXPECT_EQ(ex.fingerprints, "[]") << "no secret, no fingerprints";
}

TEST(GuardStageTest, FingerprintsWithASecret) {
  Pipeline p =
      GuardPipeline("pseudonymize-all", [](GuardSettings& s) { s.fingerprint_secret = "0123456789abcdef-secret"; });
  Exchange ex = ChatExchange(kText);
  Chain c = p.Start(ex);
  ASSERT_FALSE(c.OnRequest(ex));
  Json fps = Json::parse(ex.fingerprints);
  ASSERT_TRUE(fps.is_array());
  EXPECT_EQ(fps.size(), kValues.size());
  for (const auto& v : kValues) EXPECT_EQ(ex.fingerprints.find(v), std::string::npos);
}

TEST(GuardStageTest, ValueFoundOnceIsReplacedWhereContextIsMissing) {
  Pipeline p = GuardPipeline("pseudonymize-all");
  Exchange ex;
  ex.endpoint = Endpoint::kChatCompletions;
  ex.body =
      R"({"model":"m","messages":[{"role":"user","content":"담당자 이름: 박서연"},{"role":"user","content":"박서연"}]})";
  Chain c = p.Start(ex);
  ASSERT_FALSE(c.OnRequest(ex));
  EXPECT_EQ(ex.body.find("박서연"), std::string::npos) << ex.body;
}

TEST(GuardStageTest, BlocksWithTypesNeverValues) {
  Pipeline p = GuardPipeline("financial");
  Exchange ex = ChatExchange(kText);
  Chain c = p.Start(ex);
  auto err = c.OnRequest(ex);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 403);
  EXPECT_EQ(err->code, "gwanmun_policy_violation");
  EXPECT_NE(err->message.find("KR_RRN"), std::string::npos);
  for (const auto& v : kValues) EXPECT_EQ(err->message.find(v), std::string::npos);
  EXPECT_EQ(ex.action, "block");
}

TEST(GuardStageTest, ResidencyNarrowsRegionsAndNamesTheRule) {
  Pipeline p = GuardPipeline("pseudonymize-all", [](GuardSettings& s) {
    policy::ResidencyRule r;
    r.name = "rrn-in-korea";
    r.types.set(static_cast<size_t>(detect::EntityType::kRrn));
    r.region = "kr";
    s.policy.residency.push_back(r);
    s.substitutes.emplace("gpt-4o", "kr-model");
  });
  Exchange ex = ChatExchange(kText);
  Chain c = p.Start(ex);
  ASSERT_FALSE(c.OnRequest(ex));
  EXPECT_EQ(ex.route.allowed_regions, std::vector<std::string>{"kr"});
  EXPECT_NE(ex.route.reason.find("rrn-in-korea"), std::string::npos);
  EXPECT_NE(ex.route.reason.find("KR_RRN"), std::string::npos);
  EXPECT_EQ(ex.route.substitute_model, "kr-model");
  for (const auto& v : kValues) EXPECT_EQ(ex.route.reason.find(v), std::string::npos);

  Exchange plain = ChatExchange("안녕하세요, 회의는 3시입니다.");
  Chain c2 = p.Start(plain);
  ASSERT_FALSE(c2.OnRequest(plain));
  EXPECT_TRUE(plain.route.allowed_regions.empty());
  EXPECT_EQ(plain.action, "none;store=false");
}

TEST(GuardStageTest, FailsClosedOnUnreadableBodiesAndRetentionEndpoints) {
  Pipeline p = GuardPipeline("general");
  Exchange bad;
  bad.endpoint = Endpoint::kChatCompletions;
  bad.body = R"({"model":"m","messages":[{"role":"user","content":"x"}])";
  Chain c = p.Start(bad);
  auto err = c.OnRequest(bad);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 400);

  Exchange files;
  files.endpoint = Endpoint::kOther;
  files.path = "/v1/files";
  files.body = "--boundary...";
  Chain c2 = p.Start(files);
  err = c2.OnRequest(files);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 403);
  EXPECT_TRUE(IsPersistingPath("/v1/vector_stores/vs_1/files"));
  EXPECT_FALSE(IsPersistingPath("/v1/filesystem"));
  EXPECT_FALSE(IsPersistingPath("/v1/audio/speech"));

  Exchange tokens;
  tokens.endpoint = Endpoint::kEmbeddings;
  tokens.body = R"({"model":"m","input":[[101,2023]]})";
  Chain c3 = p.Start(tokens);
  err = c3.OnRequest(tokens);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 403);
}

TEST(GuardStageTest, RestoresNonStreamingBodiesIncludingToolArguments) {
  Pipeline p = GuardPipeline("pseudonymize-all");
  Exchange ex = ChatExchange(kText + " 따옴표 \"와 백슬래시 \\");
  Chain c = p.Start(ex);
  ASSERT_FALSE(c.OnRequest(ex));
  std::string seen = UpstreamUserText(ex);
  Json args = {{"echo", seen}};
  Json resp = {
      {"id", "x"},
      {"object", "chat.completion"},
      {"choices",
       {{{"index", 0},
         {"message",
          {{"role", "assistant"},
           {"content", "Echo: " + seen},
           {"tool_calls",
            {{{"id", "c"}, {"type", "function"}, {"function", {{"name", "f"}, {"arguments", args.dump()}}}}}}}},
         {"finish_reason", "stop"}}}}};
  std::string body = resp.dump();
  c.OnResponseBody(ex, body);
  Json got = Json::parse(body);
  EXPECT_EQ(got["choices"][0]["message"]["content"], "Echo: " + kText + " 따옴표 \"와 백슬래시 \\");
  Json got_args =
      Json::parse(got["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"].get<std::string>());
  EXPECT_EQ(got_args["echo"], kText + " 따옴표 \"와 백슬래시 \\");
}

// Splits `s` into pieces of random sizes (in bytes, but never inside a UTF-8
// character: SSE events carry whole JSON strings).
std::vector<std::string> RandomPieces(const std::string& s, std::mt19937& rng, int max_chars) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    int n = 1 + static_cast<int>(rng() % static_cast<unsigned>(max_chars));
    size_t j = i;
    for (int k = 0; k < n && j < s.size(); ++k) {
      ++j;
      while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
    }
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

SseEvent Data(const Json& j) {
  SseEvent e;
  e.data = j.dump();
  e.has_data = true;
  e.raw = "data: " + e.data + "\n\n";
  return e;
}

TEST(GuardStageTest, ChatStreamsRestoreAcrossAnySplit) {
  Pipeline p = GuardPipeline("pseudonymize-all");
  std::mt19937 rng(2026);
  for (int round = 0; round < 200; ++round) {
    bool with_finish = round % 3 != 0;
    Exchange ex = ChatExchange(kText + (round % 2 ? " [[KR_PHONE_1]] 사용자가 쓴 글 [" : ""), true);
    Chain c = p.Start(ex);
    ASSERT_FALSE(c.OnRequest(ex));
    std::string answer = "Echo: " + UpstreamUserText(ex);
    std::string args = Json({{"echo", UpstreamUserText(ex)}}).dump();
    std::vector<SseEvent> out;
    Json base = {{"id", "chatcmpl-1"}, {"object", "chat.completion.chunk"}, {"created", 1}, {"model", "gpt-4o"}};
    Json first = base;
    first["choices"] = {
        {{"index", 0}, {"delta", {{"role", "assistant"}, {"content", ""}}}, {"finish_reason", nullptr}}};
    c.OnStreamEvent(ex, Data(first), &out);
    for (const auto& piece : RandomPieces(answer, rng, 1 + round % 7)) {
      Json j = base;
      j["choices"] = {{{"index", 0}, {"delta", {{"content", piece}}}, {"finish_reason", nullptr}}};
      c.OnStreamEvent(ex, Data(j), &out);
    }
    for (const auto& piece : RandomPieces(args, rng, 1 + round % 5)) {
      Json j = base;
      j["choices"] = {{{"index", 0},
                       {"delta", {{"tool_calls", {{{"index", 0}, {"function", {{"arguments", piece}}}}}}}},
                       {"finish_reason", nullptr}}};
      c.OnStreamEvent(ex, Data(j), &out);
    }
    if (with_finish) {
      Json last = base;
      last["choices"] = {{{"index", 0}, {"delta", Json::object()}, {"finish_reason", "stop"}}};
      c.OnStreamEvent(ex, Data(last), &out);
    }
    SseEvent done;
    done.data = "[DONE]";
    done.has_data = true;
    c.OnStreamEvent(ex, std::move(done), &out);
    c.OnStreamEnd(ex, &out);

    std::string content, got_args;
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.back().data, "[DONE]");
    for (size_t i = 0; i + 1 < out.size(); ++i) {
      Json j = Json::parse(out[i].data);  // every event stays valid JSON
      for (const auto& ch : j["choices"]) {
        const Json& d = ch["delta"];
        if (d.contains("content") && d["content"].is_string()) content += d["content"].get<std::string>();
        if (d.contains("tool_calls")) {
          for (const auto& tc : d["tool_calls"]) got_args += tc["function"]["arguments"].get<std::string>();
        }
      }
    }
    std::string want = "Echo: " + kText + (round % 2 ? " [[KR_PHONE_1]] 사용자가 쓴 글 [" : "");
    ASSERT_EQ(content, want) << "round " << round;
    ASSERT_EQ(Json::parse(got_args)["echo"], want.substr(6)) << "round " << round;
  }
}

TEST(GuardStageTest, ResponsesStreamsRestoreAndKeepSequenceNumbersIncreasing) {
  Pipeline p = GuardPipeline("pseudonymize-all");
  std::mt19937 rng(11);
  for (int round = 0; round < 100; ++round) {
    Exchange ex;
    ex.endpoint = Endpoint::kResponses;
    ex.request.stream = true;
    std::string lit;
    std::string original = kText + (round % 2 ? " 끝 [[" : "");
    openai::AppendJsonString(original, &lit);
    ex.body = R"({"model":"m","stream":true,"input":)" + lit + "}";
    Chain c = p.Start(ex);
    ASSERT_FALSE(c.OnRequest(ex));
    std::string seen = Json::parse(ex.body)["input"].get<std::string>();
    ASSERT_EQ(seen.find("900101"), std::string::npos);
    std::vector<SseEvent> out;
    int seq = 0;
    auto emit = [&](Json j) {
      j["sequence_number"] = seq++;
      SseEvent e = Data(j);
      e.event = j["type"].get<std::string>();
      c.OnStreamEvent(ex, std::move(e), &out);
    };
    emit({{"type", "response.created"}, {"response", {{"id", "r"}, {"output", Json::array()}}}});
    for (const auto& piece : RandomPieces(seen, rng, 1 + round % 6)) {
      emit({{"type", "response.output_text.delta"},
            {"item_id", "m"},
            {"output_index", 0},
            {"content_index", 0},
            {"delta", piece}});
    }
    emit({{"type", "response.output_text.done"},
          {"item_id", "m"},
          {"output_index", 0},
          {"content_index", 0},
          {"text", seen}});
    Json part = {{"type", "output_text"}, {"text", seen}};
    Json item = {{"type", "message"}, {"content", Json::array({part})}};
    Json response = {{"id", "r"}, {"output", Json::array({item})}};
    emit({{"type", "response.completed"}, {"response", response}});
    c.OnStreamEnd(ex, &out);
    std::string deltas;
    int64_t last_seq = -1;
    for (const auto& e : out) {
      Json j = Json::parse(e.data);
      int64_t s = j["sequence_number"].get<int64_t>();
      EXPECT_GT(s, last_seq);
      last_seq = s;
      if (j["type"] == "response.output_text.delta") deltas += j["delta"].get<std::string>();
      if (j["type"] == "response.output_text.done") {
        EXPECT_EQ(j["text"], original);
      }
      if (j["type"] == "response.completed") {
        EXPECT_EQ(j["response"]["output"][0]["content"][0]["text"], original);
      }
    }
    ASSERT_EQ(deltas, original) << "round " << round;
  }
}

}  // namespace
}  // namespace gwanmun::proxy

namespace gwanmun::proxy {
namespace {

// With scan_output, values the model invents (not in the request) are
// masked; the caller's own values come back. Streams give what a
// non-streaming answer gives, for any split.
TEST(GuardStageTest, OutputGuardrailMasksNewValuesInBodiesAndStreams) {
  Pipeline p = GuardPipeline("pseudonymize-all", [](GuardSettings& s) { s.policy.scan_output = true; });
  const std::string user = "고객 김민준님 연락처는 010-2345-6789입니다.";
  std::mt19937 rng(5);
  for (int round = 0; round < 60; ++round) {
    Exchange ex = ChatExchange(user, true);
    Chain c = p.Start(ex);
    ASSERT_FALSE(c.OnRequest(ex));
    std::string seen = UpstreamUserText(ex);
    std::string answer = "확인: " + seen + " 대신 담당자 번호 010-9876-5432, 주민번호 900101-1234568로 처리했습니다.";
    std::string want = "확인: " + user + " 대신 담당자 번호 [[KR_PHONE]], 주민번호 [[KR_RRN]]로 처리했습니다.";
    // Non-streaming.
    Exchange ex2 = ChatExchange(user);
    Chain c2 = p.Start(ex2);
    ASSERT_FALSE(c2.OnRequest(ex2));
    ex2.status = 200;
    Json resp = {
        {"choices",
         {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", answer}}}, {"finish_reason", "stop"}}}}};
    std::string body = resp.dump();
    c2.OnResponseBody(ex2, body);
    ASSERT_EQ(Json::parse(body)["choices"][0]["message"]["content"], want);
    // Streaming.
    std::vector<SseEvent> out;
    Json base = {{"id", "c"}, {"object", "chat.completion.chunk"}};
    for (const auto& piece : RandomPieces(answer, rng, 1 + round % 9)) {
      Json j = base;
      j["choices"] = {{{"index", 0}, {"delta", {{"content", piece}}}, {"finish_reason", nullptr}}};
      c.OnStreamEvent(ex, Data(j), &out);
    }
    Json last = base;
    last["choices"] = {{{"index", 0}, {"delta", Json::object()}, {"finish_reason", "stop"}}};
    c.OnStreamEvent(ex, Data(last), &out);
    std::string content;
    for (const auto& e : out) {
      Json j = Json::parse(e.data);
      for (const auto& ch : j["choices"]) {
        if (ch["delta"].contains("content")) content += ch["delta"]["content"].get<std::string>();
      }
    }
    ASSERT_EQ(content, want) << "round " << round;
  }
}

}  // namespace
}  // namespace gwanmun::proxy

namespace gwanmun::proxy {
namespace {

TEST(GuardStageTest, KeyPolicyWinsOverTeamAndDeployment) {
  config::Config cfg;  // deployment: general
  config::PolicyConfig team;
  team.profile = "pseudonymize-all";
  cfg.guardrails.teams.emplace_back("ops", team);
  auto stages = MakeGuardStages(cfg);
  ASSERT_TRUE(stages.ok()) << stages.status().message();
  Pipeline p(stages.value());
  auto run = [&](const std::string& team_name, const std::string& key_policy) {
    Exchange ex = ChatExchange(kText);
    ex.principal.team = team_name;
    ex.principal.policy = key_policy;
    Chain c = p.Start(ex);
    auto err = c.OnRequest(ex);
    return err ? "403" : (ex.body.find("[[KR_RRN]]") != std::string::npos ? "masked" : "pseudonymized");
  };
  EXPECT_EQ(run("", ""), "masked");              // general masks RRNs
  EXPECT_EQ(run("ops", ""), "pseudonymized");    // the team's policy
  EXPECT_EQ(run("ops", "financial"), "403");     // the key's policy wins
  EXPECT_EQ(run("", "no-such-profile"), "403");  // unknown → strictest (public blocks RRNs)
}

}  // namespace
}  // namespace gwanmun::proxy
