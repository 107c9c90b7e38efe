// End-to-end tests of custom dictionaries (kCustom) and classification
// markings (kMarking) through Scanner::Scan.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "detect/scanner.h"

namespace gwanmun::detect {
namespace {

struct Found {
  std::string text;
  EntityType type;
  uint16_t dict;
  friend bool operator==(const Found& a, const Found& b) {
    return a.text == b.text && a.type == b.type && a.dict == b.dict;
  }
};

void PrintTo(const Found& f, std::ostream* os) {
  *os << "{\"" << f.text << "\", " << EntityTypeName(f.type) << ", " << f.dict << "}";
}

ScannerOptions DictOptions() {
  ScannerOptions o;
  o.dictionaries.push_back({"PROJECT_CODENAME", {"한라산", "ARES", "Blue Falcon", "한라"}});
  o.dictionaries.push_back({"CUSTOMER", {"Acme Corp", "주식회사 가나다"}});
  return o;
}

std::vector<Found> Scan(const Scanner& scanner, std::string_view text, bool markings_only = false) {
  ScanScratch scratch;
  std::vector<Span> spans;
  EXPECT_TRUE(scanner.Scan(text, scratch, &spans).ok());
  std::vector<Found> out;
  for (const Span& s : spans) {
    if (s.type == EntityType::kMarking || (!markings_only && s.type == EntityType::kCustom)) {
      out.push_back({std::string(text.substr(s.start, s.end - s.start)), s.type, s.dict});
    }
  }
  return out;
}

const Scanner& DictScanner() {
  static const std::unique_ptr<Scanner> scanner = [] {
    auto s = Scanner::Compile(DictOptions());
    EXPECT_TRUE(s.ok());
    return std::move(s).value();
  }();
  return *scanner;
}

std::vector<Found> Dict(std::string_view text) { return Scan(DictScanner(), text); }
std::vector<Found> Marks(std::string_view text) { return Scan(DictScanner(), text, true); }

constexpr EntityType kC = EntityType::kCustom;
constexpr EntityType kM = EntityType::kMarking;
using F = std::vector<Found>;

TEST(DictionaryTest, KoreanTermWithParticle) {
  EXPECT_EQ(Dict("이번 분기 프로젝트 한라산은 보류"), (F{{"한라산", kC, 0}}));
  EXPECT_EQ(Dict("한라산팀 회의"), (F{{"한라산", kC, 0}}));
}

TEST(DictionaryTest, AsciiTermsAreCaseInsensitiveWithWordBoundaries) {
  EXPECT_EQ(Dict("ARES launch"), (F{{"ARES", kC, 0}}));
  EXPECT_EQ(Dict("ares-2 일정"), (F{{"ares", kC, 0}}));
  EXPECT_EQ(Dict("(Ares)는 비공개"), (F{{"Ares", kC, 0}}));
  EXPECT_EQ(Dict("ARES프로젝트"), (F{{"ARES", kC, 0}}));
  EXPECT_TRUE(Dict("SHARES rose; fares; ARES_2; ARES2").empty());
}

TEST(DictionaryTest, MultiWordTermsAndDictionaryIndex) {
  EXPECT_EQ(Dict("고객사 acme corp 계약"), (F{{"acme corp", kC, 1}}));
  EXPECT_EQ(Dict("blue falcon 배포"), (F{{"blue falcon", kC, 0}}));
  EXPECT_EQ(Dict("주식회사 가나다와 계약"), (F{{"주식회사 가나다", kC, 1}}));
}

TEST(DictionaryTest, ShortHangulTermDoesNotMatchInsideWord) {
  EXPECT_TRUE(Dict("대한라면 신제품").empty());
  EXPECT_EQ(Dict("코드명 한라 관련"), (F{{"한라", kC, 0}}));
}

TEST(DictionaryTest, TypeNameIsTheDictionaryName) {
  ScanScratch scratch;
  std::vector<Span> spans;
  ASSERT_TRUE(DictScanner().Scan("Acme Corp", scratch, &spans).ok());
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(DictScanner().TypeName(spans[0]), "CUSTOMER");
  EXPECT_STREQ(spans[0].rule, "dict");
  EXPECT_EQ(spans[0].specificity, specificity::kDictionary);
}

TEST(DictionaryTest, NoDictionariesNoCustomFindings) {
  auto s = Scanner::Compile(ScannerOptions{});
  ASSERT_TRUE(s.ok());
  for (const Found& f : Scan(*s.value(), "한라산 ARES Acme Corp")) EXPECT_NE(f.type, kC);
}

TEST(MarkingTest, KoreanMarkings) {
  EXPECT_EQ(Marks("본 문서는 대외비이며 무단 배포를 금한다."), (F{{"대외비", kM, 0}}));
  EXPECT_EQ(Marks("[사내한정] 2분기 실적"), (F{{"사내한정", kM, 0}}));
  EXPECT_EQ(Marks("극비 문서입니다"), (F{{"극비", kM, 0}}));
  EXPECT_EQ(Marks("보안등급: II급 비밀"), (F{{"II급 비밀", kM, 0}}));
  EXPECT_EQ(Marks("【기밀】 인수 검토"), (F{{"기밀", kM, 0}}));
  EXPECT_EQ(Marks("[비밀] 보고"), (F{{"비밀", kM, 0}}));
  EXPECT_EQ(Marks("내부용 자료"), (F{{"내부용", kM, 0}}));
}

TEST(MarkingTest, OrdinaryWordsAreNotMarkings) {
  EXPECT_TRUE(Marks("비밀번호를 변경했습니다").empty());
  EXPECT_TRUE(Marks("비밀 유지 계약을 체결").empty());
  EXPECT_TRUE(Marks("기밀성과 무결성").empty());
  EXPECT_TRUE(Marks("극비리에 진행").empty());
  EXPECT_TRUE(Marks("회사내부용도").empty());
  EXPECT_TRUE(Marks("이건 우리끼리 비밀").empty());
  EXPECT_EQ(Marks("기밀\n1. 개요"), (F{{"기밀", kM, 0}}));
}

TEST(MarkingTest, EnglishMarkings) {
  EXPECT_EQ(Marks("CONFIDENTIAL - Q3 plan"), (F{{"CONFIDENTIAL", kM, 0}}));
  EXPECT_EQ(Marks("Strictly Confidential"), (F{{"Strictly Confidential", kM, 0}}));
  EXPECT_EQ(Marks("For Internal Use Only."), (F{{"For Internal Use Only", kM, 0}}));
  EXPECT_EQ(Marks("Classification: Top Secret"), (F{{"Top Secret", kM, 0}}));
  EXPECT_EQ(Marks("[Restricted] roadmap"), (F{{"Restricted", kM, 0}}));
  EXPECT_TRUE(Marks("please keep this confidential and restricted to the team").empty());
  EXPECT_TRUE(Marks("SECRET_KEY=abc; the secret is out").empty());
}

TEST(MarkingTest, MarkingsCanBeTurnedOff) {
  ScannerOptions o;
  o.markings = false;
  auto s = Scanner::Compile(o);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(Scan(*s.value(), "본 문서는 대외비이며 CONFIDENTIAL").empty());
}

}  // namespace
}  // namespace gwanmun::detect
