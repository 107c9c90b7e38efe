// Virtual keys in the SQLite store: create, authenticate, revoke, list, and
// that the secret itself never reaches the database files.

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "store/crypto.h"
#include "store_test_util.h"

namespace gwanmun::store {
namespace {

using testing::OpenOrDie;
using testing::ReadFileBytes;
using testing::ScratchDir;

KeySpec Spec(std::string team, std::vector<std::string> models = {}, int64_t rpm = 0,
             int64_t tpm = 0) {
  KeySpec s;
  s.team = std::move(team);
  s.models = std::move(models);
  s.rpm = rpm;
  s.tpm = tpm;
  s.description = "설명 for tests";
  return s;
}

TEST(KeysTest, CreateThenAuthenticate) {
  ScratchDir dir;
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  auto created = store->CreateKey(Spec("결제팀", {"gpt-4o", "gpt-4o-mini"}, 60, 100000));
  ASSERT_TRUE(created.ok()) << created.status().message();
  const CreatedKey& k = created.value();
  EXPECT_EQ(k.secret.rfind("gw-", 0), 0u);
  EXPECT_EQ(k.secret.size(), 3u + 43u);  // 32 random bytes, base64url
  EXPECT_EQ(k.info.principal.key_id.rfind("key_", 0), 0u);
  EXPECT_EQ(k.info.principal.key_id.size(), 4u + 16u);
  EXPECT_FALSE(k.info.revoked_at);
  EXPECT_EQ(k.info.created_at.back(), 'Z');

  auto p = store->Authenticate(k.secret);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_TRUE(p.value().has_value());
  EXPECT_EQ(p.value()->key_id, k.info.principal.key_id);
  EXPECT_EQ(p.value()->team, "결제팀");
  EXPECT_EQ(p.value()->models, (std::vector<std::string>{"gpt-4o", "gpt-4o-mini"}));
  EXPECT_EQ(p.value()->rpm, 60);
  EXPECT_EQ(p.value()->tpm, 100000);
}

TEST(KeysTest, AuthenticateRejectsEverythingButTheExactSecret) {
  ScratchDir dir;
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  auto created = store->CreateKey(Spec("t"));
  ASSERT_TRUE(created.ok());
  const std::string secret = created.value().secret;
  std::string last_changed = secret;
  last_changed.back() = last_changed.back() == 'A' ? 'B' : 'A';
  std::string first_changed = secret;
  first_changed[3] = first_changed[3] == 'A' ? 'B' : 'A';
  for (const std::string& wrong :
       {std::string(), std::string("gw-"), secret.substr(0, secret.size() - 1), secret + "A",
        last_changed, first_changed, "Bearer " + secret, " " + secret, secret.substr(3),
        std::string(10000, 'x'), "gw-" + std::string(10000, 'A')}) {
    auto p = store->Authenticate(wrong);
    ASSERT_TRUE(p.ok()) << p.status().message();
    EXPECT_FALSE(p.value().has_value()) << wrong;
  }
  auto p = store->Authenticate(secret);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p.value().has_value());
}

TEST(KeysTest, RevokedKeyNoLongerAuthenticates) {
  ScratchDir dir;
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  auto a = store->CreateKey(Spec("a"));
  auto b = store->CreateKey(Spec("b"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(store->RevokeKey(a.value().info.principal.key_id).ok());
  EXPECT_FALSE(store->Authenticate(a.value().secret).value().has_value());
  EXPECT_TRUE(store->Authenticate(b.value().secret).value().has_value());

  // Revoking again is fine and keeps the first time; unknown ids are errors.
  auto before = store->ListKeys();
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before.value().size(), 2u);
  EXPECT_EQ(before.value()[0].principal.key_id, a.value().info.principal.key_id);  // in order
  EXPECT_TRUE(store->RevokeKey(a.value().info.principal.key_id).ok());
  auto after = store->ListKeys();
  ASSERT_TRUE(after.ok());
  ASSERT_TRUE(before.value()[0].revoked_at && after.value()[0].revoked_at);
  EXPECT_EQ(*before.value()[0].revoked_at, *after.value()[0].revoked_at);
  EXPECT_FALSE(after.value()[1].revoked_at);
  Status unknown = store->RevokeKey("key_doesnotexist");
  EXPECT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("key_doesnotexist"), std::string::npos);
}

TEST(KeysTest, ListShowsEveryKeyWithoutSecrets) {
  ScratchDir dir;
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  auto a = store->CreateKey(Spec("a", {"m1"}, 1, 2));
  auto b = store->CreateKey(Spec("b"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(store->RevokeKey(b.value().info.principal.key_id).ok());
  auto keys = store->ListKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys.value().size(), 2u);
  std::set<std::string> ids;
  for (const auto& k : keys.value()) {
    ids.insert(k.principal.key_id);
    if (k.principal.key_id == a.value().info.principal.key_id) {
      EXPECT_EQ(k.principal.team, "a");
      EXPECT_EQ(k.principal.models, std::vector<std::string>{"m1"});
      EXPECT_EQ(k.principal.rpm, 1);
      EXPECT_EQ(k.principal.tpm, 2);
      EXPECT_EQ(k.description, "설명 for tests");
      EXPECT_FALSE(k.revoked_at);
    } else {
      EXPECT_TRUE(k.revoked_at);
    }
  }
  EXPECT_EQ(ids.size(), 2u);
}

TEST(KeysTest, InvalidSpecsAreRefused) {
  ScratchDir dir;
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->CreateKey(Spec("")).ok());
  EXPECT_FALSE(store->CreateKey(Spec("t", {}, -1)).ok());
  EXPECT_FALSE(store->CreateKey(Spec("t", {}, 0, -1)).ok());
  EXPECT_FALSE(store->CreateKey(Spec("t", {""})).ok());
  EXPECT_TRUE(store->ListKeys().value().empty());
}

TEST(KeysTest, SecretsAndIdsAreUnique) {
  ScratchDir dir;
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  std::set<std::string> secrets, ids;
  for (int i = 0; i < 200; ++i) {
    auto k = store->CreateKey(Spec("t"));
    ASSERT_TRUE(k.ok());
    secrets.insert(k.value().secret);
    ids.insert(k.value().info.principal.key_id);
  }
  EXPECT_EQ(secrets.size(), 200u);
  EXPECT_EQ(ids.size(), 200u);
}

// The database (and its WAL and shared-memory files) hold SHA-256 of the
// secret and nothing else derived from it: neither the secret nor its random
// part appears anywhere. Finding the hash's bytes shows the scan works.
TEST(KeysTest, SecretNeverReachesTheDatabaseFiles) {
  ScratchDir dir;
  std::vector<std::string> secrets;
  auto scan = [&](bool expect_hash) {
    std::string bytes;
    for (const char* suffix : {"", "-wal", "-shm"}) bytes += ReadFileBytes(dir.db() + suffix);
    ASSERT_FALSE(bytes.empty());
    for (const auto& s : secrets) {
      EXPECT_EQ(bytes.find(s), std::string::npos);
      EXPECT_EQ(bytes.find(s.substr(3)), std::string::npos);  // without "gw-"
      EXPECT_EQ(bytes.find(s.substr(3, 16)), std::string::npos);
      Sha256Digest h = Sha256(s);
      std::string raw(reinterpret_cast<const char*>(h.data()), h.size());
      if (expect_hash) {
        EXPECT_NE(bytes.find(raw), std::string::npos);
      }
    }
  };
  {
    auto store = OpenOrDie(dir.db());
    ASSERT_TRUE(store);
    for (int i = 0; i < 20; ++i) {
      auto k = store->CreateKey(Spec("t"));
      ASSERT_TRUE(k.ok());
      secrets.push_back(k.value().secret);
      ASSERT_TRUE(store->Authenticate(k.value().secret).value().has_value());
    }
    scan(/*expect_hash=*/true);  // while open: data still in the WAL
  }
  scan(/*expect_hash=*/true);  // after close: checkpointed into the main file
}

TEST(KeysTest, KeysPersistAcrossReopen) {
  ScratchDir dir;
  std::string secret;
  {
    auto store = OpenOrDie(dir.db());
    ASSERT_TRUE(store);
    auto k = store->CreateKey(Spec("t", {"gpt-4o"}));
    ASSERT_TRUE(k.ok());
    secret = k.value().secret;
  }
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  auto p = store->Authenticate(secret);
  ASSERT_TRUE(p.ok() && p.value().has_value());
  EXPECT_EQ(p.value()->models, std::vector<std::string>{"gpt-4o"});
}

TEST(KeysTest, ConcurrentAuthenticateWhileCreatingAndRevoking) {
  ScratchDir dir;
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  auto live = store->CreateKey(Spec("live"));
  ASSERT_TRUE(live.ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        auto p = store->Authenticate(live.value().secret);
        if (!p.ok() || !p.value().has_value() || p.value()->team != "live") ++failures;
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 50; ++i) {
      auto k = store->CreateKey(Spec("churn"));
      if (!k.ok() || !store->RevokeKey(k.value().info.principal.key_id).ok()) ++failures;
    }
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store->ListKeys().value().size(), 51u);
}

TEST(KeysTest, InMemoryDatabaseWorks) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  auto k = store->CreateKey(Spec("t"));
  ASSERT_TRUE(k.ok());
  EXPECT_TRUE(store->Authenticate(k.value().secret).value().has_value());
}

}  // namespace
}  // namespace gwanmun::store
