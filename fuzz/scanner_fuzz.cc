// libFuzzer target for the detection engine: any byte string must scan
// without crashing, spans must be in bounds, sorted and disjoint, and a
// chunked streaming scan must report exactly the whole-text spans.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "detect/scanner.h"

using gwanmun::detect::Scanner;
using gwanmun::detect::ScanScratch;
using gwanmun::detect::Span;
using gwanmun::detect::StreamScanner;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto scanner = Scanner::Compile({});
  if (!scanner.ok()) std::abort();
  static ScanScratch scratch;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<Span> spans;
  if (!scanner.value()->Scan(text, scratch, &spans).ok()) std::abort();
  uint64_t prev_end = 0;
  for (const Span& s : spans) {
    if (s.start >= s.end || s.end > size || s.start < prev_end) std::abort();
    prev_end = s.end;
  }
  // Streaming in chunks whose sizes derive from the input.
  StreamScanner stream(*scanner.value());
  std::vector<Span> got;
  size_t pos = 0, step = size > 0 ? 1 + data[0] % 17 : 1;
  while (pos < size) {
    size_t len = std::min(step, size - pos);
    auto v = stream.Feed(text.substr(pos, len));
    got.insert(got.end(), v.begin(), v.end());
    pos += len;
    step = 1 + (step * 7 + 3) % 29;
  }
  auto rest = stream.Finish();
  got.insert(got.end(), rest.begin(), rest.end());
  if (got.size() != spans.size()) std::abort();
  for (size_t i = 0; i < got.size(); ++i) {
    if (!(got[i] == spans[i])) std::abort();
  }
  return 0;
}
