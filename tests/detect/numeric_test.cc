// End-to-end tests of the numeric recognizers (rrn, business, phone, card,
// bank, passport, license) through Scanner::Compile / Scanner::Scan, so
// that normalisation, lexicon context and overlap resolution are exercised
// and offsets are checked against the caller's original bytes.
//
// All values are synthetic or published test numbers.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "detect/scanner.h"
#include "detect/validators.h"

namespace gwanmun::detect {
namespace {

constexpr EntityType kNumericTypes[] = {
    EntityType::kRrn, EntityType::kArn,   EntityType::kPassport,    EntityType::kDriverLicense, EntityType::kBrn,
    EntityType::kCrn, EntityType::kPhone, EntityType::kBankAccount, EntityType::kCreditCard,
};

struct Found {
  EntityType type;
  std::string value;  // original bytes covered by the span
  float confidence;
  std::string rule;
  int specificity;
};

// Scans with only the numeric types enabled, so that the tests do not depend
// on the name/address/… recognizers. Scanners are cached per threshold.
std::vector<Found> Scan(std::string_view text, float min_confidence = 0.5f) {
  static std::map<float, std::unique_ptr<Scanner>> scanners;
  std::unique_ptr<Scanner>& scanner = scanners[min_confidence];
  if (!scanner) {
    ScannerOptions o;
    o.types.reset();
    for (EntityType t : kNumericTypes) o.types.set(static_cast<size_t>(t));
    o.min_confidence = min_confidence;
    o.markings = false;
    auto compiled = Scanner::Compile(o);
    EXPECT_TRUE(compiled.ok());
    scanner = std::move(compiled).value();
  }
  ScanScratch scratch;
  std::vector<Span> spans;
  EXPECT_TRUE(scanner->Scan(text, scratch, &spans).ok());
  std::vector<Found> out;
  for (const Span& s : spans) {
    out.push_back({s.type, std::string(text.substr(s.start, s.end - s.start)), s.confidence, s.rule, s.specificity});
  }
  return out;
}

// Values of one type, in order.
std::vector<std::string> Values(std::string_view text, EntityType type, float min_confidence = 0.5f) {
  std::vector<std::string> v;
  for (const Found& f : Scan(text, min_confidence)) {
    if (f.type == type) v.push_back(f.value);
  }
  return v;
}

using V = std::vector<std::string>;

// ---------------------------------------------------------------------------
// KR_RRN / KR_ARN

TEST(RrnRecognizerTest, ExactOffsetsWithParticles) {
  std::string text = "주민번호는 900101-1234568이고 연락처는 010-2345-6789로 부탁드립니다.";
  ScannerOptions o;  // all recognizers: checks offsets end to end
  auto scanner = Scanner::Compile(o);
  ASSERT_TRUE(scanner.ok());
  ScanScratch scratch;
  std::vector<Span> spans;
  ASSERT_TRUE(scanner.value()->Scan(text, scratch, &spans).ok());
  bool rrn = false, phone = false;
  for (const Span& s : spans) {
    if (s.type == EntityType::kRrn) {
      EXPECT_EQ(s.start, 16u);
      EXPECT_EQ(s.end, 30u);
      EXPECT_STREQ(s.rule, "rrn.checksum");
      EXPECT_EQ(s.specificity, specificity::kChecksum);
      rrn = true;
    }
    if (s.type == EntityType::kPhone) {
      EXPECT_EQ(s.start, 50u);
      EXPECT_EQ(s.end, 63u);
      phone = true;
    }
  }
  EXPECT_TRUE(rrn);
  EXPECT_TRUE(phone);
}

TEST(RrnRecognizerTest, SeparatorsAndNoContext) {
  EXPECT_EQ(Values("접수: 900101-1234568 입니다", EntityType::kRrn), V{"900101-1234568"});
  EXPECT_EQ(Values("값 9001011234568, 끝", EntityType::kRrn), V{"9001011234568"});
  EXPECT_EQ(Values("값 900101 1234568입니다", EntityType::kRrn), V{"900101 1234568"});
  EXPECT_EQ(Values("RRN: 850315.2345678", EntityType::kRrn), V{"850315.2345678"});
}

TEST(RrnRecognizerTest, EnglishContext) {
  auto f = Scan("Customer RRN is 880808-1122338, please verify.");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].type, EntityType::kRrn);
  EXPECT_EQ(f[0].value, "880808-1122338");
  EXPECT_GT(f[0].confidence, 0.9f);
}

