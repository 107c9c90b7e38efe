// KR_DRIVER_LICENSE: 운전면허번호.
//
// Shapes (separators '-', ' ' or '.', all the same):
//  * RR-YY-NNNNNN-NN with region code RR in 11–26 or 28 → kContextual,
//    0.9 with licence context (운전면허, 면허번호, driver's license, …) within
//    96 bytes before / 32 after, 0.6 without context when written with '-'
//    (the 2-2-6-2 hyphen pattern is distinctive), 0.35 otherwise;
//  * older cards: a Hangul region name, an optional space and YY-NNNNNN-NN
//    ("서울 17-123456-01"); the region name is part of the span → 0.92 with
//    context, 0.7 without;
//  * 12 digits without separators and a valid region code → 0.75 with
//    context on the same line, 0.2 without.
// The algorithm behind the check digit is not public, so none is applied.

#include "detect/digits.h"
#include "detect/registry.h"
#include "detect/validators.h"

namespace gwanmun::detect {
namespace {

// Digit-run lengths that can start a candidate.
constexpr uint64_t kLicenseLengths = num::RunLengths({2, 12});

constexpr size_t kBefore = 96;
constexpr size_t kAfter = 32;

int TwoDigits(std::string_view t, size_t p) { return (t[p] - '0') * 10 + (t[p + 1] - '0'); }

class DriverLicenseRecognizer final : public Recognizer {
 public:
  std::string_view name() const override { return "license"; }

  void Register(LexiconBuilder& lexicon) override {
    ctx_ = lexicon.Category("ctx.license");
    num::AddKeywords(lexicon, ctx_,
                     {"운전면허", "운전 면허", "면허번호", "면허증", "면허 번호", "driver's licen", "driver licen",
                      "drivers licen", "driving licen", "license no", "licence no", "license number", "licence number",
                      "license_no", "licence_no", "licenseNo", "DL No"});
  }

  void Scan(const ScanView& view, std::vector<Finding>& out) const override {
    std::string_view t = view.text();
    num::Groups g;
    num::ForEachDigitRun(t, kLicenseLengths, [&](size_t p, size_t e) {
      size_t len = e - p;
      if (len != 2 && len != 12) return;
      if (!num::LeftBoundaryOk(t, p)) return;
      num::ParseGroups(t, p, g);
      if (len == 12) {
        if (!num::EndsAfter(t, g, 1) || !validate::LicenseRegionValid(TwoDigits(t, p))) return;
        bool ctx = num::HasContext(view, ctx_, p, e, kBefore, kAfter, /*max_lines_before=*/0);
        Emit(p, e, ctx ? 0.75f : 0.2f, "license.digits", out);
        return;
      }
      // RR-YY-NNNNNN-NN
      if (g.n >= 4 && g.Len(1) == 2 && g.Len(2) == 6 && g.Len(3) == 2 && g.Uniform(0, 4) && num::EndsAfter(t, g, 4)) {
        if (!validate::LicenseRegionValid(TwoDigits(t, p))) return;
        uint32_t end = g.e[3];
        bool ctx = num::HasContext(view, ctx_, p, end, kBefore, kAfter);
        float conf = ctx ? 0.9f : (g.sep[0] == '-' ? 0.6f : 0.35f);
        Emit(p, end, conf, "license.code", out);
        return;
      }
      // Region name + YY-NNNNNN-NN
      if (g.n >= 3 && g.Len(1) == 6 && g.Len(2) == 2 && g.Uniform(0, 3) && num::EndsAfter(t, g, 3)) {
        size_t q = p;
        if (q > 0 && t[q - 1] == ' ') --q;
        size_t name_len = 0;
        for (size_t n : {size_t{12}, size_t{6}}) {
          if (q >= n && validate::LicenseRegionNameLength(t.substr(q - n, n)) == n) {
            name_len = n;
            break;
          }
        }
        if (name_len == 0) return;
        size_t name_start = q - name_len;
        uint32_t end = g.e[2];
        bool ctx = num::HasContext(view, ctx_, name_start, end, kBefore, kAfter);
        Emit(name_start, end, ctx ? 0.92f : 0.7f, "license.region", out);
        return;
      }
    });
  }

  size_t Horizon() const override { return 200; }

 private:
  static void Emit(size_t start, size_t end, float conf, const char* rule, std::vector<Finding>& out) {
    out.push_back(Finding{static_cast<uint32_t>(start), static_cast<uint32_t>(end), EntityType::kDriverLicense, conf,
                          rule, specificity::kContextual});
  }

  uint16_t ctx_ = 0;
};

}  // namespace

std::unique_ptr<Recognizer> NewDriverLicenseRecognizer() { return std::make_unique<DriverLicenseRecognizer>(); }

}  // namespace gwanmun::detect
