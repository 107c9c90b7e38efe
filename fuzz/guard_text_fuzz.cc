// libFuzzer target over the guardrails' text handling: caller-text
// extraction from any request body, rewriting every extracted string, and
// placeholder restoration in streams split at fuzzer-chosen points.
// Invariants, not just crashes:
//  * rewriting every leaf string yields a document from which exactly the
//    new strings are extracted again (nothing else moves);
//  * a stream restored piece by piece equals the whole text restored at once.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openai/text_fields.h"
#include "policy/vault.h"

namespace {

using gwanmun::openai::Endpoint;

void CheckRewrite(std::string_view body, Endpoint endpoint) {
  auto texts = gwanmun::openai::ExtractRequestTexts(endpoint, body);
  if (!texts.ok()) return;
  const auto& fields = texts.value().fields;
  std::vector<std::optional<std::string>> repl(fields.size());
  std::vector<std::string> want;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].container) continue;
    repl[i] = "[[X_" + std::to_string(i) + "]]\"\\\n" + fields[i].text;
  }
  std::string out = gwanmun::openai::RewriteRequestTexts(body, texts.value(), repl);
  auto again = gwanmun::openai::ExtractRequestTexts(endpoint, out);
  if (!again.ok()) std::abort();
  std::vector<std::string> got;
  for (const auto& f : again.value().fields) {
    if (!f.container) got.push_back(f.text);
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (repl[i]) want.push_back(*repl[i]);
  }
  // Invalid UTF-8 inside a rewritten string becomes U+FFFD, so compare only
  // when the originals were valid UTF-8 … which ForEachJsonString does not
  // check: compare the counts always, the texts when no U+FFFD appeared.
  if (got.size() != want.size()) std::abort();
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != want[i] && got[i].find("\xEF\xBF\xBD") == std::string::npos) std::abort();
  }
}

void CheckRestore(std::string_view data) {
  if (data.size() < 2) return;
  gwanmun::policy::Vault vault;
  vault.Reserve("[[KR_PHONE_1]]");
  vault.Pseudonymize("KR_PHONE", "010-0000-0000");
  vault.Pseudonymize("PERSON_NAME", "\"이름\"");
  vault.Pseudonymize("KR_PHONE", "010-1111-1111");
  auto escape = (data[0] & 1) ? gwanmun::policy::Vault::Escape::kJsonString : gwanmun::policy::Vault::Escape::kNone;
  unsigned step = 1 + static_cast<unsigned char>(data[1]) % 7;
  std::string_view text = data.substr(2);
  gwanmun::policy::StreamRestorer r(vault, escape);
  std::string streamed;
  for (size_t i = 0; i < text.size(); i += step) streamed += r.Feed(text.substr(i, step));
  streamed += r.Finish();
  if (streamed != vault.RestoreAll(text, escape)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in.empty()) return 0;
  Endpoint e = static_cast<Endpoint>(static_cast<uint8_t>(in[0]) % 4);
  CheckRewrite(in.substr(1), e);
  CheckRestore(in);
  return 0;
}
