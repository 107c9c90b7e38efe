// KR_RRN (주민등록번호) and KR_ARN (외국인등록번호 / 국내거소신고번호).
//
// Shape: YYMMDD-GNNNNNN, 13 digits written 6-7 with '-', ' ' or '.', or as
// one run of 13 digits, bounded by non-token characters on both sides (a
// 14-digit run is not an RRN). G in 1–4 → RRN, 5–8 → ARN. YYMMDD must be a
// real date in G's century and not in the future.
//
// Confidence:
//  * check digit passes (RRN: (11 − r) mod 10; ARN: (13 − r) or (11 − r))
//    → kChecksum, 0.85 (0.98 with ID context nearby);
//  * check digit fails but ID context (주민번호, 생년월일, 신분증, RRN, …;
//    for ARN also 외국인, 거소, …) is nearby → kWeakChecksum, 0.8 for numbers
//    of the post-2020-10-05 random scheme, 0.6 otherwise (changed numbers);
//  * check digit fails, no context → 0.3 (only with --min-confidence).
//  A number that also passes the CRN check while CRN context (법인등록번호) is
//  nearer than any ID context is left to the business recognizer, and a
//  number labelled as a reference number (접수번호, 주문번호, order, …) with
//  no nearer ID context is not an RRN (0.3 in both cases).

#include "detect/digits.h"
#include "detect/registry.h"
#include "detect/validators.h"

namespace gwanmun::detect {
namespace {

// Digit-run lengths that can start a candidate.
constexpr uint64_t kRrnLengths = num::RunLengths({6, 13});

constexpr size_t kBefore = 120;  // context window before the value
constexpr size_t kAfter = 40;    // context window after the value

class ResidentNumberRecognizer final : public Recognizer {
 public:
  ResidentNumberRecognizer() : today_(validate::TodayUtc()) {}

  std::string_view name() const override { return "rrn"; }

  void Register(LexiconBuilder& lexicon) override {
    ctx_rrn_ = lexicon.Category("ctx.rrn");
    num::AddKeywords(lexicon, ctx_rrn_,
                     {"주민", "생년월일", "신분증", "본인확인", "본인 확인", "본인인증", "실명확인", "실명인증", "RRN",
                      "resident registration", "resident number", "resident no", "resident id", "jumin", "SSN",
                      "social security", "national id"});
    ctx_arn_ = lexicon.Category("ctx.arn");
    num::AddKeywords(lexicon, ctx_arn_,
                     {"외국인", "거소", "체류", "ARN", "FRN", "alien registration", "alien reg", "foreigner",
                      "foreign resident", "residence card", "registration card"});
    // Registered by business.cc and bank.cc; used here to step aside for
    // corporate numbers, account numbers and reference numbers.
    ctx_crn_ = lexicon.Category("ctx.crn");
    ctx_bank_ = lexicon.Category("ctx.bank");
    ctx_refno_ = lexicon.Category("ctx.refno");
  }

  void Scan(const ScanView& view, std::vector<Finding>& out) const override {
    std::string_view t = view.text();
    num::Groups g;
    num::ForEachDigitRun(t, kRrnLengths, [&](size_t p, size_t e) {
      if (!num::LeftBoundaryOk(t, p)) return;
      num::ParseGroups(t, p, g);
      char d[13];
      if (e - p == 13) {
        if (!num::EndsAfter(t, g, 1)) return;
        num::CollectGroupDigits(t, g, 0, 1, d, 13);
        Evaluate(view, std::string_view(d, 13), p, e, /*grouped=*/false, out);
      } else if (g.n >= 2 && g.Len(1) == 7 && num::EndsAfter(t, g, 2)) {
        num::CollectGroupDigits(t, g, 0, 2, d, 13);
        Evaluate(view, std::string_view(d, 13), p, g.e[1], /*grouped=*/true, out);
      }
    });
  }

  size_t Horizon() const override { return 200; }

 private:
  void Evaluate(const ScanView& view, std::string_view d, size_t start, size_t end, bool grouped,
                std::vector<Finding>& out) const {
    char gch = d[6];
    bool arn = gch >= '5' && gch <= '8';
    if (!arn && (gch < '1' || gch > '4')) return;
    if (!validate::RrnDateValid(d, today_)) return;
    bool check = arn ? validate::ArnAnyChecksum(d) : validate::RrnChecksum(d);
    int id_gap = num::ContextGap(view, ctx_rrn_, start, end, kBefore, kAfter);
    if (arn) id_gap = num::MinGap(id_gap, num::ContextGap(view, ctx_arn_, start, end, kBefore, kAfter));
    int crn_gap = num::ContextGap(view, ctx_crn_, start, end, kBefore, kAfter);
    bool crn_nearer = crn_gap >= 0 && (id_gap < 0 || crn_gap < id_gap);
    bool crn_wins = crn_nearer && validate::CrnChecksum(d);
    // "접수번호 230117-5636299": a reference-number label right before the
    // value, and no ID keyword nearer, makes it a reference number.
    int ref_gap = num::ContextGap(view, ctx_refno_, start, end, 40, 0);
    bool ref_wins = ref_gap >= 0 && (id_gap < 0 || ref_gap < id_gap);

    Finding f{
        static_cast<uint32_t>(start), static_cast<uint32_t>(end), arn ? EntityType::kArn : EntityType::kRrn, 0.3f, "",
        specificity::kChecksum};
    if (check) {
      f.rule = arn ? "arn.checksum" : "rrn.checksum";
      if (crn_wins || ref_wins) {
        f.confidence = 0.3f;
      } else if (id_gap >= 0) {
        f.confidence = 0.98f;
      } else if (!grouped && num::HasContext(view, ctx_bank_, start, end, /*before=*/40,
                                             /*after=*/16, /*max_lines_before=*/0)) {
        // An unseparated 13-digit run right after a bank name is more likely
        // an account number.
        f.confidence = 0.45f;
      } else {
        f.confidence = 0.85f;
      }
    } else {
      f.specificity = specificity::kWeakChecksum;
      if (id_gap >= 0 && !crn_wins && !ref_wins) {
        f.rule = arn ? "arn.context" : "rrn.context";
        f.confidence = validate::RrnRandomScheme(d) ? 0.8f : 0.6f;
      } else {
        f.rule = arn ? "arn.date" : "rrn.date";
        f.confidence = 0.3f;
      }
    }
    out.push_back(f);
  }

  validate::YmdInt today_;
  uint16_t ctx_rrn_ = 0;
  uint16_t ctx_arn_ = 0;
  uint16_t ctx_crn_ = 0;
  uint16_t ctx_bank_ = 0;
  uint16_t ctx_refno_ = 0;
};

}  // namespace

std::unique_ptr<Recognizer> NewResidentNumberRecognizer() { return std::make_unique<ResidentNumberRecognizer>(); }

}  // namespace gwanmun::detect
