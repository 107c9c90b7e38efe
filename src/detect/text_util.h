// Small, allocation-free helpers over UTF-8 byte strings shared by the
// recognizers. Every function tolerates invalid UTF-8: an invalid byte decodes
// as U+FFFD with length 1, so callers always make progress.

#ifndef GWANMUN_DETECT_TEXT_UTIL_H_
#define GWANMUN_DETECT_TEXT_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gwanmun::detect::text {

struct Decoded {
  char32_t cp;  // U+FFFD for invalid input
  uint8_t len;  // bytes consumed, >= 1 unless pos >= size
};

// Decodes the code point starting at byte `pos` (pos < s.size()).
Decoded DecodeAt(std::string_view s, size_t pos);

// Decodes the code point that ends right before byte `pos` (pos > 0).
// Walks back over at most 3 continuation bytes.
Decoded DecodeBefore(std::string_view s, size_t pos);

inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAsciiAlpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
inline bool IsAsciiAlnum(char c) { return IsAsciiDigit(c) || IsAsciiAlpha(c); }
inline bool IsHangulSyllable(char32_t cp) { return cp >= 0xAC00 && cp <= 0xD7A3; }
// Hangul syllables, jamo and compatibility jamo.
bool IsHangul(char32_t cp);

// True if the code point just before `pos` is a Hangul syllable.
bool HangulBefore(std::string_view s, size_t pos);
// True if the code point at `pos` is a Hangul syllable.
bool HangulAt(std::string_view s, size_t pos);

// Number of leading bytes of `s` forming complete Hangul syllables (3 bytes
// each) starting at `pos`.
size_t HangulRunLength(std::string_view s, size_t pos);

// Case-insensitive ASCII comparison.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace gwanmun::detect::text

#endif  // GWANMUN_DETECT_TEXT_UTIL_H_
