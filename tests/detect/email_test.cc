// End-to-end tests of the EMAIL recognizer through Scanner::Scan (offsets are
// checked against the caller's original text).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "detect/scanner.h"
#include "test_util.h"

namespace gwanmun::detect {
namespace {

using testutil::DefaultScanner;

// The substrings of `text` reported with `type`.
std::vector<std::string> Found(std::string_view text, EntityType type = EntityType::kEmail) {
  return testutil::ValuesOfType(text, type);
}

using V = std::vector<std::string>;

TEST(EmailTest, PlainAddress) {
  EXPECT_EQ(Found("담당자 메일 hong.gildong@example.co.kr 입니다"), V{"hong.gildong@example.co.kr"});
  EXPECT_EQ(Found("reply to user+tag@mail.example.io please"), V{"user+tag@mail.example.io"});
}

TEST(EmailTest, HangulParticlesExcluded) {
  EXPECT_EQ(Found("hong@example.co.kr로 보내주세요"), V{"hong@example.co.kr"});
  EXPECT_EQ(Found("아이디는 kim_01@example.com이에요."), V{"kim_01@example.com"});
  EXPECT_EQ(Found("메일은lee@example.net이고 전화는 없어요"), V{"lee@example.net"});
}

TEST(EmailTest, BracketsQuotesAndTrailingDotExcluded) {
  EXPECT_EQ(Found("홍길동 <hong@example.com>"), V{"hong@example.com"});
  EXPECT_EQ(Found("담당자(park.jy@example.org)에게"), V{"park.jy@example.org"});
  EXPECT_EQ(Found("{\"email\": \"choi@example.kr\"}"), V{"choi@example.kr"});
  EXPECT_EQ(Found("문의: help@example.com."), V{"help@example.com"});
  EXPECT_EQ(Found("[lee@example.com]"), V{"lee@example.com"});
}

TEST(EmailTest, UnknownTopLevelDomainAcceptedUnlessFileExtension) {
  EXPECT_EQ(Found("contact: hong@company.plus"), V{"hong@company.plus"});
  EXPECT_TRUE(Found("assets: logo@2x.png, bundle@next.js, a@b.tar").empty());
}

TEST(EmailTest, MailtoSchemeExcluded) {
  EXPECT_EQ(Found("<a href=\"mailto:sales@example.com\">"), V{"sales@example.com"});
}

TEST(EmailTest, SeveralAddressesInOneLine) {
  EXPECT_EQ(Found("받는 사람: a.kim@example.com, b.lee@example.com; c@example.co.kr"),
            (V{"a.kim@example.com", "b.lee@example.com", "c@example.co.kr"}));
}

TEST(EmailTest, MaskedAddressesNotReported) {
  EXPECT_TRUE(Found("가입 메일 ho***@naver.com 로 발송").empty());
  EXPECT_TRUE(Found("h*****@example.com").empty());
  EXPECT_TRUE(Found("hong@na***.com").empty());
  EXPECT_TRUE(Found("***@example.com").empty());
}

TEST(EmailTest, LookAlikesNotReported) {
  // URL credentials and scp-style remotes are not e-mail addresses.
  EXPECT_TRUE(Found("postgresql://app:Secr3tPw@db.example.com:5432/app").empty());
  EXPECT_TRUE(Found("https://ghtoken@github.com/org/repo.git").empty());
  EXPECT_TRUE(Found("git clone git@github.com:org/repo.git").empty());
  // Asset names, decorators, handles, a missing top-level domain.
  EXPECT_TRUE(Found("logo@2x.png icon@3x.webp").empty());
  EXPECT_TRUE(Found("@Test void run() {} @user 님").empty());
  EXPECT_TRUE(Found("admin@localhost, root@server01").empty());
  EXPECT_TRUE(Found("name@example.c0m").empty());
}

TEST(EmailTest, FullWidthAddressMapsBackToOriginalBytes) {
  std::string text = "메일 ｈｏｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ 로";
  EXPECT_EQ(Found(text), V{"ｈｏｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ"});
}

TEST(EmailTest, RuleAndSpecificity) {
  ScanScratch scratch;
  std::vector<Span> spans;
  ASSERT_TRUE(DefaultScanner().Scan("x hong@example.com y", scratch, &spans).ok());
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].start, 2u);
  EXPECT_EQ(spans[0].end, 18u);
  EXPECT_STREQ(spans[0].rule, "email");
  EXPECT_EQ(spans[0].specificity, specificity::kStructured);
  EXPECT_GE(spans[0].confidence, 0.9f);
}

}  // namespace
}  // namespace gwanmun::detect
