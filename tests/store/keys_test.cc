// Virtual keys in the SQLite store: create, authenticate, revoke, list, and
// that the secret itself never reaches the database files.

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "store/crypto.h"
#include "store/schema.h"
#include "store_test_util.h"

namespace gwanmun::store {
namespace {

using testing::OpenOrDie;
using testing::ReadFileBytes;
using testing::ScratchDir;

KeySpec Spec(std::string team, std::vector<std::string> models = {}, int64_t rpm = 0, int64_t tpm = 0,
             std::string policy = "") {
  KeySpec s;
  s.team = std::move(team);
  s.models = std::move(models);
  s.rpm = rpm;
  s.tpm = tpm;
  s.description = "설명 for tests";
  s.policy = std::move(policy);
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
  for (const std::string& wrong : {std::string(), std::string("gw-"), secret.substr(0, secret.size() - 1), secret + "A",
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

TEST(KeysTest, PolicyIsStoredAuthenticatedAndListed) {
  ScratchDir dir;
  std::string with_secret, without_secret, with_id, without_id;
  {
    auto store = OpenOrDie(dir.db());
    ASSERT_TRUE(store);
    auto with = store->CreateKey(Spec("결제팀", {"gpt-4o"}, 60, 0, "financial"));
    auto without = store->CreateKey(Spec("ml"));
    ASSERT_TRUE(with.ok()) << with.status().message();
    ASSERT_TRUE(without.ok()) << without.status().message();
    EXPECT_EQ(with.value().info.principal.policy, "financial");
    EXPECT_EQ(without.value().info.principal.policy, "");
    with_secret = with.value().secret;
    without_secret = without.value().secret;
    with_id = with.value().info.principal.key_id;
    without_id = without.value().info.principal.key_id;
  }
  // After a reopen: from the database, not from anything kept in memory.
  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  auto p = store->Authenticate(with_secret);
  ASSERT_TRUE(p.ok() && p.value().has_value());
  EXPECT_EQ(p.value()->policy, "financial");
  EXPECT_EQ(p.value()->team, "결제팀");
  EXPECT_EQ(p.value()->rpm, 60);
  auto q = store->Authenticate(without_secret);
  ASSERT_TRUE(q.ok() && q.value().has_value());
  EXPECT_EQ(q.value()->policy, "");

  auto keys = store->ListKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys.value().size(), 2u);
  EXPECT_EQ(keys.value()[0].principal.key_id, with_id);
  EXPECT_EQ(keys.value()[0].principal.policy, "financial");
  EXPECT_EQ(keys.value()[0].description, "설명 for tests");
  EXPECT_EQ(keys.value()[1].principal.key_id, without_id);
  EXPECT_EQ(keys.value()[1].principal.policy, "");

  // Revoking keeps the policy in the listing.
  ASSERT_TRUE(store->RevokeKey(with_id).ok());
  auto after = store->ListKeys();
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after.value()[0].revoked_at);
  EXPECT_EQ(after.value()[0].principal.policy, "financial");
}

// A database written by the previous schema (version 1, before the policy
// column): built by running only the earlier migrations, with keys inserted
// as that version did. Opening it migrates it, and its keys keep working
// with policy "".
TEST(KeysTest, MigratesVersion1DatabaseKeepingItsKeys) {
  ASSERT_TRUE(EnsureCryptoInit().ok());
  ScratchDir dir;
  const std::string active_secret = "gw-" + std::string(43, 'a');
  const std::string revoked_secret = "gw-" + std::string(43, 'b');
  {
    auto conn = sqlite::Connection::Open(dir.db(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 5000);
    ASSERT_TRUE(conn.ok()) << conn.status().message();
    ASSERT_TRUE(conn.value()->Exec(schema::kCreateMigrationsTable).ok());
    for (const auto& m : schema::SqliteMigrations()) {
      if (m.version >= 2) break;
      Status s = conn.value()->Exec(m.sql);
      ASSERT_TRUE(s.ok()) << s.message();
      ASSERT_TRUE(conn.value()
                      ->Exec("INSERT INTO schema_migrations(version, description, applied_at)"
                             " VALUES (" +
                             std::to_string(m.version) + ", 'old', '2026-01-01T00:00:00.000Z')")
                      .ok());
    }
    // The version-1 INSERT: no policy column.
    Status s = conn.value()->Exec(
        "INSERT INTO api_keys(key_id, secret_hash, team, models, rpm, tpm, description,"
        " created_at, revoked_at) VALUES"
        " ('key_00000000000000a1', X'" +
        HexEncode(Sha256(active_secret)) +
        "', '결제팀', '[\"gpt-4o\"]', 60, 1000, 'old key', '2026-01-01T00:00:01.000Z', NULL),"
        " ('key_00000000000000b2', X'" +
        HexEncode(Sha256(revoked_secret)) +
        "', 'ml', '[]', 0, 0, '', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:03.000Z')");
    ASSERT_TRUE(s.ok()) << s.message();
  }

  auto store = OpenOrDie(dir.db());
  ASSERT_TRUE(store);
  auto p = store->Authenticate(active_secret);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_TRUE(p.value().has_value());
  EXPECT_EQ(p.value()->key_id, "key_00000000000000a1");
  EXPECT_EQ(p.value()->team, "결제팀");
  EXPECT_EQ(p.value()->models, std::vector<std::string>{"gpt-4o"});
  EXPECT_EQ(p.value()->rpm, 60);
  EXPECT_EQ(p.value()->tpm, 1000);
  EXPECT_EQ(p.value()->policy, "");
  EXPECT_FALSE(store->Authenticate(revoked_secret).value().has_value());

  auto keys = store->ListKeys();
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  ASSERT_EQ(keys.value().size(), 2u);
  EXPECT_EQ(keys.value()[0].description, "old key");
  EXPECT_EQ(keys.value()[0].principal.policy, "");
  EXPECT_TRUE(keys.value()[1].revoked_at);
  EXPECT_EQ(keys.value()[1].principal.policy, "");

  // New keys in the migrated database carry their policy.
  auto k = store->CreateKey(Spec("t", {}, 0, 0, "public"));
  ASSERT_TRUE(k.ok()) << k.status().message();
  auto kp = store->Authenticate(k.value().secret);
  ASSERT_TRUE(kp.ok() && kp.value().has_value());
  EXPECT_EQ(kp.value()->policy, "public");
  store.reset();

  // The migration is recorded (and not run twice: reopening works).
  {
    auto conn = sqlite::Connection::Open(dir.db(), SQLITE_OPEN_READWRITE, 5000);
    ASSERT_TRUE(conn.ok());
    auto st = conn.value()->Prepare(schema::kSelectSchemaVersion);
    ASSERT_TRUE(st.ok());
    auto row = st.value().Step();
    ASSERT_TRUE(row.ok() && row.value());
    EXPECT_EQ(st.value().Int(0), schema::SqliteMigrations().back().version);
    EXPECT_GE(st.value().Int(0), 2);
  }
  auto again = OpenOrDie(dir.db());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->ListKeys().value().size(), 3u);
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
