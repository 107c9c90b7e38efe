// The recognizer contract. Each identifier family lives in its own file
// (rrn.cc, phone.cc, name.cc, …) and is registered in registry.cc; adding a
// type is one new file plus one line there.
//
// A recognizer is immutable after construction and Register(); Scan() is
// called concurrently from many threads and must not mutate the recognizer.
//
// Recognizers see the *normalised* text (see normalize.h) and report
// findings in normalised byte offsets; the Scanner maps them back.
//
// Locality contract (needed for exact streaming): a finding over [s, e) may
// depend only on the text in [s - Horizon(), e + Horizon()), and e - s must
// not exceed Horizon().

#ifndef GWANMUN_DETECT_RECOGNIZER_H_
#define GWANMUN_DETECT_RECOGNIZER_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "detect/lexicon.h"
#include "detect/types.h"

namespace gwanmun::detect {

// A finding in normalised offsets, before overlap resolution.
struct Finding {
  uint32_t start;
  uint32_t end;
  EntityType type;
  float confidence;
  const char* rule;  // static string, e.g. "phone.mobile"
  int16_t specificity;
  uint16_t dict = 0;
};

// What a recognizer sees during one scan.
class ScanView {
 public:
  ScanView(std::string_view text, std::span<const Hit> hits) : text_(text), hits_(hits) {}

  // Normalised text.
  std::string_view text() const { return text_; }

  // All lexicon hits, sorted by (start, end).
  std::span<const Hit> hits() const { return hits_; }

  // True if a hit of `category` lies (entirely) within [from, to).
  bool HasHitIn(uint16_t category, size_t from, size_t to) const;

  // True if a hit of `category` lies within `before` bytes before `start` or
  // within `after` bytes after `end` (or overlaps [start, end)).
  bool HasHitNear(uint16_t category, size_t start, size_t end, size_t before, size_t after) const;

  // The hits whose start is in [from, to), in order.
  std::span<const Hit> HitsStartingIn(size_t from, size_t to) const;

 private:
  std::string_view text_;
  std::span<const Hit> hits_;
};

struct ScannerOptions;

class Recognizer {
 public:
  virtual ~Recognizer() = default;

  // Short stable name, e.g. "phone".
  virtual std::string_view name() const = 0;

  // Registers the literals the recognizer wants matched (context keywords,
  // prefixes, …). Called once, before any Scan. Store the category ids.
  virtual void Register(LexiconBuilder& lexicon) = 0;

  // Appends findings for `view` to `out`. Must be thread-safe (const).
  virtual void Scan(const ScanView& view, std::vector<Finding>& out) const = 0;

  // Upper bound, in bytes, on a finding's length and on how far around it
  // the recognizer looks. See the locality contract above.
  virtual size_t Horizon() const = 0;
};

}  // namespace gwanmun::detect

#endif  // GWANMUN_DETECT_RECOGNIZER_H_
