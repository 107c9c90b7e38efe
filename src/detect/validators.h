// Pure validation functions for Korean numeric identifiers: check digits,
// calendar dates and numbering-plan prefixes. No allocation, no state; every
// function takes the identifier's digits as ASCII ('0'–'9') without
// separators and returns false (or a "none" value) for any other input,
// including wrong lengths.
//
// Sources: shared/reference/korean-identifiers.md §2.1–2.10 (python-stdnum,
// Presidio, libphonenumber metadata, KFTC account templates).

#ifndef GWANMUN_DETECT_VALIDATORS_H_
#define GWANMUN_DETECT_VALIDATORS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gwanmun::detect::validate {

// A date as YYYYMMDD, e.g. 20201005.
using YmdInt = int32_t;

// Today's date (UTC) as YYYYMMDD, from the system clock. The only impure
// function here; recognizers call it once, at construction.
YmdInt TodayUtc();

// True if year/month/day is a real proleptic Gregorian calendar date.
bool IsCalendarDate(int year, int month, int day);

// Birth century implied by an RRN/ARN gender digit G: 1800 for 9/0, 1900 for
// 1/2/5/6, 2000 for 3/4/7/8; -1 for a non-digit.
int RrnCentury(char g);

// The birth date (YYYYMMDD) of a 13-digit RRN/ARN, or 0 if YYMMDD is not a
// real date in the century implied by G.
YmdInt RrnBirthDate(std::string_view d13);

// Date part of an RRN (G in 1–4) or ARN (G in 5–8): a real calendar date in
// G's century that is not after `today` (YYYYMMDD). 1800s (G 9/0) are
// rejected as implausible.
bool RrnDateValid(std::string_view d13, YmdInt today);

// RRN check digit: S = Σ w[i]·d[i], w = 2,3,4,5,6,7,8,9,2,3,4,5;
// d[12] == (11 − S mod 11) mod 10. (Numbers issued since 2020-10-05 have
// random trailing digits and may fail this.)
bool RrnChecksum(std::string_view d13);

// ARN check digit, Presidio variant: d[12] == (13 − S mod 11) mod 10.
bool ArnChecksum(std::string_view d13);

// True if a 13-digit number with G in 5–8 passes either ARN variant (the
// (13 − r) rule or the RRN (11 − r) rule used by python-stdnum).
bool ArnAnyChecksum(std::string_view d13);

// True for numbers issued under the post-2020-10-05 scheme: G 3/4 (or 7/8)
// and birth date on or after 2020-10-05.
bool RrnRandomScheme(std::string_view d13);

// BRN (사업자등록번호, 10 digits): weights 1,3,7,1,3,7,1,3,5 plus
// floor(5·d[8]/10); d[9] == (10 − S mod 10) mod 10.
bool BrnChecksum(std::string_view d10);

// BRN structure (python-stdnum): tax office ≥ 101, type ≠ 00, serial ≠ 0000.
bool BrnStructureValid(std::string_view d10);

// CRN (법인등록번호, 13 digits): weights 1,2,1,2,… (raw products);
// d[12] == (10 − S mod 10) mod 10.
bool CrnChecksum(std::string_view d13);

// Luhn mod-10 over all digits (the last one is the check digit).
bool Luhn(std::string_view digits);

// Plausible payment-card issuer prefix for `digits` (15 or 16 digits):
// Amex 34/37 (15 digits); for 16 digits Visa 4, Mastercard 51–55 and
// 2221–2720, other 5x (Maestro/local), JCB/Diners 30/35/36/38/39, 6x
// (Discover, UnionPay, …) and Korean domestic 9-series cards.
bool CardPrefixValid(std::string_view digits);

// Korean phone number prefixes (with the trunk 0).
enum class PhoneKind : uint8_t {
  kNone = 0,
  kMobile,        // 010
  kLegacyMobile,  // 011, 016–019
  kSeoul,         // 02
  kArea,          // 031–033, 041–044, 051–055, 061–064
  kVoip,          // 070
  kSafe,          // 0502–0508 (personal / 안심번호)
};

struct PhonePrefix {
  PhoneKind kind = PhoneKind::kNone;
  uint8_t len = 0;  // digits of the prefix, including the trunk 0
};

// Classifies the leading digits of a national number (starting with '0').
// Representative numbers (15xx/16xx/18xx), 080 toll-free, 060 premium, 030
// and anything else yield kNone.
PhonePrefix ClassifyPhonePrefix(std::string_view national);

// True if `prefix` (exactly a whole prefix group such as "02", "031",
// "010", "0505") is a recognised prefix.
inline bool IsPhonePrefix(std::string_view prefix) {
  PhonePrefix p = ClassifyPhonePrefix(prefix);
  return p.kind != PhoneKind::kNone && p.len == prefix.size();
}

// Valid lengths of the subscriber part (digits after the prefix) for a kind:
// mobile 7–8 (010 is 8, or 7 for old numbers), area/Seoul 7–8, VoIP 8,
// safe 7–8. The subscriber part must not start with 0.
bool PhoneSubscriberValid(PhoneKind kind, std::string_view subscriber);

// Validates a whole national number without separators ("01012345678",
// "0212345678").
bool PhoneNationalValid(std::string_view national);

// Driver's licence region code (11–26, 28).
bool LicenseRegionValid(int code);

// Hangul region name on older driver's licences ("서울", "경기", …): returns
// the byte length of the name if `s` starts with one, else 0.
size_t LicenseRegionNameLength(std::string_view s);

}  // namespace gwanmun::detect::validate

#endif  // GWANMUN_DETECT_VALIDATORS_H_
