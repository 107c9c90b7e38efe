// KR_ADDRESS: road-name (도로명) and lot-number (지번) addresses.
//
// Contract: one linear pass over the Hangul words of the normalised text.
// A word that is a 시·도 (서울특별시, 경기, 강원도 …) or a 시/군/구 (수원시,
// 중구, 양평군 …) anchors a left-to-right parse of the canonical order
//
//   [시·도] [시/군/구]{0,2} [읍/면] ( 도로명 [branch] [지하] 건물번호
//                                  | 동/리/가 [산] 번지[-부번][번지] )
//   [[,] 상세: 101동 | 12층 | 지하1층 | 1203호 | B동 …]*
//
// An address needs a 시·도 or a 시/군/구 and a number. The span covers the
// whole address including the detail and ends before any trailing particle
// or punctuation ("…1203호입니다" → stop before 입니다). A number glued to a
// unit ("5분", "3번") or followed by other Hangul is not an address number,
// and "로" after a number is a particle, never a road. Nothing is read more
// than Horizon() bytes from the anchor.

#include <array>
#include <string_view>

#include "detect/address_data.h"
#include "detect/name_data.h"
#include "detect/registry.h"
#include "detect/text_util.h"

namespace gwanmun::detect {
namespace {

constexpr size_t kMaxAddress = 200;  // bytes from the anchor to the end of the detail
constexpr size_t kHorizon = 256;

inline bool IsSyllable(std::string_view s, size_t p) {
  if (p + 3 > s.size()) return false;
  auto b0 = static_cast<unsigned char>(s[p]);
  if (b0 < 0xEA || b0 > 0xED) return false;
  char32_t cp = (static_cast<char32_t>(b0 & 0x0F) << 12) |
                (static_cast<char32_t>(static_cast<unsigned char>(s[p + 1]) & 0x3F) << 6) |
                (static_cast<unsigned char>(s[p + 2]) & 0x3F);
  return cp >= 0xAC00 && cp <= 0xD7A3 && (static_cast<unsigned char>(s[p + 1]) & 0xC0) == 0x80 &&
         (static_cast<unsigned char>(s[p + 2]) & 0xC0) == 0x80;
}

// Index (0 … 11171) of the syllable at p; p must start a syllable.
inline int SyllableIndex(std::string_view s, size_t p) {
  char32_t cp = (static_cast<char32_t>(static_cast<unsigned char>(s[p]) & 0x0F) << 12) |
                (static_cast<char32_t>(static_cast<unsigned char>(s[p + 1]) & 0x3F) << 6) |
                (static_cast<unsigned char>(s[p + 2]) & 0x3F);
  return static_cast<int>(cp - 0xAC00);
}

inline bool Digit(std::string_view s, size_t p) { return p < s.size() && text::IsAsciiDigit(s[p]); }

// End of the run of Hangul syllables starting at p.
size_t HangulEnd(std::string_view s, size_t p) {
  while (IsSyllable(s, p)) p += 3;
  return p;
}

// End of the run of Hangul syllables and ASCII digits starting at p.
size_t HangulDigitEnd(std::string_view s, size_t p) {
  while (p < s.size()) {
    if (IsSyllable(s, p)) {
      p += 3;
    } else if (text::IsAsciiDigit(s[p])) {
      ++p;
    } else {
      break;
    }
  }
  return p;
}

// The last syllable of a word, as a 3-byte view (word non-empty, ends with a syllable).
inline std::string_view LastSyllable(std::string_view w) { return w.substr(w.size() - 3); }

// One or two spaces (no line break) at p; sets *next past them.
bool Space(std::string_view s, size_t p, size_t* next) {
  size_t q = p;
  while (q < s.size() && q - p < 2 && s[q] == ' ') ++q;
  if (q == p) return false;
  *next = q;
  return true;
}

// Digits (1–max) at p, then optionally '-' and 1–max digits; not followed by
// another digit. Sets *end.
bool Number(std::string_view s, size_t p, size_t max, size_t* end) {
  size_t q = p;
  while (Digit(s, q) && q - p <= max) ++q;
  if (q == p || q - p > max || Digit(s, q)) return false;
  if (q + 1 < s.size() && s[q] == '-' && Digit(s, q + 1)) {
    size_t r = q + 1;
    while (Digit(s, r) && r - q <= max) ++r;
    if (r - q - 1 > max || Digit(s, r)) return false;
    q = r;
  }
  *end = q;
  return true;
}

class AddressRecognizer final : public Recognizer {
 public:
  AddressRecognizer() {
    auto load = [](std::string_view list, name_data::HangulMap<bool>& set) {
      size_t i = 0;
      while (i < list.size()) {
        while (i < list.size() && list[i] == ' ') ++i;
        size_t j = i;
        while (j < list.size() && list[j] != ' ') ++j;
        if (j > i) set.Insert(list.substr(i, j - i), true);
        i = j;
      }
    };
    load(address_data::kProvinces, provinces_);
    load(address_data::kMunicipalities, municipalities_);
    load(address_data::kTrailers, trailers_);
    load(address_data::kNumberUnits, units_);
    // First syllables of the 시·도 names, to skip most words without a lookup.
    size_t i = 0;
    std::string_view list = address_data::kProvinces;
    while (i < list.size()) {
      while (i < list.size() && list[i] == ' ') ++i;
      if (i + 3 <= list.size()) province_first_[SyllableIndex(list, i)] = true;
      while (i < list.size() && list[i] != ' ') ++i;
    }
  }

