// Custom dictionaries (kCustom) and classification markings (kMarking).
//
// Contract:
//  * Dictionary terms (ScannerOptions::dictionaries) are matched as literals,
//    ASCII case-insensitively, and reported as kCustom with Finding::dict =
//    the dictionary's index. A term edge that is an ASCII letter or digit
//    must not touch another ASCII letter, digit or '_' ("ARES" does not match
//    inside "SHARES" or "ARES_2"). A Hangul term may be followed by anything
//    (particles: "한라산은", compounds: "한라산팀"); a term of one or two
//    syllables must not continue a Hangul word on its left ("한라" is not
//    found in "대한라면").
//  * Markings (ScannerOptions::markings): 대외비, 사내한정, 사외비, 극비,
//    내부용, 사내 전용, I급/II급/III급 비밀, Confidential, Strictly
//    Confidential, Internal Only, Internal Use Only, Top Secret, Restricted, …
//    reported as kMarking. Words that are also ordinary vocabulary are only
//    markings when they stand like a label:
//      - 비밀, 기밀: not touching Hangul on either side and bracketed,
//        followed by ':', or alone on a line ("[비밀]", "기밀: …"), never in
//        비밀번호 / 기밀성 / 비밀리에 / "비밀 유지";
//      - 극비: not followed by 리 (극비리에 = "secretly");
//      - single English words (Confidential, Restricted, Proprietary):
//        written in capitals, or Title-case and label-like (bracketed, line
//        start, or followed by ':' / " -" / " –"). "keep this confidential"
//        is not a marking. "Secret" only as "[SECRET]" / "(Secret)".
//  * Both use specificity::kDictionary and look at most 3 bytes beyond the
//    term (Horizon = longest literal + a few bytes).

#include <algorithm>

#include "detect/registry.h"
#include "detect/scanner.h"
#include "detect/text_util.h"

