// Shared helpers for the numeric recognizers (rrn, business, phone, card,
// bank, passport, license): a fast scan for digit runs, a parser for
// sequences of digit groups joined by single separators, token-boundary
// checks that do not rely on \b (Hangul is a word character for regex
// engines, but a Hangul particle must never stop a match), and context
// keyword lookup over the lexicon hits.
//
// Everything here works on the normalised text (see normalize.h): digits are
// ASCII, separators are '-', '.' or ' '. No function allocates.

#ifndef GWANMUN_DETECT_DIGITS_H_
#define GWANMUN_DETECT_DIGITS_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "detect/lexicon.h"
#include "detect/recognizer.h"
#include "detect/text_util.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gwanmun::detect::num {

// End (exclusive) of the run of ASCII digits starting at `pos`.
inline size_t DigitRunEnd(std::string_view t, size_t pos) {
  while (pos < t.size() && text::IsAsciiDigit(t[pos])) ++pos;
  return pos;
}

// Bit i is set iff p[i] is an ASCII digit; reads exactly 64 bytes.
inline uint64_t DigitMask64(const char* p) {
#if defined(__SSE2__)
  // Adding 0x50 maps '0'..'9' to 0x80..0x89, the ten smallest signed bytes.
  const __m128i shift = _mm_set1_epi8(static_cast<char>(0x50));
  const __m128i limit = _mm_set1_epi8(static_cast<char>(-118));
  uint64_t m = 0;
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    uint64_t bits = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmplt_epi8(_mm_add_epi8(v, shift), limit)));
    m |= bits << (16 * k);
  }
  return m;
#else
  uint64_t m = 0;
  for (int i = 0; i < 64; ++i) {
    if (text::IsAsciiDigit(p[i])) m |= uint64_t{1} << i;
  }
  return m;
#endif
}

// Bit set of digit-run lengths for ForEachDigitRun; lengths >= 63 share
// bit 63.
constexpr uint64_t RunLengths(std::initializer_list<int> lengths) {
  uint64_t m = 0;
  for (int l : lengths) m |= uint64_t{1} << (l < 63 ? l : 63);
  return m;
}
constexpr uint64_t RunLengthRange(int lo, int hi) {
  uint64_t m = 0;
  for (int l = lo; l <= hi; ++l) m |= uint64_t{1} << (l < 63 ? l : 63);
  return m;
}

// Calls f(run_start, run_end) for every maximal run of ASCII digits in `t`
// whose length is in `lengths` (see RunLengths), in order. Works on 64-byte
// blocks with bit masks, so text without digits costs a few instructions
// per block. Callers report every candidate they find and never skip text:
// overlaps are resolved by the Scanner, which keeps each finding dependent
// on its own neighbourhood only (needed for exact streaming).
template <typename F>
void ForEachDigitRun(std::string_view t, uint64_t lengths, F&& f) {
  const size_t n = t.size();
  uint64_t carry = 0;  // 1 if the byte before the block is a digit
  size_t base = 0;
  for (; base + 64 <= n; base += 64) {
    uint64_t m = DigitMask64(t.data() + base);
    uint64_t starts = m & ~((m << 1) | carry);
    carry = m >> 63;
    while (starts != 0) {
      int b = __builtin_ctzll(starts);
      starts &= starts - 1;
      size_t p = base + static_cast<size_t>(b);
      uint64_t rest = ~m >> b;  // zero bits of m from the start on
      size_t e = rest != 0 ? p + static_cast<size_t>(__builtin_ctzll(rest)) : DigitRunEnd(t, p);
      size_t len = e - p;
      if ((lengths >> (len < 63 ? len : 63)) & 1) f(p, e);
    }
  }
  for (size_t i = base; i < n; ++i) {
    if (!text::IsAsciiDigit(t[i]) || (i > 0 && text::IsAsciiDigit(t[i - 1]))) continue;
    size_t e = DigitRunEnd(t, i);
    size_t len = e - i;
    if ((lengths >> (len < 63 ? len : 63)) & 1) f(i, e);
  }
}

inline constexpr int kMaxGroups = 8;

