// KR_PHONE: Korean phone numbers of people and offices.
//
// Accepted (after normalisation; separators '-', '.' or ' ', all the same
// within the national part):
//  * PREFIX SEP MID SEP LAST with PREFIX one of 010, 011/016–019, 02,
//    031–033, 041–044, 051–055, 061–064, 070, 0502–0508; MID 3–4 digits not
//    starting with 0 (070 and 010 take 4; old 010 numbers 3); LAST 4 digits;
//  * the same digits without separators (9–12 digits);
//  * international forms: +82 or 0082, then '-', ' ', '.' or nothing, an
//    optional "(0)", and the national number without (or, sloppily, with)
//    its trunk 0: "+82-10-1234-5678", "+82 10 1234 5678", "+82 2 312 4567",
//    "+821012345678";
//  * an area code in parentheses: "(02) 312-4567", "(031)123-4567".
// Rejected: representative numbers (15xx/16xx/18xx-xxxx have no trunk 0),
// 080 toll-free, 060 premium, 030, masked values (010-****-5678 has no digit
// group in the middle), anything glued to other letters/digits or continued
// by another '-'/'.' group.
//
// All findings are kStructured; confidence 0.9 for grouped and international
// numbers, 0.85 for an unseparated mobile number, 0.75 for other unseparated
// numbers.

#include "detect/digits.h"
#include "detect/registry.h"
#include "detect/validators.h"

namespace gwanmun::detect {
namespace {

// Digit-run lengths that can start a candidate.
constexpr uint64_t kPhoneLengths = num::RunLengthRange(2, 4) | num::RunLengthRange(9, 15);

using validate::PhoneKind;

bool IsSep(char c) { return c == '-' || c == '.' || c == ' '; }

const char* RuleFor(PhoneKind k, bool intl) {
  if (intl) return "phone.intl";
  switch (k) {
    case PhoneKind::kMobile:
    case PhoneKind::kLegacyMobile:
      return "phone.mobile";
    case PhoneKind::kVoip:
      return "phone.voip";
    case PhoneKind::kSafe:
      return "phone.safe";
    default:
      return "phone.landline";
  }
}

// Result of matching a national number against groups of `g`.
struct Match {
  int groups = 0;  // groups consumed; 0 = no match
  PhoneKind kind = PhoneKind::kNone;
};

// Matches the national number formed by groups [0, k) of `g` for k = 3
// (PREFIX MID LAST) or k = 1 (no separators). `trunk_missing` prepends the
// trunk '0' (international form). `max_groups` limits k (used after "(02)").
Match MatchNational(std::string_view t, const num::Groups& g, bool trunk_missing) {
  char nat[16];
  size_t off = 0;
  if (trunk_missing) nat[off++] = '0';
  // PREFIX MID LAST
  if (g.n >= 3 && g.Uniform(0, 3) && g.Len(2) == 4 && (g.Len(1) == 3 || g.Len(1) == 4) && g.Len(0) + off <= 4) {
    size_t k = off + num::CollectGroupDigits(t, g, 0, 1, nat + off, 4);
    std::string_view prefix(nat, k);
    validate::PhonePrefix pp = validate::ClassifyPhonePrefix(prefix);
    if (pp.kind != PhoneKind::kNone && pp.len == k) {
      size_t m = num::CollectGroupDigits(t, g, 1, 3, nat + k, 8);
      if (validate::PhoneSubscriberValid(pp.kind, std::string_view(nat + k, m)) && num::EndsAfter(t, g, 3)) {
        return {3, pp.kind};
      }
    }
  }
  // No separators.
  if (g.Len(0) + off >= 9 && g.Len(0) + off <= 12 && num::EndsAfter(t, g, 1)) {
    size_t k = off + num::CollectGroupDigits(t, g, 0, 1, nat + off, 12);
    std::string_view national(nat, k);
    if (validate::PhoneNationalValid(national)) {
      return {1, validate::ClassifyPhonePrefix(national).kind};
    }
  }
  return {};
}

class PhoneRecognizer final : public Recognizer {
 public:
  std::string_view name() const override { return "phone"; }

  void Register(LexiconBuilder& lexicon) override {
    ctx_refno_ = lexicon.Category("ctx.refno");  // registered by bank.cc
  }

