// Unit tests for the pure validators (detect/validators.h) and the digit
// group tokenizer (detect/digits.h). Vectors are published test numbers
// (python-stdnum doctests, card networks' test PANs) or synthetic values
// computed from the documented algorithms.

#include "detect/validators.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "detect/digits.h"

namespace gwanmun::detect {
namespace {

using namespace validate;  // NOLINT(build/namespaces)

constexpr YmdInt kToday = 20261128;

TEST(CalendarTest, LeapYears) {
  EXPECT_TRUE(IsCalendarDate(2000, 2, 29));
  EXPECT_FALSE(IsCalendarDate(1900, 2, 29));
  EXPECT_TRUE(IsCalendarDate(2024, 2, 29));
  EXPECT_FALSE(IsCalendarDate(2023, 2, 29));
  EXPECT_FALSE(IsCalendarDate(2023, 4, 31));
  EXPECT_TRUE(IsCalendarDate(2023, 12, 31));
  EXPECT_FALSE(IsCalendarDate(2023, 13, 1));
  EXPECT_FALSE(IsCalendarDate(2023, 0, 1));
  EXPECT_FALSE(IsCalendarDate(2023, 1, 0));
}

TEST(RrnTest, ChecksumPublishedVectors) {
  // python-stdnum doctest (G = 9, an 1800s birth).
  EXPECT_TRUE(RrnChecksum("9710139019902"));
  EXPECT_FALSE(RrnChecksum("9710139019903"));
  // ... whose date is rejected as implausible for a living person.
  EXPECT_FALSE(RrnDateValid("9710139019902", kToday));
  EXPECT_TRUE(RrnChecksum("9001011234568"));
  EXPECT_FALSE(RrnChecksum("9001011234567"));
  EXPECT_TRUE(RrnChecksum("8503152345678"));
}

TEST(RrnTest, RejectsWrongLengthAndNonDigits) {
  EXPECT_FALSE(RrnChecksum("900101123456"));
  EXPECT_FALSE(RrnChecksum("90010112345680"));
  EXPECT_FALSE(RrnChecksum("900101-123456"));
  EXPECT_EQ(RrnBirthDate("90010112345a8"), 0);
}

TEST(RrnTest, DateUsesCenturyOfG) {
  EXPECT_EQ(RrnBirthDate("9001011234568"), 19900101);
  EXPECT_EQ(RrnBirthDate("0101013123458"), 20010101);
  EXPECT_EQ(RrnBirthDate("9203155123456"), 19920315);
  EXPECT_EQ(RrnBirthDate("0311207123457"), 20031120);
  // 2002-02-29 does not exist; 2000-02-29 does (G 3), 1900-02-29 does not.
  EXPECT_EQ(RrnBirthDate("0202293456786"), 0);
  EXPECT_EQ(RrnBirthDate("0002293456780"), 20000229);
  EXPECT_EQ(RrnBirthDate("0002291456780"), 0);
  EXPECT_EQ(RrnBirthDate("9013011234568"), 0);  // month 13
}

TEST(RrnTest, FutureBirthDatesAreInvalid) {
  EXPECT_TRUE(RrnDateValid("2105054123453", kToday));
  EXPECT_FALSE(RrnDateValid("2712014123453", kToday));  // 2027-12-01
  EXPECT_TRUE(RrnDateValid("2712011123453", kToday));   // 1927-12-01
}

TEST(RrnTest, RandomSchemeSince2020October) {
  EXPECT_TRUE(RrnRandomScheme("2010053123450"));   // 2020-10-05
  EXPECT_FALSE(RrnRandomScheme("2010043123450"));  // 2020-10-04
  EXPECT_FALSE(RrnRandomScheme("2010051123450"));  // 1920
  EXPECT_TRUE(RrnRandomScheme("2105057123450"));   // foreigner, 2021
}

TEST(ArnTest, BothCheckVariants) {
  // (13 − r) mod 10 variant (Presidio).
  EXPECT_TRUE(ArnChecksum("9203155123456"));
  EXPECT_TRUE(ArnAnyChecksum("9203155123456"));
  EXPECT_TRUE(ArnAnyChecksum("0311207123457"));
  // (11 − r) mod 10 variant (python-stdnum).
  EXPECT_FALSE(ArnChecksum("7506076123451"));
  EXPECT_TRUE(ArnAnyChecksum("7506076123451"));
  EXPECT_FALSE(ArnAnyChecksum("7506076123452"));
}

TEST(BrnTest, PublishedVectors) {
  EXPECT_TRUE(BrnChecksum("1168200276"));
  EXPECT_TRUE(BrnChecksum("1348672683"));
  EXPECT_FALSE(BrnChecksum("1168200277"));
  EXPECT_FALSE(BrnChecksum("1348672684"));
  EXPECT_TRUE(BrnStructureValid("1168200276"));
}

TEST(BrnTest, NinthDigitTensTerm) {
  // 220-81-01238: the floor(5·d8/10) term contributes 1 (5·3 = 15).
  EXPECT_TRUE(BrnChecksum("2208101238"));
  // Dropping the term would make 7 the check digit instead.
  EXPECT_FALSE(BrnChecksum("2208101237"));
  EXPECT_TRUE(BrnChecksum("6061234562"));
}

TEST(BrnTest, Structure) {
  EXPECT_FALSE(BrnStructureValid("1000112345"));  // office < 101
  EXPECT_FALSE(BrnStructureValid("1010012345"));  // type 00
  EXPECT_FALSE(BrnStructureValid("1011100005"));  // serial 0000
  EXPECT_FALSE(BrnStructureValid("116820027"));
}

TEST(CrnTest, PublishedVectors) {
  EXPECT_TRUE(CrnChecksum("1301110006246"));
  EXPECT_TRUE(CrnChecksum("1101110085450"));
  EXPECT_TRUE(CrnChecksum("1101110123458"));
  EXPECT_FALSE(CrnChecksum("1301110006247"));
  EXPECT_FALSE(CrnChecksum("1101110085451"));
  EXPECT_FALSE(CrnChecksum("130111000624"));
}

TEST(LuhnTest, PublishedTestNumbers) {
  EXPECT_TRUE(Luhn("4111111111111111"));
  EXPECT_TRUE(Luhn("79927398713"));
  EXPECT_TRUE(Luhn("5555555555554444"));
  EXPECT_TRUE(Luhn("378282246310005"));
  EXPECT_TRUE(Luhn("6011111111111117"));
  EXPECT_FALSE(Luhn("4111111111111112"));
  EXPECT_FALSE(Luhn("79927398710"));
  EXPECT_FALSE(Luhn("4111-1111"));
}

TEST(CardPrefixTest, Networks) {
  EXPECT_TRUE(CardPrefixValid("4111111111111111"));
  EXPECT_TRUE(CardPrefixValid("5555555555554444"));
  EXPECT_TRUE(CardPrefixValid("2223003122003222"));
  EXPECT_TRUE(CardPrefixValid("3530111333300000"));
  EXPECT_TRUE(CardPrefixValid("378282246310005"));
  EXPECT_TRUE(CardPrefixValid("9410123412341237"));   // Korean domestic
  EXPECT_FALSE(CardPrefixValid("2024062316351949"));  // a timestamp, not 2221–2720
  EXPECT_FALSE(CardPrefixValid("1234567812345670"));
  EXPECT_FALSE(CardPrefixValid("3411111111111111"));  // Amex prefix needs 15 digits
  EXPECT_FALSE(CardPrefixValid("411111111111111"));   // 15 digits, not Amex
}

TEST(PhoneTest, Prefixes) {
  EXPECT_EQ(ClassifyPhonePrefix("01012345678").kind, PhoneKind::kMobile);
  EXPECT_EQ(ClassifyPhonePrefix("0111234567").kind, PhoneKind::kLegacyMobile);
  EXPECT_EQ(ClassifyPhonePrefix("0191234567").kind, PhoneKind::kLegacyMobile);
  EXPECT_EQ(ClassifyPhonePrefix("021234567").kind, PhoneKind::kSeoul);
  EXPECT_EQ(ClassifyPhonePrefix("0311234567").kind, PhoneKind::kArea);
  EXPECT_EQ(ClassifyPhonePrefix("0441234567").kind, PhoneKind::kArea);
  EXPECT_EQ(ClassifyPhonePrefix("0641234567").kind, PhoneKind::kArea);
  EXPECT_EQ(ClassifyPhonePrefix("07012345678").kind, PhoneKind::kVoip);
  EXPECT_EQ(ClassifyPhonePrefix("05051234567").kind, PhoneKind::kSafe);
  EXPECT_EQ(ClassifyPhonePrefix("05051234567").len, 4);
  for (const char* bad : {"0801234567", "0601234567", "0341234567", "0451234567", "0561234567", "0651234567",
                          "0121234567", "0301234567", "0501234567", "0509123456", "15881234", "1012345678"}) {
    EXPECT_EQ(ClassifyPhonePrefix(bad).kind, PhoneKind::kNone) << bad;
  }
  EXPECT_TRUE(IsPhonePrefix("02"));
  EXPECT_TRUE(IsPhonePrefix("0505"));
  EXPECT_FALSE(IsPhonePrefix("050"));
  EXPECT_FALSE(IsPhonePrefix("0100"));
}

TEST(PhoneTest, NationalNumbers) {
  EXPECT_TRUE(PhoneNationalValid("01023456789"));
  EXPECT_TRUE(PhoneNationalValid("0212345678"));
  EXPECT_TRUE(PhoneNationalValid("023124567"));
  EXPECT_TRUE(PhoneNationalValid("0318765432"));
  EXPECT_TRUE(PhoneNationalValid("07043218765"));
  EXPECT_TRUE(PhoneNationalValid("05051234567"));
  EXPECT_FALSE(PhoneNationalValid("0701234567"));    // 070 takes 8 digits
  EXPECT_FALSE(PhoneNationalValid("01001234567"));   // subscriber starts with 0
  EXPECT_FALSE(PhoneNationalValid("010123456789"));  // too long
  EXPECT_FALSE(PhoneNationalValid("0801234567"));    // toll-free
  EXPECT_FALSE(PhoneNationalValid("15881234"));      // representative number
}

TEST(LicenseTest, RegionCodes) {
  EXPECT_TRUE(LicenseRegionValid(11));
  EXPECT_TRUE(LicenseRegionValid(26));
  EXPECT_TRUE(LicenseRegionValid(28));
  EXPECT_FALSE(LicenseRegionValid(27));
  EXPECT_FALSE(LicenseRegionValid(10));
  EXPECT_FALSE(LicenseRegionValid(29));
  EXPECT_EQ(LicenseRegionNameLength("서울 17"), 6u);
  EXPECT_EQ(LicenseRegionNameLength("경기남부 17"), 12u);
  EXPECT_EQ(LicenseRegionNameLength("세종 17"), 0u);
  EXPECT_EQ(LicenseRegionNameLength("서"), 0u);
}

// ---------------------------------------------------------------------------
// Digit groups and boundaries.

TEST(DigitsTest, DigitRunsAcrossBlocks) {
  // Runs at the start, straddling the 64-byte block boundary, inside the
  // scalar tail and at the very end; Hangul bytes in between.
  std::string t = "12 가나다";
  t += std::string(60 - t.size(), 'x');
  t += "12345678";  // bytes 60..67, crosses the first block boundary
  t += " 가 ";
  t += std::string(128 - t.size(), 'y');
  t += "9 0";
  std::vector<std::pair<size_t, size_t>> runs;
  num::ForEachDigitRun(t, num::RunLengthRange(1, 63), [&](size_t s, size_t e) { runs.emplace_back(s, e); });
  std::vector<std::pair<size_t, size_t>> want = {{0, 2}, {60, 68}, {128, 129}, {130, 131}};
  EXPECT_EQ(runs, want);
  runs.clear();
  num::ForEachDigitRun(t, num::RunLengths({8}), [&](size_t s, size_t e) { runs.emplace_back(s, e); });
  EXPECT_EQ(runs, (std::vector<std::pair<size_t, size_t>>{{60, 68}}));
  // A run longer than 63 digits is reported under bit 63.
  std::string longrun(70, '7');
  runs.clear();
  num::ForEachDigitRun(longrun, num::RunLengths({63}), [&](size_t s, size_t e) { runs.emplace_back(s, e); });
  EXPECT_EQ(runs, (std::vector<std::pair<size_t, size_t>>{{0, 70}}));
}

TEST(DigitsTest, ParseGroups) {
  std::string_view t = "tel 010-1234-5678 2024";
  num::Groups g;
  num::ParseGroups(t, 4, g);
  ASSERT_EQ(g.n, 4);
  EXPECT_EQ(g.Len(0), 3);
  EXPECT_EQ(g.Len(1), 4);
  EXPECT_EQ(g.Len(2), 4);
  EXPECT_EQ(g.sep[0], '-');
  EXPECT_EQ(g.sep[2], ' ');
  EXPECT_TRUE(g.Uniform(0, 3));
  EXPECT_FALSE(g.Uniform(0, 4));
  EXPECT_TRUE(num::EndsAfter(t, g, 3));   // a space ends the value
  EXPECT_FALSE(num::EndsAfter(t, g, 2));  // '-' continues it
  EXPECT_EQ(g.Digits(0, 3), 11);
}

TEST(DigitsTest, SeparatorNeedsDigitsOnBothSides) {
  std::string_view t = "900101-1234568-";
  num::Groups g;
  num::ParseGroups(t, 0, g);
  EXPECT_EQ(g.n, 2);
  EXPECT_TRUE(num::EndsAfter(t, g, 2));
}

TEST(DigitsTest, Boundaries) {
  EXPECT_FALSE(num::LeftBoundaryOk("T2024", 1));
  EXPECT_FALSE(num::LeftBoundaryOk("ORD-2024", 4));
  EXPECT_FALSE(num::LeftBoundaryOk("1.2024", 2));
  EXPECT_TRUE(num::LeftBoundaryOk("Tel.010", 4));
  EXPECT_TRUE(num::LeftBoundaryOk("번호010", 6));
  EXPECT_TRUE(num::LeftBoundaryOk("(010", 1));
  EXPECT_TRUE(num::RightBoundaryOk("5678로", 4));
  EXPECT_TRUE(num::RightBoundaryOk("5678.", 4));
  EXPECT_FALSE(num::RightBoundaryOk("5678a", 4));
  EXPECT_FALSE(num::RightBoundaryOk("5678-A1", 4));
  EXPECT_FALSE(num::RightBoundaryOk("5678@x.com", 4));
  EXPECT_TRUE(num::RightBoundaryOk("5678", 4));
}

}  // namespace
}  // namespace gwanmun::detect