TEST(RrnRecognizerTest, TokenBoundaries) {
  EXPECT_TRUE(Values("90010112345680", EntityType::kRrn).empty());  // 14 digits
  EXPECT_TRUE(Values("19001011234568", EntityType::kRrn).empty());
  EXPECT_TRUE(Values("ID9001011234568", EntityType::kRrn).empty());
  EXPECT_TRUE(Values("REQ-900101-1234568", EntityType::kRrn).empty());
  EXPECT_TRUE(Values("900101-1234568-01", EntityType::kRrn).empty());
  EXPECT_EQ(Values("(900101-1234568)", EntityType::kRrn), V{"900101-1234568"});
}

TEST(RrnRecognizerTest, Post2020NumberFailingChecksumNeedsContext) {
  ASSERT_FALSE(validate::RrnChecksum("2203154817260"));
  auto f = Scan("아이 주민등록번호: 220315-4817260 입니다");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].type, EntityType::kRrn);
  EXPECT_EQ(f[0].value, "220315-4817260");
  EXPECT_EQ(f[0].rule, "rrn.context");
  EXPECT_EQ(f[0].specificity, specificity::kWeakChecksum);
  EXPECT_GE(f[0].confidence, 0.5f);
  EXPECT_LT(f[0].confidence, 0.9f);
  // Same value without context: only a weak candidate.
  EXPECT_TRUE(Values("값 220315-4817260 입니다", EntityType::kRrn).empty());
  auto weak = Scan("값 220315-4817260 입니다", 0.2f);
  ASSERT_EQ(weak.size(), 1u);
  EXPECT_EQ(weak[0].type, EntityType::kRrn);
  EXPECT_LT(weak[0].confidence, 0.5f);
}

TEST(RrnRecognizerTest, ChangedOlderNumberWithContextIsKept) {
  ASSERT_FALSE(validate::RrnChecksum("8808081122339"));
  EXPECT_EQ(Values("생년월일 확인용 880808-1122339", EntityType::kRrn), V{"880808-1122339"});
  EXPECT_EQ(Values("신분증 사본의 번호 8808081122339로 확인", EntityType::kRrn), V{"8808081122339"});
}

TEST(RrnRecognizerTest, InvalidDatesAndMaskedValuesAreIgnored) {
  EXPECT_TRUE(Values("주민번호 901301-1234568", EntityType::kRrn, 0.0f).empty());
  EXPECT_TRUE(Values("주민번호 020229-3456786", EntityType::kRrn, 0.0f).empty());
  EXPECT_TRUE(Values("주민번호 900101-1******", EntityType::kRrn, 0.0f).empty());
  EXPECT_TRUE(Values("주민번호 271201-4123453", EntityType::kRrn, 0.0f).empty());  // future
}

TEST(RrnRecognizerTest, ReferenceNumberLabelWins) {
  ASSERT_TRUE(validate::ArnAnyChecksum("2512248073811"));
  // Checksum-valid by chance, but labelled as a reference number.
  EXPECT_TRUE(Values("주문번호 9001011234568 배송 문의", EntityType::kRrn).empty());
  EXPECT_TRUE(Values("접수번호 251224-8073811로 조회", EntityType::kArn).empty());
  EXPECT_EQ(Values("접수번호 251224-8073811로 조회", EntityType::kArn, 0.2f), V{"251224-8073811"});
}

TEST(ArnRecognizerTest, BothCheckVariantsAndContext) {
  EXPECT_EQ(Values("외국인등록번호 920315-5123456입니다", EntityType::kArn), V{"920315-5123456"});
  EXPECT_EQ(Values("ARN: 750607-6123451", EntityType::kArn), V{"750607-6123451"});
  // Fails both variants: only with context.
  ASSERT_FALSE(validate::ArnAnyChecksum("9203155123450"));
  EXPECT_EQ(Values("외국인 등록증 920315-5123450", EntityType::kArn), V{"920315-5123450"});
  EXPECT_TRUE(Values("번호 920315-5123450", EntityType::kArn).empty());
  EXPECT_TRUE(Values("외국인 등록증 920315-5123456", EntityType::kRrn).empty());
}