  std::string_view name() const override { return "address"; }
  void Register(LexiconBuilder&) override {}
  size_t Horizon() const override { return kHorizon; }

  void Scan(const ScanView& view, std::vector<Finding>& out) const override {
    std::string_view t = view.text();
    size_t i = 0;
    const size_t n = t.size();
    while (i < n) {
      auto c = static_cast<unsigned char>(t[i]);
      if (c < 0xEA || c > 0xED || !IsSyllable(t, i)) {
        ++i;
        continue;
      }
      // Words are skipped by lead byte; an anchor is then checked exactly.
      size_t we = i + 3;
      while (we + 3 <= n && static_cast<unsigned char>(t[we]) >= 0xEA && static_cast<unsigned char>(t[we]) <= 0xED) {
        we += 3;
      }
      if (we - i < 6 || !IsSyllable(t, we - 3) ||
          (!IsAnchorEnd(SyllableIndex(t, we - 3)) && !province_first_[SyllableIndex(t, i)])) {
        i = we;
        continue;
      }
      we = HangulEnd(t, i);
      size_t end = 0;
      if (IsAnchor(t.substr(i, we - i)) && Parse(t, i, &end, out)) {
        i = end;
        continue;
      }
      i = we;
    }
  }

 private:
  // Whether syllable index `syl` (see SyllableIndex) is 시, 군, 구 or 도.
  static bool IsAnchorEnd(int syl) {
    return syl == U'시' - 0xAC00 || syl == U'군' - 0xAC00 || syl == U'구' - 0xAC00 || syl == U'도' - 0xAC00;
  }

  bool IsAnchor(std::string_view w) const {
    if (w.size() < 6) return false;
    std::string_view last = LastSyllable(w);
    if (w.size() <= 18 && (last == "시" || last == "군" || last == "구")) return true;
    return w.size() <= 21 && province_first_[SyllableIndex(w, 0)] && provinces_.count(w) != 0;
  }

  bool IsSigungu(std::string_view w) const {
    if (w.size() < 6 || w.size() > 18) return false;
    std::string_view last = LastSyllable(w);
    return last == "시" || last == "군" || last == "구";
  }

  // Road name: starts with Hangul, Hangul and digits only, ends with 로 or
  // 길 (대로, 로12길, 로77번길, 로12가길 …), at least two syllables.
  static bool IsRoad(std::string_view w) {
    if (w.size() < 6 || !IsSyllable(w, 0) || !IsSyllable(w, w.size() - 3)) return false;
    std::string_view last = LastSyllable(w);
    if (last != "로" && last != "길") return false;
    return true;
  }

  // 동/리/가 for a lot number: 역삼동, 상계1동, 양근리, 종로2가.
  static bool IsDong(std::string_view w) {
    if (w.size() < 6 || !IsSyllable(w, 0) || !IsSyllable(w, w.size() - 3)) return false;
    std::string_view last = LastSyllable(w);
    if (last == "동" || last == "리") return true;
    return last == "가" && text::IsAsciiDigit(w[w.size() - 4]);
  }

