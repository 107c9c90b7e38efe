// Pure pieces of the proxy: routing, circuit breakers, rate limits, metrics,
// the stage chain, NO_PROXY matching, auth header parsing.
#include <gtest/gtest.h>

#include <map>

#include "proxy/auth.h"
#include "proxy/egress.h"
#include "proxy/metrics.h"
#include "proxy/rate_limiter.h"
#include "proxy/router.h"
#include "proxy/stage.h"

namespace gwanmun::proxy {
namespace {

config::UpstreamConfig Up(std::string name, std::string region, int weight, std::vector<config::ModelMapping> m) {
  config::UpstreamConfig u;
  u.name = std::move(name);
  u.base_url = "http://127.0.0.1:1/v1";
  u.region = std::move(region);
  u.weight = weight;
  u.models = std::move(m);
  return u;
}

TEST(RouterTest, AliasesWeightsRegionsAndWildcards) {
  Router r({Up("azure-kr", "kr", 3, {{"gpt-4o", "gpt-4o-deploy"}}), Up("openai", "us", 1, {{"gpt-4o", "gpt-4o"}}),
            Up("backup", "us", 0, {{"gpt-4o", "gpt-4o"}}), Up("local", "kr", 1, {{"*", "*"}})});
  EXPECT_TRUE(r.Serves("gpt-4o"));
  EXPECT_TRUE(r.Serves("anything"));  // wildcard
  EXPECT_EQ(r.models(), std::vector<std::string>{"gpt-4o"});
  std::map<size_t, int> first;
  for (uint64_t seed = 0; seed < 4000; ++seed) {
    auto plan = r.Plan("gpt-4o", {}, seed);
    ASSERT_EQ(plan.size(), 4u);
    first[plan[0].upstream]++;
    EXPECT_EQ(plan[2].upstream, 2u) << "weight 0 comes after the weighted ones";
    EXPECT_EQ(plan[3].upstream, 3u) << "wildcards come last";
    EXPECT_EQ(plan[3].upstream_model, "gpt-4o");
  }
  EXPECT_NEAR(first[0] / 4000.0, 0.75, 0.05);
  EXPECT_NEAR(first[1] / 4000.0, 0.25, 0.05);
  auto kr = r.Plan("gpt-4o", {"kr"}, 1);
  ASSERT_EQ(kr.size(), 2u);
  EXPECT_EQ(kr[0].upstream, 0u);
  EXPECT_EQ(kr[0].upstream_model, "gpt-4o-deploy");
  EXPECT_EQ(kr[1].upstream, 3u);
  EXPECT_TRUE(r.Plan("gpt-4o", {"jp"}, 1).empty());
}

TEST(RouterTest, ModelAllowed) {
  EXPECT_TRUE(ModelAllowed({}, "x"));
  EXPECT_TRUE(ModelAllowed({"a", "gpt-4o*"}, "gpt-4o-mini"));
  EXPECT_FALSE(ModelAllowed({"a"}, "b"));
}

TEST(CircuitBreakerTest, OpensHalfOpensAndCloses) {
  CircuitBreakers cb;
  config::CircuitBreakerConfig cfg{2, 1000};
  auto t = Clock::now();
  EXPECT_TRUE(cb.Allow("u", cfg, t));
  cb.OnFailure("u", cfg, t);
  EXPECT_TRUE(cb.Allow("u", cfg, t));
  cb.OnFailure("u", cfg, t);
  EXPECT_FALSE(cb.Allow("u", cfg, t));
  EXPECT_EQ(cb.RetryAfterSeconds("u", t), 1);
  t += std::chrono::milliseconds(1001);
  EXPECT_TRUE(cb.Allow("u", cfg, t)) << "half-open trial";
  EXPECT_FALSE(cb.Allow("u", cfg, t)) << "only one trial at a time";
  cb.OnFailure("u", cfg, t);
  EXPECT_FALSE(cb.Allow("u", cfg, t + std::chrono::milliseconds(10)));
  t += std::chrono::milliseconds(2000);
  EXPECT_TRUE(cb.Allow("u", cfg, t));
  cb.OnSuccess("u");
  EXPECT_TRUE(cb.Allow("u", cfg, t));
  EXPECT_TRUE(cb.Allow("u", cfg, t));
}

TEST(RateLimiterTest, RequestsAndTokens) {
  RateLimiter rl;
  auto t = RateLimiter::Clock::now();
  EXPECT_TRUE(rl.Admit("k", 2, 0, t).allowed);
  EXPECT_TRUE(rl.Admit("k", 2, 0, t).allowed);
  auto d = rl.Admit("k", 2, 0, t);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.kind, "requests");
  EXPECT_EQ(d.retry_after_s, 30);
  EXPECT_TRUE(rl.Admit("k", 2, 0, t + std::chrono::seconds(30)).allowed);
  EXPECT_TRUE(rl.Admit("other", 2, 0, t).allowed) << "per key";