namespace gwanmun::detect {
namespace {

enum class MarkRule : uint8_t {
  kPlain,        // unambiguous: 대외비, Strictly Confidential, …
  kLabelWord,    // 비밀, 기밀: standalone and label-like
  kGeukbi,       // 극비: not 극비리
  kEnglishWord,  // single English word: capitals or label-like Title case
  kBracketed,    // only as a bracketed label: "[SECRET]", "(Secret)"
};

struct Marking {
  std::string_view literal;
  MarkRule rule;
};

constexpr Marking kMarkings[] = {
    {"대외비", MarkRule::kPlain},
    {"사내한정", MarkRule::kPlain},
    {"사내 한정", MarkRule::kPlain},
    {"사외비", MarkRule::kPlain},
    {"극비", MarkRule::kGeukbi},
    {"내부용", MarkRule::kPlain},
    {"내부 전용", MarkRule::kPlain},
    {"내부전용", MarkRule::kPlain},
    {"사내 전용", MarkRule::kPlain},
    {"사내전용", MarkRule::kPlain},
    {"I급 비밀", MarkRule::kPlain},
    {"II급 비밀", MarkRule::kPlain},
    {"III급 비밀", MarkRule::kPlain},
    {"I급비밀", MarkRule::kPlain},
    {"II급비밀", MarkRule::kPlain},
    {"III급비밀", MarkRule::kPlain},
    {"1급 비밀", MarkRule::kPlain},
    {"2급 비밀", MarkRule::kPlain},
    {"3급 비밀", MarkRule::kPlain},
    {"1급비밀", MarkRule::kPlain},
    {"2급비밀", MarkRule::kPlain},
    {"3급비밀", MarkRule::kPlain},
    {"비밀", MarkRule::kLabelWord},
    {"기밀", MarkRule::kLabelWord},
    {"Strictly Confidential", MarkRule::kPlain},
    {"Highly Confidential", MarkRule::kPlain},
    {"Company Confidential", MarkRule::kPlain},
    {"Confidential and Proprietary", MarkRule::kPlain},
    {"Internal Only", MarkRule::kPlain},
    {"Internal Use Only", MarkRule::kPlain},
    {"For Internal Use Only", MarkRule::kPlain},
    {"Internal Use", MarkRule::kEnglishWord},
    {"Top Secret", MarkRule::kPlain},
    {"Confidential", MarkRule::kEnglishWord},
    {"Restricted", MarkRule::kEnglishWord},
    {"Proprietary", MarkRule::kEnglishWord},
    {"Secret", MarkRule::kBracketed},
};

bool IsWordByte(char c) { return text::IsAsciiAlnum(c) || c == '_'; }

// An opening bracket (or quote, '*', '|', '#') right before pos. The start
// of a line counts only if `line_start` is set.
bool IsOpenBracketBefore(std::string_view t, size_t pos, bool line_start) {
  if (pos == 0) return line_start;
  char c = t[pos - 1];
  if (c == '\n') return line_start;
  if (c == '[' || c == '(' || c == '<' || c == '{' || c == '*' || c == '|' || c == '"' || c == '\'' || c == '#') {
    return true;
  }
  char32_t cp = text::DecodeBefore(t, pos).cp;
  // 【 「 『 〔 〈 《 ■ □ ▶ ※
  return cp == 0x3010 || cp == 0x300C || cp == 0x300E || cp == 0x3014 || cp == 0x3008 || cp == 0x300A || cp == 0x25A0 ||
         cp == 0x25A1 || cp == 0x25B6 || cp == 0x203B;
}

bool IsCloseBracketAt(std::string_view t, size_t pos) {
  if (pos >= t.size()) return true;
  char c = t[pos];
  if (c == ']' || c == ')' || c == '>' || c == '}' || c == '*' || c == '|' || c == '"' || c == '\'' || c == ':' ||
      c == '\n' || c == '\r') {
    return true;
  }
  char32_t cp = text::DecodeAt(t, pos).cp;
  return cp == 0x3011 || cp == 0x300D || cp == 0x300F || cp == 0x3015 || cp == 0x3009 || cp == 0x300B;
}

// Start of the line containing pos, skipping indentation.
bool AtLineStart(std::string_view t, size_t pos) {
  size_t p = pos;
  while (p > 0 && pos - p < 16 && (t[p - 1] == ' ' || t[p - 1] == '\t')) --p;
  return p == 0 || t[p - 1] == '\n';
}

struct TermInfo {
  uint16_t dict;
  bool check_left;   // first byte is ASCII alnum
  bool check_right;  // last byte is ASCII alnum
  bool hangul_left;  // short Hangul term: must not continue a Hangul word
};

class DictionaryRecognizer final : public Recognizer {
 public:
  explicit DictionaryRecognizer(const ScannerOptions& options)
      : markings_(options.markings), dictionaries_(options.dictionaries) {}

  std::string_view name() const override { return "dictionary"; }

  void Register(LexiconBuilder& lexicon) override {
    dict_cat_ = lexicon.Category("dict");
    mark_cat_ = lexicon.Category("marking");
    for (size_t d = 0; d < dictionaries_.size(); ++d) {
      for (const std::string& term : dictionaries_[d].terms) {
        if (term.empty()) continue;
        uint32_t e = lexicon.Add(term, dict_cat_, true);
        if (terms_.empty()) term_base_ = e;
        TermInfo info{};
        info.dict = static_cast<uint16_t>(d);
        info.check_left = text::IsAsciiAlnum(term.front());
        info.check_right = text::IsAsciiAlnum(term.back());
        size_t syl = text::HangulRunLength(term, 0) / 3;
        info.hangul_left = syl > 0 && syl <= 2 && term.size() <= 6;
        terms_.push_back(info);
        term_entries_.push_back(e);
        longest_ = std::max(longest_, term.size());
      }
    }
    dictionaries_.clear();  // only the TermInfo is needed from here on
    if (markings_) {
      for (const Marking& m : kMarkings) {
        uint32_t e = lexicon.Add(m.literal, mark_cat_, true);
        if (mark_entries_.empty()) mark_base_ = e;
        mark_entries_.push_back(e);
        longest_ = std::max(longest_, m.literal.size());
      }
    }
  }

