// STUB: replaced by the real recognizer.
#include "detect/registry.h"

namespace gwanmun::detect {
namespace {
class IpRecognizer final : public Recognizer {
 public:
  std::string_view name() const override { return "ip"; }
  void Register(LexiconBuilder&) override {}
  void Scan(const ScanView&, std::vector<Finding>&) const override {}
  size_t Horizon() const override { return 0; }
};
}  // namespace

std::unique_ptr<Recognizer> NewIpRecognizer() { return std::make_unique<IpRecognizer>(); }

}  // namespace gwanmun::detect
