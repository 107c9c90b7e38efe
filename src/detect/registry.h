// The table of built-in recognizers. To add an identifier family: write
// NewXRecognizer() in its own file, declare it here, and add one line to
// BuiltinRecognizers() in registry.cc.

#ifndef GWANMUN_DETECT_REGISTRY_H_
#define GWANMUN_DETECT_REGISTRY_H_

#include <memory>
#include <vector>

#include "detect/recognizer.h"

namespace gwanmun::detect {

struct ScannerOptions;

std::unique_ptr<Recognizer> NewResidentNumberRecognizer();  // rrn.cc: KR_RRN, KR_ARN
std::unique_ptr<Recognizer> NewBusinessNumberRecognizer();  // business.cc: KR_BRN, KR_CRN
std::unique_ptr<Recognizer> NewPhoneRecognizer();           // phone.cc: KR_PHONE
std::unique_ptr<Recognizer> NewCardRecognizer();            // card.cc: CREDIT_CARD
std::unique_ptr<Recognizer> NewBankAccountRecognizer();     // bank.cc: KR_BANK_ACCOUNT
std::unique_ptr<Recognizer> NewPassportRecognizer();        // passport.cc: KR_PASSPORT
std::unique_ptr<Recognizer> NewDriverLicenseRecognizer();   // license.cc: KR_DRIVER_LICENSE
std::unique_ptr<Recognizer> NewEmailRecognizer();           // email.cc: EMAIL
std::unique_ptr<Recognizer> NewIpRecognizer();              // ip.cc: IP_ADDRESS
std::unique_ptr<Recognizer> NewSecretRecognizer();          // secret.cc: SECRET
std::unique_ptr<Recognizer> NewNameRecognizer();            // name.cc: PERSON_NAME
std::unique_ptr<Recognizer> NewAddressRecognizer();         // address.cc: KR_ADDRESS
// dictionary.cc: custom dictionaries (kCustom) and classification markings.
std::unique_ptr<Recognizer> NewDictionaryRecognizer(const ScannerOptions& options);

std::vector<std::unique_ptr<Recognizer>> BuiltinRecognizers(const ScannerOptions& options);

}  // namespace gwanmun::detect

#endif  // GWANMUN_DETECT_REGISTRY_H_
