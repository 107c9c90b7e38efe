// KR_BRN (사업자등록번호) and KR_CRN (법인등록번호).
//
// BRN: NNN-NN-NNNNN (separator '-', ' ' or '.', all the same) passing the
// BRN check digit (weights 1,3,7,1,3,7,1,3,5 plus floor(5·d8/10)) and the
// structural rules (office ≥ 101, type ≠ 00, serial ≠ 0000) → kChecksum 0.9
// (0.97 with 사업자/BRN context). Ten digits without separators need BRN
// context (0.85; 0.3 without). When a bank name or account keyword on the
// same line is nearer than any BRN keyword, the value is more likely a 10-digit account written
// 3-2-5 (SC제일) and the confidence drops to 0.4; a reference-number label
// (관리번호, 주문번호, …) right before it drops it to 0.3.
//
// CRN: NNNNNN-NNNNNNN or 13 digits passing the CRN check digit (weights
// 1,2,1,2,…). With CRN context (법인등록번호, CRN, …) nearer than any RRN/ARN
// context → 0.95. Without any context, a 6-7 grouped value whose registry
// office (11xx–28xx) and corporation type code are plausible → 0.55;
// otherwise 0.3 (numbers that are also valid RRNs are left to rrn.cc).

#include "detect/digits.h"
#include "detect/registry.h"
#include "detect/validators.h"

namespace gwanmun::detect {
namespace {

// Digit-run lengths that can start a candidate.
constexpr uint64_t kBusinessLengths = num::RunLengths({3, 6, 10, 13});

constexpr size_t kBefore = 120;
constexpr size_t kAfter = 40;

// Corporation type code (digits 5–6 of a CRN): 11–15 상법상 회사, 21–22 민법상
// 법인, 31–53 특별법상 법인, 71 기타, 81–86 외국회사.
bool CrnTypePlausible(int bb) {
  return (bb >= 11 && bb <= 15) || bb == 21 || bb == 22 || (bb >= 31 && bb <= 53) || bb == 71 || (bb >= 81 && bb <= 86);
}

class BusinessNumberRecognizer final : public Recognizer {
 public:
  BusinessNumberRecognizer() : today_(validate::TodayUtc()) {}

  std::string_view name() const override { return "business"; }

  void Register(LexiconBuilder& lexicon) override {
    ctx_brn_ = lexicon.Category("ctx.brn");
    num::AddKeywords(
        lexicon, ctx_brn_,
        {"사업자", "BRN", "business registration", "business reg", "business no", "business number", "biz no", "biz_no",
         "bizno", "biz reg", "tax id", "vat no", "company registration", "company reg"});
    ctx_crn_ = lexicon.Category("ctx.crn");
    num::AddKeywords(lexicon, ctx_crn_,
                     {"법인등록", "법인번호", "법인 등록번호", "법인 번호", "등기번호", "CRN", "corporate registration",
                      "corporation registration", "corporate reg", "corporate no", "corporate number", "corp reg",
                      "corp. reg", "corp no"});
    // Registered by rrn.cc and bank.cc.
    ctx_rrn_ = lexicon.Category("ctx.rrn");
    ctx_arn_ = lexicon.Category("ctx.arn");
    ctx_bank_ = lexicon.Category("ctx.bank");
    ctx_refno_ = lexicon.Category("ctx.refno");
  }

  void Scan(const ScanView& view, std::vector<Finding>& out) const override {
    std::string_view t = view.text();
    num::Groups g;
    num::ForEachDigitRun(t, kBusinessLengths, [&](size_t p, size_t e) {
      size_t len = e - p;
      if (!num::LeftBoundaryOk(t, p)) return;
      num::ParseGroups(t, p, g);
      char d[13];
      if (len == 3) {
        if (g.n >= 3 && g.Len(1) == 2 && g.Len(2) == 5 && g.Uniform(0, 3) && num::EndsAfter(t, g, 3)) {
          num::CollectGroupDigits(t, g, 0, 3, d, 10);
          Brn(view, std::string_view(d, 10), p, g.e[2], /*grouped=*/true, out);
        }
      } else if (len == 10) {
        if (num::EndsAfter(t, g, 1)) {
          num::CollectGroupDigits(t, g, 0, 1, d, 10);
          Brn(view, std::string_view(d, 10), p, e, /*grouped=*/false, out);
        }
      } else if (len == 13) {
        if (num::EndsAfter(t, g, 1)) {
          num::CollectGroupDigits(t, g, 0, 1, d, 13);
          Crn(view, std::string_view(d, 13), p, e, /*grouped=*/false, out);
        }
      } else if (g.n >= 2 && g.Len(1) == 7 && num::EndsAfter(t, g, 2)) {
        num::CollectGroupDigits(t, g, 0, 2, d, 13);
        Crn(view, std::string_view(d, 13), p, g.e[1], /*grouped=*/true, out);
      }
    });
  }

