// gwanmun's detection engine: compile once, scan many times.
//
//   auto scanner = Scanner::Compile(options);        // Result<unique_ptr<Scanner>>
//   ScanScratch scratch;                              // one per thread
//   std::vector<Span> spans;
//   Status st = scanner.value()->Scan(text, scratch, &spans);
//
// Scan() is thread-safe on a shared Scanner as long as each thread passes its
// own ScanScratch. Spans are sorted by start, never overlap, and carry UTF-8
// byte offsets into `text`. Overlaps between candidate findings are resolved
// deterministically: higher specificity first, then the longer span, then the
// higher confidence, then the earlier start, then the lower type id.
//
// Any byte string is accepted: invalid UTF-8, NUL bytes and empty input are
// scanned without error and offsets stay exact.

#ifndef GWANMUN_DETECT_SCANNER_H_
#define GWANMUN_DETECT_SCANNER_H_

#include <bitset>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detect/lexicon.h"
#include "detect/normalize.h"
#include "detect/recognizer.h"
#include "detect/status.h"
#include "detect/types.h"

namespace gwanmun::detect {

// An organisation's own terms, matched as literals (ASCII case-insensitive).
struct Dictionary {
  std::string name;  // reported type name, e.g. "PROJECT_CODENAME"
  std::vector<std::string> terms;
};

// Parses a dictionary file: one term per line; blank lines and lines starting
// with '#' are ignored; an optional first line "@type NAME" sets the name
// (default: the file's base name upper-cased, non-alphanumerics as '_').
Result<Dictionary> LoadDictionaryFile(const std::string& path);

struct ScannerOptions {
  // Types to report; all on by default.
  std::bitset<kNumEntityTypes> types = std::bitset<kNumEntityTypes>().set();
  // Findings below this confidence are dropped before overlap resolution.
  float min_confidence = 0.5f;
  // Report classification markings (대외비, 사내한정, 극비, Confidential, …).
  bool markings = true;
  std::vector<Dictionary> dictionaries;
};

// Per-thread reusable buffers. Not thread-safe.
class ScanScratch {
 public:
  ScanScratch() = default;

 private:
  friend class Scanner;
  LexiconScratch lexicon;
  NormalizedText normalized;
  std::vector<Hit> hits;
  std::vector<Finding> findings;
  std::vector<uint32_t> order;     // candidate indices in priority order
  std::vector<uint32_t> accepted;  // accepted candidate indices
  std::vector<uint8_t> occupied;   // per normalised byte: taken by an accepted span (kept zeroed)
};

class Scanner {
 public:
  static Result<std::unique_ptr<Scanner>> Compile(const ScannerOptions& options);
  // Compiles with all built-in recognizers plus `extra` ones (used by tests).
  static Result<std::unique_ptr<Scanner>> Compile(const ScannerOptions& options,
                                                  std::vector<std::unique_ptr<Recognizer>> extra);

  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;
  ~Scanner();

  // Scans `text` and stores the resolved spans (original byte offsets) in
  // *out. Fails only if the matcher cannot run (e.g. out of memory); callers
  // that guard data must then fail closed.
  Status Scan(std::string_view text, ScanScratch& scratch, std::vector<Span>* out) const;

  // Type name of a span: EntityTypeName, or a dictionary's own name.
  std::string_view TypeName(const Span& span) const;

  // Bytes of context a streaming scan must keep on each side of a finding
  // for its result to equal a whole-text scan (see StreamScanner).
  size_t Horizon() const { return horizon_; }

  const ScannerOptions& options() const { return options_; }

 private:
  Scanner() = default;
  ScannerOptions options_;
  std::vector<std::unique_ptr<Recognizer>> recognizers_;
  std::unique_ptr<Lexicon> lexicon_;
  size_t horizon_ = 0;
};

// Scans text that arrives in chunks and reports exactly the spans a
// whole-text Scan of the concatenation would, in order, each once. Memory is
// bounded by a few times Scanner::Horizon() plus the largest chunk.
class StreamScanner {
 public:
  explicit StreamScanner(const Scanner& scanner);

  // Appends a chunk; returns the spans that became final (absolute offsets
  // from the start of the stream), sorted by start.
  std::vector<Span> Feed(std::string_view chunk);

  // Ends the stream and returns the remaining spans.
  std::vector<Span> Finish();

  // Absolute offset before which every span has been reported.
  uint64_t settled() const { return settled_; }

 private:
  std::vector<Span> Process(bool final);
  const Scanner& scanner_;
  ScanScratch scratch_;
  std::string buf_;
  uint64_t base_ = 0;     // absolute offset of buf_[0]
  uint64_t settled_ = 0;  // spans starting before this were reported
  size_t unscanned_ = 0;  // bytes appended since the last Process
  size_t margin_;
};

}  // namespace gwanmun::detect

#endif  // GWANMUN_DETECT_SCANNER_H_