  // Separate branch road token: "12길", "77번길", "12가길".
  static bool Branch(std::string_view s, size_t p, size_t* end) {
    size_t q = p;
    while (Digit(s, q)) ++q;
    if (q == p) return false;
    size_t we = HangulEnd(s, q);
    std::string_view w = s.substr(q, we - q);
    if (w == "길" || w == "번길" || (w.size() == 6 && w.substr(3) == "길")) {
      *end = we;
      return true;
    }
    return false;
  }

  // True if what follows position p ends an address element: end of text,
  // space, punctuation, or a Hangul particle (not included).
  bool Boundary(std::string_view s, size_t p) const {
    if (p >= s.size()) return true;
    char c = s[p];
    if (text::IsAsciiAlnum(c) || c == '-' || c == '_' || c == '@' || c == '.') {
      // "12." ends a sentence; "12.5" or "12-" continue a number.
      return c == '.' && !(p + 1 < s.size() && text::IsAsciiDigit(s[p + 1]));
    }
    if (!IsSyllable(s, p)) return true;
    size_t we = HangulEnd(s, p);
    std::string_view w = s.substr(p, we - p);
    // The longest trailer that starts the word; the rest may be anything.
    for (size_t len = std::min<size_t>(w.size(), 15); len >= 3; len -= 3) {
      std::string_view head = w.substr(0, len);
      if (trailers_.count(head) != 0) {
        // "로" and "으로" are particles only when not followed by more of a word
        // that reads as a unit ("3번"), which is rejected below anyway.
        return units_.count(head) == 0;
      }
    }
    return false;
  }

  // Detail element at p: 101동, B동, 가동, 12층, 지하1층, B1층, 1203호, 12-3호.
  static bool Detail(std::string_view s, size_t p, size_t* end) {
    size_t q = p;
    if (s.substr(q, 6) == "지하") {
      q += 6;
      if (q < s.size() && s[q] == ' ') ++q;
      size_t d = q;
      while (Digit(s, d)) ++d;
      if (d == q || d - q > 2 || s.substr(d, 3) != "층") return false;
      *end = d + 3;
      return true;
    }
    if (q < s.size() && (s[q] == 'B' || s[q] == 'b') && Digit(s, q + 1)) {
      size_t d = q + 1;
      while (Digit(s, d)) ++d;
      if (d - q - 1 <= 2 && s.substr(d, 3) == "층") {
        *end = d + 3;
        return true;
      }
      if (d - q - 1 <= 4 && s.substr(d, 3) == "호") {
        *end = d + 3;
        return true;
      }
      return false;
    }
    if (q < s.size() && text::IsAsciiAlpha(s[q]) && s.substr(q + 1, 3) == "동") {
      *end = q + 4;
      return true;
    }
    if (IsSyllable(s, q) && s.substr(q + 3, 3) == "동" && !IsSyllable(s, q + 6)) {
      std::string_view l = s.substr(q, 3);
      if (l == "가" || l == "나" || l == "다" || l == "라" || l == "마" || l == "바" || l == "사") {
        *end = q + 6;
        return true;
      }
      return false;
    }
    size_t d = q;
    while (Digit(s, d)) ++d;
    if (d == q || d - q > 5) return false;
    if (s.substr(d, 3) == "동" || s.substr(d, 3) == "층" || s.substr(d, 3) == "호") {
      if (s.substr(d, 3) == "층" && d - q > 3) return false;
      *end = d + 3;
      return true;
    }
    if (d < s.size() && s[d] == '-' && Digit(s, d + 1)) {
      size_t e = d + 1;
      while (Digit(s, e)) ++e;
      if (e - d - 1 <= 4 && s.substr(e, 3) == "호") {
        *end = e + 3;
        return true;
      }
    }
    return false;
  }