  void Scan(const ScanView& view, std::vector<Finding>& out) const override {
    std::string_view t = view.text();
    num::Groups g;
    num::ForEachDigitRun(t, kPhoneLengths, [&](size_t p, size_t e) {
      if (t[p] != '0' && t[p] != '8') return;
      if (p > 0 && t[p - 1] == '+') {
        if (e - p >= 2 && t[p] == '8' && t[p + 1] == '2' && num::LeftBoundaryOk(t, p - 1)) {
          International(t, p - 1, p + 2, e, g, out);
        }
        return;
      }
      if (!num::LeftBoundaryOk(t, p) && !(p > 0 && t[p - 1] == '(')) return;
      if (t[p] != '0') return;
      if (e - p >= 4 && t[p + 1] == '0' && t[p + 2] == '8' && t[p + 3] == '2') {
        International(t, p, p + 4, e, g, out);
        return;
      }
      if (e < t.size() && t[e] == ')' && e - p <= 4 && validate::IsPhonePrefix(t.substr(p, e - p))) {
        Parenthesised(t, p, e, g, out);
        return;
      }
      if (!num::LeftBoundaryOk(t, p)) return;
      num::ParseGroups(t, p, g);
      Match m = MatchNational(t, g, /*trunk_missing=*/false);
      if (m.groups == 0) return;
      uint32_t end = g.e[m.groups - 1];
      float conf = m.groups == 3 ? 0.9f : (m.kind == PhoneKind::kMobile ? 0.85f : 0.75f);
      // "회원번호 0312345678": an unseparated run labelled as a reference number.
      if (m.groups == 1 && num::HasContext(view, ctx_refno_, p, end, 24, 0, 0)) conf = 0.3f;
      out.push_back(Finding{static_cast<uint32_t>(p), end, EntityType::kPhone, conf, RuleFor(m.kind, false),
                            specificity::kStructured});
    });
  }

  size_t Horizon() const override { return 128; }

 private:
  // "+82…" or "0082…": `start` is the '+' (or the first 0), `cc_end` the end
  // of "82", `run_end` the end of the digit run containing it.
  static void International(std::string_view t, size_t start, size_t cc_end, size_t run_end, num::Groups& g,
                            std::vector<Finding>& out) {
    size_t r = cc_end;
    if (cc_end == run_end) {
      // +82 SEP? "(0)"? SEP? national
      if (r < t.size() && IsSep(t[r])) ++r;
      if (t.substr(r, 3) == "(0)") {
        r += 3;
        if (r < t.size() && IsSep(t[r])) ++r;
      }
      if (r >= t.size() || !text::IsAsciiDigit(t[r])) return;
    }
    num::ParseGroups(t, r, g);
    Match m = MatchNational(t, g, /*trunk_missing=*/t[r] != '0');
    if (m.groups == 0) return;
    uint32_t end = g.e[m.groups - 1];
    out.push_back(Finding{static_cast<uint32_t>(start), end, EntityType::kPhone, 0.9f, RuleFor(m.kind, true),
                          specificity::kStructured});
  }

  // "(02) 312-4567", "(031)123-4567", "02)312-4567": `p`..`e` is the area
  // code, t[e] == ')'.
  static void Parenthesised(std::string_view t, size_t p, size_t e, num::Groups& g, std::vector<Finding>& out) {
    bool open = p > 0 && t[p - 1] == '(';
    size_t start = open ? p - 1 : p;
    if (!num::LeftBoundaryOk(t, start)) return;
    size_t r = e + 1;
    if (r < t.size() && t[r] == ' ') ++r;
    if (r >= t.size() || !text::IsAsciiDigit(t[r])) return;
    num::ParseGroups(t, r, g);
    char nat[16];
    size_t k = num::CollectDigits(t, p, e, nat, 4);
    validate::PhonePrefix pp = validate::ClassifyPhonePrefix(std::string_view(nat, k));
    int used = 0;
    if (g.n >= 2 && g.Uniform(0, 2) && g.sep[0] != '.' && (g.Len(0) == 3 || g.Len(0) == 4) && g.Len(1) == 4 &&
        num::EndsAfter(t, g, 2)) {
      used = 2;
    } else if ((g.Len(0) == 7 || g.Len(0) == 8) && num::EndsAfter(t, g, 1)) {
      used = 1;
    }
    if (used == 0) return;
    size_t m = num::CollectGroupDigits(t, g, 0, used, nat + k, 8);
    if (!validate::PhoneSubscriberValid(pp.kind, std::string_view(nat + k, m))) return;
    uint32_t end = g.e[used - 1];
    out.push_back(Finding{static_cast<uint32_t>(start), end, EntityType::kPhone, 0.85f, RuleFor(pp.kind, false),
                          specificity::kStructured});
  }

  uint16_t ctx_refno_ = 0;
};

}  // namespace

std::unique_ptr<Recognizer> NewPhoneRecognizer() { return std::make_unique<PhoneRecognizer>(); }

}  // namespace gwanmun::detect
