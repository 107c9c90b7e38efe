// HMAC fingerprints of values (store/fingerprint.h) and finding audit records
// by fingerprint (Store::FindAuditByFingerprint), in the SQLite store and in
// the default implementation over ReadAudit.

#include "store/fingerprint.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "store/crypto.h"
#include "store_test_util.h"

namespace gwanmun::store {
namespace {

using testing::MakeRecord;
using testing::OpenOrDie;
using testing::ScratchDir;

constexpr std::string_view kSecret = "gwanmun-test-secret-0123456789";

class FingerprintTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(EnsureCryptoInit().ok()); }
};

TEST(CanonicalValueTest, DigitsWithSeparatorsBecomeDigitsOnly) {
  EXPECT_EQ(CanonicalValue("900101-1234567"), "9001011234567");
  EXPECT_EQ(CanonicalValue("9001011234567"), "9001011234567");
  EXPECT_EQ(CanonicalValue(" 900101 - 1234567 "), "9001011234567");
  EXPECT_EQ(CanonicalValue("010-1234-5678"), "01012345678");
  EXPECT_EQ(CanonicalValue("010.1234.5678"), "01012345678");
  EXPECT_EQ(CanonicalValue("+82 (10) 1234 5678"), "821012345678");
  EXPECT_EQ(CanonicalValue("2026/01/02"), "20260102");
  EXPECT_EQ(CanonicalValue("110-123-456789"), "110123456789");      // a bank account
  EXPECT_EQ(CanonicalValue("010\t1234\u30005678"), "01012345678");  // tab, ideographic space
}

TEST(CanonicalValueTest, FullWidthIsFoldedFirst) {
  // "９００１０１－１２３４５６７": full-width digits and hyphen-minus.
  EXPECT_EQ(CanonicalValue("\uFF19\uFF10\uFF10\uFF11\uFF10\uFF11\uFF0D\uFF11\uFF12\uFF13\uFF14"
                           "\uFF15\uFF16\uFF17"),
            "9001011234567");
  // Full-width letters and '@', then lower-cased.
  EXPECT_EQ(CanonicalValue("\uFF2B\uFF49\uFF4D\uFF20Example.com"), "kim@example.com");
}

TEST(CanonicalValueTest, FewDigitsOrOtherCharactersKeepSeparators) {
  EXPECT_EQ(CanonicalValue("12-34"), "12-34");  // fewer than 6 digits
  EXPECT_EQ(CanonicalValue("12345"), "12345");
  EXPECT_EQ(CanonicalValue("123456"), "123456");
  EXPECT_EQ(CanonicalValue("10.0.0.1"), "10.0.0.1");  // 4 digits: an IP stays dotted
  EXPECT_EQ(CanonicalValue("192.168.100.200"), "192168100200");
  EXPECT_EQ(CanonicalValue("M12345678"), "m12345678");  // a passport number
  EXPECT_EQ(CanonicalValue("sk-ABC def"), "sk-abcdef");
}

TEST(CanonicalValueTest, WhitespaceRemovedAndAsciiLowerCased) {
  EXPECT_EQ(CanonicalValue("Kim@Example.com"), "kim@example.com");
  EXPECT_EQ(CanonicalValue("홍 길동"), "홍길동");
  EXPECT_EQ(CanonicalValue("홍\u3000길동"), "홍길동");
  EXPECT_EQ(CanonicalValue(" 서울특별시 중구\t세종대로 110\n"), "서울특별시중구세종대로110");
  EXPECT_EQ(CanonicalValue("a\u00A0b\u2003c\u202Fd"), "abcd");
  EXPECT_EQ(CanonicalValue("ÄÖ"), "ÄÖ");  // only ASCII letters change case
  EXPECT_EQ(CanonicalValue(""), "");
  EXPECT_EQ(CanonicalValue(" \t\u3000"), "");
}

TEST(CanonicalValueTest, InvalidUtf8IsKeptAndNeverFolded) {
  EXPECT_EQ(CanonicalValue(std::string("A\xff"
                                       "B",
                                       3)),
            std::string("a\xff"
                        "b",
                        3));
  // An overlong 3-byte form of U+FF10 is not a full-width digit.
  const std::string overlong("\xf0\x8f\xbc\x90", 4);
  EXPECT_EQ(CanonicalValue(overlong), overlong);
  // A truncated sequence at the end.
  EXPECT_EQ(CanonicalValue(std::string("X\xef\xbc", 3)), std::string("x\xef\xbc", 3));
}

