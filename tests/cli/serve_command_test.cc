// `gwanmun serve` option handling (the server itself is tested end to end
// in tests/e2e).
#include "cli/serve_command.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace gwanmun::cli {
namespace {

TEST(ServeCommandTest, DefaultsWithoutConfig) {
  unsetenv("GWANMUN_DATA_DIR");
  ServeOptions o;
  auto c = ServeConfig(o);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value().server.listen_host, "127.0.0.1");
  EXPECT_EQ(c.value().server.listen_port, 8080);
  EXPECT_EQ(c.value().data_dir, "./data");
  EXPECT_TRUE(c.value().upstreams.empty());
  EXPECT_TRUE(c.value().auth.enabled);
}

TEST(ServeCommandTest, FlagsOverrideTheConfig) {
  std::string path = testing::TempDir() + "/serve_test.yaml";
  std::ofstream(path) << "server: {listen: '127.0.0.1:9000', threads: 4}\n"
                         "data_dir: /tmp/from-config\n"
                         "upstreams:\n  - {name: a, base_url: 'http://127.0.0.1:1/v1', models: [m]}\n";
  ServeOptions o;
  o.config = path;
  o.listen = "127.0.0.1:9100";
  o.upstream = "https://api.openai.com/v1";
  o.upstream_key_env = "OPENAI_API_KEY";
  o.data_dir = "/tmp/from-flag";
  o.threads = 1;
  auto c = ServeConfig(o);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value().server.listen_port, 9100);
  EXPECT_EQ(c.value().server.threads, 1);
  EXPECT_EQ(c.value().data_dir, "/tmp/from-flag");
  ASSERT_EQ(c.value().upstreams.size(), 1u);
  EXPECT_EQ(c.value().upstreams[0].name, "default");
  EXPECT_EQ(c.value().upstreams[0].api_key_env, "OPENAI_API_KEY");
  EXPECT_EQ(c.value().upstreams[0].models[0].name, "*");
  o.data_dir.clear();
  EXPECT_EQ(ServeConfig(o).value().data_dir, "/tmp/from-config");
}

TEST(ServeCommandTest, NoAuthOnlyOnLoopback) {
  ServeOptions o;
  o.no_auth = true;
  o.listen = "127.0.0.1:0";
  auto c = ServeConfig(o);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c.value().auth.enabled);
  o.listen = "0.0.0.0:8080";
  c = ServeConfig(o);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("--no-auth"), std::string::npos);
  o.listen = "[::1]:8080";
  EXPECT_TRUE(ServeConfig(o).ok());
}

TEST(ServeCommandTest, BadFlags) {
  ServeOptions o;
  o.listen = "nowhere";
  EXPECT_FALSE(ServeConfig(o).ok());
  o = {};
  o.upstream = "ftp://x";
  EXPECT_FALSE(ServeConfig(o).ok());
  o = {};
  o.upstream_key_env = "X";
  EXPECT_FALSE(ServeConfig(o).ok()) << "--upstream-key-env needs --upstream";
  o = {};
  o.config = "/nonexistent/gwanmun.yaml";
  EXPECT_FALSE(ServeConfig(o).ok());
}

}  // namespace
}  // namespace gwanmun::cli
