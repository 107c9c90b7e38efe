#include "detect/text_util.h"

namespace gwanmun::detect::text {

Decoded DecodeAt(std::string_view s, size_t pos) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + pos;
  size_t avail = s.size() - pos;
  unsigned char c = p[0];
  if (c < 0x80) return {c, 1};
  int n;
  char32_t cp;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return {0xFFFD, 1};
  }
  if (avail < static_cast<size_t>(n)) return {0xFFFD, 1};
  for (int i = 1; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return {0xFFFD, 1};
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  // Reject overlong forms, surrogates and out-of-range values.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return {0xFFFD, 1};
  }
  return {cp, static_cast<uint8_t>(n)};
}

Decoded DecodeBefore(std::string_view s, size_t pos) {
  size_t start = pos - 1;
  int back = 0;
  while (start > 0 && back < 3 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) {
    --start;
    ++back;
  }
  Decoded d = DecodeAt(s, start);
  if (start + d.len != pos) return {0xFFFD, 1};
  return d;
}

bool IsHangul(char32_t cp) {
  return IsHangulSyllable(cp) || (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F);
}

bool HangulBefore(std::string_view s, size_t pos) {
  if (pos < 3) return false;
  return IsHangulSyllable(DecodeBefore(s, pos).cp);
}

bool HangulAt(std::string_view s, size_t pos) {
  if (pos >= s.size()) return false;
  return IsHangulSyllable(DecodeAt(s, pos).cp);
}

size_t HangulRunLength(std::string_view s, size_t pos) {
  size_t p = pos;
  while (p + 3 <= s.size()) {
    Decoded d = DecodeAt(s, p);
    if (!IsHangulSyllable(d.cp)) break;
    p += 3;
  }
  return p - pos;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

}  // namespace gwanmun::detect::text
