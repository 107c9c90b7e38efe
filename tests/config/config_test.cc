#include "config/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace gwanmun::config {
namespace {

TEST(ConfigTest, EmptyYieldsDefaults) {
  auto c = ParseConfig("", "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value().server.listen_host, "127.0.0.1");
  EXPECT_EQ(c.value().server.listen_port, 8080);
  EXPECT_EQ(c.value().data_dir, "./data");
  EXPECT_TRUE(c.value().auth.enabled);
  EXPECT_TRUE(c.value().upstreams.empty());
}

TEST(ConfigTest, ParsesUpstreamsWithAliases) {
  auto c = ParseConfig(R"(
server:
  listen: 0.0.0.0:9000
upstreams:
  - name: azure-kr
    base_url: https://example.openai.azure.com/openai/v1/
    api_key_env: AZURE_KEY
    auth_header: api-key
    region: kr
    weight: 3
    timeouts: {connect_ms: 100}
    models:
      - gpt-4o-mini
      - {name: gpt-4o, upstream_model: gpt-4o-2024-08-06}
)",
                       "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const auto& u = c.value().upstreams.at(0);
  EXPECT_EQ(u.name, "azure-kr");
  EXPECT_EQ(u.region, "kr");
  EXPECT_EQ(u.weight, 3);
  EXPECT_EQ(u.auth_header, "api-key");
  EXPECT_EQ(u.timeouts.connect_ms, 100);
  EXPECT_EQ(u.timeouts.response_ms, Timeouts{}.response_ms);
  ASSERT_EQ(u.models.size(), 2u);
  EXPECT_EQ(u.models[0].upstream_model, "gpt-4o-mini");
  EXPECT_EQ(u.models[1].name, "gpt-4o");
  EXPECT_EQ(u.models[1].upstream_model, "gpt-4o-2024-08-06");
  EXPECT_EQ(u.line, 5);
}

TEST(ConfigTest, ErrorsNameFileLineAndKey) {
  auto c = ParseConfig("server:\n  listen: 127.0.0.1:80\n  threads: many\n", "gw.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "gw.yaml:3: server.threads: expected an integer, got 'many'");

  c = ParseConfig("upstreams:\n  - name: a\n    base_url: http://x\n    models: [m]\n    wieght: 2\n", "gw.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "gw.yaml:5: upstreams[0].wieght: unknown key");

  c = ParseConfig("upstreams:\n  - name: a\n    base_url: ftp://x\n    models: [m]\n", "gw.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("gw.yaml:3: upstreams[0].base_url"), std::string::npos);

  c = ParseConfig("server: [1, 2\n", "gw.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message().rfind("gw.yaml:", 0), 0u);
}

TEST(ConfigTest, RefusesKeysInTheConfig) {
  auto c =
      ParseConfig("upstreams:\n  - name: a\n    base_url: http://x\n    api_key: sk-123\n    models: [m]\n", "g.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("never go in the config"), std::string::npos);
  EXPECT_EQ(c.status().message().find("sk-123"), std::string::npos);
}

TEST(ConfigTest, DuplicateUpstreamAndUnknownPassthrough) {
  auto c = ParseConfig(
      "upstreams:\n  - {name: a, base_url: 'http://x', models: [m]}\n  - {name: a, base_url: 'http://y', models: "
      "[m]}\n",
      "g.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("duplicate upstream 'a'"), std::string::npos);
  c = ParseConfig("passthrough: {enabled: true, upstream: nope}\n", "g.yaml");
  ASSERT_FALSE(c.ok());
}

TEST(ConfigTest, AuthOffOnlyOnLoopback) {
  EXPECT_TRUE(ParseConfig("auth: {enabled: false}\n", "g").ok());
  auto c = ParseConfig("server: {listen: '0.0.0.0:8080'}\nauth: {enabled: false}\n", "g");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("loopback"), std::string::npos);
}

TEST(ConfigTest, HostPortAndUrls) {
  auto hp = ParseHostPort("[::1]:8443");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp.value().host, "::1");
  EXPECT_EQ(hp.value().port, 8443);
  EXPECT_FALSE(ParseHostPort("localhost").ok());
  EXPECT_FALSE(ParseHostPort("a:70000").ok());
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1.evil.com"));

  auto u = ParseUrl("https://api.openai.com/v1/");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u.value().tls());
  EXPECT_EQ(u.value().port, 443);
  EXPECT_EQ(u.value().path, "/v1");
  EXPECT_EQ(u.value().HostHeader(), "api.openai.com");
  u = ParseUrl("http://user:pw@[::1]:3128");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u.value().host, "::1");
  EXPECT_EQ(u.value().userinfo, "user:pw");
  EXPECT_EQ(u.value().HostHeader(), "[::1]:3128");
  EXPECT_FALSE(ParseUrl("http://x/?q=1").ok());
}

TEST(ConfigTest, ResolvesApiKeysFromEnvOrFile) {
  UpstreamConfig u;
  u.name = "a";
  EXPECT_EQ(ResolveApiKey(u).value(), "");
  u.api_key_env = "GWANMUN_TEST_KEY_VAR";
  setenv("GWANMUN_TEST_KEY_VAR", "sk-abc", 1);
  EXPECT_EQ(ResolveApiKey(u).value(), "sk-abc");
  unsetenv("GWANMUN_TEST_KEY_VAR");
  EXPECT_FALSE(ResolveApiKey(u).ok());
  u.api_key_env.clear();
  u.api_key_file = testing::TempDir() + "/gw_key.txt";
  std::ofstream(u.api_key_file) << "sk-from-file\n";
  EXPECT_EQ(ResolveApiKey(u).value(), "sk-from-file");
}

TEST(ConfigTest, ExampleConfigParses) {
  setenv("OPENAI_API_KEY", "sk-test", 1);
  auto c = LoadConfigFile(std::string(GWANMUN_SOURCE_DIR) + "/config/gwanmun.example.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c.value().upstreams.empty());
  EXPECT_TRUE(c.value().guardrails.enabled);
  EXPECT_EQ(c.value().guardrails.policy.profile, "general");
}

TEST(ConfigTest, GuardrailsParseWithTeamsDictionariesAndResidency) {
  auto c = ParseConfig(R"(
guardrails:
  profile: financial
  actions: {KR_PHONE: allow, CODENAME: block}
  dictionaries:
    - {name: CODENAME, terms: [블루오션], action: mask}
  residency:
    - {name: rrn-kr, types: [KR_RRN, CODENAME], region: kr}
  substitutes: {gpt-4o: kr-model}
  no_store: false
  teams:
    risk: {profile: public, scan_output: true}
audit:
  fingerprint_secret_env: GW_TEST_FP
)",
                       "g.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const auto& g = c.value().guardrails;
  EXPECT_EQ(g.policy.profile, "financial");
  ASSERT_EQ(g.policy.actions.size(), 2u);
  EXPECT_EQ(g.policy.actions[1], std::make_pair(std::string("CODENAME"), std::string("block")));
  ASSERT_EQ(g.dictionaries.size(), 1u);
  EXPECT_EQ(g.dictionaries[0].terms, std::vector<std::string>{"블루오션"});
  ASSERT_EQ(g.policy.residency.size(), 1u);
  EXPECT_EQ(g.policy.residency[0].types, (std::vector<std::string>{"KR_RRN", "CODENAME"}));
  EXPECT_EQ(g.policy.no_store, 0);
  ASSERT_EQ(g.teams.size(), 1u);
  EXPECT_EQ(g.teams[0].second.profile, "public");
  EXPECT_EQ(g.teams[0].second.scan_output, 1);
  EXPECT_EQ(c.value().audit.fingerprint_secret_env, "GW_TEST_FP");
}

TEST(ConfigTest, GuardrailErrorsNameTheKeyAndLine) {
  struct Case {
    const char* yaml;
    const char* want;
  } cases[] = {
      {"guardrails:\n  profile: strict\n", "g.yaml:2: guardrails.profile: unknown profile 'strict'"},
      {"guardrails:\n  actions:\n    KR_FOO: mask\n", "g.yaml:3: guardrails.actions.KR_FOO: unknown type"},
      {"guardrails:\n  actions:\n    KR_RRN: hide\n", "g.yaml:3: guardrails.actions.KR_RRN: expected allow, mask"},
      {"guardrails:\n  residency:\n    - {types: [KR_RRN]}\n", "guardrails.residency[0].region: missing"},
      {"guardrails:\n  dictionaries:\n    - {name: lower, terms: [a]}\n",
       "guardrails.dictionaries[0].name: expected upper-case"},
      {"guardrails:\n  teams:\n    risk: {markings: false}\n", "guardrails.teams.risk.markings: unknown key"},
      {"guardrails:\n  min_confidence: 2\n", "guardrails.min_confidence: expected a number from 0 to 1"},
  };
  for (const auto& tc : cases) {
    auto c = ParseConfig(tc.yaml, "g.yaml");
    ASSERT_FALSE(c.ok()) << tc.yaml;
    EXPECT_NE(c.status().message().find(tc.want), std::string::npos) << c.status().message();
  }
}

TEST(ConfigTest, FingerprintSecretFromEnvMustBeLongEnough) {
  AuditConfig a;
  EXPECT_EQ(ResolveFingerprintSecret(a).value(), "");
  a.fingerprint_secret_env = "GW_TEST_FP_SECRET";
  unsetenv("GW_TEST_FP_SECRET");
  EXPECT_FALSE(ResolveFingerprintSecret(a).ok());
  setenv("GW_TEST_FP_SECRET", "short", 1);
  EXPECT_FALSE(ResolveFingerprintSecret(a).ok());
  setenv("GW_TEST_FP_SECRET", "0123456789abcdef0123", 1);
  EXPECT_EQ(ResolveFingerprintSecret(a).value(), "0123456789abcdef0123");
  unsetenv("GW_TEST_FP_SECRET");
}

}  // namespace
}  // namespace gwanmun::config