  EXPECT_TRUE(rl.Admit("t", 0, 60, t).allowed);
  rl.Charge("t", 60, 90, t);  // used more than the budget: now negative
  d = rl.Admit("t", 0, 60, t);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.kind, "tokens");
  EXPECT_EQ(d.retry_after_s, 31);
  EXPECT_TRUE(rl.Admit("t", 0, 60, t + std::chrono::seconds(31)).allowed);
  EXPECT_TRUE(rl.Admit("u", 0, 0, t).allowed) << "unlimited";
}

TEST(MetricsTest, RendersPrometheusText) {
  Metrics m;
  m.Record({"/v1/chat/completions", 200, "up\"1", 0.0123, 0.00007, 10, 5});
  m.UpstreamError("up\"1", "timeout");
  m.StreamOpened();
  std::string t = m.Render();
  EXPECT_NE(t.find("gwanmun_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\",upstream=\"up\\\"1\"} 1"),
            std::string::npos);
  EXPECT_NE(t.find("gwanmun_gateway_overhead_seconds_bucket{endpoint=\"/v1/chat/completions\",le=\"0.0001\"} 1"),
            std::string::npos);
  EXPECT_NE(t.find("gwanmun_gateway_overhead_seconds_bucket{endpoint=\"/v1/chat/completions\",le=\"5e-05\"} 0"),
            std::string::npos);
  EXPECT_NE(t.find("gwanmun_request_duration_seconds_count{endpoint=\"/v1/chat/completions\"} 1"), std::string::npos);
  EXPECT_NE(t.find("gwanmun_upstream_errors_total{upstream=\"up\\\"1\",kind=\"timeout\"} 1"), std::string::npos);
  EXPECT_NE(t.find("gwanmun_open_streams 1"), std::string::npos);
  EXPECT_NE(t.find("gwanmun_tokens_total{direction=\"input\"} 10"), std::string::npos);

  m.Guardrail("pseudonymize;store=false", R"({"KR_PHONE":2,"PERSON_NAME":1})");
  m.Guardrail("pseudonymize;store=false;region=kr", R"({"KR_PHONE":1})");
  m.Guardrail("block", R"({"SECRET":1})");
  t = m.Render();
  EXPECT_NE(t.find("gwanmun_guardrail_actions_total{action=\"pseudonymize\"} 2"), std::string::npos) << t;
  EXPECT_NE(t.find("gwanmun_guardrail_actions_total{action=\"block\"} 1"), std::string::npos);
  EXPECT_NE(t.find("gwanmun_guardrail_findings_total{type=\"KR_PHONE\"} 3"), std::string::npos);
  EXPECT_NE(t.find("gwanmun_guardrail_findings_total{type=\"SECRET\"} 1"), std::string::npos);
}

// A stage that upper-cases data and holds back the last byte of every event
// until the next one: the kind of hold-back placeholder restoring needs.
class HoldBackStage : public Stage {
 public:
  void OnStreamEvent(Exchange&, openai::SseEvent&& ev, std::vector<openai::SseEvent>& out) override {
    std::string data = held_ + ev.data;
    held_ = data.substr(data.size() - 1);
    data.pop_back();
    ev.data = data;
    ev.MarkModified();
    out.push_back(std::move(ev));
  }
  void OnStreamEnd(Exchange&, std::vector<openai::SseEvent>& out) override {
    openai::SseEvent e;
    e.data = held_;
    e.has_data = true;
    out.push_back(std::move(e));
  }

 private:
  std::string held_;
};

