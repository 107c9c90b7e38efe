// STUB: replaced by the real recognizer.
#include "detect/registry.h"
#include "detect/scanner.h"

namespace gwanmun::detect {
namespace {
class DictionaryRecognizer final : public Recognizer {
 public:
  std::string_view name() const override { return "dictionary"; }
  void Register(LexiconBuilder&) override {}
  void Scan(const ScanView&, std::vector<Finding>&) const override {}
  size_t Horizon() const override { return 0; }
};
}  // namespace

std::unique_ptr<Recognizer> NewDictionaryRecognizer(const ScannerOptions&) {
  return std::make_unique<DictionaryRecognizer>();
}

}  // namespace gwanmun::detect