TEST_F(FingerprintTest, TriviallyDifferentSpellingsMatch) {
  const std::string rrn = Fingerprint(kSecret, "900101-1234567");
  EXPECT_EQ(Fingerprint(kSecret, "9001011234567"), rrn);
  EXPECT_EQ(Fingerprint(kSecret,
                        "\uFF19\uFF10\uFF10\uFF11\uFF10\uFF11\uFF0D\uFF11\uFF12\uFF13"
                        "\uFF14\uFF15\uFF16\uFF17"),
            rrn);
  EXPECT_EQ(Fingerprint(kSecret, "Kim@Example.com"), Fingerprint(kSecret, "kim@example.com"));
  EXPECT_EQ(Fingerprint(kSecret, "홍 길동"), Fingerprint(kSecret, "홍길동"));
  EXPECT_NE(Fingerprint(kSecret, "900101-1234568"), rrn);
  EXPECT_NE(Fingerprint(kSecret, "홍길동"), Fingerprint(kSecret, "홍길순"));
}

TEST_F(FingerprintTest, ShapeAndSecretDependence) {
  const std::string a = Fingerprint(kSecret, "010-1234-5678");
  ASSERT_EQ(a.size(), kFingerprintHexSize);
  EXPECT_TRUE(std::all_of(a.begin(), a.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
      << a;
  EXPECT_TRUE(IsFingerprintHex(a));
  EXPECT_EQ(Fingerprint(kSecret, "010-1234-5678"), a);  // deterministic
  EXPECT_NE(Fingerprint("another-secret-0123456789", "010-1234-5678"), a);
  EXPECT_NE(Fingerprint(std::string(kSecret) + "x", "010-1234-5678"), a);
  // The empty value still has a (keyed) fingerprint.
  EXPECT_EQ(Fingerprint(kSecret, "").size(), kFingerprintHexSize);
}

// Pins the construction. Computed independently with Python:
//   import hmac, hashlib
//   def fp(key, value):
//       return hmac.new(key, b"gwanmun-fp-v1\x00" + value.encode(),
//                       hashlib.sha256).hexdigest()[:32]
//   fp(b"gwanmun-test-secret-0123456789", "9001011234567")
//       == "1d73f32097d665ae19e33c1a85d89377"
//   fp(b"gwanmun-test-secret-0123456789", "kim@example.com")
//       == "ddffd75dddff391e21c6112f92bc7a62"
//   fp(b"k" * 100, "홍길동") == "a32f26f250f32617747cf3cf926614c5"  # key > 64 bytes
TEST_F(FingerprintTest, KnownHmacVectors) {
  EXPECT_EQ(Fingerprint(kSecret, "900101-1234567"), "1d73f32097d665ae19e33c1a85d89377");
  EXPECT_EQ(Fingerprint(kSecret, "Kim@Example.com"), "ddffd75dddff391e21c6112f92bc7a62");
  EXPECT_EQ(Fingerprint(std::string(100, 'k'), "홍 길동"), "a32f26f250f32617747cf3cf926614c5");
}

TEST(FingerprintHexTest, IsFingerprintHex) {
  EXPECT_TRUE(IsFingerprintHex("0123456789abcdef0123456789ABCDEF"));
  EXPECT_FALSE(IsFingerprintHex(""));
  EXPECT_FALSE(IsFingerprintHex("0123456789abcdef0123456789abcde"));    // 31
  EXPECT_FALSE(IsFingerprintHex("0123456789abcdef0123456789abcdef0"));  // 33
  EXPECT_FALSE(IsFingerprintHex("0123456789abcdef0123456789abcdeg"));
  EXPECT_FALSE(IsFingerprintHex("0123456789abcdef0123456789abcd%_"));
  EXPECT_EQ(LowerHex("ABCdef09"), "abcdef09");
}

TEST(FingerprintHexTest, MatchingFingerprintTypes) {
  const std::string a(32, 'a'), b(32, 'b');
  const std::string arr =
      "[\"KR_PHONE:" + b + "\",\"KR_RRN:" + a + "\",\"PERSON_NAME:" + a + "\",\"KR_RRN:" + a + "\"]";
  EXPECT_EQ(MatchingFingerprintTypes(arr, a), (std::vector<std::string>{"KR_RRN", "PERSON_NAME"}));
  EXPECT_EQ(MatchingFingerprintTypes(arr, std::string(32, 'A')),
            (std::vector<std::string>{"KR_RRN", "PERSON_NAME"}));  // query in upper case
  EXPECT_EQ(MatchingFingerprintTypes(arr, b), std::vector<std::string>{"KR_PHONE"});
  EXPECT_TRUE(MatchingFingerprintTypes(arr, std::string(32, 'c')).empty());
  EXPECT_TRUE(MatchingFingerprintTypes("[]", a).empty());
  EXPECT_TRUE(MatchingFingerprintTypes("", a).empty());
  EXPECT_TRUE(MatchingFingerprintTypes("not json :" + a + "\"", a).empty());
  EXPECT_TRUE(MatchingFingerprintTypes("{\"KR_RRN\":\"" + a + "\"}", a).empty());
  EXPECT_TRUE(MatchingFingerprintTypes("[\"KR_RRN:" + a + a + "\"]", a).empty());  // longer hex
  EXPECT_TRUE(MatchingFingerprintTypes("[\"" + a + "\"]", a).empty());             // no type separator
  EXPECT_EQ(MatchingFingerprintTypes("[1,null,\"A:B:" + a + "\"]", a),
            std::vector<std::string>{"A:B"});  // TYPE is everything before the last ':'
  EXPECT_TRUE(MatchingFingerprintTypes("[\"KR_RRN:" + std::string(32, 'A') + "\"]", a).empty())
      << "stored hex is lower-case";
  EXPECT_TRUE(MatchingFingerprintTypes(arr, "").empty());
}

// A Store that implements only the required methods (over a real store), so
// FindAuditByFingerprint is Store's default implementation.
class MinimalStore final : public Store {
 public:
  explicit MinimalStore(Store& inner) : inner_(inner) {}
  Result<CreatedKey> CreateKey(const KeySpec& spec) override { return inner_.CreateKey(spec); }
  Result<std::optional<Principal>> Authenticate(std::string_view secret) override {
    return inner_.Authenticate(secret);
  }
  Result<std::vector<KeyInfo>> ListKeys() override { return inner_.ListKeys(); }
  Status RevokeKey(std::string_view key_id) override { return inner_.RevokeKey(key_id); }
  Status AppendAudit(AuditRecord& record) override { return inner_.AppendAudit(record); }
  Result<std::vector<AuditRecord>> ReadAudit(int64_t after_seq, size_t limit) override {
    return inner_.ReadAudit(after_seq, limit);
  }
  Result<VerifyReport> VerifyAudit() override { return inner_.VerifyAudit(); }

 private:
  Store& inner_;
};

std::vector<int64_t> Seqs(const Result<std::vector<AuditRecord>>& r) {
  std::vector<int64_t> seqs;
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (r.ok()) {
    for (const auto& rec : r.value()) seqs.push_back(rec.seq);
  }
  return seqs;
}

std::string Array(const std::vector<std::string>& entries) {
  std::string out = "[";
  for (size_t i = 0; i < entries.size(); ++i) out += (i ? ",\"" : "\"") + entries[i] + "\"";
  return out + "]";
}

class FindByFingerprintTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(dir_.db());
    ASSERT_TRUE(store_);
    minimal_ = std::make_unique<MinimalStore>(*store_);
  }
  // The SQLite override, or Store's default implementation.
  Store& store() { return GetParam() ? *minimal_ : *store_; }

  void Append(int i, const std::string& fingerprints, std::string team = "결제팀") {
    AuditRecord r = MakeRecord(i, std::move(team));
    r.fingerprints = fingerprints;
    ASSERT_TRUE(store_->AppendAudit(r).ok());
  }

  ScratchDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Store> minimal_;
};

