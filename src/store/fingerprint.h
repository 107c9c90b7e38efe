// Keyed fingerprints of sensitive values for the audit log.
//
// The audit log never holds a found value, only HMAC-SHA256 fingerprints of
// it under a deployment secret (audit.fingerprint_secret_env/_file). Whoever
// knows the secret and a value can compute its fingerprint and ask "was this
// RRN ever sent, and where?" (`gwanmun audit search --value`); whoever reads
// only the log learns nothing about the values, not even by trying every RRN.
//
// AuditRecord::fingerprints holds a sorted, de-duplicated JSON array of
// "TYPE:HEX" strings, e.g. ["KR_PHONE:3fa9…","KR_RRN:0b12…"], where HEX is
// Fingerprint(secret, value) of a value detected as TYPE. The HEX part does
// not depend on TYPE, so one value found as two types has one HEX.
//
// All functions are thread-safe. EnsureCryptoInit() (store/crypto.h) must
// have succeeded once before Fingerprint is called (OpenSqliteStore does it).

#ifndef GWANMUN_STORE_FINGERPRINT_H_
#define GWANMUN_STORE_FINGERPRINT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gwanmun::store {

// Hex digits in a fingerprint (16 bytes of the HMAC).
inline constexpr size_t kFingerprintHexSize = 32;

// The canonical form of a value (UTF-8), so that trivially different
// spellings of one value get one fingerprint:
//  1. full-width ASCII (U+FF01..U+FF5E) is folded to ASCII ('０' → '0',
//     'Ａ' → 'A', '－' → '-');
//  2. then, if the value consists only of ASCII digits and separators
//     (whitespace, '-', '.', '/', '(', ')', '+') and has at least 6 digits:
//     the digits only ("900101-1234567" → "9001011234567",
//     "+82 (10) 1234.5678" → "821012345678");
//  3. otherwise: every Unicode whitespace character (White_Space: ASCII
//     whitespace, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029,
//     U+202F, U+205F, U+3000) removed and ASCII letters lower-cased
//     ("Kim@Example.com" → "kim@example.com", "홍 길동" → "홍길동").
// Invalid UTF-8 bytes are kept as they are. Changing this function changes
// every fingerprint: a different form needs a new version tag (see below).
std::string CanonicalValue(std::string_view value);

// The fingerprint of `value` under `secret`: the first 16 bytes of
//   HMAC-SHA256(key = secret, "gwanmun-fp-v1" || 0x00 || CanonicalValue(value))
// as 32 lower-case hex digits. Any secret length works (HMAC hashes keys
// longer than a block); deployments use at least 16 bytes.
std::string Fingerprint(std::string_view secret, std::string_view value);

// Whether `text` is 32 hex digits (either case), the shape of a fingerprint.
bool IsFingerprintHex(std::string_view text);

// `hex` with A-F lower-cased (the stored form of a fingerprint).
std::string LowerHex(std::string_view hex);

// The TYPE of every "TYPE:HEX" entry of an AuditRecord::fingerprints JSON
// array whose HEX equals LowerHex(fingerprint_hex) exactly (entries hold
// lower-case hex, as Fingerprint returns), in array order, duplicates
// dropped. TYPE is everything before the last ':'. Empty when nothing
// matches, `fingerprint_hex` is not IsFingerprintHex, or `fingerprints_json`
// is not a JSON array (non-string entries are ignored).
std::vector<std::string> MatchingFingerprintTypes(std::string_view fingerprints_json, std::string_view fingerprint_hex);

}  // namespace gwanmun::store

#endif  // GWANMUN_STORE_FINGERPRINT_H_
