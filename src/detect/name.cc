// PERSON_NAME: Korean full names (2–4 syllables: surname + given name,
// including two-syllable surnames) and romanised Korean names.
//
// Contract: one linear pass over the normalised text. Every maximal run of
// Hangul syllables is a word; a word whose first syllable (or first two) is
// a surname is split into name + suffix, where the suffix must be empty, a
// title/honorific (님, 과장님 …) or a particle/copula (이, 에게, 입니다 …).
// Titles and particles never enter the span. Each split is scored
// additively (log-odds):
//
//   structure (name length, surname frequency, given-name syllable
//   plausibility) + suffix (title, particle, phonological agreement)
//   + right context (title after a space, a cell boundary, a number, a word
//   such as 주민등록번호) + left context (keywords such as 성명, 담당자,
//   예금주, "name", a preceding name in the same list) + stop words.
//
// The confidence is the logistic of the score; the Scanner drops findings
// below its threshold (0.5 by default). Romanised names ("Gildong Hong",
// "HONG GILDONG", "Gil-dong Hong") are two ASCII tokens, one a romanised
// surname and the other a given name that splits into one or two romanised
// syllables. All context is looked up within Horizon() bytes.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "detect/name_data.h"
#include "detect/registry.h"
#include "detect/text_util.h"

namespace gwanmun::detect {
namespace {

constexpr size_t kHorizon = 512;  // sibling lines reach 2 × 160 + 160 bytes away
constexpr int kNumSyllables = 11172;
constexpr size_t kMaxLookBack = 48;    // bytes scanned left of a candidate for context
constexpr int kNim = 0xB2D8 - 0xAC00;  // 님
// Weaker candidates are still reported (for callers that lower the Scanner's
// threshold) down to this confidence.
constexpr float kMinEmit = 0.3f;
constexpr float kMinEmitLogit = -0.8473f;  // log(0.3 / 0.7)

// Syllable index (0 … 11171) of the Hangul syllable at p, or -1 (also for
// any p that leaves fewer than three bytes, including a wrapped-around p).
inline int SyllableAt(std::string_view s, size_t p) {
  if (p > s.size() || s.size() - p < 3) return -1;
  auto b0 = static_cast<unsigned char>(s[p]);
  if (b0 < 0xEA || b0 > 0xED) return -1;
  auto b1 = static_cast<unsigned char>(s[p + 1]);
  auto b2 = static_cast<unsigned char>(s[p + 2]);
  if ((b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80) return -1;
  char32_t cp = (static_cast<char32_t>(b0 & 0x0F) << 12) | (static_cast<char32_t>(b1 & 0x3F) << 6) | (b2 & 0x3F);
  if (cp < 0xAC00 || cp > 0xD7A3) return -1;
  return static_cast<int>(cp - 0xAC00);
}

inline bool HasFinal(int syl) { return syl >= 0 && syl % 28 != 0; }

inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
inline bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsLowerAscii(char c) { return c >= 'a' && c <= 'z'; }

template <typename F>
void ForEachEntry(std::string_view list, F f) {
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && list[i] == ' ') ++i;
    size_t j = i;
    while (j < list.size() && list[j] != ' ') ++j;
    if (j > i) f(list.substr(i, j - i));
    i = j;
  }
}

using name_data::HangulMap;

// Code of syllables s[0..n) (indices 0 … 11171), as HangulMap::Code.
inline uint64_t CodeOf(const int* s, int n) {
  uint64_t c = 0;
  for (int i = 0; i < n; ++i) c = c * 11173 + static_cast<uint64_t>(s[i] + 1);
  return c;
}

// Decodes up to `max` syllables of an all-Hangul word; returns the count, or
// -1 if the word holds anything else or is longer.
inline int DecodeWord(std::string_view w, int* out, int max) {
  if (w.size() % 3 != 0 || static_cast<int>(w.size() / 3) > max) return -1;
  int n = 0;
  for (size_t p = 0; p < w.size(); p += 3) {
    int x = SyllableAt(w, p);
    if (x < 0) return -1;
    out[n++] = x;
  }
  return n;
}

// Suffix kinds after a name.
enum class SuffixKind : uint8_t { kNone, kTitleStrong, kTitleWeak, kParticle, kInvalid };

struct SuffixInfo {
  SuffixKind kind = SuffixKind::kNone;
  bool agrees = true;  // particle agrees with the preceding syllable's final
  float strength = 0;  // particle: dative (에게) > copula (입니다) > case (의, 를)
};

// Particles that mostly follow people (dative, honorific subject).
constexpr std::string_view kAnimateParticles =
    "에게 에게서 에게는 에게도 한테 한테서 한테는 한테도 께 께서 께서는 께서도 께는 께도 에게로 "
    "님께";
// Copulas: "김민수입니다", "김민수이고".
constexpr std::string_view kCopulaParticles =
    "이고 이고요 이며 이다 이야 야 이에요 예요 입니다 입니다만 이었다 였다 이었고 였고 "
    "이었습니다 였습니다 이라고 라고 이라는 라는 이요 인데 인데요 이신 이시고 이세요 이었어요 "
    "이었어 였어 이던 이지만 이지 이잖아 이네 이랑 랑";
// Closing words of a letter: only valid right at the end of the word.
constexpr std::string_view kClosingTitles = "드림 올림 배상 씀 귀하";

// Score weights (log-odds). Kept together so the model is easy to read.
namespace w {
constexpr float kBias = -1.3f;
constexpr float kLen3 = 0.0f;         // surname + 2-syllable given name
constexpr float kLen2 = -1.6f;        // surname + 1-syllable given name
constexpr float kLen4 = 0.4f;         // 2-syllable surname + 2-syllable given name
constexpr float kLen3Double = -0.3f;  // 2-syllable surname + 1-syllable given name
constexpr float kSurnameCommon = 0.4f;
constexpr float kSurnameMid = 0.0f;
constexpr float kSurnameRare = -1.2f;
constexpr float kDoubleSurname = 0.6f;
constexpr float kGivenA = 0.5f;
constexpr float kGivenB = 0.0f;
constexpr float kGivenC = -3.0f;
constexpr float kGivenBothB = -0.5f;        // neither given syllable is typical
constexpr float kGivenKnown = 1.4f;         // a common given name (민준, 영희 …)
constexpr float kGivenUnknownPair = -0.5f;  // plausible syllables, unlisted pair
constexpr float kVerbalEnding = -1.5f;
constexpr float kStopPrefix = -2.5f;         // 한국인, 사용자, 주소나
constexpr float kStopPrefixWeak = -0.8f;     // 이미영, 이상우: a word, but also a name
constexpr float kParticleSyllable = -1.2f;   // 3rd syllable reads as a particle
constexpr float kParticleSyllableA = -0.3f;  // … but is also common in names (지은)
constexpr float kTitleStrong = 2.6f;
constexpr float kTitleWeak = 1.2f;
constexpr float kParticleDative = 1.5f;
constexpr float kParticleCopula = 0.6f;
constexpr float kParticleCase = 0.1f;
constexpr float kParticleDisagrees = -1.5f;
constexpr float kNextTitleStrong = 2.6f;
constexpr float kNextTitleWeak = 1.2f;
constexpr float kNextTitleAfterComma = 1.2f;
constexpr float kNextParen = 0.8f;
constexpr float kNextCell = 0.5f;
constexpr float kNextLineEnd = 0.1f;
constexpr float kNextColon = 0.4f;
constexpr float kNextNumber = 0.6f;
constexpr float kNextKeyword = 1.2f;
constexpr float kNextTeam = 1.0f;
constexpr float kNextCellNumber = 0.8f;
constexpr float kNextWord = -0.3f;
constexpr float kLeftKeyword = 2.5f;
constexpr float kLeftKeyword2 = 3.0f;  // for a two-syllable name, which has less of its own
constexpr float kLeftTeam = 1.5f;      // "영업2팀 김민수"
constexpr float kLeftList = 1.5f;
constexpr float kRightList = 1.0f;
constexpr float kColumnHeader = 2.5f;
constexpr float kColumnNames1 = 1.0f;
constexpr float kColumnNames2 = 1.5f;
constexpr float kBulletLabel = 0.3f;
constexpr float kBracketLabel = 0.6f;
constexpr float kBulletSiblings = 1.5f;
constexpr float kLeftCell = 0.2f;
constexpr float kLeftAlnum = -1.0f;
constexpr float kLeftMention = 1.5f;
// Romanised names.
constexpr float kRomanBias = -0.5f;
constexpr float kRomanHyphen = 1.5f;
constexpr float kRomanTwoSyllables = 0.8f;
constexpr float kRomanCommonSurname = 0.5f;
constexpr float kRomanAllCaps = 0.3f;
constexpr float kRomanContext = 2.0f;
constexpr float kRomanCapitalNeighbour = -1.2f;
}  // namespace w

// Syllables that commonly end a derived word (한국인, 사용자, 신청서, 정상화).
constexpr std::string_view kDerivationalSyllables =
    "한 할 함 해 했 하 된 될 됨 적 성 화 인 자 서 형 용 상 시 중 법 별 비 료 금 액 률 표 권 "
    "증 팀 부 과 실 청 원 장 처 소 사 값 량 명 번 일 월 년 주 히 게 고 며 면 지 기 까 님 씨 "
    "들 쪽 측 건 역 구 동 로 길 점 관 품 대 가 국 어 식 책 안 제 류 위 문 분 차 선 율 균";

// Syllables that end verb and adjective forms (편애한, 유람할, 강행해, 기소된).
constexpr std::string_view kVerbalSyllables = "한 할 함 합 해 했 하 된 될 됨 히 게 며 고 던 든 는 운 워 려 러 니";

inline float Logistic(float x) { return 1.0f / (1.0f + std::exp(-x)); }

class NameRecognizer final : public Recognizer {
 public:
  NameRecognizer();
  std::string_view name() const override { return "name"; }
  void Register(LexiconBuilder&) override {}
  void Scan(const ScanView& view, std::vector<Finding>& out) const override;
  size_t Horizon() const override { return kHorizon; }

