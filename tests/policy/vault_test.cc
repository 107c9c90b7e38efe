#include "policy/vault.h"

#include <gtest/gtest.h>

#include <random>

#include "policy/policy.h"

namespace gwanmun::policy {
namespace {

TEST(VaultTest, SameValueSamePlaceholderDifferentValuesDiffer) {
  Vault v;
  std::string a = v.Pseudonymize("KR_PHONE", "010-1234-5678");
  std::string b = v.Pseudonymize("KR_PHONE", "010-9999-0000");
  EXPECT_EQ(a, "[[KR_PHONE_1]]");
  EXPECT_EQ(b, "[[KR_PHONE_2]]");
  EXPECT_EQ(v.Pseudonymize("KR_PHONE", "010-1234-5678"), a);
  EXPECT_EQ(v.Pseudonymize("PERSON_NAME", "홍길동"), "[[PERSON_NAME_1]]");
  EXPECT_EQ(Vault::Mask("KR_RRN"), "[[KR_RRN]]");
}

TEST(VaultTest, NeverCollidesWithCallerText) {
  Vault v;
  v.Reserve("the user literally wrote [[KR_PHONE_1]] and [[KR_PHONE_2]] here");
  std::string ph = v.Pseudonymize("KR_PHONE", "010-1234-5678");
  EXPECT_EQ(ph, "[[KR_PHONE_3]]");
  // A user-written look-alike is not restored.
  EXPECT_EQ(v.RestoreAll("[[KR_PHONE_1]] " + ph), "[[KR_PHONE_1]] 010-1234-5678");
}

TEST(VaultTest, AlteredPlaceholdersAreLeftAlone) {
  Vault v;
  std::string ph = v.Pseudonymize("EMAIL", "a@b.kr");
  EXPECT_EQ(v.RestoreAll("[EMAIL_1] [[email_1]] [[EMAIL_1] " + ph), "[EMAIL_1] [[email_1]] [[EMAIL_1] a@b.kr");
}

TEST(StreamRestorerTest, OneByteAtATime) {
  Vault v;
  std::string p1 = v.Pseudonymize("PERSON_NAME", "김민수");
  std::string p2 = v.Pseudonymize("KR_PHONE", "010-2222-3333");
  std::string answer = "안녕하세요 " + p1 + "님, 번호 " + p2 + "로 연락드릴게요. [[" + p1;
  StreamRestorer r(v);
  std::string out;
  for (char c : answer) out += r.Feed(std::string_view(&c, 1));
  out += r.Finish();
  EXPECT_EQ(out, v.RestoreAll(answer));
  EXPECT_EQ(out, "안녕하세요 김민수님, 번호 010-2222-3333로 연락드릴게요. [[김민수");
}

TEST(StreamRestorerTest, HoldsBackOnlyAmbiguousTail) {
  Vault v;
  std::string ph = v.Pseudonymize("KR_PHONE", "010-1234-5678");
  StreamRestorer r(v);
  EXPECT_EQ(r.Feed("번호는 [[KR_PH"), "번호는 ");
  EXPECT_EQ(r.held(), std::string("[[KR_PH").size());
  EXPECT_EQ(r.Feed("ONE_1]]입니다 ["), "010-1234-5678입니다 ");
  EXPECT_EQ(r.Feed("x"), "[x");
  EXPECT_EQ(r.Finish(), "");
}

TEST(StreamRestorerTest, RandomSplitsEqualWholeRestore) {
  std::mt19937 rng(7);
  const std::vector<std::string> values = {"홍길동", "010-1234-5678", "900101-1234568", "a.b@example.com",
                                           "서울특별시 중구 세종대로 110"};
  const std::vector<std::string> types = {"PERSON_NAME", "KR_PHONE", "KR_RRN", "EMAIL", "KR_ADDRESS"};
  const std::vector<std::string> filler = {"안녕하세요 ", "[",     "]",     "[[", "]]",   "님",
                                           "\n",          "[[KR_", "PHONE", "_1", "abc ", "가나다"};
  for (int iter = 0; iter < 500; ++iter) {
    Vault v;
    std::string answer;
    std::uniform_int_distribution<size_t> pick_v(0, values.size() - 1), pick_f(0, filler.size() - 1), n(1, 30);
    size_t parts = n(rng);
    for (size_t i = 0; i < parts; ++i) {
      if (rng() % 2) {
        size_t k = pick_v(rng);
        answer += v.Pseudonymize(types[k], values[k]);
      } else {
        answer += filler[pick_f(rng)];
      }
    }
    StreamRestorer r(v);
    std::string out;
    size_t pos = 0;
    while (pos < answer.size()) {
      size_t len = std::min<size_t>(1 + rng() % 9, answer.size() - pos);
      out += r.Feed(std::string_view(answer).substr(pos, len));
      pos += len;
    }
    out += r.Finish();
    ASSERT_EQ(out, v.RestoreAll(answer)) << answer;
  }
}

TEST(PolicyTest, ProfilesAndDecide) {
  for (const std::string& n : BuiltinProfileNames()) {
    EXPECT_TRUE(BuiltinProfile(n).has_value()) << n;
  }
  EXPECT_FALSE(BuiltinProfile("nope").has_value());
  auto fin = *BuiltinProfile("financial");
  using detect::EntityType;
  auto d = Decide(fin, {EntityType::kPhone, EntityType::kRrn}, {"KR_PHONE", "KR_RRN"});
  EXPECT_TRUE(d.blocked);
  EXPECT_TRUE(d.blocked_types.test(static_cast<size_t>(EntityType::kRrn)));
  EXPECT_EQ(d.counts["KR_PHONE"], 1);
  auto d2 = Decide(fin, {EntityType::kBankAccount}, {"KR_BANK_ACCOUNT"});
  EXPECT_FALSE(d2.blocked);
  ASSERT_TRUE(d2.required_region.has_value());
  EXPECT_EQ(*d2.required_region, "kr");
  auto all = *BuiltinProfile("pseudonymize-all");
  for (int t = 0; t < detect::kNumEntityTypes; ++t) {
    EXPECT_EQ(all.ActionFor(static_cast<EntityType>(t), "X"), Action::kPseudonymize);
  }
  EXPECT_EQ(ParseAction("mask"), Action::kMask);
  EXPECT_FALSE(ParseAction("erase").has_value());
}

}  // namespace
}  // namespace gwanmun::policy
