// JSON string walking, unescaping and rewriting; caller-text extraction.
#include <gtest/gtest.h>

#include <random>

#include "openai/json_text.h"
#include "openai/text_fields.h"

namespace gwanmun::openai {
namespace {

std::vector<std::pair<std::string, std::string>> Strings(std::string_view doc) {
  std::vector<std::pair<std::string, std::string>> out;
  Status st = ForEachJsonString(doc, [&](const JsonPath& path, JsonRange r) {
    std::string p;
    for (const auto& e : path) p += e.index >= 0 ? "[" + std::to_string(e.index) + "]" : "." + e.key;
    std::string text;
    EXPECT_TRUE(UnescapeJsonString(doc.substr(r.begin, r.size()), &text));
    out.emplace_back(p, text);
  });
  EXPECT_TRUE(st.ok()) << st.message();
  return out;
}

TEST(JsonTextTest, VisitsValuesWithPathsNotKeys) {
  auto s = Strings(R"({"a":"x","b":[1,"y",{"c":"z"}],"d":{"e":null,"f":"w"},"g":true})");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0], std::make_pair(std::string(".a"), std::string("x")));
  EXPECT_EQ(s[1], std::make_pair(std::string(".b[1]"), std::string("y")));
  EXPECT_EQ(s[2], std::make_pair(std::string(".b[2].c"), std::string("z")));
  EXPECT_EQ(s[3], std::make_pair(std::string(".d.f"), std::string("w")));
}

TEST(JsonTextTest, UnescapesSurrogatesAndEscapedKeys) {
  auto s = Strings(R"({"\u006dsg":"\ud64d\uae38\ub3d9 \ud83d\ude00 \"q\" \\ \/ \n\t","x":"\ud800 lone"})");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].first, ".msg");
  EXPECT_EQ(s[0].second, "홍길동 😀 \"q\" \\ / \n\t");
  EXPECT_EQ(s[1].second, "\xEF\xBF\xBD lone");
}

TEST(JsonTextTest, RefusesMalformedDocuments) {
  for (std::string_view bad :
       {"", "{", R"({"a":})", R"({"a":"x",})", R"(["a" "b"])", R"({"a":"\x"})", R"({"a":"\u12"})", "{\"a\":\"\x01\"}",
        R"({"a":1} x)", R"({"a":01})", "nul", R"({"a":-})", R"({a:1})"}) {
    EXPECT_FALSE(ForEachJsonString(bad, [](const JsonPath&, JsonRange) {}).ok()) << bad;
  }
  std::string deep(300, '[');
  deep += std::string(300, ']');
  EXPECT_FALSE(ForEachJsonString(deep, [](const JsonPath&, JsonRange) {}).ok());
  EXPECT_TRUE(ForEachJsonString(" [1, -2.5e+3, true, false, null, \"\", {}] ", [](const JsonPath&, JsonRange) {}).ok());
}

TEST(JsonTextTest, EscapeRoundTripsAnyUtf8) {
  std::mt19937 rng(7);
  const std::vector<std::string> atoms = {"a", "\"", "\\", "\n", "\x01", "\x1f", "홍", "😀", "/", " ", "\x7f"};
  for (int i = 0; i < 500; ++i) {
    std::string text;
    int n = static_cast<int>(rng() % 20);
    for (int k = 0; k < n; ++k) text += atoms[rng() % atoms.size()];
    std::string lit;
    AppendJsonString(text, &lit);
    std::string back;
    ASSERT_TRUE(UnescapeJsonString(lit, &back));
    EXPECT_EQ(back, text);
    EXPECT_TRUE(ForEachJsonString(lit, [](const JsonPath&, JsonRange) {}).ok()) << lit;
  }
  std::string lit;
  AppendJsonString(
      "a\xff"
      "b",
      &lit);  // invalid UTF-8 becomes U+FFFD
  EXPECT_EQ(lit,
            "\"a\xEF\xBF\xBD"
            "b\"");
}

TEST(JsonTextTest, ApplyEditsKeepsEveryOtherByte) {
  std::string doc = R"({ "a" : "x",   "b":"yy" })";
  auto r = ApplyEdits(doc, {{19, 23, "\"Z\""}, {8, 11, "\"Q\""}});
  EXPECT_EQ(r, R"({ "a" : "Q",   "b":"Z" })");
}

std::vector<std::string> Texts(const RequestTexts& t) {
  std::vector<std::string> out;
  for (const auto& f : t.fields) {
    if (!f.container) out.push_back(f.text);
  }
  return out;
}

