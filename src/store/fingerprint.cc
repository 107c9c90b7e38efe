#include "store/fingerprint.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/crypto.h"

namespace gwanmun::store {
namespace {

// Domain separation: the version tag and a NUL precede the canonical value.
constexpr std::string_view kFingerprintDomain{"gwanmun-fp-v1\0", 14};
constexpr size_t kMinDigitsForDigitRule = 6;
constexpr uint32_t kInvalid = 0xFFFFFFFF;

// One decoded character: a code point and its original bytes, or (cp ==
// kInvalid) one byte that is not part of valid UTF-8.
struct Unit {
  uint32_t cp;
  std::string_view raw;
};

// Decodes UTF-8 strictly (no overlong forms, surrogates or values above
// U+10FFFF); anything else becomes single invalid bytes.
std::vector<Unit> Decode(std::string_view s) {
  std::vector<Unit> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    uint32_t cp = 0, min = 0;
    if (b0 < 0x80) {
      len = 1, cp = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4, cp = b0 & 0x07, min = 0x10000;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      ok = (b & 0xC0) == 0x80;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (ok && len > 1) ok = cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (!ok) len = 1, cp = kInvalid;
    out.push_back(Unit{cp, s.substr(i, len)});
    i += len;
  }
  return out;
}

// Unicode White_Space.
bool IsWhitespace(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool IsDigit(uint32_t cp) { return cp >= '0' && cp <= '9'; }

bool IsDigitSeparator(uint32_t cp) {
  return IsWhitespace(cp) || cp == '-' || cp == '.' || cp == '/' || cp == '(' || cp == ')' || cp == '+';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string CanonicalValue(std::string_view value) {
  std::vector<Unit> units = Decode(value);
  for (Unit& u : units) {
    if (u.cp >= 0xFF01 && u.cp <= 0xFF5E) u.cp -= 0xFEE0;  // full-width → ASCII
  }
  size_t digits = 0;
  bool digits_and_separators = true;
  for (const Unit& u : units) {
    if (IsDigit(u.cp)) {
      ++digits;
    } else if (!IsDigitSeparator(u.cp)) {
      digits_and_separators = false;
      break;
    }
  }
  std::string out;
  out.reserve(value.size());
  if (digits_and_separators && digits >= kMinDigitsForDigitRule) {
    for (const Unit& u : units) {
      if (IsDigit(u.cp)) out.push_back(static_cast<char>(u.cp));
    }
    return out;
  }
  for (const Unit& u : units) {
    if (IsWhitespace(u.cp)) continue;
    if (u.cp < 0x80) {
      char c = static_cast<char>(u.cp);
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      out.push_back(c);
    } else {
      out.append(u.raw);  // unchanged (also invalid bytes)
    }
  }
  return out;
}

std::string Fingerprint(std::string_view secret, std::string_view value) {
  const std::string canonical = CanonicalValue(value);
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(kFingerprintDomain.data()),
                                kFingerprintDomain.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size());
  std::array<uint8_t, crypto_auth_hmacsha256_BYTES> mac;
  crypto_auth_hmacsha256_final(&st, mac.data());
  sodium_memzero(&st, sizeof st);
  std::string hex = HexEncode(mac.data(), kFingerprintHexSize / 2);
  sodium_memzero(mac.data(), mac.size());
  return hex;
}

std::string LowerHex(std::string_view hex) {
  std::string out(hex);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsFingerprintHex(std::string_view text) {
  return text.size() == kFingerprintHexSize &&
         std::all_of(text.begin(), text.end(), [](char c) { return HexValue(c) >= 0; });
}

std::vector<std::string> MatchingFingerprintTypes(std::string_view fingerprints_json,
                                                  std::string_view fingerprint_hex) {
  std::vector<std::string> types;
  if (!IsFingerprintHex(fingerprint_hex)) return types;
  const std::string hex = LowerHex(fingerprint_hex);
  auto j = nlohmann::json::parse(fingerprints_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return types;
  for (const auto& entry : j) {
    if (!entry.is_string()) continue;
    const auto& s = entry.get_ref<const std::string&>();
    const size_t colon = s.rfind(':');
    if (colon == std::string::npos) continue;
    if (std::string_view(s).substr(colon + 1) != hex) continue;
    std::string type = s.substr(0, colon);
    if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(std::move(type));
  }
  return types;
}

}  // namespace gwanmun::store
