#include "detect/registry.h"

#include "detect/scanner.h"

namespace gwanmun::detect {

std::vector<std::unique_ptr<Recognizer>> BuiltinRecognizers(const ScannerOptions& options) {
  std::vector<std::unique_ptr<Recognizer>> r;
  r.push_back(NewResidentNumberRecognizer());
  r.push_back(NewBusinessNumberRecognizer());
  r.push_back(NewPhoneRecognizer());
  r.push_back(NewCardRecognizer());
  r.push_back(NewBankAccountRecognizer());
  r.push_back(NewPassportRecognizer());
  r.push_back(NewDriverLicenseRecognizer());
  r.push_back(NewEmailRecognizer());
  r.push_back(NewIpRecognizer());
  r.push_back(NewSecretRecognizer());
  r.push_back(NewNameRecognizer());
  r.push_back(NewAddressRecognizer());
  r.push_back(NewDictionaryRecognizer(options));
  return r;
}

}  // namespace gwanmun::detect
