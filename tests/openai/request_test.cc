#include "openai/request.h"

#include <gtest/gtest.h>

namespace gwanmun::openai {
namespace {

std::optional<ApiError> Parse(Endpoint e, std::string_view body, ParsedRequest* out = nullptr) {
  RequestParser p;
  ParsedRequest tmp;
  return p.Parse(e, body, out ? out : &tmp);
}

TEST(RequestTest, ValidChat) {
  ParsedRequest r;
  auto err = Parse(Endpoint::kChatCompletions,
                   R"({"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},
                       "messages":[{"role":"system","content":"s"},
                                   {"role":"user","content":[{"type":"text","text":"안녕"},
                                                             {"type":"image_url","image_url":{"url":"data:x"}}]},
                                   {"role":"assistant","content":null,"tool_calls":[]},
                                   {"role":"tool","tool_call_id":"c","content":"ok"}],
                       "tools":[{"type":"function","function":{"name":"f"}}]})",
                   &r);
  ASSERT_FALSE(err) << err->message;
  EXPECT_EQ(r.model, "gpt-4o");
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.has_stream_options);
  EXPECT_TRUE(r.include_usage);
}

TEST(RequestTest, Errors) {
  auto e = Parse(Endpoint::kChatCompletions, "{");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 400);
  EXPECT_TRUE(e->param.empty());
  e = Parse(Endpoint::kChatCompletions, "[1]");
  ASSERT_TRUE(e);
  e = Parse(Endpoint::kChatCompletions, R"({"messages":[{"role":"user","content":"x"}]})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->param, "model");
  EXPECT_EQ(e->code, "missing_required_parameter");
  e = Parse(Endpoint::kChatCompletions, R"({"model":1,"messages":[]})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->param, "model");
  e = Parse(Endpoint::kChatCompletions, R"({"model":"m","messages":[]})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->param, "messages");
  e = Parse(Endpoint::kChatCompletions, R"({"model":"m","messages":[{"role":"robot","content":"x"}]})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->param, "messages[0].role");
  e = Parse(Endpoint::kChatCompletions, R"({"model":"m","messages":[{"role":"user"}]})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->param, "messages[0].content");
  e = Parse(Endpoint::kChatCompletions, R"({"model":"m","messages":[{"role":"user","content":[{"text":"x"}]}]})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->param, "messages[0].content[0].type");
  e = Parse(Endpoint::kChatCompletions,
            R"({"model":"m","stream_options":{"include_usage":"yes"},"messages":[{"role":"user","content":"x"}]})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->param, "stream_options.include_usage");
  e = Parse(Endpoint::kChatCompletions, R"({"model":"a","messages":[{"role":"user","content":"x"}],"model":"b"})");
  ASSERT_TRUE(e) << "duplicate keys are refused";
  EXPECT_EQ(e->param, "model");
}

TEST(RequestTest, ResponsesAndEmbeddings) {
  EXPECT_FALSE(Parse(Endpoint::kResponses, R"({"model":"m","input":"x"})"));
  EXPECT_FALSE(Parse(Endpoint::kResponses, R"({"model":"m","input":[{"role":"user","content":"x"}]})"));
  EXPECT_FALSE(Parse(Endpoint::kResponses, R"({"model":"m","previous_response_id":"r"})"));
  EXPECT_TRUE(Parse(Endpoint::kResponses, R"({"model":"m"})"));
  EXPECT_TRUE(Parse(Endpoint::kResponses, R"({"model":"m","input":"x","instructions":3})"));
  EXPECT_FALSE(Parse(Endpoint::kEmbeddings, R"({"model":"m","input":"x"})"));
  EXPECT_FALSE(Parse(Endpoint::kEmbeddings, R"({"model":"m","input":["a","b"]})"));
  EXPECT_FALSE(Parse(Endpoint::kEmbeddings, R"({"model":"m","input":[[1,2],[3]]})"));
  EXPECT_TRUE(Parse(Endpoint::kEmbeddings, R"({"model":"m","input":[]})"));
  EXPECT_TRUE(Parse(Endpoint::kEmbeddings, R"({"model":"m","input":[{"a":1}]})"));
}

TEST(RequestTest, UsageExtraction) {
  RequestParser p;
  auto u = p.UsageFromBody(R"({"id":"x","usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}})");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->input_tokens, 10);
  EXPECT_EQ(u->output_tokens, 5);
  EXPECT_EQ(u->total_tokens, 15);
  u = p.UsageFromBody(R"({"object":"response","usage": {"input_tokens":7,"output_tokens":3}})");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->total_tokens, 10);
  EXPECT_FALSE(p.UsageFromBody(R"({"usage":null})"));

  EXPECT_FALSE(p.UsageFromEvent(R"({"choices":[{"delta":{"content":"x"}}],"usage":null})"));
  u = p.UsageFromEvent(R"({"choices":[],"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5}})");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->total_tokens, 5);
  u = p.UsageFromEvent(
      R"({"type":"response.completed","response":{"usage":{"input_tokens":4,"output_tokens":6,"total_tokens":10}}})");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->output_tokens, 6);
  EXPECT_FALSE(p.UsageFromEvent(R"({"type":"response.created","response":{"usage":{"input_tokens":1}}})"));
}