  void Scan(const ScanView& view, std::vector<Finding>& out) const override {
    std::string_view t = view.text();
    for (const Hit& h : view.hits()) {
      if (h.category == dict_cat_ && !terms_.empty()) {
        size_t i = h.entry - term_base_;
        if (i >= terms_.size() || term_entries_[i] != h.entry) continue;
        const TermInfo& info = terms_[i];
        if (!TermBoundariesOk(t, h.start, h.end, info)) continue;
        out.push_back({h.start, h.end, EntityType::kCustom, 0.9f, "dict", specificity::kDictionary, info.dict});
      } else if (h.category == mark_cat_ && markings_) {
        size_t i = h.entry - mark_base_;
        if (i >= mark_entries_.size() || mark_entries_[i] != h.entry) continue;
        if (!MarkingOk(t, h.start, h.end, kMarkings[i])) continue;
        out.push_back({h.start, h.end, EntityType::kMarking, 0.9f, "marking", specificity::kDictionary});
      }
    }
  }

  size_t Horizon() const override { return longest_ + 16; }

 private:
  static bool TermBoundariesOk(std::string_view t, size_t s, size_t e, const TermInfo& info) {
    if (info.check_left && s > 0 && IsWordByte(t[s - 1])) return false;
    if (info.check_right && e < t.size() && IsWordByte(t[e])) return false;
    if (info.hangul_left && text::HangulBefore(t, s)) return false;
    return true;
  }

  static bool MarkingOk(std::string_view t, size_t s, size_t e, const Marking& m) {
    bool ascii_start = text::IsAsciiAlnum(m.literal.front());
    bool ascii_end = text::IsAsciiAlnum(m.literal.back());
    if (ascii_start && s > 0 && IsWordByte(t[s - 1])) return false;
    if (ascii_end && e < t.size() && IsWordByte(t[e])) return false;
    std::string_view word = t.substr(s, e - s);
    switch (m.rule) {
      case MarkRule::kPlain:
        // "대외비" glued to a word is still a marking; "내부용" is not when it
        // ends another word.
        return !(m.literal == "내부용" && text::HangulBefore(t, s));
      case MarkRule::kGeukbi:
        return t.substr(e, 3) != "리";
      case MarkRule::kLabelWord:
        if (text::HangulBefore(t, s) || text::HangulAt(t, e)) return false;
        if (IsOpenBracketBefore(t, s, false)) return true;
        if (e >= t.size() || t[e] == '\n' || t[e] == '\r') return AtLineStart(t, s);  // alone
        return IsCloseBracketAt(t, e);
      case MarkRule::kBracketed:
        return s > 0 && e < t.size() && (t[s - 1] == '[' || t[s - 1] == '(') && (t[e] == ']' || t[e] == ')');
      case MarkRule::kEnglishWord: {
        bool caps = true;
        for (char c : word) {
          if (c >= 'a' && c <= 'z') caps = false;
        }
        if (caps) return true;
        if (!(word[0] >= 'A' && word[0] <= 'Z')) return false;
        if (IsOpenBracketBefore(t, s, true) || AtLineStart(t, s) || IsCloseBracketAt(t, e)) {
          return true;
        }
        std::string_view after = t.substr(e, 4);
        return after.substr(0, 2) == " -" || after == " \xE2\x80\x93" || after.substr(0, 2) == " |";
      }
    }
    return false;
  }

  bool markings_;
  std::vector<Dictionary> dictionaries_;
  uint16_t dict_cat_ = 0, mark_cat_ = 0;
  uint32_t term_base_ = 0, mark_base_ = 0;
  std::vector<TermInfo> terms_;
  std::vector<uint32_t> term_entries_, mark_entries_;
  size_t longest_ = 0;
};

}  // namespace

std::unique_ptr<Recognizer> NewDictionaryRecognizer(const ScannerOptions& options) {
  return std::make_unique<DictionaryRecognizer>(options);
}

}  // namespace gwanmun::detect
