// Lexicon: every literal the recognizers care about (context keywords, bank
// names, secret prefixes, custom dictionary terms, classification markings),
// compiled once into a single Hyperscan literal database and matched in one
// pass over the normalised text.

#ifndef GWANMUN_DETECT_LEXICON_H_
#define GWANMUN_DETECT_LEXICON_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detect/status.h"

struct hs_database;
struct hs_scratch;

namespace gwanmun::detect {

// A lexicon match in the normalised text: [start, end) and the category and
// entry the literal was registered with.
struct Hit {
  uint32_t start;
  uint32_t end;
  uint16_t category;
  uint32_t entry;  // index returned by LexiconBuilder::Add
};

// Collects literals before compilation. Categories are small integers
// interned from names ("ctx.rrn", "bank", "secret.prefix", …) so that
// recognizers in different files can share a category by name.
class LexiconBuilder {
 public:
  // Returns the id of the category `name`, creating it on first use.
  uint16_t Category(std::string_view name);

  // Registers a literal (UTF-8 bytes, non-empty). `caseless` folds ASCII case.
  // Returns the entry id reported in Hit::entry.
  uint32_t Add(std::string_view literal, uint16_t category, bool caseless = false);

  size_t size() const { return literals_.size(); }

 private:
  friend class Lexicon;
  struct Literal {
    std::string bytes;
    uint16_t category;
    bool caseless;
  };
  std::vector<std::string> categories_;
  std::vector<Literal> literals_;
};

// Per-thread scratch for Lexicon::Match. Not thread-safe; one per thread.
class LexiconScratch {
 public:
  LexiconScratch() = default;
  ~LexiconScratch();
  LexiconScratch(const LexiconScratch&) = delete;
  LexiconScratch& operator=(const LexiconScratch&) = delete;

 private:
  friend class Lexicon;
  hs_scratch* scratch_ = nullptr;
  // Id of the Lexicon scratch_ was last sized for. hs_alloc_scratch validates
  // the whole database (a CRC over its bytecode), so it runs only when this
  // changes, not on every Match. Ids are never reused.
  uint64_t sized_for_ = 0;
};

// Immutable after Compile; Match may be called from many threads, each with
// its own LexiconScratch.
class Lexicon {
 public:
  static Result<std::unique_ptr<Lexicon>> Compile(const LexiconBuilder& builder);
  ~Lexicon();
  Lexicon(const Lexicon&) = delete;
  Lexicon& operator=(const Lexicon&) = delete;

  // Appends every occurrence of every literal in `text` to `hits`, sorted by
  // (start, end). Overlapping occurrences are all reported.
  Status Match(std::string_view text, LexiconScratch& scratch, std::vector<Hit>& hits) const;

  // Length in bytes of entry `entry` and its category.
  uint16_t CategoryOf(uint32_t entry) const { return entries_[entry].category; }
  std::string_view CategoryName(uint16_t category) const { return categories_[category]; }
  // Id of a category name, or -1 if no literal was registered under it.
  int FindCategory(std::string_view name) const;
  uint16_t num_categories() const { return static_cast<uint16_t>(categories_.size()); }
  std::string_view Literal(uint32_t entry) const { return entries_[entry].bytes; }

 private:
  Lexicon() = default;
  struct Entry {
    std::string bytes;
    uint16_t category;
  };
  hs_database* db_ = nullptr;
  size_t max_literal_len_ = 0;
  uint64_t id_ = 0;  // unique per compiled Lexicon in this process
  std::vector<Entry> entries_;
  std::vector<std::string> categories_;
};

}  // namespace gwanmun::detect

#endif  // GWANMUN_DETECT_LEXICON_H_