  // Parses an address whose first word starts at `start`. On success
  // appends a finding, sets *end past it and returns true.
  bool Parse(std::string_view s, size_t start, size_t* end, std::vector<Finding>& out) const {
    const size_t limit = std::min(s.size(), start + kMaxAddress);
    std::string_view t = s.substr(0, limit);
    size_t p = start;
    bool province = false;
    int sigungu = 0;
    size_t we = HangulEnd(t, p);
    size_t next;
    if (provinces_.count(t.substr(p, we - p)) != 0) {
      if (!Space(t, we, &next)) return false;
      province = true;
      p = next;
    }
    for (int k = 0; k < 2; ++k) {
      we = HangulEnd(t, p);
      std::string_view w = t.substr(p, we - p);
      if (!IsSigungu(w) || !Space(t, we, &next)) break;
      // Without a 시·도 the first word must be a real 시/군/구 (not 연구, 다시 …).
      if (!province && k == 0 && municipalities_.count(w) == 0) return false;
      ++sigungu;
      p = next;
    }
    if (!province && sigungu == 0) return false;
    // 읍/면.
    we = HangulEnd(t, p);
    if (we - p >= 6 && we - p <= 12) {
      std::string_view last = LastSyllable(t.substr(p, we - p));
      if ((last == "읍" || last == "면") && Space(t, we, &next)) p = next;
    }
    size_t wend = HangulDigitEnd(t, p);
    std::string_view word = t.substr(p, wend - p);
    bool road = false;
    if (IsDong(word)) {
      // 법정동 followed by a road name: "역삼동 테헤란로 152".
      size_t q;
      if (Space(t, wend, &q)) {
        size_t qe = HangulDigitEnd(t, q);
        if (IsRoad(t.substr(q, qe - q))) {
          p = q;
          wend = qe;
          word = t.substr(p, wend - p);
        }
      }
    }
    size_t num_start;
    if (IsRoad(word)) {
      road = true;
      size_t q = wend;
      size_t b, be;
      if (Space(t, q, &b) && Branch(t, b, &be)) q = be;  // "중앙로 12번길 34"
      if (!Space(t, q, &num_start)) return false;
      if (t.substr(num_start, 6) == "지하") {
        num_start += 6;
        if (num_start < t.size() && t[num_start] == ' ') ++num_start;
      }
    } else if (IsDong(word)) {
      if (!Space(t, wend, &num_start)) return false;
      if (t.substr(num_start, 3) == "산") {
        num_start += 3;
        if (num_start < t.size() && t[num_start] == ' ') ++num_start;
      }
    } else {
      return false;
    }
    size_t ne;
    if (!Number(t, num_start, road ? 4 : 5, &ne)) return false;
    if (t.substr(ne, 6) == "번지") ne += 6;
    if (!Boundary(t, ne)) return false;
    size_t stop = ne;
    // Building detail: ", 101동 1203호", " 5층", " B동 303호".
    for (int k = 0; k < 3; ++k) {
      size_t q = stop;
      bool comma = q < t.size() && t[q] == ',';
      if (comma) ++q;
      size_t d;
      if (!Space(t, q, &d)) {
        if (!comma) break;
        d = q;  // "152,101동"
      }
      size_t de;
      if (!Detail(t, d, &de) || !Boundary(t, de)) {
        // A building or complex name before the detail: "은빛아파트 101동 1203호".
        size_t be = d;
        while (be < t.size() && be - d <= 36) {
          if (IsSyllable(t, be)) {
            be += 3;
          } else if (text::IsAsciiAlpha(t[be])) {
            ++be;
          } else {
            break;
          }
        }
        size_t d2;
        if (k != 0 || be == d || !Space(t, be, &d2) || !Detail(t, d2, &de) || !Boundary(t, de)) {
          break;
        }
      }
      stop = de;
    }
    float conf = province && sigungu > 0 ? 0.95f : sigungu > 0 ? 0.85f : 0.8f;
    out.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(stop), EntityType::kAddress, conf,
                   road ? "address.road" : "address.lot", specificity::kAddress});
    *end = stop;
    return true;
  }

  name_data::HangulMap<bool> provinces_;
  name_data::HangulMap<bool> municipalities_;
  name_data::HangulMap<bool> trailers_;
  name_data::HangulMap<bool> units_;
  std::array<bool, 11172> province_first_{};
};

}  // namespace

std::unique_ptr<Recognizer> NewAddressRecognizer() { return std::make_unique<AddressRecognizer>(); }

}  // namespace gwanmun::detect