TEST(RrnRecognizerTest, HangulDigitsAndSpacedDigits) {
  EXPECT_EQ(Values("주민번호 구공공일공일-일이삼사오육팔", EntityType::kRrn), V{"구공공일공일-일이삼사오육팔"});
  EXPECT_EQ(Values("주민등록번호: 9 0 0 1 0 1 1 2 3 4 5 6 8 연락처", EntityType::kRrn), V{"9 0 0 1 0 1 1 2 3 4 5 6 8"});
  EXPECT_EQ(Values("주민번호 ９００１０１－１２３４５６８", EntityType::kRrn), V{"９００１０１－１２３４５６８"});
}

// ---------------------------------------------------------------------------
// KR_CRN / KR_BRN

TEST(CrnRecognizerTest, ContextDecidesBetweenCrnAndRrn) {
  ASSERT_TRUE(validate::RrnChecksum("1101111000481"));
  ASSERT_TRUE(validate::CrnChecksum("1101111000481"));
  EXPECT_EQ(Values("법인등록번호 110111-1000481", EntityType::kCrn), V{"110111-1000481"});
  EXPECT_TRUE(Values("법인등록번호 110111-1000481", EntityType::kRrn).empty());
  EXPECT_EQ(Values("주민등록번호 110111-1000481", EntityType::kRrn), V{"110111-1000481"});
  EXPECT_TRUE(Values("주민등록번호 110111-1000481", EntityType::kCrn).empty());
}

TEST(CrnRecognizerTest, PublishedNumbers) {
  EXPECT_EQ(Values("법인등록번호: 130111-0006246, 본점", EntityType::kCrn), V{"130111-0006246"});
  EXPECT_EQ(Values("corporate registration no. 1101110085450", EntityType::kCrn), V{"1101110085450"});
  EXPECT_TRUE(Values("법인등록번호 130111-0006247", EntityType::kCrn, 0.0f).empty());
}

TEST(CrnRecognizerTest, Post2020RrnPassingCrnCheckStaysRrn) {
  // Find a post-2020 number that fails the RRN check but passes the CRN one.
  std::string d = "2203154817260";
  for (char c = '0'; c <= '9'; ++c) {
    d[12] = c;
    if (validate::CrnChecksum(d) && !validate::RrnChecksum(d)) break;
  }
  ASSERT_TRUE(validate::CrnChecksum(d));
  std::string v = d.substr(0, 6) + "-" + d.substr(6);
  std::string text = "자녀 주민번호 " + v + "입니다";
  EXPECT_EQ(Values(text, EntityType::kRrn), V{v});
  EXPECT_TRUE(Values(text, EntityType::kCrn).empty());
}

TEST(BrnRecognizerTest, ChecksumAndGrouping) {
  EXPECT_EQ(Values("사업자등록번호: 116-82-00276입니다", EntityType::kBrn), V{"116-82-00276"});
  EXPECT_EQ(Values("거래처 134-86-72683 등록", EntityType::kBrn), V{"134-86-72683"});
  EXPECT_EQ(Values("business reg no 220 81 01238.", EntityType::kBrn), V{"220 81 01238"});
  EXPECT_TRUE(Values("사업자등록번호 116-82-00277", EntityType::kBrn, 0.0f).empty());
  EXPECT_TRUE(Values("관리번호 101-00-12345", EntityType::kBrn, 0.0f).empty());
}

TEST(BrnRecognizerTest, UnseparatedNeedsContext) {
  EXPECT_EQ(Values("사업자번호 1168200276 확인", EntityType::kBrn), V{"1168200276"});
  EXPECT_TRUE(Values("timestamp 1168200276 확인", EntityType::kBrn).empty());
}

// ---------------------------------------------------------------------------
// KR_PHONE

