#include "policy/vault.h"

#include <algorithm>

#include "openai/errors.h"

namespace gwanmun::policy {
namespace {

bool IsTypeChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

// Scans `s` for tokens shaped like "[[X]]" with X in [A-Z0-9_]+, calling f.
template <typename F>
void ForEachBracketToken(std::string_view s, F f) {
  size_t pos = 0;
  while ((pos = s.find("[[", pos)) != std::string_view::npos) {
    size_t q = pos + 2;
    while (q < s.size() && IsTypeChar(s[q])) ++q;
    if (q > pos + 2 && q + 1 < s.size() && s[q] == ']' && s[q + 1] == ']') {
      f(s.substr(pos, q + 2 - pos));
      pos = q + 2;
    } else {
      pos += 1;
    }
  }
}

void AppendEscaped(std::string_view v, Vault::Escape escape, std::string* out) {
  if (escape == Vault::Escape::kNone) {
    out->append(v);
  } else {
    openai::AppendJsonEscaped(v, out);
  }
}

}  // namespace

void Vault::Reserve(std::string_view caller_text) {
  ForEachBracketToken(caller_text, [&](std::string_view tok) { reserved_.emplace(tok); });
}

std::string Vault::Mask(std::string_view type_name) { return "[[" + std::string(type_name) + "]]"; }

std::string Vault::Pseudonymize(std::string_view type_name, std::string_view value) {
  auto key = std::make_pair(std::string(type_name), std::string(value));
  if (auto it = by_value_.find(key); it != by_value_.end()) return it->second;
  int& n = next_index_[key.first];
  std::string ph;
  do {
    ++n;
    ph = "[[" + key.first + "_" + std::to_string(n) + "]]";
  } while (reserved_.count(ph) > 0 || by_placeholder_.count(ph) > 0);
  by_placeholder_.emplace(ph, key.second);
  by_value_.emplace(std::move(key), ph);
  max_len_ = std::max(max_len_, ph.size());
  return ph;
}

const std::string* Vault::Lookup(std::string_view placeholder) const {
  auto it = by_placeholder_.find(placeholder);
  return it == by_placeholder_.end() ? nullptr : &it->second;
}

std::string Vault::RestoreAll(std::string_view text, Escape escape) const {
  if (by_placeholder_.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("[[", pos);
    if (open == std::string_view::npos) break;
    size_t q = open + 2;
    while (q < text.size() && IsTypeChar(text[q])) ++q;
    if (q + 1 < text.size() && text[q] == ']' && text[q + 1] == ']') {
      if (const std::string* v = Lookup(text.substr(open, q + 2 - open))) {
        out.append(text.substr(pos, open - pos));
        AppendEscaped(*v, escape, &out);
        pos = q + 2;
        continue;
      }
    }
    out.append(text.substr(pos, open + 1 - pos));
    pos = open + 1;
  }
  out.append(text.substr(pos));
  return out;
}

std::string StreamRestorer::Feed(std::string_view piece) {
  pending_.append(piece);
  if (vault_.empty()) {
    std::string out;
    out.swap(pending_);
    return out;
  }
  // Hold back from the earliest position p such that pending_[p:] could
  // still grow into an issued placeholder: it starts with '[' and is a
  // proper prefix of the placeholder shape "[[" [A-Z0-9_]* "]"?.
  size_t max_len = vault_.max_placeholder_len();
  size_t from = pending_.size() > max_len ? pending_.size() - max_len : 0;
  size_t hold = pending_.size();
  for (size_t p = from; p < pending_.size(); ++p) {
    if (pending_[p] != '[') continue;
    std::string_view tail = std::string_view(pending_).substr(p);
    bool could = true;
    if (tail.size() >= 2 && tail[1] != '[') could = false;
    size_t q = 2;
    while (could && q < tail.size() && IsTypeChar(tail[q])) ++q;
    if (could && q < tail.size()) {
      // After the name only "]" (and then the end) may follow.
      if (!(tail[q] == ']' && q + 1 == tail.size())) could = false;
    }
    if (could) {
      hold = p;
      break;
    }
  }
  std::string released = vault_.RestoreAll(std::string_view(pending_).substr(0, hold), escape_);
  pending_.erase(0, hold);
  return released;
}

std::string StreamRestorer::Finish() {
  std::string out = vault_.RestoreAll(pending_, escape_);
  pending_.clear();
  return out;
}

}  // namespace gwanmun::policy