TEST(RequestTest, UsageOnlyChunk) {
  EXPECT_TRUE(IsUsageOnlyChunk(R"({"id":"x","choices":[],"usage":{"total_tokens":1}})"));
  EXPECT_TRUE(IsUsageOnlyChunk(R"({"id":"x","choices": [ ],"usage": {"total_tokens":1}})"));
  EXPECT_FALSE(IsUsageOnlyChunk(R"({"choices":[{"delta":{}}],"usage":{"total_tokens":1}})"));
  EXPECT_FALSE(IsUsageOnlyChunk(R"({"choices":[],"usage":null})"));
}

TEST(RequestTest, RewritesKeepOtherBytes) {
  std::string body = R"({ "messages":[{"role":"user","content":"\"model\": x"}], "model" : "gpt-4o", "n":1})";
  EXPECT_EQ(WithModel(body, "deploy-1"),
            R"({ "messages":[{"role":"user","content":"\"model\": x"}], "model" : "deploy-1", "n":1})");
  // An escaped key is the same key: the alias must still be applied.
  EXPECT_EQ(WithModel(R"({"a":{"model":"x"},"\u006dodel":"gpt-4o"})", "deploy-1"),
            R"({"a":{"model":"x"},"\u006dodel":"deploy-1"})");
  EXPECT_EQ(WithIncludeUsage(R"({"model":"m","stream":true})", false),
            R"({"stream_options":{"include_usage":true},"model":"m","stream":true})");
  RequestParser p;
  ParsedRequest r;
  ASSERT_FALSE(p.Parse(
      Endpoint::kChatCompletions,
      WithIncludeUsage(R"({"model":"m","stream":true,"stream_options":{},"messages":[{"role":"user","content":"x"}]})",
                       true),
      &r));
  EXPECT_TRUE(r.include_usage);
  auto span = FindTopLevelValue(R"({"a":{"model":"no"},"model":"yes"})", "model");
  ASSERT_TRUE(span);
  EXPECT_EQ(span->first, 28u);
}

TEST(ErrorsTest, Shape) {
  EXPECT_EQ(
      ErrorBody(ApiError::MissingParam("messages")),
      R"({"error":{"message":"Missing required parameter: 'messages'.","type":"invalid_request_error","param":"messages","code":"missing_required_parameter"}})");
  auto e = ApiError::RateLimited("tokens", 12);
  EXPECT_EQ(e.status, 429);
  EXPECT_EQ(e.retry_after_s, 12);
  std::string s;
  AppendJsonEscaped("a\"b\\\n\x01\xff한", &s);
  EXPECT_EQ(s, "a\\\"b\\\\\\n\\u0001\xEF\xBF\xBD한");
}

}  // namespace
}  // namespace gwanmun::openai
