// CREDIT_CARD: payment card numbers.
//
// Accepted: 16 digits written 4-4-4-4 (separator '-', ' ' or '.', all the
// same) or as one run; 15 digits written 4-6-5 or as one run (Amex 34/37).
// The number must pass Luhn and start with a plausible issuer prefix (see
// validate::CardPrefixValid; Korean domestic 9-series cards included), and
// must stand alone: "T2024062316351949" (a transaction id) or a 17-digit run
// is not a card. Masked numbers (1234-56**-****-7890) have no digit groups
// where the stars are and never match. kChecksum; 0.95 grouped, 0.9 plain;
// a plain run right after a reference-number label (주문번호, order no, …)
// drops to 0.3.

#include "detect/digits.h"
#include "detect/registry.h"
#include "detect/validators.h"

namespace gwanmun::detect {
namespace {

// Digit-run lengths that can start a candidate.
constexpr uint64_t kCardLengths = num::RunLengths({4, 15, 16});

class CardRecognizer final : public Recognizer {
 public:
  std::string_view name() const override { return "card"; }

  void Register(LexiconBuilder& lexicon) override {
    ctx_refno_ = lexicon.Category("ctx.refno");  // registered by bank.cc
  }

  void Scan(const ScanView& view, std::vector<Finding>& out) const override {
    std::string_view t = view.text();
    num::Groups g;
    num::ForEachDigitRun(t, kCardLengths, [&](size_t p, size_t e) {
      size_t len = e - p;
      if (len != 4 && len != 15 && len != 16) return;
      if (!num::LeftBoundaryOk(t, p)) return;
      num::ParseGroups(t, p, g);
      int k = 0;
      if (len == 16 || len == 15) {
        if (num::EndsAfter(t, g, 1)) k = 1;
      } else if (g.n >= 4 && g.Len(1) == 4 && g.Len(2) == 4 && g.Len(3) == 4 && g.Uniform(0, 4) &&
                 num::EndsAfter(t, g, 4)) {
        k = 4;
      } else if (g.n >= 3 && g.Len(1) == 6 && g.Len(2) == 5 && g.Uniform(0, 3) && num::EndsAfter(t, g, 3)) {
        k = 3;
      }
      if (k == 0) return;
      char d[16];
      size_t n = num::CollectGroupDigits(t, g, 0, k, d, 16);
      std::string_view digits(d, n);
      if (!validate::CardPrefixValid(digits) || !validate::Luhn(digits)) return;
      uint32_t end = g.e[k - 1];
      float conf = k == 1 ? 0.9f : 0.95f;
      // "주문번호 5123456789012346": a bare run labelled as a reference number.
      if (k == 1 && num::HasContext(view, ctx_refno_, p, end, 24, 0, /*max_lines_before=*/0)) {
        conf = 0.3f;
      }
      out.push_back(
          Finding{static_cast<uint32_t>(p), end, EntityType::kCreditCard, conf, "card.luhn", specificity::kChecksum});
    });
  }

  size_t Horizon() const override { return 128; }

 private:
  uint16_t ctx_refno_ = 0;
};

}  // namespace

std::unique_ptr<Recognizer> NewCardRecognizer() { return std::make_unique<CardRecognizer>(); }

}  // namespace gwanmun::detect