// A sequence of digit groups g[0] sep[0] g[1] sep[1] … where every separator
// is exactly one of '-', '.' or ' ' with a digit on both sides. Group i spans
// [b[i], e[i]). At most kMaxGroups groups are parsed; a longer sequence is
// cut, and a value ending at the cut is checked against the text that
// follows (see EndsAfter).
struct Groups {
  int n = 0;
  uint32_t b[kMaxGroups];
  uint32_t e[kMaxGroups];
  char sep[kMaxGroups];  // sep[i] follows group i (valid for i < n - 1)

  int Len(int i) const { return static_cast<int>(e[i] - b[i]); }
  // Total digits in groups [from, to).
  int Digits(int from, int to) const {
    int s = 0;
    for (int i = from; i < to; ++i) s += Len(i);
    return s;
  }
  // True if all separators between groups [from, to) are equal.
  bool Uniform(int from, int to) const {
    for (int i = from + 1; i < to - 1; ++i) {
      if (sep[i] != sep[from]) return false;
    }
    return true;
  }
};

// Parses the groups starting at `pos`, which must be the first digit of a
// run. Groups longer than 40 digits stop the sequence after that group.
void ParseGroups(std::string_view t, size_t pos, Groups& g);

// True if a value may start at `pos`: the previous byte does not continue a
// token (ASCII letter or digit, '_', '@'), and it is not a '-' or '.' glued
// to a preceding letter or digit ("ORD-2024…", "1.2.3"). Hangul, spaces and
// punctuation before a value are fine, and so are "Tel." / "No." and an
// escaped "\n", "\t" or "\r" (text inside JSON strings).
bool LeftBoundaryOk(std::string_view t, size_t pos);

// True if a value may end at `end`: the next byte is not an ASCII letter or
// digit, '_' or '@', and not a '-' / '.' that continues the token with a
// letter or digit. Hangul particles (로, 이고, 입니다 …) are fine.
bool RightBoundaryOk(std::string_view t, size_t end);

// True if a value made of the first `k` groups of `g` (k >= 1) ends there:
// either the separator after group k-1 is a space (the next group is a
// separate token) or the text after group k-1 passes RightBoundaryOk.
bool EndsAfter(std::string_view t, const Groups& g, int k);

// Copies the ASCII digits of t[from, to) into buf (at most cap) and returns
// how many were copied; separators are skipped.
size_t CollectDigits(std::string_view t, size_t from, size_t to, char* buf, size_t cap);

// Digits of groups [from, to) of g into buf; returns the count (<= cap).
size_t CollectGroupDigits(std::string_view t, const Groups& g, int from, int to, char* buf, size_t cap);

// Registers context keywords under `category`. ASCII keywords are matched
// case-insensitively; keywords of up to 4 ASCII letters must stand alone
// (no ASCII letter or digit on either side), which ContextGap enforces.
void AddKeywords(LexiconBuilder& lexicon, uint16_t category, std::initializer_list<std::string_view> words);

inline constexpr int kAnyLines = 1 << 30;

// Gap in bytes between [start, end) and the nearest hit of `category` that
// lies within `before` bytes before `start` or `after` bytes after `end`
// (0 if it touches or overlaps the value); -1 if there is none. Ignored:
// hits of short ASCII keywords glued to other ASCII letters or digits; hits
// after the value on a later line (a keyword there starts the next item,
// e.g. the next message of a chat log); hits before the value separated from
// it by more than `max_lines_before` line breaks ('\n' or an escaped "\n").
int ContextGap(const ScanView& view, uint16_t category, size_t start, size_t end, size_t before, size_t after,
               int max_lines_before = kAnyLines);

inline bool HasContext(const ScanView& view, uint16_t category, size_t start, size_t end, size_t before, size_t after,
                       int max_lines_before = kAnyLines) {
  return ContextGap(view, category, start, end, before, after, max_lines_before) >= 0;
}

// Min of two gaps where -1 means "none".
inline int MinGap(int a, int b) {
  if (a < 0) return b;
  if (b < 0) return a;
  return a < b ? a : b;
}

}  // namespace gwanmun::detect::num

#endif  // GWANMUN_DETECT_DIGITS_H_
