// Copyright gwanmun authors.
//
// Entity types and findings reported by the detection engine.
//
// A Span is a half-open range [start, end) of UTF-8 *byte* offsets into the
// caller's original text (never into a normalised copy), a type, a
// confidence in [0, 1] and the name of the rule that produced it.

#ifndef GWANMUN_DETECT_TYPES_H_
#define GWANMUN_DETECT_TYPES_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace gwanmun::detect {

enum class EntityType : uint8_t {
  kRrn = 0,        // KR_RRN 주민등록번호
  kArn,            // KR_ARN 외국인등록번호
  kPassport,       // KR_PASSPORT 여권번호
  kDriverLicense,  // KR_DRIVER_LICENSE 운전면허번호
  kBrn,            // KR_BRN 사업자등록번호
  kCrn,            // KR_CRN 법인등록번호
  kPhone,          // KR_PHONE
  kBankAccount,    // KR_BANK_ACCOUNT
  kCreditCard,     // CREDIT_CARD
  kEmail,          // EMAIL
  kIpAddress,      // IP_ADDRESS
  kPersonName,     // PERSON_NAME
  kAddress,        // KR_ADDRESS
  kSecret,         // SECRET
  kCustom,         // a term from a custom dictionary (Span::dict names which)
  kMarking,        // CLASSIFICATION_MARKING: 대외비, 사내한정, 극비, Confidential …
};

inline constexpr int kNumEntityTypes = 16;

// Canonical upper-case name ("KR_RRN", …). kCustom yields "CUSTOM"; use
// Scanner::TypeName(span) to get a dictionary's own type name.
std::string_view EntityTypeName(EntityType t);

// Inverse of EntityTypeName (case-sensitive). nullopt for unknown names.
std::optional<EntityType> ParseEntityType(std::string_view name);

// Specificity used to resolve overlaps: higher wins before length and
// confidence are compared. Recognizers pick one of these per finding.
namespace specificity {
inline constexpr int kChecksum = 100;     // a checksum or structural proof passed
inline constexpr int kPemBlock = 100;     // PEM private key block
inline constexpr int kProviderKey = 95;   // provider-prefixed secret (sk-, AKIA, ghp_ …)
inline constexpr int kStructured = 85;    // e-mail, IP, phone with valid numbering plan
inline constexpr int kContextual = 75;    // needs context: passport, licence, account
inline constexpr int kWeakChecksum = 70;  // checksum failed but date/context fit (post-2020 RRN)
inline constexpr int kDictionary = 65;    // custom dictionary or marking
inline constexpr int kAddress = 60;
inline constexpr int kSecretValue = 55;  // password assignment values
inline constexpr int kName = 50;
}  // namespace specificity

// One detected value. Offsets are UTF-8 byte offsets into the original text.
struct Span {
  uint64_t start = 0;
  uint64_t end = 0;  // exclusive
  EntityType type = EntityType::kSecret;
  float confidence = 0;
  const char* rule = "";  // static string naming the rule, e.g. "rrn.checksum"
  uint16_t dict = 0;      // for kCustom: index of the dictionary
  int16_t specificity = 0;

  friend bool operator==(const Span& a, const Span& b) {
    return a.start == b.start && a.end == b.end && a.type == b.type && a.dict == b.dict &&
           a.confidence == b.confidence && std::string_view(a.rule) == std::string_view(b.rule);
  }
};

}  // namespace gwanmun::detect

#endif  // GWANMUN_DETECT_TYPES_H_
