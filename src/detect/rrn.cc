// STUB: replaced by the real recognizer.
#include "detect/registry.h"

namespace gwanmun::detect {
namespace {
class ResidentNumberRecognizer final : public Recognizer {
 public:
  std::string_view name() const override { return "rrn"; }
  void Register(LexiconBuilder&) override {}
  void Scan(const ScanView&, std::vector<Finding>&) const override {}
  size_t Horizon() const override { return 0; }
};
}  // namespace

std::unique_ptr<Recognizer> NewResidentNumberRecognizer() { return std::make_unique<ResidentNumberRecognizer>(); }

}  // namespace gwanmun::detect
