// Lexicons for PERSON_NAME detection (name.cc): surnames, given-name
// syllables, titles and honorifics, particles, context keywords, stop words
// and the romanisation inventory. Everything here is general knowledge of
// Korean names and grammar; nothing is derived from evaluation data.
//
// Hangul lists are stored as one string of space-separated entries so that
// they stay readable; name.cc splits them once at construction.

#ifndef GWANMUN_DETECT_NAME_DATA_H_
#define GWANMUN_DETECT_NAME_DATA_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gwanmun::detect::name_data {

// A read-only map from short words to small values, tuned for Hangul keys:
// a key made of Hangul syllables is reduced to an integer code (base-11173
// digits, exact up to four syllables, verified against the stored bytes
// beyond that) and looked up in a flat open-addressing table, so lookups
// never hash bytes or allocate. Other keys (ASCII titles such as "PM") go
// to a small fallback map. Keys are views and must outlive the map (they
// point into the static lexicon strings).
template <typename V>
class HangulMap {
 public:
  void Insert(std::string_view key, V value) {
    uint64_t code;
    if (!Code(key, &code)) {
      other_[std::string(key)] = value;
      return;
    }
    keys_.push_back({code, key, value});
    Rebuild();
  }

  const V* Find(std::string_view key) const {
    uint64_t code;
    if (!Code(key, &code)) {
      if (other_.empty()) return nullptr;
      auto it = other_.find(std::string(key));
      return it == other_.end() ? nullptr : &it->second;
    }
    if (slots_.empty()) return nullptr;
    for (size_t i = Hash(code);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key < 0) return nullptr;
      if (s.code != code) continue;
      const Entry& e = keys_[static_cast<size_t>(s.key)];
      if (key.size() <= 12 || e.bytes == key) return &e.value;
    }
  }

  size_t count(std::string_view key) const { return Find(key) != nullptr ? 1 : 0; }

  // Lookup by code (see CodeOf); beyond four syllables the code acts as a
  // 64-bit hash and is not verified against the bytes.
  const V* FindCode(uint64_t code) const {
    if (slots_.empty()) return nullptr;
    for (size_t i = Hash(code);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key < 0) return nullptr;
      if (s.code == code) return &keys_[static_cast<size_t>(s.key)].value;
    }
  }

  // Code of a run of Hangul syllables; false if `key` is anything else.
  static bool Code(std::string_view key, uint64_t* code) {
    if (key.empty() || key.size() % 3 != 0 || key.size() > 24) return false;
    uint64_t c = 0;
    for (size_t p = 0; p < key.size(); p += 3) {
      auto b0 = static_cast<unsigned char>(key[p]);
      auto b1 = static_cast<unsigned char>(key[p + 1]);
      auto b2 = static_cast<unsigned char>(key[p + 2]);
      if (b0 < 0xEA || b0 > 0xED || (b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80) return false;
      uint32_t cp = (static_cast<uint32_t>(b0 & 0x0F) << 12) | (static_cast<uint32_t>(b1 & 0x3F) << 6) | (b2 & 0x3F);
      if (cp < 0xAC00 || cp > 0xD7A3) return false;
      c = c * 11173 + (cp - 0xAC00 + 1);
    }
    *code = c;
    return true;
  }

 private:
  struct Entry {
    uint64_t code;
    std::string_view bytes;
    V value;
  };
  // An occupied slot caches its entry's code so that probing past other
  // keys never touches keys_.
  struct Slot {
    uint64_t code = 0;
    int32_t key = -1;
  };

  size_t Hash(uint64_t code) const { return static_cast<size_t>((code * 0x9E3779B97F4A7C15ull) >> 32) & mask_; }

  void Rebuild() {
    size_t cap = 16;
    while (cap < keys_.size() * 3) cap <<= 1;
    if (cap == slots_.size()) {
      Place(keys_.size() - 1);
      return;
    }
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    for (size_t k = 0; k < keys_.size(); ++k) Place(k);
  }

  void Place(size_t k) {
    // Later inserts of the same key override earlier ones.
    for (size_t i = Hash(keys_[k].code);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key < 0) {
        s.key = static_cast<int32_t>(k);
        s.code = keys_[k].code;
        return;
      }
      Entry& e = keys_[static_cast<size_t>(s.key)];
      if (e.code == keys_[k].code && e.bytes == keys_[k].bytes) {
        e.value = keys_[k].value;
        return;
      }
    }
  }

  std::vector<Entry> keys_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  std::unordered_map<std::string, V> other_;
};

// Single-syllable surnames by frequency band (2015 census): ranks ≈ 1–21,
// ≈ 22–60, and rarer surnames still worth recognising.
extern const std::string_view kSurnamesCommon;
extern const std::string_view kSurnamesMid;
extern const std::string_view kSurnamesRare;
// Two-syllable surnames (남궁, 황보, 제갈, …).
extern const std::string_view kSurnamesDouble;

// Given-name syllables: "A" lists are very common in given names, "B" lists
// occur but are less typical. Position 1 is the first syllable of a
// two-syllable given name; position 2 is its last syllable (also used for a
// one-syllable given name). Syllables in neither list are implausible.
extern const std::string_view kGivenFirstA;
extern const std::string_view kGivenFirstB;
extern const std::string_view kGivenLastA;
extern const std::string_view kGivenLastB;

// Common two-syllable given names across generations (1940s–2020s), from
// general knowledge of Korean naming; a known given name is strong evidence.
extern const std::string_view kCommonGivenNames;

// Titles, positions and honorifics that may follow a name, attached or after
// a space: strong ones (과장, 님, 드림 …) and weak ones (고객, 학생 …).
extern const std::string_view kTitlesStrong;
extern const std::string_view kTitlesWeak;

// Particles and copulas that may follow a name (or a title), each prefixed
// by its phonological condition: 'C' after a final consonant only, 'V' after
// a vowel only, 'N' either.
extern const std::string_view kParticles;

// Words that introduce a person's name (성명, 담당자, 예금주 …). Matched as
// the end of the preceding word, after stripping a particle.
extern const std::string_view kContextKeywords;
// Words that introduce a name only when followed by a colon ("작성: 김민수").
extern const std::string_view kColonKeywords;
// Words that, right after a candidate, show that it names a person
// (주민등록번호, 연락처, 명의 …).
extern const std::string_view kRightKeywords;

// Common words, places and organisations that look like "surname + given
// name" but are not names. Exact match on the candidate.
extern const std::string_view kStopWords;

// Romanised surnames (ASCII, lower case) and English words that must not be
// read as romanised names; words that introduce a romanised name.
extern const std::string_view kRomanSurnames;
extern const std::string_view kRomanStopWords;
extern const std::string_view kRomanContext;

}  // namespace gwanmun::detect::name_data

#endif  // GWANMUN_DETECT_NAME_DATA_H_
