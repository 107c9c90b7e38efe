#include "detect/normalize.h"

#include "detect/text_util.h"

namespace gwanmun::detect {
namespace {

// Returns the ASCII digit a Hangul-spelled digit syllable stands for, or -1.
int HangulDigit(char32_t cp) {
  switch (cp) {
    case U'공':
    case U'영':
      return 0;
    case U'일':
      return 1;
    case U'이':
      return 2;
    case U'삼':
      return 3;
    case U'사':
      return 4;
    case U'오':
      return 5;
    case U'육':
    case U'륙':
      return 6;
    case U'칠':
      return 7;
    case U'팔':
      return 8;
    case U'구':
      return 9;
    default:
      return -1;
  }
}

// Replacement for a code point that is rewritten to one ASCII byte, 0 if the
// code point is removed, or -1 if it is copied unchanged.
int Rewrite(char32_t cp) {
  if (cp >= 0xFF01 && cp <= 0xFF5E) return static_cast<int>(cp - 0xFF01 + 0x21);
  if (cp == 0x3000) return ' ';
  if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE58 || cp == 0xFE63) return '-';
  if ((cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF || cp == 0x00AD) return 0;
  return -1;
}

bool IsSep(char c) { return c == '-' || c == '.'; }

// A run of single digits separated by spaces (and optionally '-' or '.'
// surrounded by spaces) starting at `i`. Returns the end of the run (after
// the last digit) or `i` if the run does not qualify.
size_t SpacedDigitRun(std::string_view s, size_t i) {
  size_t n = s.size();
  int digits = 0, spaces = 0;
  size_t p = i, last_end = i;
  while (p < n && text::IsAsciiDigit(s[p])) {
    if (p + 1 < n && text::IsAsciiDigit(s[p + 1])) break;  // multi-digit token ends the run
    ++digits;
    last_end = p + 1;
    // separator: ' ' | ' '? [-.] ' '?
    size_t q = p + 1;
    bool had_space = false;
    if (q < n && s[q] == ' ') {
      ++q;
      had_space = true;
    }
    if (q < n && IsSep(s[q])) {
      ++q;
      if (q < n && s[q] == ' ') {
        ++q;
        had_space = true;
      }
    }
    if (q == p + 1 || !had_space) break;
    if (q == p + 2) ++spaces;
    p = q;
  }
  if (digits >= kMinSpacedDigits && digits <= kMaxDigitRun && spaces >= 3) return last_end;
  return i;
}

}  // namespace

void NormalizedText::Emit(std::string_view bytes, uint32_t orig_start, uint32_t orig_end) {
  buf_.append(bytes);
  for (size_t k = 0; k < bytes.size(); ++k) {
    starts_.push_back(orig_start);
    ends_.push_back(orig_end);
  }
}

void NormalizedText::Reset(std::string_view original) {
  original_ = original;
  identity_ = true;
  buf_.clear();
  starts_.clear();
  ends_.clear();
  const size_t n = original.size();
  size_t i = 0;
  size_t copied = 0;  // original bytes [0, copied) are already in buf_ (non-identity mode)

  auto switch_mode = [&](size_t upto) {
    if (identity_) {
      identity_ = false;
      buf_.reserve(n + 16);
      starts_.reserve(n + 16);
      ends_.reserve(n + 16);
      copied = 0;
    }
    for (size_t k = copied; k < upto; ++k) {
      buf_.push_back(original[k]);
      starts_.push_back(static_cast<uint32_t>(k));
      ends_.push_back(static_cast<uint32_t>(k + 1));
    }
    copied = upto;
  };

  bool prev_digit = false;
  bool prev_hangul = false;
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(original[i]);
    if (c < 0x80) {
      if (text::IsAsciiDigit(static_cast<char>(c)) && !prev_digit) {
        size_t end = SpacedDigitRun(original, i);
        if (end > i) {
          switch_mode(i);
          for (size_t k = i; k < end; ++k) {
            if (original[k] == ' ') continue;
            Emit(original.substr(k, 1), static_cast<uint32_t>(k), static_cast<uint32_t>(k + 1));
          }
          copied = end;
          i = end;
          prev_digit = true;
          prev_hangul = false;
          continue;
        }
      }
      prev_digit = text::IsAsciiDigit(static_cast<char>(c));
      prev_hangul = false;
      ++i;
      continue;
    }
    if (c >= 0xEA && c <= 0xED) {
      // A run of Hangul syllables, none of which starts a Hangul-digit run,
      // is copied unchanged; this is exactly what the general path below does
      // for each of them (no rewrite, prev_hangul set, prev_digit cleared).
      size_t p = i;
      bool hangul = prev_hangul;
      while (p + 3 <= n) {
        auto b0 = static_cast<unsigned char>(original[p]);
        auto b1 = static_cast<unsigned char>(original[p + 1]);
        auto b2 = static_cast<unsigned char>(original[p + 2]);
        if (b0 < 0xEA || b0 > 0xED || (b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80) break;
        char32_t cp = (static_cast<char32_t>(b0 & 0x0F) << 12) | (static_cast<char32_t>(b1 & 0x3F) << 6) | (b2 & 0x3F);
        if (cp < 0xAC00 || cp > 0xD7A3) break;
        if (!hangul && HangulDigit(cp) >= 0) break;
        hangul = true;
        p += 3;
      }
      if (p > i) {
        i = p;
        prev_hangul = true;
        prev_digit = false;
        continue;
      }
    }
    text::Decoded d;
    if ((c & 0xF0) == 0xE0 && i + 2 < n && (static_cast<unsigned char>(original[i + 1]) & 0xC0) == 0x80 &&
        (static_cast<unsigned char>(original[i + 2]) & 0xC0) == 0x80 && c != 0xE0 &&
        (c != 0xED || static_cast<unsigned char>(original[i + 1]) < 0xA0)) {
      // Fast path for the common 3-byte case (all Hangul syllables).
      d.cp = (static_cast<char32_t>(c & 0x0F) << 12) |
             (static_cast<char32_t>(static_cast<unsigned char>(original[i + 1]) & 0x3F) << 6) |
             (static_cast<char32_t>(static_cast<unsigned char>(original[i + 2]) & 0x3F));
      d.len = 3;
    } else {
      d = text::DecodeAt(original, i);
    }
    // Only lead bytes C2 (U+00AD), E2 (U+2000–U+2FFF), E3 (U+3000) and EF
    // (U+F000–U+FFFF) can start a rewritten character.
    int rw = (c == 0xC2 || c == 0xE2 || c == 0xE3 || c == 0xEF) ? Rewrite(d.cp) : -1;
    if (rw >= 0) {
      switch_mode(i);
      if (rw > 0) {
        char ch = static_cast<char>(rw);
        Emit(std::string_view(&ch, 1), static_cast<uint32_t>(i), static_cast<uint32_t>(i + d.len));
        prev_digit = text::IsAsciiDigit(ch);
      }
      i += d.len;
      copied = i;
      prev_hangul = false;
      continue;
    }
    if (!prev_hangul && HangulDigit(d.cp) >= 0) {
      // Try a Hangul-digit run: groups of >= 2 digit syllables separated by a
      // single space, '-' or '.'.
      size_t p = i, run_end = i;
      int digits = 0;
      while (p < n) {
        size_t g = p;
        int gd = 0;
        while (g + 3 <= n) {
          text::Decoded e = text::DecodeAt(original, g);
          if (e.len != 3 || HangulDigit(e.cp) < 0) break;
          g += 3;
          ++gd;
        }
        if (gd < 2) break;
        digits += gd;
        run_end = g;
        if (g < n && (original[g] == ' ' || IsSep(original[g])) && g + 1 < n) {
          p = g + 1;
        } else {
          break;
        }
      }
      if (digits >= kMinHangulDigits && digits <= kMaxDigitRun) {
        switch_mode(i);
        for (size_t k = i; k < run_end;) {
          text::Decoded e = text::DecodeAt(original, k);
          int dg = e.len == 3 ? HangulDigit(e.cp) : -1;
          if (dg >= 0) {
            char ch = static_cast<char>('0' + dg);
            Emit(std::string_view(&ch, 1), static_cast<uint32_t>(k), static_cast<uint32_t>(k + 3));
          } else {
            Emit(original.substr(k, e.len), static_cast<uint32_t>(k), static_cast<uint32_t>(k + e.len));
          }
          k += e.len;
        }
        copied = run_end;
        i = run_end;
        prev_digit = true;
        prev_hangul = true;
        continue;
      }
    }
    prev_hangul = text::IsHangulSyllable(d.cp);
    prev_digit = false;
    i += d.len;
  }
  if (!identity_) switch_mode(n);
}

}  // namespace gwanmun::detect
