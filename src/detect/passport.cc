// STUB: replaced by the real recognizer.
#include "detect/registry.h"

namespace gwanmun::detect {
namespace {
class PassportRecognizer final : public Recognizer {
 public:
  std::string_view name() const override { return "passport"; }
  void Register(LexiconBuilder&) override {}
  void Scan(const ScanView&, std::vector<Finding>&) const override {}
  size_t Horizon() const override { return 0; }
};
}  // namespace

std::unique_ptr<Recognizer> NewPassportRecognizer() { return std::make_unique<PassportRecognizer>(); }

}  // namespace gwanmun::detect