TEST_P(FindByFingerprintTest, FindsTheRightRecordsOnly) {
  ASSERT_TRUE(EnsureCryptoInit().ok());
  const std::string rrn = Fingerprint(kSecret, "900101-1234567");
  const std::string phone = Fingerprint(kSecret, "010-1234-5678");
  const std::string mail = Fingerprint(kSecret, "kim@example.com");
  Append(1, Array({"KR_RRN:" + rrn}));                          // seq 1
  Append(2, Array({"KR_PHONE:" + phone}));                      // seq 2
  Append(3, Array({"KR_PHONE:" + phone, "KR_RRN:" + rrn}));     // seq 3
  Append(4, Array({"EMAIL:" + mail}), "KR_RRN:" + rrn + "\"");  // rrn only in team
  Append(5, Array({"X:" + phone + rrn, "Y:ff" + rrn, rrn}));    // rrn inside longer entries
  Append(6, "[]");
  Append(7, Array({"PERSON_NAME:" + rrn}));  // the same HEX as another type
  {
    AuditRecord r = MakeRecord(8);
    r.request_id = rrn;  // the fingerprint in another field
    r.fingerprints = Array({"EMAIL:" + mail});
    ASSERT_TRUE(store_->AppendAudit(r).ok());
  }
  Append(9, "not json :" + rrn + "\"");                          // malformed: never matches
  Append(10, Array({"KR_RRN:" + LowerHex(rrn).substr(0, 31)}));  // one digit short

  EXPECT_EQ(Seqs(store().FindAuditByFingerprint(rrn, 100)), (std::vector<int64_t>{1, 3, 7}));
  EXPECT_EQ(Seqs(store().FindAuditByFingerprint(phone, 100)), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Seqs(store().FindAuditByFingerprint(mail, 100)), (std::vector<int64_t>{4, 8}));
  EXPECT_TRUE(Seqs(store().FindAuditByFingerprint(Fingerprint(kSecret, "nobody"), 100)).empty());

  // Upper-case queries find the (lower-case) stored entries.
  std::string upper = rrn;
  for (char& c : upper) c = (c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c;
  EXPECT_EQ(Seqs(store().FindAuditByFingerprint(upper, 100)), (std::vector<int64_t>{1, 3, 7}));

  // Oldest first, at most `limit`.
  EXPECT_EQ(Seqs(store().FindAuditByFingerprint(rrn, 2)), (std::vector<int64_t>{1, 3}));
  EXPECT_TRUE(Seqs(store().FindAuditByFingerprint(rrn, 0)).empty());

  // The records come back whole, and their matching types tell KR_RRN from
  // PERSON_NAME (what `audit search --type` filters on).
  auto found = store().FindAuditByFingerprint(rrn, 100);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found.value().size(), 3u);
  EXPECT_EQ(found.value()[1].request_id, "req-3");
  EXPECT_EQ(found.value()[1].hash.size(), 64u);
  EXPECT_EQ(MatchingFingerprintTypes(found.value()[1].fingerprints, rrn), std::vector<std::string>{"KR_RRN"});
  EXPECT_EQ(MatchingFingerprintTypes(found.value()[2].fingerprints, rrn), std::vector<std::string>{"PERSON_NAME"});
}