TEST(PhoneRecognizerTest, DomesticForms) {
  EXPECT_EQ(Values("연락처는 010-2345-6789로 주세요", EntityType::kPhone), V{"010-2345-6789"});
  EXPECT_EQ(Values("번호 010.2345.6789이고", EntityType::kPhone), V{"010.2345.6789"});
  EXPECT_EQ(Values("번호 010 2345 6789입니다", EntityType::kPhone), V{"010 2345 6789"});
  EXPECT_EQ(Values("번호 01023456789으로", EntityType::kPhone), V{"01023456789"});
  EXPECT_EQ(Values("사무실 02-312-4567, 팩스 031-8765-4321", EntityType::kPhone), (V{"02-312-4567", "031-8765-4321"}));
  EXPECT_EQ(Values("인터넷전화 070-4321-8765 / 안심번호 0505-123-4567", EntityType::kPhone),
            (V{"070-4321-8765", "0505-123-4567"}));
  EXPECT_EQ(Values("legacy 011-234-5678", EntityType::kPhone), V{"011-234-5678"});
  EXPECT_EQ(Values("대표 (02) 312-4567", EntityType::kPhone), V{"(02) 312-4567"});
  EXPECT_EQ(Values("Tel.02-312-4567", EntityType::kPhone), V{"02-312-4567"});
}

TEST(PhoneRecognizerTest, InternationalForms) {
  EXPECT_EQ(Values("Call +82-10-2345-6789 now", EntityType::kPhone), V{"+82-10-2345-6789"});
  EXPECT_EQ(Values("Tel +82 10 2345 6789로", EntityType::kPhone), V{"+82 10 2345 6789"});
  EXPECT_EQ(Values("Office +82 2 312 4567.", EntityType::kPhone), V{"+82 2 312 4567"});
  EXPECT_EQ(Values("Office +82-31-8765-4321", EntityType::kPhone), V{"+82-31-8765-4321"});
  EXPECT_EQ(Values("m: +82 (0)10-2345-6789", EntityType::kPhone), V{"+82 (0)10-2345-6789"});
  EXPECT_EQ(Values("m: +821023456789", EntityType::kPhone), V{"+821023456789"});
  EXPECT_EQ(Values("m: 0082-10-2345-6789", EntityType::kPhone), V{"0082-10-2345-6789"});
}

TEST(PhoneRecognizerTest, NotPersonalNumbers) {
  for (const char* s : {"고객센터 1588-1234로 문의", "수신자부담 080-123-4567", "정보이용료 060-123-4567",
                        "대표번호 1644-1234", "마스킹 010-****-5678", "마스킹 010-1234-****", "코드 T01023456789",
                        "길이 010-2345-67890", "연속 02-312-4567-8", "날짜 2024-06-23 10:30", "버전 10.2.3",
                        "가격 1,234,000원", "주문 ORD-010-2345-6789", "email 01023456789@example.com"}) {
    EXPECT_TRUE(Values(s, EntityType::kPhone).empty()) << s;
  }
}

TEST(PhoneRecognizerTest, Evasions) {
  // Full-width digits: the span covers the original full-width bytes.
  EXPECT_EQ(Values("폰 ０１０-２３４５-６７８９ 끝", EntityType::kPhone), V{"０１０-２３４５-６７８９"});
  // Zero-width characters inside are part of the written form.
  EXPECT_EQ(Values("폰 010\u200B-2345-\u200D6789로", EntityType::kPhone), V{"010\u200B-2345-\u200D6789"});
  EXPECT_EQ(Values("번호는 공일공-이삼사오-육칠팔구입니다", EntityType::kPhone), V{"공일공-이삼사오-육칠팔구"});
  EXPECT_EQ(Values("번호 영일영 이삼사오 육칠팔구로", EntityType::kPhone), V{"영일영 이삼사오 육칠팔구"});
  EXPECT_EQ(Values("고객이 0 1 0 2 3 4 5 6 7 8 9로 전화", EntityType::kPhone), V{"0 1 0 2 3 4 5 6 7 8 9"});
  EXPECT_EQ(Values("M. 0 2 - 3 1 2 - 4 5 6 7\n", EntityType::kPhone), V{"0 2 - 3 1 2 - 4 5 6 7"});
}