class DropStage : public Stage {
 public:
  std::optional<openai::ApiError> OnRequest(Exchange& ex) override {
    ex.body += "!";
    if (ex.body.find("block") != std::string::npos) return openai::ApiError::Forbidden("blocked", "policy");
    return std::nullopt;
  }
  void OnStreamEvent(Exchange&, openai::SseEvent&& ev, std::vector<openai::SseEvent>& out) override {
    if (ev.data != "drop") out.push_back(std::move(ev));
  }
};

template <class S>
class Factory : public StageFactory {
 public:
  std::string_view name() const override { return "f"; }
  std::unique_ptr<Stage> Create(const Exchange&) const override { return std::make_unique<S>(); }
};

openai::SseEvent Ev(std::string data) {
  openai::SseEvent e;
  e.data = std::move(data);
  e.has_data = true;
  e.raw = "data: " + e.data + "\n\n";
  return e;
}

TEST(StageChainTest, RequestOrderAndStreamingHoldBack) {
  Pipeline p({std::make_shared<Factory<HoldBackStage>>(), std::make_shared<Factory<DropStage>>()});
  Exchange ex;
  ex.body = "x";
  Chain chain = p.Start(ex);
  EXPECT_FALSE(chain.OnRequest(ex));
  EXPECT_EQ(ex.body, "x!");
  std::vector<openai::SseEvent> out;
  // Response order: DropStage (closest to the upstream) first, then HoldBack.
  chain.OnStreamEvent(ex, Ev("abc"), &out);
  chain.OnStreamEvent(ex, Ev("drop"), &out);
  chain.OnStreamEvent(ex, Ev("de"), &out);
  chain.OnStreamEnd(ex, &out);
  std::string text;
  for (auto& e : out) text += e.data;
  EXPECT_EQ(text, "abcde");
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].data, "ab");
  EXPECT_TRUE(out[0].raw.empty()) << "modified events are re-serialised";
  ex.body = "block";
  Chain c2 = p.Start(ex);
  auto err = c2.OnRequest(ex);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 403);
}

TEST(StageChainTest, StreamUsageStageDropsOnlyTheUsageChunk) {
  Pipeline p({MakeStreamUsageStage()});
  Exchange ex;
  ex.endpoint = openai::Endpoint::kChatCompletions;
  ex.request.stream = true;
  ex.body = R"({"model":"m","stream":true})";
  Chain chain = p.Start(ex);
  ASSERT_FALSE(chain.empty());
  chain.OnRequest(ex);
  EXPECT_NE(ex.body.find("\"include_usage\":true"), std::string::npos);
  std::vector<openai::SseEvent> out;
  chain.OnStreamEvent(ex, Ev(R"({"choices":[{"delta":{"content":"x"}}],"usage":null})"), &out);
  chain.OnStreamEvent(ex, Ev(R"({"choices":[],"usage":{"total_tokens":3}})"), &out);
  chain.OnStreamEvent(ex, Ev("[DONE]"), &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].data, "[DONE]");
  ex.request.include_usage = true;
  EXPECT_TRUE(p.Start(ex).empty()) << "nothing to do when the client asked for usage";
}

TEST(NoProxyTest, CurlSemantics) {
  EXPECT_TRUE(NoProxyMatches("*", "api.openai.com", 443));
  EXPECT_TRUE(NoProxyMatches("openai.com", "api.openai.com", 443));
  EXPECT_TRUE(NoProxyMatches(".openai.com", "api.openai.com", 443));
  EXPECT_TRUE(NoProxyMatches("x.com, openai.com", "openai.com", 443));
  EXPECT_FALSE(NoProxyMatches("openai.com", "notopenai.com", 443));
  EXPECT_TRUE(NoProxyMatches("localhost:8443", "localhost", 8443));
  EXPECT_FALSE(NoProxyMatches("localhost:8443", "localhost", 443));
  EXPECT_TRUE(NoProxyMatches("10.0.0.1,::1", "::1", 80));
  EXPECT_FALSE(NoProxyMatches("", "a", 1));
}

TEST(AuthTest, BearerToken) {
  EXPECT_EQ(Authenticator::BearerToken("Bearer gw-abc"), "gw-abc");
  EXPECT_EQ(Authenticator::BearerToken("bearer   gw-abc "), "gw-abc");
  EXPECT_EQ(Authenticator::BearerToken("Basic abc"), "");
  EXPECT_EQ(Authenticator::BearerToken(""), "");
}

}  // namespace
}  // namespace gwanmun::proxy
