// Placeholders for one request, and their restoration in the answer —
// including answers that arrive as a stream cut at arbitrary points.
//
// Syntax. A pseudonymized value becomes "[[TYPE_N]]" (e.g. "[[KR_PHONE_1]]",
// "[[PERSON_NAME_2]]"); a masked value becomes "[[TYPE]]" and is never
// restored. Models reproduce such bracketed upper-case tokens verbatim far
// more reliably than random strings, and the double brackets keep them apart
// from Markdown links and ordinary prose.
//
// Guarantees:
//  * The same (type, value) gets the same placeholder everywhere in one
//    request; different values get different placeholders.
//  * A placeholder never equals text the caller wrote: Reserve() is given all
//    caller text first, and any number already written there is skipped.
//  * Only placeholders this vault issued are restored. If a model alters one
//    (drops a bracket, changes the case, translates the type), it is left as
//    the model wrote it: no guessing, so no wrong value is ever inserted.

#ifndef GWANMUN_POLICY_VAULT_H_
#define GWANMUN_POLICY_VAULT_H_

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gwanmun::policy {

class Vault {
 public:
  // Records caller text so that issued placeholders never collide with it.
  // Call for every caller-controlled string before issuing placeholders.
  void Reserve(std::string_view caller_text);

  // Reversible placeholder for `value` of type `type_name` (e.g. "KR_PHONE").
  std::string Pseudonymize(std::string_view type_name, std::string_view value);

  // Irreversible typed placeholder: "[[TYPE]]".
  static std::string Mask(std::string_view type_name);

  // How a restored value is written: as it is, or escaped as the inside of a
  // JSON string (for text that is itself JSON, e.g. tool-call arguments).
  enum class Escape { kNone, kJsonString };

  // Replaces every issued placeholder in `text` by its value.
  std::string RestoreAll(std::string_view text, Escape escape = Escape::kNone) const;

  // Every (type, value) pseudonymized so far, in no particular order.
  const std::map<std::pair<std::string, std::string>, std::string>& values() const { return by_value_; }

  bool empty() const { return by_placeholder_.empty(); }
  size_t size() const { return by_placeholder_.size(); }
  // Longest issued placeholder, in bytes.
  size_t max_placeholder_len() const { return max_len_; }

  // Value for an exact placeholder, or nullptr.
  const std::string* Lookup(std::string_view placeholder) const;

 private:
  std::map<std::string, std::string, std::less<>> by_placeholder_;       // placeholder → value
  std::map<std::pair<std::string, std::string>, std::string> by_value_;  // (type, value) → ph
  std::unordered_map<std::string, int> next_index_;                      // type → next N
  std::set<std::string, std::less<>> reserved_;                          // "[[X_N]]" strings seen in caller text
  size_t max_len_ = 0;
};

// Restores placeholders in a text that arrives in pieces. Feed() returns the
// text that can be released now: everything except the shortest tail that
// could still be the beginning of an issued placeholder. Concatenating all
// Feed() outputs and Finish() equals vault.RestoreAll(concatenated input),
// for any split of the input (including splits inside UTF-8 characters).
class StreamRestorer {
 public:
  explicit StreamRestorer(const Vault& vault, Vault::Escape escape = Vault::Escape::kNone)
      : vault_(vault), escape_(escape) {}

  std::string Feed(std::string_view piece);
  std::string Finish();

  // Bytes currently held back.
  size_t held() const { return pending_.size(); }

 private:
  const Vault& vault_;
  Vault::Escape escape_;
  std::string pending_;
};

}  // namespace gwanmun::policy

#endif  // GWANMUN_POLICY_VAULT_H_