TEST(TextFieldsTest, ChatTakesEveryCallerStringButNotStructuralOnes) {
  std::string body = R"({"model":"gpt-4o","user":"u1","messages":[
    {"role":"system","content":"sys"},
    {"role":"user","name":"홍길동","content":[{"type":"text","text":"part"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]},
    {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"who\":\"\\ud64d\",\"n\":[\"a\"]}"}}]},
    {"role":"tool","tool_call_id":"call_1","content":"result"}],
    "tools":[{"type":"function","function":{"name":"lookup","description":"desc","parameters":{"type":"object"}}}],
    "metadata":{"k":"meta"}})";
  auto r = ExtractRequestTexts(Endpoint::kChatCompletions, body);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(Texts(r.value()),
            (std::vector<std::string>{"u1", "sys", "홍길동", "part", "홍", "a", "result", "desc", "meta"}));
  EXPECT_FALSE(r.value().has_token_input);
}

TEST(TextFieldsTest, NonJsonArgumentsAreOneField) {
  std::string body =
      R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":"{not json 010-1234-5678"}}]}]})";
  auto r = ExtractRequestTexts(Endpoint::kChatCompletions, body);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Texts(r.value()), (std::vector<std::string>{"{not json 010-1234-5678"}));
}

TEST(TextFieldsTest, RewriteChangesOnlyChosenStringsIncludingNestedArguments) {
  std::string body =
      "{\"model\":\"m\",  \"messages\":[{\"role\":\"user\",\"content\":\"\\ud64d\\uae38\\ub3d9 hi\"},"
      "{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"who\\\":"
      "\\\"\\\\ud64d\\\\uae38\\\\ub3d9\\\"}\"}}]}]}";
  auto r = ExtractRequestTexts(Endpoint::kChatCompletions, body);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& f = r.value().fields;
  std::vector<std::optional<std::string>> repl(f.size());
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i].container) continue;
    if (f[i].text == "홍길동 hi") repl[i] = "[[PERSON_NAME_1]] hi \"quoted\"";
    if (f[i].text == "홍길동") repl[i] = "[[PERSON_NAME_1]]";
  }
  std::string out = RewriteRequestTexts(body, r.value(), repl);
  EXPECT_EQ(out.substr(0, 15), "{\"model\":\"m\",  ") << "untouched bytes are kept";
  auto again = ExtractRequestTexts(Endpoint::kChatCompletions, out);
  ASSERT_TRUE(again.ok()) << out;
  EXPECT_EQ(Texts(again.value()), (std::vector<std::string>{"[[PERSON_NAME_1]] hi \"quoted\"", "[[PERSON_NAME_1]]"}));
  EXPECT_EQ(out.find("ud64d"), std::string::npos);
}

TEST(TextFieldsTest, ResponsesAndEmbeddings) {
  auto r = ExtractRequestTexts(
      Endpoint::kResponses,
      R"({"model":"m","instructions":"ins","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"q"}]},{"type":"function_call_output","call_id":"c","output":"out"},{"type":"function_call","call_id":"c2","name":"fn","arguments":"{\"a\":\"b\"}"}],"previous_response_id":"resp_1"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Texts(r.value()), (std::vector<std::string>{"ins", "q", "out", "b"}));
  auto e = ExtractRequestTexts(Endpoint::kEmbeddings, R"({"model":"m","input":["x","y"],"encoding_format":"float"})");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(Texts(e.value()), (std::vector<std::string>{"x", "y"}));
  EXPECT_FALSE(e.value().has_token_input);
  auto t = ExtractRequestTexts(Endpoint::kEmbeddings, R"({"model":"m","input":[[1,2,3]]})");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t.value().has_token_input);
  EXPECT_FALSE(ExtractRequestTexts(Endpoint::kChatCompletions, R"({"model":"m",)").ok());
}

TEST(TextFieldsTest, WithStoreFalse) {
  EXPECT_EQ(WithStoreFalse(R"({"model":"m","store":true})"), R"({"model":"m","store":false})");
  EXPECT_EQ(WithStoreFalse(R"({"model":"m"} )"), R"({"model":"m","store":false} )");
  EXPECT_EQ(WithStoreFalse("{ }"), R"({ "store":false})");
}

TEST(TextFieldsTest, RewriteStringsContaining) {
  auto r = RewriteStringsContaining(R"({"a":"x[[P]]y","arguments":"{\"k\":\"[[P]]\"}","b":"none"})", "[[",
                                    [](std::string_view key, const std::string& text, std::string* out) {
                                      *out = std::string(key) + ":" + text;
                                      return true;
                                    });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), R"({"a":"a:x[[P]]y","arguments":"arguments:{\"k\":\"[[P]]\"}","b":"none"})");
}

}  // namespace
}  // namespace gwanmun::openai
