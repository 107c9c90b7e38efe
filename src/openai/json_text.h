// Strings inside JSON documents, exactly: find every string value with its
// byte range, unescape it (\uXXXX including surrogate pairs), and write new
// string literals back while every other byte of the document is kept.
// This is what lets the guardrails scan what a caller really sent — Korean
// sent as "\ud64d\uae38\ub3d9" is scanned as 홍길동 — and rewrite only the
// strings that change.
//
//   ForEachJsonString(body, [&](const JsonPath& path, JsonRange r) { … });
//   std::string text;  UnescapeJsonString(body.substr(r.begin, r.size()), &text);
//   std::string lit;   AppendJsonString(new_text, &lit);
//   body = ApplyEdits(body, {{r.begin, r.end, lit}});

#ifndef GWANMUN_OPENAI_JSON_TEXT_H_
#define GWANMUN_OPENAI_JSON_TEXT_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gwanmun::openai {

// Byte range [begin, end) of a string literal, quotes included.
struct JsonRange {
  size_t begin = 0;
  size_t end = 0;
  bool key = false;  // a member name (only with visit_keys)
  size_t size() const { return end - begin; }
};

// One step from the root to a value: an object member (its unescaped name)
// or an array element (index >= 0, key empty).
struct JsonPathElem {
  std::string key;
  long index = -1;
};
using JsonPath = std::vector<JsonPathElem>;

// Calls `visit` for every string value, in document order; with
// `visit_keys` also for every member name (range.key set; the path then ends
// with that member). Fails for malformed JSON (anything RFC 8259 refuses,
// including trailing bytes after the value) or nesting deeper than
// `max_depth`; `visit` may have been called for earlier strings by then.
Status ForEachJsonString(std::string_view doc, const std::function<void(const JsonPath&, JsonRange)>& visit,
                         int max_depth = 256, bool visit_keys = false);

// Unescapes a string literal (quotes included). Surrogate pairs become one
// code point; a lone surrogate becomes U+FFFD. Bytes that are not escaped
// are copied as they are (invalid UTF-8 stays invalid). False if `literal`
// is not a well-formed literal.
bool UnescapeJsonString(std::string_view literal, std::string* out);

// Appends `text` as a JSON string literal with quotes: '"', '\\' and control
// characters escaped, everything else kept as UTF-8. Invalid UTF-8 bytes
// become U+FFFD, so the output is always valid JSON.
void AppendJsonString(std::string_view text, std::string* out);
// (AppendJsonEscaped in openai/errors.h writes the inside without quotes.)

struct JsonEdit {
  size_t begin = 0;
  size_t end = 0;
  std::string replacement;
};
// `doc` with each [begin, end) replaced. Edits must not overlap; any order.
std::string ApplyEdits(std::string_view doc, std::vector<JsonEdit> edits);

}  // namespace gwanmun::openai

#endif  // GWANMUN_OPENAI_JSON_TEXT_H_