// ---------------------------------------------------------------------------
// CREDIT_CARD

TEST(CardRecognizerTest, GroupingsAndNetworks) {
  EXPECT_EQ(Values("카드 4111-1111-1111-1111로 결제", EntityType::kCreditCard), V{"4111-1111-1111-1111"});
  EXPECT_EQ(Values("card 5555 5555 5555 4444.", EntityType::kCreditCard), V{"5555 5555 5555 4444"});
  EXPECT_EQ(Values("번호 4111111111111111이고", EntityType::kCreditCard), V{"4111111111111111"});
  EXPECT_EQ(Values("Amex 3782 822463 10005", EntityType::kCreditCard), V{"3782 822463 10005"});
  EXPECT_EQ(Values("Amex 378282246310005", EntityType::kCreditCard), V{"378282246310005"});
  EXPECT_EQ(Values("국내전용 9410-1234-1234-1237", EntityType::kCreditCard), V{"9410-1234-1234-1237"});
}

TEST(CardRecognizerTest, LookAlikes) {
  for (const char* s : {"카드번호 4111-1111-1111-1112 유효한가요", "거래번호 T4111111111111111",
                        "번호 41111111111111111", "영수증 4111-11**-****-1111", "유효기간 12/27",
                        "타임스탬프 2024062316351949", "UUID 67cd2e07-1476-4387-96f0-7d80a1b2c3d4"}) {
    EXPECT_TRUE(Values(s, EntityType::kCreditCard, 0.0f).empty()) << s;
  }
}

// ---------------------------------------------------------------------------
// KR_BANK_ACCOUNT

TEST(BankRecognizerTest, BankNameOrAccountContext) {
  EXPECT_EQ(Values("국민은행 123456-01-234567로 입금 부탁드립니다", EntityType::kBankAccount), V{"123456-01-234567"});
  EXPECT_EQ(Values("신한 110-234-567890 (예금주 홍길동)", EntityType::kBankAccount), V{"110-234-567890"});
  EXPECT_EQ(Values("계좌번호: 1002-345-678901이고", EntityType::kBankAccount), V{"1002-345-678901"});
  EXPECT_EQ(Values("카카오뱅크 3333-01-2345678", EntityType::kBankAccount), V{"3333-01-2345678"});
  EXPECT_EQ(Values("Bank: Toss Bank, Account No. 1000.1234.5678", EntityType::kBankAccount), V{"1000.1234.5678"});
  EXPECT_EQ(Values("이름,은행,계좌,금액\n홍길동,NH농협은행,301-2345-6789-11,425000", EntityType::kBankAccount),
            V{"301-2345-6789-11"});
  EXPECT_EQ(Values("환불은 KB 12345601234567 으로", EntityType::kBankAccount), V{"12345601234567"});
}

TEST(BankRecognizerTest, NoContextNoAccount) {
  EXPECT_TRUE(Values("번호 110-234-567890 확인", EntityType::kBankAccount, 0.0f).empty());
  EXPECT_TRUE(Values("우리 서버 10.20.30.40에 접속", EntityType::kBankAccount, 0.0f).empty());
  EXPECT_TRUE(Values("우리 팀 번호 110-234-567890", EntityType::kBankAccount, 0.0f).empty());
  // A reference-number label nearer than the account keyword.
  EXPECT_TRUE(Values("환불 계좌 확인 전에 주문번호 2023021173583 알려주세요", EntityType::kBankAccount, 0.0f).empty());
  // Account keyword on the next line belongs to the next message.
  EXPECT_TRUE(Values("고객: 2023021173583\n상담원: 환불 계좌가", EntityType::kBankAccount, 0.0f).empty());
  // Phone numbers near account words stay phones.
  auto f = Scan("입금 확인되면 010-2345-6789로 연락주세요");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].type, EntityType::kPhone);
}

// ---------------------------------------------------------------------------
// KR_PASSPORT