 private:
  // Per-syllable flags.
  static constexpr uint8_t kSurnameMask = 0x03;   // 0 none, 1 rare, 2 mid, 3 common
  static constexpr int kFirstShift = 2;           // given-name first syllable tier (0 C, 1 B, 2 A)
  static constexpr int kLastShift = 4;            // given-name last syllable tier
  static constexpr uint8_t kDerivational = 0x40;  // common word-forming suffix (한, 적, 자 …)
  static constexpr uint8_t kParticleLike = 0x80;  // one-syllable particle (은, 의, 를 …)

  int SurnameTier(int syl) const { return syl < 0 ? 0 : syl_[syl] & kSurnameMask; }
  int FirstTier(int syl) const { return syl < 0 ? 0 : (syl_[syl] >> kFirstShift) & 3; }
  int LastTier(int syl) const { return syl < 0 ? 0 : (syl_[syl] >> kLastShift) & 3; }
  bool IsDoubleSurname(int a, int b) const;
  // True if text[p..] is "(X)" with X the other form of the one-syllable
  // particle `particle` (이(가), 은(는), 을(를), 과(와)).
  bool DualParticle(std::string_view text, size_t p, int particle) const;
  // True if `syl` is a one-syllable particle that agrees with `prev`.
  bool ParticleAfter(int syl, int prev) const;

  SuffixInfo ClassifySuffix(std::string_view rest, int prev_syl) const;
  // The same on decoded syllables s[0..n).
  SuffixInfo ClassifySyl(const int* s, int n, int prev_syl) const;
  // Title at the start of `word` (with optional 님 and particle after it).
  SuffixKind TitleWord(std::string_view word) const;
  // True if a context keyword (성명, 담당자, "name" …) introduces the word at
  // `start`; *team is set if a team name precedes it instead ("영업팀 김민수").
  bool LeftKeyword(std::string_view text, size_t start, bool* team = nullptr) const;
  bool IsKeywordWord(std::string_view word) const;
  // Score of what follows a whole word ending at `end`; *title is set when
  // a title or honorific follows.
  float RightContext(std::string_view text, size_t end, bool* title) const;
  float NextCell(std::string_view text, size_t p, bool* title) const;

  // Scans the word starting at rs whose end is at most re (lead bytes);
  // returns the exact end of the word.
  size_t ScanHangulRun(std::string_view text, size_t rs, size_t re, std::vector<Finding>& out) const;
  // True for a word that could be a full name on its own (static check).
  bool NameShaped(std::string_view word) const;
  // Neighbouring items of a comma list that look like names.
  float ListContext(std::string_view text, size_t rs, size_t end) const;
  // Table columns and bullet labels whose sibling lines hold names.
  float SiblingContext(std::string_view text, size_t rs, size_t end) const;
  size_t ScanRoman(std::string_view text, size_t pos, std::vector<Finding>& out) const;
  bool ValidRomanGiven(std::string_view tok, bool* hyphen, int* syllables) const;
  bool RomanKeywordBefore(std::string_view text, size_t start) const;

