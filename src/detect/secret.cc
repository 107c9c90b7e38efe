// STUB: replaced by the real recognizer.
#include "detect/registry.h"

namespace gwanmun::detect {
namespace {
class SecretRecognizer final : public Recognizer {
 public:
  std::string_view name() const override { return "secret"; }
  void Register(LexiconBuilder&) override {}
  void Scan(const ScanView&, std::vector<Finding>&) const override {}
  size_t Horizon() const override { return 0; }
};
}  // namespace

std::unique_ptr<Recognizer> NewSecretRecognizer() { return std::make_unique<SecretRecognizer>(); }

}  // namespace gwanmun::detect
