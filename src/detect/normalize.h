// Normalisation undoes common evasions before recognizers run, and keeps a
// map from every normalised byte back to the original bytes so that findings
// always carry offsets into the caller's text.
//
// Rewrites (each only where it applies; everything else is copied verbatim):
//  * full-width ASCII U+FF01–U+FF5E → ASCII; U+3000 ideographic space → ' '
//  * dash look-alikes (U+2010–U+2015, U+2212, U+FE58, U+FE63) → '-'
//  * zero-width characters (U+200B–U+200D, U+2060, U+FEFF, U+00AD) → removed
//  * runs of Hangul-spelled digits (공/영 일 이 삼 사 오 육/륙 칠 팔 구) with at
//    least kMinHangulDigits digits → ASCII digits (separators kept)
//  * runs of single digits separated by single spaces ("0 1 0 1 2 …") with at
//    least kMinSpacedDigits digits → the spaces are dropped
// Invalid UTF-8 and NUL bytes are copied through unchanged.

#ifndef GWANMUN_DETECT_NORMALIZE_H_
#define GWANMUN_DETECT_NORMALIZE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gwanmun::detect {

inline constexpr int kMinHangulDigits = 9;
inline constexpr int kMinSpacedDigits = 9;
// Longer runs are not identifiers; the cap keeps normalisation local (needed
// for exact streaming).
inline constexpr int kMaxDigitRun = 40;

class NormalizedText {
 public:
  // Normalises `original`. The object keeps a view of `original`; the caller
  // keeps it alive while this object is used.
  void Reset(std::string_view original);

  // The normalised text recognizers scan.
  std::string_view text() const { return identity_ ? original_ : std::string_view(buf_); }

  // Maps a normalised half-open range [start, end) (end > start) to the
  // original bytes: from the first byte of the character that produced
  // `start` to the last byte of the character that produced `end - 1`.
  uint64_t OriginalStart(size_t start) const { return identity_ ? start : starts_[start]; }
  uint64_t OriginalEnd(size_t end) const { return identity_ ? end : ends_[end - 1]; }

  bool identity() const { return identity_; }

 private:
  void Emit(std::string_view bytes, uint32_t orig_start, uint32_t orig_end);
  std::string_view original_;
  bool identity_ = true;
  std::string buf_;
  std::vector<uint32_t> starts_;  // per normalised byte: original start of its char
  std::vector<uint32_t> ends_;    // per normalised byte: original end of its char
};

}  // namespace gwanmun::detect

#endif  // GWANMUN_DETECT_NORMALIZE_H_