TEST_P(FindByFingerprintTest, RejectsMalformedFingerprints) {
  for (const std::string& bad : {std::string(), std::string(31, 'a'), std::string(33, 'a'), std::string(31, 'a') + "%",
                                 std::string(31, 'a') + "_", std::string(31, 'a') + "\"", std::string(32, 'g')}) {
    auto r = store().FindAuditByFingerprint(bad, 10);
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST_P(FindByFingerprintTest, PagesPastNonMatchingCandidates) {
  ASSERT_TRUE(EnsureCryptoInit().ok());
  const std::string rrn = Fingerprint(kSecret, "900101-1234567");
  // More than a page of rows that the SQL filter lets through but that are
  // not valid arrays, then the real ones.
  for (int i = 1; i <= 1100; ++i) Append(i, "broken :" + rrn + "\"");
  Append(1101, Array({"KR_RRN:" + rrn}));
  for (int i = 1102; i <= 1200; ++i) Append(i, "[]");
  Append(1201, Array({"KR_RRN:" + rrn}));
  EXPECT_EQ(Seqs(store().FindAuditByFingerprint(rrn, 10)), (std::vector<int64_t>{1101, 1201}));
  EXPECT_EQ(Seqs(store().FindAuditByFingerprint(rrn, 1)), (std::vector<int64_t>{1101}));
}

INSTANTIATE_TEST_SUITE_P(Impl, FindByFingerprintTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return std::string(info.param ? "DefaultOverReadAudit" : "Sqlite");
                         });

}  // namespace
}  // namespace gwanmun::store
