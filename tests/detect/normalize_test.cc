#include "detect/normalize.h"

#include <gtest/gtest.h>

namespace gwanmun::detect {
namespace {

std::string MapBack(const NormalizedText& n, std::string_view orig, size_t s, size_t e) {
  return std::string(orig.substr(n.OriginalStart(s), n.OriginalEnd(e) - n.OriginalStart(s)));
}

TEST(NormalizeTest, IdentityForPlainText) {
  NormalizedText n;
  std::string t = "연락처 010-1234-5678로 부탁";
  n.Reset(t);
  EXPECT_TRUE(n.identity());
  EXPECT_EQ(n.text(), t);
}

TEST(NormalizeTest, FullWidthDigitsMapBack) {
  NormalizedText n;
  std::string t = "폰 ０１０-１２３４-５６７８ 끝";
  n.Reset(t);
  EXPECT_FALSE(n.identity());
  size_t pos = n.text().find("010-1234-5678");
  ASSERT_NE(pos, std::string_view::npos);
  EXPECT_EQ(MapBack(n, t, pos, pos + 13), "０１０-１２３４-５６７８");
}

TEST(NormalizeTest, ZeroWidthRemovedAndNotInSpan) {
  NormalizedText n;
  std::string t = "010\u200B-1234-\u200D5678\uFEFF로";
  n.Reset(t);
  EXPECT_EQ(n.text(), "010-1234-5678로");
  EXPECT_EQ(MapBack(n, t, 0, 13), "010\u200B-1234-\u200D5678");
}

TEST(NormalizeTest, HangulDigits) {
  NormalizedText n;
  std::string t = "번호 공일공-일이삼사-오육칠팔로 연락";
  n.Reset(t);
  size_t pos = n.text().find("010-1234-5678");
  ASSERT_NE(pos, std::string_view::npos) << n.text();
  EXPECT_EQ(MapBack(n, t, pos, pos + 13), "공일공-일이삼사-오육칠팔");
  // Ordinary words made of digit syllables are left alone.
  n.Reset("이번 일이 오일 삼사일");
  EXPECT_TRUE(n.identity());
}

TEST(NormalizeTest, SpacedDigits) {
  NormalizedText n;
  std::string t = "M. 0 1 0 - 5 2 4 0 - 4 5 3 1\n";
  n.Reset(t);
  size_t pos = n.text().find("010-5240-4531");
  ASSERT_NE(pos, std::string_view::npos) << n.text();
  EXPECT_EQ(MapBack(n, t, pos, pos + 13), "0 1 0 - 5 2 4 0 - 4 5 3 1");
  n.Reset("점수 1 2 3");
  EXPECT_TRUE(n.identity());
}

TEST(NormalizeTest, DashesAndInvalidUtf8) {
  NormalizedText n;
  std::string t =
      "a\xE2\x80\x93"
      "b\xFF\xFE"
      "c";
  n.Reset(t);
  EXPECT_EQ(n.text(),
            "a-b\xFF\xFE"
            "c");
  EXPECT_EQ(n.OriginalStart(2), 4u);
  EXPECT_EQ(n.OriginalEnd(3), 5u);
}

}  // namespace
}  // namespace gwanmun::detect