TEST(PassportRecognizerTest, OldAndNewFormsWithContext) {
  EXPECT_EQ(Values("여권번호: M12345678입니다", EntityType::kPassport), V{"M12345678"});
  EXPECT_EQ(Values("passport no. M123A4567, expires 2030", EntityType::kPassport), V{"M123A4567"});
  EXPECT_EQ(Values("출장자 (여권 S87654321), (여권 G123B4567)", EntityType::kPassport), (V{"S87654321", "G123B4567"}));
}

TEST(PassportRecognizerTest, LookAlikes) {
  EXPECT_TRUE(Values("쿠폰 코드 M12345678 적용", EntityType::kPassport).empty());
  EXPECT_TRUE(Values("M12345678", EntityType::kPassport).empty());
  EXPECT_TRUE(Values("여권 XM12345678", EntityType::kPassport, 0.0f).empty());
  EXPECT_TRUE(Values("여권 M123456789", EntityType::kPassport, 0.0f).empty());
  EXPECT_TRUE(Values("여권 A12345678", EntityType::kPassport, 0.0f).empty());
  // Context lets --min-confidence expose the weak candidate.
  EXPECT_EQ(Values("코드 M12345678", EntityType::kPassport, 0.2f), V{"M12345678"});
}

// ---------------------------------------------------------------------------
// KR_DRIVER_LICENSE

TEST(LicenseRecognizerTest, NumericRegionCode) {
  EXPECT_EQ(Values("운전면허번호 11-17-123456-01입니다", EntityType::kDriverLicense), V{"11-17-123456-01"});
  EXPECT_EQ(Values("driver's license: 28-05-654321-12", EntityType::kDriverLicense), V{"28-05-654321-12"});
  EXPECT_EQ(Values("번호 13-98-111111-22", EntityType::kDriverLicense), V{"13-98-111111-22"});
  EXPECT_TRUE(Values("운전면허 27-17-123456-01", EntityType::kDriverLicense, 0.0f).empty());
  EXPECT_TRUE(Values("운전면허 10-17-123456-01", EntityType::kDriverLicense, 0.0f).empty());
}

TEST(LicenseRecognizerTest, RegionNameIsPartOfSpan) {
  EXPECT_EQ(Values("면허번호는 서울 17-123456-01이며", EntityType::kDriverLicense), V{"서울 17-123456-01"});
  EXPECT_EQ(Values("license_no: \"강원 02-148122-63\"", EntityType::kDriverLicense), V{"강원 02-148122-63"});
  EXPECT_EQ(Values("운전면허 경기남부 99-123456-78", EntityType::kDriverLicense), V{"경기남부 99-123456-78"});
}

// ---------------------------------------------------------------------------
// Shared boundary and context rules

TEST(NumericBoundaryTest, EscapedNewlinesInJsonStrings) {
  std::string text = R"({"memo":"연락처:\n010-2345-6789\n주민번호:\n900101-1234568"})";
  EXPECT_EQ(Values(text, EntityType::kPhone), V{"010-2345-6789"});
  EXPECT_EQ(Values(text, EntityType::kRrn), V{"900101-1234568"});
  EXPECT_EQ(Values(R"("여권번호:\nM12345678")", EntityType::kPassport), V{"M12345678"});
}

TEST(NumericBoundaryTest, KeywordsMustStandAlone) {
  // "warning" contains "arn", "1024KB" contains "KB": neither is context.
  ASSERT_FALSE(validate::ArnAnyChecksum("9203155123450"));
  EXPECT_TRUE(Values("warning: 920315-5123450", EntityType::kArn).empty());
  EXPECT_TRUE(Values("size 1024KB 110-234-567890", EntityType::kBankAccount).empty());
  EXPECT_EQ(Values("KB 110-234-567890", EntityType::kBankAccount), V{"110-234-567890"});
}