  std::array<uint8_t, kNumSyllables> syl_{};
  std::array<bool, kNumSyllables> verbal_{};  // verb/adjective endings (한, 할, 된 …)
  std::array<bool, kNumSyllables> strip_{};   // particles dropped from a keyword (은, 는, 명 …)
  // Cheap filters before map lookups: which syllables can start a title or a
  // particle, end a keyword, or start a right-context keyword.
  static constexpr uint8_t kTitleFirst = 1, kParticleFirst = 2, kKeywordLast = 4, kRightFirst = 8, kDoubleFirst = 16;
  std::array<uint8_t, kNumSyllables> aux_{};
  void MarkFirst(std::string_view list, uint8_t flag, size_t skip = 0) {
    ForEachEntry(list, [&](std::string_view e) {
      int x = SyllableAt(e, skip);
      if (x >= 0) aux_[x] |= flag;
    });
  }
  HangulMap<bool> common_given_;  // two-syllable given names
  std::vector<std::pair<int, int>> double_surnames_;
  HangulMap<uint8_t> titles_;             // 1 strong, 2 weak, 3 closing
  HangulMap<char> particles_;             // 'C', 'V', 'N'
  HangulMap<uint8_t> particle_strength_;  // 2 dative, 1 copula
  HangulMap<bool> keywords_;
  HangulMap<bool> right_keywords_;
  HangulMap<bool> colon_keywords_;
  HangulMap<bool> stop_;
  std::unordered_set<std::string> roman_surnames_;
  std::unordered_set<std::string> roman_stop_;
  std::unordered_set<std::string> roman_context_;
};

NameRecognizer::NameRecognizer() {
  auto set_surname = [&](std::string_view list, uint8_t tier) {
    ForEachEntry(list, [&](std::string_view e) {
      int s = SyllableAt(e, 0);
      if (s >= 0 && (syl_[s] & kSurnameMask) < tier) {
        syl_[s] = static_cast<uint8_t>((syl_[s] & ~kSurnameMask) | tier);
      }
    });
  };
  set_surname(name_data::kSurnamesRare, 1);
  set_surname(name_data::kSurnamesMid, 2);
  set_surname(name_data::kSurnamesCommon, 3);
  ForEachEntry(name_data::kSurnamesDouble,
               [&](std::string_view e) { double_surnames_.emplace_back(SyllableAt(e, 0), SyllableAt(e, 3)); });
  auto set_tier = [&](std::string_view list, int shift, uint8_t tier) {
    ForEachEntry(list, [&](std::string_view e) {
      int s = SyllableAt(e, 0);
      if (s < 0) return;
      uint8_t cur = (syl_[s] >> shift) & 3;
      if (cur < tier) syl_[s] = static_cast<uint8_t>((syl_[s] & ~(3 << shift)) | (tier << shift));
    });
  };
  set_tier(name_data::kGivenFirstB, kFirstShift, 1);
  set_tier(name_data::kGivenFirstA, kFirstShift, 2);
  set_tier(name_data::kGivenLastB, kLastShift, 1);
  set_tier(name_data::kGivenLastA, kLastShift, 2);

  ForEachEntry(name_data::kCommonGivenNames, [&](std::string_view e) { common_given_.Insert(e, true); });
  for (std::string_view e : {"은", "는", "이", "가", "님", "분", "의", "명"}) strip_[SyllableAt(e, 0)] = true;
  MarkFirst(name_data::kSurnamesDouble, kDoubleFirst);
  MarkFirst(name_data::kTitlesStrong, kTitleFirst);
  MarkFirst(name_data::kTitlesWeak, kTitleFirst);
  MarkFirst(kClosingTitles, kTitleFirst);
  MarkFirst(name_data::kParticles, kParticleFirst, 1);  // entries start with 'C'/'V'/'N'
  MarkFirst(name_data::kRightKeywords, kRightFirst);
  ForEachEntry(name_data::kContextKeywords, [&](std::string_view e) {
    int x = SyllableAt(e, e.size() >= 3 ? e.size() - 3 : 0);
    if (x >= 0) aux_[x] |= kKeywordLast;
  });
  ForEachEntry(kVerbalSyllables, [&](std::string_view e) {
    int x = SyllableAt(e, 0);
    if (x >= 0) verbal_[x] = true;
  });
  ForEachEntry(kDerivationalSyllables, [&](std::string_view e) {
    int x = SyllableAt(e, 0);
    if (x >= 0) syl_[x] |= kDerivational;
  });
  for (std::string_view e :
       {"이", "은", "는", "을", "를", "의", "가", "와", "과", "도", "만", "로", "랑", "에", "나"}) {
    syl_[SyllableAt(e, 0)] |= kParticleLike;
  }
  ForEachEntry(name_data::kTitlesWeak, [&](std::string_view e) { titles_.Insert(e, 2); });
  ForEachEntry(name_data::kTitlesStrong, [&](std::string_view e) { titles_.Insert(e, 1); });
  ForEachEntry(name_data::kParticles, [&](std::string_view e) { particles_.Insert(e.substr(1), e[0]); });
  ForEachEntry(kAnimateParticles, [&](std::string_view e) { particle_strength_.Insert(e, 2); });
  ForEachEntry(kCopulaParticles, [&](std::string_view e) { particle_strength_.Insert(e, 1); });
  ForEachEntry(kClosingTitles, [&](std::string_view e) { titles_.Insert(e, 3); });
  ForEachEntry(name_data::kContextKeywords, [&](std::string_view e) { keywords_.Insert(e, true); });
  ForEachEntry(name_data::kColonKeywords, [&](std::string_view e) { colon_keywords_.Insert(e, true); });
  ForEachEntry(name_data::kRightKeywords, [&](std::string_view e) { right_keywords_.Insert(e, true); });
  ForEachEntry(name_data::kStopWords, [&](std::string_view e) { stop_.Insert(e, true); });
  ForEachEntry(name_data::kRomanSurnames, [&](std::string_view e) { roman_surnames_.insert(std::string(e)); });
  ForEachEntry(name_data::kRomanStopWords, [&](std::string_view e) { roman_stop_.insert(std::string(e)); });
  ForEachEntry(name_data::kRomanContext, [&](std::string_view e) { roman_context_.insert(std::string(e)); });
}

bool NameRecognizer::ParticleAfter(int syl, int prev) const {
  if (syl < 0 || (syl_[syl] & kParticleLike) == 0) return false;
  std::string_view need_final = "이은을과";
  std::string_view need_vowel = "가는를와로랑나";
  char buf[3];
  char32_t cp = 0xAC00 + static_cast<char32_t>(syl);
  buf[0] = static_cast<char>(0xE0 | (cp >> 12));
  buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
  std::string_view u(buf, 3);
  if (need_final.find(u) != std::string_view::npos) return HasFinal(prev);
  if (need_vowel.find(u) != std::string_view::npos) return !HasFinal(prev);
  return true;
}

bool NameRecognizer::DualParticle(std::string_view text, size_t p, int particle) const {
  if (p + 5 > text.size() || text[p] != '(' || text[p + 4] != ')') return false;
  int alt = SyllableAt(text, p + 1);
  if (alt < 0) return false;
  static const std::pair<int, int> kPairs[] = {
      {0xC774 - 0xAC00, 0xAC00 - 0xAC00},  // 이 / 가
      {0xC740 - 0xAC00, 0xB294 - 0xAC00},  // 은 / 는
      {0xC744 - 0xAC00, 0xB97C - 0xAC00},  // 을 / 를
      {0xACFC - 0xAC00, 0xC640 - 0xAC00},  // 과 / 와
  };
  for (const auto& [a, b] : kPairs) {
    if ((particle == a && alt == b) || (particle == b && alt == a)) return true;
  }
  return false;
}

bool NameRecognizer::IsDoubleSurname(int a, int b) const {
  for (const auto& [x, y] : double_surnames_) {
    if (x == a && y == b) return true;
  }
  return false;
}

SuffixInfo NameRecognizer::ClassifySyl(const int* s, int n, int prev_syl) const {
  SuffixInfo info;
  if (n == 0) return info;
  if ((aux_[s[0]] & (kTitleFirst | kParticleFirst)) == 0) {
    info.kind = SuffixKind::kInvalid;
    return info;
  }
  // Title or honorific, then optional 님, then optional particle.
  uint64_t prefix[7];
  prefix[0] = 0;
  int maxlen = std::min(n, 6);
  for (int i = 0; i < maxlen; ++i) prefix[i + 1] = prefix[i] * 11173 + static_cast<uint64_t>(s[i] + 1);
  for (int len = (aux_[s[0]] & kTitleFirst) != 0 ? maxlen : 0; len >= 1; --len) {
    const uint8_t* it = titles_.FindCode(prefix[len]);
    if (it == nullptr) continue;
    int r = len;
    if (*it == 3 && r != n) continue;  // 드림, 올림 end the word
    int last = s[len - 1];
    if (r < n && s[r] == kNim) last = s[r++];
    if (r < n) {
      const char* p = particles_.FindCode(CodeOf(s + r, n - r));
      if (p == nullptr) continue;
      if ((*p == 'C' && !HasFinal(last)) || (*p == 'V' && HasFinal(last))) continue;
    }
    info.kind = *it == 2 ? SuffixKind::kTitleWeak : SuffixKind::kTitleStrong;
    return info;
  }
  uint64_t code = n <= 6 ? prefix[n] : CodeOf(s, n);
  const char* p = particles_.FindCode(code);
  if (p == nullptr) {
    info.kind = SuffixKind::kInvalid;
    return info;
  }
  info.kind = SuffixKind::kParticle;
  const uint8_t* st = particle_strength_.FindCode(code);
  info.strength = st == nullptr ? w::kParticleCase : *st == 2 ? w::kParticleDative : w::kParticleCopula;
  info.agrees = !((*p == 'C' && !HasFinal(prev_syl)) || (*p == 'V' && HasFinal(prev_syl)));
  return info;
}

SuffixInfo NameRecognizer::ClassifySuffix(std::string_view rest, int prev_syl) const {
  int s[12];
  int n = DecodeWord(rest, s, 12);
  if (n < 0) {
    SuffixInfo info;
    info.kind = SuffixKind::kInvalid;
    return info;
  }
  return ClassifySyl(s, n, prev_syl);
}

SuffixKind NameRecognizer::TitleWord(std::string_view word) const {
  if (word.empty()) return SuffixKind::kNone;
  SuffixInfo s = ClassifySuffix(word, -1);
  if (s.kind == SuffixKind::kTitleStrong || s.kind == SuffixKind::kTitleWeak) return s.kind;
  return SuffixKind::kNone;
}

bool NameRecognizer::IsKeywordWord(std::string_view word) const {
  // The word, or a tail of it of 2+ syllables (신규입사자 → 입사자), possibly
  // after dropping a trailing particle (이름은 → 이름, 고객명 → 고객).
  int s[8];
  int n = DecodeWord(word, s, 8);
  if (n <= 0) return false;
  auto check = [&](int len) {
    if ((aux_[s[len - 1]] & kKeywordLast) == 0) return false;
    for (int off = 0; off < len; ++off) {
      if (len - off < 2 && off != 0) break;
      if (keywords_.FindCode(CodeOf(s + off, len - off)) != nullptr) return true;
    }
    return false;
  };
  if (check(n)) return true;
  return n >= 2 && strip_[s[n - 1]] && check(n - 1);
}

bool NameRecognizer::LeftKeyword(std::string_view text, size_t start, bool* team) const {
  size_t p = start;
  size_t limit = start > kMaxLookBack ? start - kMaxLookBack : 0;
  int skipped = 0;
  while (p > limit && skipped < 4) {
    char c = text[p - 1];
    if (c == ' ' || c == ':' || c == '=' || c == '"' || c == '\'' || c == '(' || c == '[' || c == '-' || c == '>' ||
        c == '\t') {
      --p;
      ++skipped;
      continue;
    }
    break;
  }
  if (p == start && p > 0 && text[p - 1] != '\n') {
    // The candidate is glued to what precedes it.
    return false;
  }
  if (p == 0) return false;
  // Hangul word before?
  size_t we = p;
  size_t ws = p;
  while (ws >= 3 && ws > limit && SyllableAt(text, ws - 3) >= 0) ws -= 3;
  if (ws < we) {
    std::string_view word = text.substr(ws, we - ws);
    if (word.size() > 24) word = word.substr(word.size() - 24);
    // A team or department right before the name ("영업2팀 김민수").
    if (word.size() >= 3 && word.substr(word.size() - 3) == "팀") {
      if (team != nullptr) *team = true;
      return false;
    }
    bool colon = text.substr(we, start - we).find(':') != std::string_view::npos;
    // Words that introduce a name only as a label ("작성: 김민수", "예: 김민수");
    // on their own they are ordinary words ("예" is also "yes").
    if (colon_keywords_.count(word) != 0) return colon;
    if (IsKeywordWord(word)) return true;
    // A role label ending in a person suffix: 추천인:, 휴가자:, 신청인:, 상담원:.
    if (colon && word.size() >= 6) {
      std::string_view last = word.substr(word.size() - 3);
      if (last == "자" || last == "인" || last == "원" || last == "주") return true;
    }
    return false;
  }
  // "CS팀 김민수": the Hangul run is just 팀 after ASCII letters or digits.
  // ASCII word before ("name", "customer_name", "holder" …).
  while (ws > limit && (text::IsAsciiAlnum(text[ws - 1]) || text[ws - 1] == '_' || text[ws - 1] == '.')) {
    --ws;
  }
  if (ws == we) return false;
  std::string word;
  for (size_t i = ws; i < we; ++i) word.push_back(Lower(text[i]));
  if (word.find("name") != std::string::npos) return true;
  static constexpr std::string_view kAscii[] = {
      "holder",      "payee",     "owner",    "author",         "manager",    "contact",   "recipient",
      "sender",      "assignee",  "customer", "writer",         "requester",  "employee",  "member",
      "beneficiary", "user",      "driver",   "patient",        "guest",      "applicant", "cc",
      "to",          "from",      "by",       "attn",           "reviewer",   "approver",  "signer",
      "passenger",   "traveler",  "client",   "person",         "staff",      "ceo",       "cto",
      "cfo",         "president", "director", "representative", "rep",        "agent",     "officer",
      "chairman",    "pic",       "lead",     "leader",         "supervisor", "worker",    "teacher"};
  // Trailing segment after '_' or '.' (e.g. customer_holder).
  size_t cut = word.find_last_of("_.");
  std::string_view last = cut == std::string::npos ? std::string_view(word) : std::string_view(word).substr(cut + 1);
  for (std::string_view k : kAscii) {
    if (last == k) return true;
  }
  return false;
}

float NameRecognizer::NextCell(std::string_view text, size_t p, bool* title) const {
  while (p < text.size() && text[p] == ' ') ++p;
  size_t q = p;
  while (q < text.size() && q < p + 40 && text[q] != ',' && text[q] != '|' && text[q] != '\t' && text[q] != '\n' &&
         text[q] != '"') {
    ++q;
  }
  while (q > p && text[q - 1] == ' ') --q;
  if (q == p) return w::kNextCell;
  std::string_view cell = text.substr(p, q - p);
  if (text::IsAsciiDigit(cell[0]) || cell[0] == '+') {
    // A phone, account or card number rather than a quantity.
    int digits = 0;
    for (char c : cell) digits += text::IsAsciiDigit(c) ? 1 : 0;
    return digits >= 7 ? w::kNextCellNumber : w::kNextCell;
  }
  if (TitleWord(cell) == SuffixKind::kTitleStrong) {
    *title = true;
    return w::kNextTitleAfterComma;
  }
  auto ends = [&](std::string_view suffix) {
    return cell.size() > suffix.size() && cell.substr(cell.size() - suffix.size()) == suffix;
  };
  for (std::string_view t : {"팀", "본부", "센터", "그룹", "파트", "부서", "사업부", "연구소"}) {
    if (ends(t)) return w::kNextTeam;
  }
  for (std::string_view t : {"은행", "금고", "뱅크", "증권", "카드", "우체국", "농협", "신협"}) {
    if (ends(t) || cell == t) return w::kNextCellNumber;
  }
  return w::kNextCell;
}

float NameRecognizer::RightContext(std::string_view text, size_t end, bool* title) const {
  if (end >= text.size()) return w::kNextLineEnd;
  char c = text[end];
  switch (c) {
    case '(':
    case '<':
      return w::kNextParen;
    case '\n':
    case '\r':
    case '.':
      return w::kNextLineEnd;
    case ',':
    case '|':
    case '\t':
    case ')':
    case '"':
    case '\'':
    case ']':
    case '/':
    case ';': {
      // The next cell of a row: a title, a team, a number, a bank.
      if (c == ',' || c == '|' || c == '\t') return NextCell(text, end + 1, title);
      return w::kNextCell;
    }
    case ':':
      return w::kNextColon;
    case ' ':
      break;
    default:
      break;
  }
  if (c != ' ') {
    text::Decoded d = text::DecodeAt(text, end);
    if (d.cp == U'→' || d.cp == U'·' || d.cp == U'、' || d.cp == U'」' || d.cp == U'』' || d.cp == U'”' ||
        d.cp == U'’') {
      return w::kNextCell;
    }
    return 0.0f;
  }
  // One or two spaces, then the next token.
  size_t p = end;
  while (p < text.size() && p < end + 2 && text[p] == ' ') ++p;
  if (p >= text.size()) return w::kNextCell;
  char n = text[p];
  if (text::IsAsciiDigit(n) || n == '+') return w::kNextNumber;
  if (n == '(' || n == '<') return w::kNextParen;
  if (n == '\n') return w::kNextLineEnd;
  if (n == '|' || n == ',' || n == '\t') return NextCell(text, p + 1, title);
  if (n == '-' || n == '/') return w::kNextCell;
  if (text.substr(p, 3) == "\xE2\x86\x92") return w::kNextCell;  // →
  size_t q = p;
  while (q < text.size() && q < p + 30 && SyllableAt(text, q) >= 0) q += 3;
  if (q == p) {
    // "김민수 PM", "김민수 CEO".
    size_t r = p;
    while (r < text.size() && IsUpper(text[r])) ++r;
    std::string_view tok = text.substr(p, r - p);
    if (tok == "PM" || tok == "PL" || tok == "CEO" || tok == "CTO" || tok == "CFO") {
      *title = true;
      return w::kNextTitleStrong;
    }
    return 0.0f;
  }
  std::string_view word = text.substr(p, q - p);
  if (word == "양" || word == "군") return w::kNextTitleWeak;  // also "amount", "county"
  if (word.size() == 6 && (word.substr(0, 3) == "양" || word.substr(0, 3) == "군")) return 0.0f;
  SuffixKind t = TitleWord(word);
  if (t != SuffixKind::kNone) *title = true;
  if (t == SuffixKind::kTitleStrong) return w::kNextTitleStrong;
  if (t == SuffixKind::kTitleWeak) return w::kNextTitleWeak;
  if ((aux_[SyllableAt(word, 0)] & kRightFirst) != 0) {
    for (size_t len = std::min<size_t>(word.size(), 18); len >= 3; len -= 3) {
      if (right_keywords_.count(word.substr(0, len)) != 0) return w::kNextKeyword;
    }
  }
  return w::kNextWord;
}

bool NameRecognizer::NameShaped(std::string_view word) const {
  size_t k = word.size() / 3;
  if (k < 2 || k > 4 || word.size() % 3 != 0) return false;
  int syl[4];
  for (size_t i = 0; i < k; ++i) {
    syl[i] = SyllableAt(word, 3 * i);
    if (syl[i] < 0) return false;
  }
  if (stop_.count(word) != 0 || titles_.count(word) != 0) return false;
  size_t sl = IsDoubleSurname(syl[0], syl[1]) && k >= 3 ? 2 : 1;
  if (sl == 1 && SurnameTier(syl[0]) == 0) return false;
  size_t gl = k - sl;
  if (gl == 1) return LastTier(syl[sl]) > 0;
  if (gl == 2) return FirstTier(syl[sl]) > 0 && LastTier(syl[sl + 1]) > 0;
  return false;
}

// The Hangul word ending at `end` (at most 4 syllables back), or empty.
static std::string_view WordBefore(std::string_view text, size_t end) {
  size_t ws = end;
  while (ws >= 3 && end - ws < 12 && SyllableAt(text, ws - 3) >= 0) ws -= 3;
  if (ws >= 3 && SyllableAt(text, ws - 3) >= 0) return {};  // longer than a name
  return text.substr(ws, end - ws);
}

// The Hangul word starting at `p` (at most 4 syllables), or empty.
static std::string_view WordAt(std::string_view text, size_t p) {
  size_t we = p;
  while (we - p < 12 && SyllableAt(text, we) >= 0) we += 3;
  if (SyllableAt(text, we) >= 0) return {};
  return text.substr(p, we - p);
}

float NameRecognizer::ListContext(std::string_view text, size_t rs, size_t end) const {
  float score = 0.0f;
  // Previous item: "김민수, 이영희" / "김민수 (여권 …), 이영희" / "김민수·이영희".
  size_t p = rs;
  while (p > 0 && rs - p < 3 && text[p - 1] == ' ') --p;
  bool delim = false;
  if (p > 0 && (text[p - 1] == ',' || text[p - 1] == '/')) {
    --p;
    delim = true;
  } else if (p >= 2 && text.substr(p - 2, 2) == "\xC2\xB7") {  // ·
    p -= 2;
    delim = true;
  }
  if (delim) {
    while (p > 0 && rs - p < 8 && text[p - 1] == ' ') --p;
    if (p > 0 && text[p - 1] == ')') {
      size_t q = p - 1;
      size_t limit = rs > 64 ? rs - 64 : 0;
      while (q > limit && text[q - 1] != '(' && text[q - 1] != '\n') --q;
      if (q > limit && text[q - 1] == '(') {
        p = q - 1;
        while (p > 0 && text[p - 1] == ' ') --p;
      }
    }
    std::string_view prev = WordBefore(text, p);
    if (NameShaped(prev)) score += w::kLeftList;
  }
  // Next item (only for a whole word): "김민수, 이영희".
  size_t q = end;
  if (q < text.size() && text[q] == ',') {
    ++q;
    while (q < text.size() && q - end < 3 && text[q] == ' ') ++q;
    std::string_view next = WordAt(text, q);
    if (NameShaped(next)) score += w::kRightList;
  }
  return score;
}

// Bounds of the line containing `pos`, looking at most `limit` bytes away.
static void LineBounds(std::string_view text, size_t pos, size_t limit, size_t* ls, size_t* le) {
  size_t a = pos;
  size_t amin = pos > limit ? pos - limit : 0;
  while (a > amin && text[a - 1] != '\n') --a;
  size_t b = pos;
  size_t bmax = std::min(text.size(), pos + limit);
  while (b < bmax && text[b] != '\n') ++b;
  *ls = a;
  *le = b;
}

// Cell number `col` of line [ls, le) split by `d`, trimmed of spaces and quotes.
static std::string_view Cell(std::string_view text, size_t ls, size_t le, char d, int col) {
  size_t a = ls;
  for (int i = 0; i < col; ++i) {
    while (a < le && text[a] != d) ++a;
    if (a >= le) return {};
    ++a;
  }
  size_t b = a;
  while (b < le && text[b] != d) ++b;
  while (a < b && (text[a] == ' ' || text[a] == '"' || text[a] == '\'')) ++a;
  while (b > a && (text[b - 1] == ' ' || text[b - 1] == '"' || text[b - 1] == '\'' || text[b - 1] == '\r')) {
    --b;
  }
  return text.substr(a, b - a);
}

float NameRecognizer::SiblingContext(std::string_view text, size_t rs, size_t end) const {
  constexpr size_t kLineLimit = 160;
  // Cheap test first: a cell or label needs a delimiter or ':' right after
  // the word (spaces and a quote allowed).
  {
    size_t b = end;
    while (b < text.size() && b - end < 3 && (text[b] == ' ' || text[b] == '"' || text[b] == '\'')) {
      ++b;
    }
    char c = b < text.size() ? text[b] : '\n';
    if (c != ',' && c != '|' && c != '\t' && c != '\n' && c != '\r' && c != ':' && c != '-') {
      return 0.0f;
    }
  }
  size_t ls, le;
  LineBounds(text, rs, kLineLimit, &ls, &le);
  if (ls > 0 && text[ls - 1] != '\n') return 0.0f;  // line too long
  // Table cell: delimiter before (or line start) and after.
  size_t a = rs;
  while (a > ls && text[a - 1] == ' ') --a;
  size_t b = end;
  while (b < le && text[b] == ' ') ++b;
  char d = 0;
  char before = a > ls ? text[a - 1] : 0;
  char after = b < le ? text[b] : 0;
  if (before == '"' || before == '\'') before = a - 1 > ls ? text[a - 2] : 0;
  if (after == '"' || after == '\'') after = b + 1 < le ? text[b + 1] : 0;
  for (char c : {',', '|', '\t'}) {
    if ((before == c || before == 0) && (after == c || after == 0) && (before == c || after == c)) {
      d = c;
    }
  }
  auto is_header = [&](std::string_view cell) {
    if (cell.empty()) return false;
    if (SyllableAt(cell, 0) >= 0) return IsKeywordWord(cell);
    std::string low;
    for (char c : cell) low.push_back(Lower(c));
    return low.find("name") != std::string::npos || low == "holder" || low == "payee" || low == "owner" ||
           low == "customer" || low == "employee";
  };
  if (d != 0) {
    std::string_view self = text.substr(rs, end - rs);
    int col = 0;
    for (size_t i = ls; i < rs; ++i) col += text[i] == d ? 1 : 0;
    int shaped = 0;
    // Up to three lines above and two below, each within kLineLimit.
    size_t pe = ls;
    for (int n = 0; n < 3 && pe > 0 && rs - pe < 2 * kLineLimit; ++n) {
      size_t pls, ple;
      LineBounds(text, pe - 1, kLineLimit, &pls, &ple);
      if (pls > 0 && text[pls - 1] != '\n') break;
      std::string_view cell = Cell(text, pls, ple, d, col);
      if (is_header(cell)) return w::kColumnHeader;
      // Names in a column differ from row to row; repeated values are categories.
      if (cell == self) return 0.0f;
      if (NameShaped(cell)) ++shaped;
      pe = pls;
    }
    size_t ns = le;
    for (int n = 0; n < 2 && ns < text.size() && ns - end < 2 * kLineLimit; ++n) {
      size_t nls, nle;
      LineBounds(text, ns + 1, kLineLimit, &nls, &nle);
      if (nle < text.size() && text[nle] != '\n') break;
      std::string_view cell = Cell(text, nls, nle, d, col);
      if (cell == self) return 0.0f;
      if (NameShaped(cell)) ++shaped;
      ns = nle;
    }
    return shaped >= 2 ? w::kColumnNames2 : shaped == 1 ? w::kColumnNames1 : 0.0f;
  }
  // Speaker or bullet label: "- 김민수: 견적서 송부", "[10:02] 김민수: 네",
  // "김민수: 네" — stronger with sibling lines of the same shape.
  // The label ends with ':' or with " - " ("1. 김민수 - 기획 총괄").
  const bool dash = after == '-' && b > end && b + 1 < le && text[b + 1] == ' ';
  if (after != ':' && !dash) return 0.0f;
  const char sep = after;
  // Kind of line prefix: 0 none, 1 bullet or number, 2 bracketed time or tag, -1 other.
  auto prefix_kind = [](std::string_view pre) {
    size_t i = 0;
    while (i < pre.size() && pre[i] == ' ') ++i;
    if (i == pre.size()) return 0;
    if (pre[i] == '-' || pre[i] == '*') {
      ++i;
    } else if (pre.substr(i, 3) == "\xE2\x80\xA2") {  // •
      i += 3;
    } else if (text::IsAsciiDigit(pre[i])) {  // "1." / "2)"
      while (i < pre.size() && text::IsAsciiDigit(pre[i])) ++i;
      if (i >= pre.size() || (pre[i] != '.' && pre[i] != ')')) return -1;
      ++i;
    } else {
      size_t j = pre.size();
      while (j > i && pre[j - 1] == ' ') --j;
      return (j > i && (pre[j - 1] == ']' || pre[j - 1] == ')') && pre.size() - j <= 2) ? 2 : -1;
    }
    while (i < pre.size() && pre[i] == ' ') ++i;
    return i == pre.size() ? 1 : -1;
  };
  const int kind = prefix_kind(text.substr(ls, rs - ls));
  if (kind < 0) return 0.0f;
  auto sibling = [&](size_t sls, size_t sle) {
    // The label of the sibling line: the Hangul word right before its first ':'.
    size_t colon = sls;
    while (colon < sle && colon - sls < 48 && text[colon] != sep) ++colon;
    if (colon >= sle || text[colon] != sep) return false;
    if (sep == '-') {
      // " - " after the label word.
      if (colon == sls || text[colon - 1] != ' ') return false;
      --colon;
    }
    size_t i = colon;
    while (i >= 3 && i > sls && SyllableAt(text, i - 3) >= 0) i -= 3;
    if (prefix_kind(text.substr(sls, i - sls)) != kind) return false;
    return NameShaped(text.substr(i, colon - i));
  };
  int shaped = 0;
  size_t pe = ls;
  for (int n = 0; n < 2 && pe > 0 && rs - pe < 2 * kLineLimit; ++n) {
    size_t pls, ple;
    LineBounds(text, pe - 1, kLineLimit, &pls, &ple);
    if (pls > 0 && text[pls - 1] != '\n') break;
    if (sibling(pls, ple)) ++shaped;
    pe = pls;
  }
  size_t ns = le;
  for (int n = 0; n < 2 && ns < text.size() && ns - end < 2 * kLineLimit; ++n) {
    size_t nls, nle;
    LineBounds(text, ns + 1, kLineLimit, &nls, &nle);
    if (nle < text.size() && text[nle] != '\n') break;
    if (sibling(nls, nle)) ++shaped;
    ns = nle;
  }
  float label = kind == 1 ? w::kBulletLabel : kind == 2 ? w::kBracketLabel : 0.0f;
  return label + (shaped >= 1 ? w::kBulletSiblings : 0.0f);
}

size_t NameRecognizer::ScanHangulRun(std::string_view text, size_t rs, size_t re, std::vector<Finding>& out) const {
  size_t k = (re - rs) / 3;
  // A name (≤ 4 syllables) plus a suffix (≤ 6 syllables: 과장님께서는).
  if (k < 2 || k > 10) return re;
  int syl[10];
  syl[0] = SyllableAt(text, rs);
  syl[1] = SyllableAt(text, rs + 3);
  if (syl[1] < 0) return rs + 3;
  // Cheap test before decoding the rest: the second syllable must be able to
  // start a given name (or end a one-syllable one), unless a two-syllable
  // surname starts the word.
  if (FirstTier(syl[1]) == 0 && LastTier(syl[1]) == 0 && (aux_[syl[0]] & kDoubleFirst) == 0) {
    size_t e = rs + 6;
    while (e + 3 <= re && SyllableAt(text, e) >= 0) e += 3;
    return e;
  }
  for (size_t i = 2; i < k; ++i) {
    syl[i] = SyllableAt(text, rs + 3 * i);
    if (syl[i] < 0) {
      // Not a Hangul syllable after all: the word ends here.
      re = rs + 3 * i;
      k = i;
      break;
    }
  }
  const int tier = SurnameTier(syl[0]);
  const bool dbl = (aux_[syl[0]] & kDoubleFirst) != 0 && IsDoubleSurname(syl[0], syl[1]);
  if (tier == 0 && !dbl) return re;

  // Masked names (홍*동, 김○○) and glued ASCII/digits.
  float left = 0.0f;
  if (rs > 0) {
    text::Decoded d = text::DecodeBefore(text, rs);
    char32_t c = d.cp;
    if (c == '*' || c == U'○' || c == U'●' || c == U'◯' || c == U'□' || c == U'■' || c == U'×' || c == U'ㅇ' ||
        c == U'_') {
      return re;
    }
    if (c < 0x80 && text::IsAsciiAlnum(static_cast<char>(c))) {
      left += w::kLeftAlnum;
    } else if (c == '\n' || c == ',' || c == '|' || c == '\t' || c == '"' || c == '\'' || c == '(' || c == '[' ||
               c == '<' || c == ':' || c == '>') {
      left += w::kLeftCell;
    } else if (c == '@') {
      left += w::kLeftMention;  // "@김민수 확인 부탁드려요"
    }
  } else {
    left += w::kLeftCell;
  }
  if (re < text.size()) {
    char c = text[re];
    if (c == '*' || c == '_') return re;
    text::Decoded d = text::DecodeAt(text, re);
    if (d.cp == U'○' || d.cp == U'●' || d.cp == U'◯' || d.cp == U'□' || d.cp == U'×') return re;
  }
  // Stage 1: structure of each split (tables only), pruning implausible ones.
  struct Cand {
    int sl, nl;
    float score;  // structure and suffix, without right context
    // Readings that compete with a name when no title follows (3 syllables):
    bool particle;       // last syllable can be a particle (윤솔의 → 윤솔 + 의)
    float particle_pen;  // penalty for that reading
    bool head_stop;      // first two syllables are a common word (한국인, 이미영)
    bool deriv;          // … and the last one a word-forming suffix (한국인)
    bool verbal;         // a verb or adjective form (편애한, 유람할)
    bool title;          // a strong title is attached (김민수과장)
  };
  Cand cands[4];
  int ncand = 0;
  struct Split {
    int sl, gl;
  };
  static constexpr Split kSplits[] = {{2, 2}, {2, 1}, {1, 2}, {1, 1}};
  auto given = [](int tier_value) { return tier_value == 2 ? w::kGivenA : tier_value == 1 ? w::kGivenB : w::kGivenC; };
  for (const Split& sp : kSplits) {
    if (sp.sl == 2 && !dbl) continue;
    if (sp.sl == 1 && tier == 0) continue;
    const int nl = sp.sl + sp.gl;
    if (static_cast<size_t>(nl) > k) continue;
    Cand c{sp.sl, nl, 0.0f, false, 0.0f, false, false, false, false};
    bool known = false;
    if (sp.gl == 2) {
      int g1 = syl[sp.sl], g2 = syl[sp.sl + 1];
      if (common_given_.FindCode(CodeOf(syl + sp.sl, 2)) != nullptr) {
        known = true;
        c.score += w::kGivenKnown;
      } else {
        int t1 = FirstTier(g1), t2 = LastTier(g2);
        // An implausible given-name syllable: never a name.
        if (t1 == 0 || t2 == 0) continue;
        c.score += given(t1) + given(t2) + w::kGivenUnknownPair;
        if (t1 == 1 && t2 == 1) c.score += w::kGivenBothB;
      }
    } else {
      int t = LastTier(syl[sp.sl]);
      if (t == 0 && sp.sl == 1) continue;  // surname + implausible one-syllable name
      c.score += given(t);
    }
    SuffixInfo suf = ClassifySyl(syl + nl, static_cast<int>(k) - nl, syl[nl - 1]);
    if (suf.kind == SuffixKind::kInvalid) continue;
    if (suf.kind == SuffixKind::kParticle && nl + 1 == static_cast<int>(k) && DualParticle(text, re, syl[nl])) {
      // Template text "홍길동이(가) 공유했습니다": either form is fine.
      suf.agrees = true;
      suf.strength = w::kParticleCopula;
    }
    if (sp.sl == 2) {
      c.score += w::kDoubleSurname + (sp.gl == 2 ? w::kLen4 : w::kLen3Double);
    } else {
      c.score += sp.gl == 2 ? w::kLen3 : w::kLen2;
      c.score += tier == 3 ? w::kSurnameCommon : tier == 2 ? w::kSurnameMid : w::kSurnameRare;
    }
    // Stop words, and titles read as names (이사, 부장, 고객 …).
    const uint64_t cand_code = CodeOf(syl, nl);
    if (stop_.FindCode(cand_code) != nullptr || titles_.FindCode(cand_code) != nullptr) continue;
    const bool rest_empty = nl == static_cast<int>(k);
    if (nl == 3 && sp.sl == 1) {
      c.particle = ParticleAfter(syl[2], syl[1]);
      if (c.particle && !rest_empty) {
        // 오준이고요: the shorter reading (오준 + 이고요) is a valid suffix.
        c.particle = ClassifySyl(syl + 2, static_cast<int>(k) - 2, syl[1]).kind != SuffixKind::kInvalid;
      }
      c.particle_pen = LastTier(syl[2]) == 2 ? w::kParticleSyllableA : w::kParticleSyllable;
      c.verbal = rest_empty && !known && verbal_[syl[2]];
      const uint64_t head_code = CodeOf(syl, 2);
      c.head_stop = stop_.FindCode(head_code) != nullptr || titles_.FindCode(head_code) != nullptr;
      c.deriv = (syl_[syl[2]] & kDerivational) != 0;
    }
    switch (suf.kind) {
      case SuffixKind::kTitleStrong:
        c.score += w::kTitleStrong;
        c.title = true;
        break;
      case SuffixKind::kTitleWeak:
        c.score += w::kTitleWeak;
        break;
      case SuffixKind::kParticle:
        c.score += suf.strength + (suf.agrees ? 0.0f : w::kParticleDisagrees);
        break;
      default:
        break;
    }
    cands[ncand++] = c;
  }
  if (ncand == 0) return re;
  // Upper bound of what context can add: a title after the word, a keyword
  // before it and a table header above it.
  {
    float bound = -100.0f;
    for (int i = 0; i < ncand; ++i) {
      bool rest_empty = cands[i].nl == static_cast<int>(k);
      float sc = cands[i].score + (rest_empty ? w::kNextTitleStrong : 0.0f);
      bound = std::max(bound, sc);
    }
    if (bound + left + w::kBias + w::kLeftKeyword2 + w::kColumnHeader < kMinEmitLogit) return re;
  }

  // Stage 2: surname followed directly by a title (김과장, 이대리님): not a name.
  bool title_after_surname[3] = {false, false, false};
  for (int sl = 1; sl <= 2; ++sl) {
    if ((sl == 2 && !dbl) || static_cast<size_t>(sl) >= k) continue;
    if ((aux_[syl[sl]] & kTitleFirst) == 0) continue;
    SuffixKind t = ClassifySyl(syl + sl, static_cast<int>(k) - sl, -1).kind;
    title_after_surname[sl] = t == SuffixKind::kTitleStrong || t == SuffixKind::kTitleWeak;
  }

  // Stage 3: right context of the whole word; a title after it rules out
  // reading the last syllable as a particle (이성은 이사), and a particle is
  // followed by running text, not by a cell end, '(' or a number.
  bool need_right = false;
  for (int i = 0; i < ncand; ++i) need_right |= cands[i].nl == static_cast<int>(k);
  bool title_follows = false;
  float right = 0.0f;
  bool running_text = true;
  if (need_right) {
    right = RightContext(text, re, &title_follows);
    running_text = right == w::kNextWord || right == w::kNextLineEnd || right == w::kNextKeyword || right == 0.0f;
  }

  float best = -100.0f;
  int best_len = 0;
  for (int i = 0; i < ncand; ++i) {
    const Cand& c = cands[i];
    if (title_after_surname[c.sl]) continue;
    const bool rest_empty = c.nl == static_cast<int>(k);
    float s = c.score;
    if (rest_empty) s += right;
    if (c.nl == 3 && c.sl == 1 && !c.title && !(rest_empty && title_follows)) {
      bool particle = c.particle && (!rest_empty || running_text);
      if (particle) s += c.particle_pen;
      if (c.verbal) s += w::kVerbalEnding;
      if (c.head_stop) s += (particle || c.deriv) ? w::kStopPrefix : w::kStopPrefixWeak;
    }
    if (s > best) {
      best = s;
      best_len = c.nl * 3;
    }
  }
  if (best_len == 0) return re;
  size_t end = rs + static_cast<size_t>(best_len);
  bool whole = end == re;
  float score = best + left + w::kBias;
  if (score + w::kLeftKeyword2 + w::kColumnHeader < kMinEmitLogit) return re;
  bool team = false;
  if (LeftKeyword(text, rs, &team)) {
    score += best_len == 6 ? w::kLeftKeyword2 : w::kLeftKeyword;
  } else if (team) {
    score += w::kLeftTeam;
  } else {
    score += ListContext(text, rs, whole ? end : re);
  }
  if (whole && score + w::kColumnHeader >= kMinEmitLogit) score += SiblingContext(text, rs, end);
  float conf = Logistic(score);
  if (conf < kMinEmit) return re;
  out.push_back({static_cast<uint32_t>(rs), static_cast<uint32_t>(end), EntityType::kPersonName, conf,
                 whole ? "name.korean" : "name.suffix", specificity::kName});
  return re;
}

// --- romanised names -------------------------------------------------------

// True if `s` (lower case) is one romanised Korean syllable.
bool RomanSyllable(std::string_view s) {
  static constexpr std::string_view kInitials[] = {"kk", "tt", "pp", "ss", "jj", "ch", "sh", "g", "k", "n", "d",
                                                   "t",  "r",  "l",  "m",  "b",  "p",  "s",  "j", "h", "w", ""};
  static constexpr std::string_view kVowels[] = {"yae", "yeo", "wae", "you", "yoo", "eui", "ae", "ya", "eo",
                                                 "ye",  "wa",  "oe",  "yo",  "wo",  "we",  "wi", "yu", "eu",
                                                 "ui",  "oo",  "ee",  "ou",  "a",   "e",   "o",  "u",  "i"};
  static constexpr std::string_view kFinals[] = {"ng", "k", "n", "l", "m", "p", "t", ""};
  for (std::string_view ini : kInitials) {
    if (s.substr(0, ini.size()) != ini) continue;
    std::string_view a = s.substr(ini.size());
    for (std::string_view v : kVowels) {
      if (a.substr(0, v.size()) != v) continue;
      std::string_view b = a.substr(v.size());
      for (std::string_view f : kFinals) {
        if (b == f) return true;
      }
    }
  }
  return false;
}

// Splits `s` into 1 or 2 romanised syllables; returns the count or 0.
int RomanSyllables(std::string_view s) {
  if (s.empty() || s.size() > 12) return 0;
  if (RomanSyllable(s)) return 1;
  for (size_t i = 1; i < s.size(); ++i) {
    if (RomanSyllable(s.substr(0, i)) && RomanSyllable(s.substr(i))) return 2;
  }
  return 0;
}

bool NameRecognizer::ValidRomanGiven(std::string_view tok, bool* hyphen, int* syllables) const {
  std::string low;
  for (char c : tok) low.push_back(Lower(c));
  if (roman_stop_.count(low) != 0) return false;
  size_t dash = low.find('-');
  if (dash != std::string::npos) {
    std::string_view a = std::string_view(low).substr(0, dash);
    std::string_view b = std::string_view(low).substr(dash + 1);
    if (!RomanSyllable(a) || !RomanSyllable(b) || a.empty() || b.empty()) return false;
    *hyphen = true;
    *syllables = 2;
    return true;
  }
  int n = RomanSyllables(low);
  if (n == 0) return false;
  *hyphen = false;
  *syllables = n;
  return true;
}

bool NameRecognizer::RomanKeywordBefore(std::string_view text, size_t start) const {
  size_t p = start;
  size_t limit = start > kMaxLookBack ? start - kMaxLookBack : 0;
  int skipped = 0;
  while (p > limit && skipped < 4) {
    char c = text[p - 1];
    if (c == ' ' || c == ':' || c == '=' || c == '"' || c == '\'' || c == '(' || c == ',') {
      --p;
      ++skipped;
      continue;
    }
    break;
  }
  if (p == start || p == 0) return false;
  // Korean keyword (영문명, 고객 …).
  if (SyllableAt(text, p - 3) >= 0) return LeftKeyword(text, start);
  size_t ws = p;
  while (ws > limit && (text::IsAsciiAlnum(text[ws - 1]) || text[ws - 1] == '_')) --ws;
  if (ws == p) return false;
  std::string word;
  for (size_t i = ws; i < p; ++i) word.push_back(Lower(text[i]));
  if (word.find("name") != std::string::npos) return true;
  size_t cut = word.find_last_of('_');
  if (cut != std::string::npos) word = word.substr(cut + 1);
  // "to" and "from" introduce a name only as a header ("Shipping to: …").
  if (word == "to" || word == "from") {
    return text.substr(p, start - p).find(':') != std::string_view::npos;
  }
  return roman_context_.count(word) != 0;
}

// Reads an ASCII name token at pos: letters with at most one inner hyphen.
// Returns its end, or pos if none.
size_t RomanToken(std::string_view text, size_t pos) {
  size_t p = pos;
  while (p < text.size() && text::IsAsciiAlpha(text[p])) ++p;
  if (p == pos) return pos;
  if (p + 1 < text.size() && text[p] == '-' && text::IsAsciiAlpha(text[p + 1])) {
    ++p;
    while (p < text.size() && text::IsAsciiAlpha(text[p])) ++p;
  }
  return p;
}

// Title case ("Kim", "Gil-dong", "Gil-Dong") → 1, upper case → 2, else 0.
int RomanCase(std::string_view tok) {
  if (tok.empty() || !IsUpper(tok[0])) return 0;
  bool all_upper = true, rest_lower = true;
  for (size_t i = 1; i < tok.size(); ++i) {
    char c = tok[i];
    if (c == '-') continue;
    if (!IsUpper(c)) all_upper = false;
    if (!IsLowerAscii(c) && !(i > 0 && tok[i - 1] == '-' && IsUpper(c))) rest_lower = false;
  }
  if (tok.size() > 1 && all_upper) return 2;
  if (rest_lower) return 1;
  return 0;
}

size_t NameRecognizer::ScanRoman(std::string_view text, size_t pos, std::vector<Finding>& out) const {
  size_t e1 = RomanToken(text, pos);
  if (e1 == pos) return pos + 1;
  // Token must not be glued to other word characters.
  if (e1 < text.size() && (text::IsAsciiDigit(text[e1]) || text[e1] == '_' || text[e1] == '@')) {
    return e1;
  }
  if (pos > 0) {
    char b = text[pos - 1];
    if (b == '.' || b == '@' || b == '/' || b == '_' || b == '-' || b == '#' || b == '$' || b == '&' || b == '%' ||
        text::IsAsciiDigit(b)) {
      return e1;
    }
  }
  if (e1 + 1 >= text.size() || text[e1] != ' ') return e1;
  size_t p2 = e1 + 1;
  size_t e2 = RomanToken(text, p2);
  if (e2 == p2) return e1;
  if (e2 < text.size()) {
    char c = text[e2];
    if (text::IsAsciiDigit(c) || c == '_' || c == '@' || c == '-' || c == '/' || c == '=' ||
        (c == '.' && e2 + 1 < text.size() && text::IsAsciiAlnum(text[e2 + 1]))) {
      return e1;
    }
  }
  std::string_view t1 = text.substr(pos, e1 - pos);
  std::string_view t2 = text.substr(p2, e2 - p2);
  int c1 = RomanCase(t1), c2 = RomanCase(t2);
  if (c1 == 0 || c2 == 0) return e1;
  auto lower = [](std::string_view t) {
    std::string s;
    for (char c : t) s.push_back(Lower(c));
    return s;
  };
  std::string l1 = lower(t1), l2 = lower(t2);
  bool hyphen = false;
  int syllables = 0;
  bool ok = false;
  std::string_view surname;
  // SURNAME GIVEN or GIVEN SURNAME.
  if (roman_surnames_.count(l1) != 0 && roman_stop_.count(l1) == 0 && ValidRomanGiven(t2, &hyphen, &syllables)) {
    ok = true;
    surname = l1;
  } else if (roman_surnames_.count(l2) != 0 && roman_stop_.count(l2) == 0 && ValidRomanGiven(t1, &hyphen, &syllables)) {
    ok = true;
    surname = l2;
  }
  if (!ok) return e1;
  float s = w::kRomanBias;
  if (hyphen) {
    s += w::kRomanHyphen;
  } else if (syllables == 2) {
    s += w::kRomanTwoSyllables;
  }
  static constexpr std::string_view kCommon[] = {"kim",   "lee",  "park", "choi", "jung", "jeong", "kang", "cho",
                                                 "yoon",  "jang", "lim",  "han",  "oh",   "seo",   "shin", "kwon",
                                                 "hwang", "ahn",  "song", "jeon", "hong", "yoo",   "ryu"};
  for (std::string_view c : kCommon) {
    if (surname == c) s += w::kRomanCommonSurname;
  }
  if (c1 == 2 && c2 == 2) s += w::kRomanAllCaps;
  if (RomanKeywordBefore(text, pos)) s += w::kRomanContext;
  // Part of a longer capitalised phrase ("Sunset Park Hotel").
  {
    size_t q = pos;
    if (q >= 2 && text[q - 1] == ' ' && text::IsAsciiAlpha(text[q - 2])) {
      size_t ws = q - 1;
      while (ws > 0 && q - ws < kMaxLookBack && text::IsAsciiAlpha(text[ws - 1])) --ws;
      std::string prev = lower(text.substr(ws, q - 1 - ws));
      if (IsUpper(text[ws]) && roman_context_.count(prev) == 0) s += w::kRomanCapitalNeighbour;
    }
    if (e2 + 2 < text.size() && text[e2] == ' ' && IsUpper(text[e2 + 1])) {
      s += w::kRomanCapitalNeighbour;
    }
  }
  float conf = Logistic(s);
  if (conf >= kMinEmit) {
    out.push_back({static_cast<uint32_t>(pos), static_cast<uint32_t>(e2), EntityType::kPersonName, conf,
                   "name.romanized", specificity::kName});
  }
  return conf >= 0.5f ? e2 : e1;
}

void NameRecognizer::Scan(const ScanView& view, std::vector<Finding>& out) const {
  std::string_view text = view.text();
  const auto* b = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  // Byte classes: 0 uninteresting, 1 ASCII upper-case letter, 2 Hangul lead byte.
  static constexpr auto kClass = [] {
    std::array<uint8_t, 256> t{};
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = 1;
    for (int c = 0xEA; c <= 0xED; ++c) t[c] = 2;
    return t;
  }();
  size_t i = 0;
  while (i < n) {
    // Skip ASCII without upper-case letters eight bytes at a time.
    while (i + 8 <= n) {
      uint64_t x;
      std::memcpy(&x, b + i, 8);
      constexpr uint64_t kHigh = 0x8080808080808080ull;
      if ((x & kHigh) != 0) break;
      uint64_t ge_a = x + 0x3F3F3F3F3F3F3F3Full;  // high bit set where byte >= 'A'
      uint64_t gt_z = x + 0x2525252525252525ull;  // high bit set where byte > 'Z'
      if ((ge_a & ~gt_z & kHigh) != 0) break;
      i += 8;
    }
    while (i < n && kClass[b[i]] == 0) ++i;
    if (i >= n) break;
    unsigned char c = b[i];
    if (c < 0x80) {
      if (i == 0 || !text::IsAsciiAlnum(text[i - 1])) {
        i = ScanRoman(text, i, out);
        continue;
      }
      ++i;
      continue;
    }
    {
      int s0 = SyllableAt(text, i);
      if (s0 < 0) {
        ++i;
        continue;
      }
      if ((syl_[s0] & kSurnameMask) == 0 && (aux_[s0] & kDoubleFirst) == 0) {
        // Not a surname: skip the rest of the word without decoding it.
        i += 3;
        while (i + 3 <= n && b[i] >= 0xEA && b[i] <= 0xED) i += 3;
        continue;
      }
      // Run end by lead byte; ScanHangulRun decodes and trims it exactly.
      size_t re = i + 3;
      while (re + 3 <= n && b[re] >= 0xEA && b[re] <= 0xED) re += 3;
      i = ScanHangulRun(text, i, re, out);
      continue;
    }
    ++i;
  }
}

}  // namespace

std::unique_ptr<Recognizer> NewNameRecognizer() { return std::make_unique<NameRecognizer>(); }

}  // namespace gwanmun::detect
