// KR_PASSPORT: Korean passport numbers, only where the text says so.
//
// Shapes: a type letter M/S/R/G/O/D followed by 8 digits (e-passports to
// 2021), or letter + 3 digits + letter + 4 digits (since Dec 2021), standing
// alone (no ASCII letter/digit on either side). There is no check digit, and
// the same shapes serve as coupon, invoice and member codes, so a passport
// keyword (여권, passport) must lie within 96 bytes before or 32 after the
// value and no reference-number keyword (쿠폰, 주문, invoice, member, …) may
// be nearer → kContextual 0.9. Without context the candidate is reported at
// 0.3 only (visible with --min-confidence).

#include "detect/digits.h"
#include "detect/registry.h"

namespace gwanmun::detect {
namespace {

// Digit-run lengths that can start a candidate.
constexpr uint64_t kPassportLengths = num::RunLengths({3, 8});

bool IsTypeLetter(char c) {
  switch (c | 0x20) {
    case 'm':
    case 's':
    case 'r':
    case 'g':
    case 'o':
    case 'd':
      return true;
    default:
      return false;
  }
}

class PassportRecognizer final : public Recognizer {
 public:
  std::string_view name() const override { return "passport"; }

  void Register(LexiconBuilder& lexicon) override {
    ctx_ = lexicon.Category("ctx.passport");
    num::AddKeywords(lexicon, ctx_, {"여권", "passport", "旅券", "パスポート", "PP No"});
    ctx_refno_ = lexicon.Category("ctx.refno");  // registered by bank.cc
  }

  void Scan(const ScanView& view, std::vector<Finding>& out) const override {
    std::string_view t = view.text();
    num::ForEachDigitRun(t, kPassportLengths, [&](size_t p, size_t e) {
      if (p == 0 || !IsTypeLetter(t[p - 1]) || !num::LeftBoundaryOk(t, p - 1)) return;
      size_t start = p - 1;
      size_t end = 0;
      const char* rule = nullptr;
      if (e - p == 8) {
        end = e;
        rule = "passport.old";
      } else if (e - p == 3 && e + 5 <= t.size() && text::IsAsciiAlpha(t[e]) && num::DigitRunEnd(t, e + 1) == e + 5) {
        end = e + 5;
        rule = "passport.new";
      } else {
        return;
      }
      if (!num::RightBoundaryOk(t, end)) return;
      // Upper-case is the norm; a lower-case letter needs the letter case of
      // both letters to agree.
      bool upper = t[start] >= 'A' && t[start] <= 'Z';
      if (end == e + 5 && upper != (t[e] >= 'A' && t[e] <= 'Z')) return;
      int gap = num::ContextGap(view, ctx_, start, end, 96, 32);
      int ref = num::ContextGap(view, ctx_refno_, start, end, 96, 32);
      float conf = 0.3f;
      if (gap >= 0 && (ref < 0 || gap <= ref)) conf = upper ? 0.9f : 0.75f;
      out.push_back(Finding{static_cast<uint32_t>(start), static_cast<uint32_t>(end), EntityType::kPassport, conf, rule,
                            specificity::kContextual});
    });
  }

  size_t Horizon() const override { return 200; }

 private:
  uint16_t ctx_ = 0;
  uint16_t ctx_refno_ = 0;
};

}  // namespace

std::unique_ptr<Recognizer> NewPassportRecognizer() { return std::make_unique<PassportRecognizer>(); }

}  // namespace gwanmun::detect