TEST(BankRecognizerTest, ContextLines) {
  // A label on the previous line covers a grouped value ...
  EXPECT_EQ(Values("입금 계좌:\n110-234-567890", EntityType::kBankAccount), V{"110-234-567890"});
  // ... but not a bare digit run such as a timestamp on the next line.
  EXPECT_TRUE(Values("예금주 홍길동\n타임스탬프 1772614753", EntityType::kBankAccount, 0.0f).empty());
  // ISBN-13 near a payment word is not an account; a 4-3-6 number starting
  // with 978 is.
  EXPECT_TRUE(Values("입금 후 도서 ISBN 978-89-1234-567-8 발송", EntityType::kBankAccount, 0.0f).empty());
  EXPECT_EQ(Values("신한은행 9780-969-407110", EntityType::kBankAccount), V{"9780-969-407110"});
  // Amounts are not accounts.
  EXPECT_TRUE(Values("입금액 1250000000원 확인", EntityType::kBankAccount, 0.0f).empty());
  EXPECT_TRUE(Values("송금 ₩1250000000 완료", EntityType::kBankAccount, 0.0f).empty());
}

TEST(BrnRecognizerTest, BankOnAnotherLineDoesNotDemote) {
  EXPECT_EQ(Values("| 신한은행 | 110-234-567890 |\n| 거래처 | 116-82-00276 |", EntityType::kBrn), V{"116-82-00276"});
  // SC제일 accounts are written 3-2-5 too: a bank name on the same line wins.
  EXPECT_TRUE(Values("SC제일은행 116-82-00276", EntityType::kBrn).empty());
  EXPECT_EQ(Values("SC제일은행 116-82-00276", EntityType::kBankAccount), V{"116-82-00276"});
}

TEST(PhoneRecognizerTest, UnseparatedReferenceNumbers) {
  EXPECT_TRUE(Values("회원번호 0312345678 확인", EntityType::kPhone).empty());
  EXPECT_EQ(Values("전화 0312345678 확인", EntityType::kPhone), V{"0312345678"});
  EXPECT_EQ(Values("회원번호 031-234-5678 확인", EntityType::kPhone), V{"031-234-5678"});
}

TEST(LicenseRecognizerTest, UnseparatedNeedsContextOnTheSameLine) {
  EXPECT_EQ(Values("운전면허번호 111712345601", EntityType::kDriverLicense), V{"111712345601"});
  EXPECT_TRUE(Values("운전면허번호 확인\n송장 111712345601", EntityType::kDriverLicense).empty());
}

// ---------------------------------------------------------------------------
// Locality: streaming in small chunks reports exactly what a whole scan does.

TEST(NumericStreamingTest, ChunkedEqualsWhole) {
  std::string text;
  const char* pieces[] = {
      "주민번호는 900101-1234568이고 ",
      "연락처 +82 10 2345 6789, ",
      "카드 4111 1111 1111 1111 ",
      "국민은행 123456-01-234567로 입금\n",
      "법인등록번호 110111-1000481 ",
      "사업자등록번호 116-82-00276 ",
      "여권번호: M123A4567 ",
      "면허번호는 서울 17-123456-01이며 ",
      "아이 주민등록번호 220315-4817260 ",
      "주문번호 2023021173583 ",
      "010 2345 6789 2024 0623 1234 ",
      "0 1 0 2 3 4 5 6 7 8 9로 ",
  };
  for (int round = 0; round < 40; ++round) {
    for (const char* p : pieces) text += p;
    text += std::string(static_cast<size_t>(round * 7 % 50), 'x') + "\n";
  }
  ScannerOptions o;
  o.types.reset();
  for (EntityType t : kNumericTypes) o.types.set(static_cast<size_t>(t));
  auto scanner = Scanner::Compile(o);
  ASSERT_TRUE(scanner.ok());
  ScanScratch scratch;
  std::vector<Span> whole;
  ASSERT_TRUE(scanner.value()->Scan(text, scratch, &whole).ok());
  ASSERT_GT(whole.size(), 400u);
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{64}, size_t{1000}}) {
    StreamScanner stream(*scanner.value());
    std::vector<Span> got;
    for (size_t pos = 0; pos < text.size(); pos += chunk) {
      auto part = stream.Feed(std::string_view(text).substr(pos, chunk));
      got.insert(got.end(), part.begin(), part.end());
    }
    auto rest = stream.Finish();
    got.insert(got.end(), rest.begin(), rest.end());
    ASSERT_EQ(got.size(), whole.size()) << "chunk " << chunk;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i], whole[i]) << "chunk " << chunk << " span " << i;
    }
  }
}

}  // namespace
}  // namespace gwanmun::detect