  size_t Horizon() const override { return 200; }

 private:
  void Brn(const ScanView& view, std::string_view d, size_t start, size_t end, bool grouped,
           std::vector<Finding>& out) const {
    if (!validate::BrnStructureValid(d) || !validate::BrnChecksum(d)) return;
    int brn_gap = num::ContextGap(view, ctx_brn_, start, end, kBefore, kAfter);
    int bank_gap = num::ContextGap(view, ctx_bank_, start, end, 48, 24, /*max_lines_before=*/0);
    int ref_gap = num::ContextGap(view, ctx_refno_, start, end, 40, 0);
    float conf;
    if (bank_gap >= 0 && (brn_gap < 0 || bank_gap < brn_gap)) {
      conf = 0.4f;
    } else if (ref_gap >= 0 && (brn_gap < 0 || ref_gap < brn_gap)) {
      conf = 0.3f;
    } else if (grouped) {
      conf = brn_gap >= 0 ? 0.97f : 0.9f;
    } else {
      conf = brn_gap >= 0 ? 0.85f : 0.3f;
    }
    out.push_back(Finding{static_cast<uint32_t>(start), static_cast<uint32_t>(end), EntityType::kBrn, conf,
                          grouped ? "brn.checksum" : "brn.context", specificity::kChecksum});
  }

  void Crn(const ScanView& view, std::string_view d, size_t start, size_t end, bool grouped,
           std::vector<Finding>& out) const {
    if (!validate::CrnChecksum(d)) return;
    int crn_gap = num::ContextGap(view, ctx_crn_, start, end, kBefore, kAfter);
    int id_gap = num::MinGap(num::ContextGap(view, ctx_rrn_, start, end, kBefore, kAfter),
                             num::ContextGap(view, ctx_arn_, start, end, kBefore, kAfter));
    float conf = 0.3f;
    const char* rule = "crn.checksum";
    if (crn_gap >= 0 && (id_gap < 0 || crn_gap < id_gap)) {
      conf = 0.95f;
      rule = "crn.context";
    } else if (crn_gap < 0 && id_gap < 0 && grouped && !num::HasContext(view, ctx_refno_, start, end, 40, 0)) {
      bool id_like = validate::RrnDateValid(d, today_) &&
                     (d[6] >= '5' && d[6] <= '8' ? validate::ArnAnyChecksum(d) : validate::RrnChecksum(d));
      int office = (d[0] - '0') * 10 + (d[1] - '0');
      int bb = (d[4] - '0') * 10 + (d[5] - '0');
      if (!id_like && office >= 11 && office <= 28 && CrnTypePlausible(bb)) conf = 0.55f;
    }
    out.push_back(Finding{static_cast<uint32_t>(start), static_cast<uint32_t>(end), EntityType::kCrn, conf, rule,
                          specificity::kChecksum});
  }

  validate::YmdInt today_;
  uint16_t ctx_brn_ = 0;
  uint16_t ctx_crn_ = 0;
  uint16_t ctx_rrn_ = 0;
  uint16_t ctx_arn_ = 0;
  uint16_t ctx_bank_ = 0;
  uint16_t ctx_refno_ = 0;
};

}  // namespace

std::unique_ptr<Recognizer> NewBusinessNumberRecognizer() { return std::make_unique<BusinessNumberRecognizer>(); }

}  // namespace gwanmun::detect
