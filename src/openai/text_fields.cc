#include "openai/text_fields.h"

#include <algorithm>
#include <array>
#include <map>

namespace gwanmun::openai {
namespace {

constexpr std::array<std::string_view, 23> kStructuralKeys = {"model",
                                                              "role",
                                                              "type",
                                                              "id",
                                                              "tool_call_id",
                                                              "call_id",
                                                              "previous_response_id",
                                                              "object",
                                                              "encoding_format",
                                                              "service_tier",
                                                              "reasoning_effort",
                                                              "effort",
                                                              "detail",
                                                              "format",
                                                              "voice",
                                                              "status",
                                                              "truncation",
                                                              "tool_choice",
                                                              "file_id",
                                                              "url",
                                                              "image_url",
                                                              "file_url",
                                                              "mime_type"};

bool IsStructural(const JsonPath& path, std::string_view raw_literal) {
  if (path.empty()) return false;
  const std::string& key = path.back().key;
  if (path.back().index < 0) {
    for (std::string_view k : kStructuralKeys) {
      if (key == k) return true;
    }
    if (key == "data" || key == "file_data") return true;  // base64 media
    if (key == "name") {
      // A chat message's participant name is caller text; function and tool
      // names are identifiers the model must see unchanged.
      return !(path.size() == 3 && path[0].key == "messages" && path[1].index >= 0);
    }
  }
  // Data URLs (inline images, files) are payloads, not prose.
  return raw_literal.substr(0, 6) == "\"data:";
}

// Member names are caller text too (metadata keys, tool schema property
// names), except the plain lower-case identifiers every API field uses.
bool IsPlainIdentifier(std::string_view lit) {
  for (size_t i = 1; i + 1 < lit.size(); ++i) {
    char c = lit[i];
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  }
  return true;
}

bool IsArgumentsKey(const JsonPath& path) {
  return !path.empty() && path.back().index < 0 && path.back().key == "arguments";
}

// True if `input` (embeddings) contains numbers outside strings: token ids.
bool HasTokenInput(std::string_view body) {
  auto r = FindTopLevelValue(body, "input");
  if (!r) return false;
  std::string_view v = body.substr(r->first, r->second - r->first);
  bool in_string = false;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if ((c >= '0' && c <= '9') || c == '-') {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<RequestTexts> ExtractRequestTexts(Endpoint endpoint, std::string_view body) {
  RequestTexts out;
  std::string err;
  Status st = ForEachJsonString(
      body,
      [&](const JsonPath& path, JsonRange r) {
        std::string_view lit = body.substr(r.begin, r.size());
        if (r.key ? IsPlainIdentifier(lit) : IsStructural(path, lit)) return;
        TextField f;
        f.range = r;
        if (!UnescapeJsonString(lit, &f.text)) {
          err = "malformed string";
          return;
        }
        const int self = static_cast<int>(out.fields.size());
        const bool arguments = !r.key && IsArgumentsKey(path);
        out.fields.push_back(std::move(f));
        if (!arguments) return;
        // Tool-call arguments: JSON inside a string. Scan its strings one by one.
        std::vector<TextField> inner;
        const std::string& doc = out.fields[self].text;
        bool ok_inner = true;
        Status ist = ForEachJsonString(
            doc,
            [&](const JsonPath&, JsonRange ir) {
              if (ir.key && IsPlainIdentifier(std::string_view(doc).substr(ir.begin, ir.size()))) return;
              TextField c;
              c.range = ir;
              c.parent = self;
              if (!UnescapeJsonString(std::string_view(doc).substr(ir.begin, ir.size()), &c.text)) ok_inner = false;
              inner.push_back(std::move(c));
            },
            256, /*visit_keys=*/true);
        if (!ist.ok() || !ok_inner) return;  // not JSON: the whole text is one field
        out.fields[self].container = true;
        for (auto& c : inner) out.fields.push_back(std::move(c));
      },
      256, /*visit_keys=*/true);
  if (!st.ok()) return st;
  if (!err.empty()) return Status::Error(err);
  if (endpoint == Endpoint::kEmbeddings) out.has_token_input = HasTokenInput(body);
  return out;
}

std::string RewriteRequestTexts(std::string_view body, const RequestTexts& texts,
                                const std::vector<std::optional<std::string>>& replacements) {
  // Children edit their container's text; containers and top-level leaves
  // edit the body.
  std::map<int, std::vector<JsonEdit>> inner_edits;
  std::vector<JsonEdit> edits;
  for (size_t i = 0; i < texts.fields.size(); ++i) {
    if (!replacements[i]) continue;
    const TextField& f = texts.fields[i];
    JsonEdit e{f.range.begin, f.range.end, {}};
    AppendJsonString(*replacements[i], &e.replacement);
    if (f.parent >= 0)
      inner_edits[f.parent].push_back(std::move(e));
    else
      edits.push_back(std::move(e));
  }
  for (auto& [parent, list] : inner_edits) {
    const TextField& p = texts.fields[static_cast<size_t>(parent)];
    std::string inner = ApplyEdits(p.text, std::move(list));
    JsonEdit e{p.range.begin, p.range.end, {}};
    AppendJsonString(inner, &e.replacement);
    edits.push_back(std::move(e));
  }
  if (edits.empty()) return std::string(body);
  return ApplyEdits(body, std::move(edits));
}

std::string WithStoreFalse(std::string_view body) {
  if (auto r = FindTopLevelValue(body, "store")) {
    std::string out(body.substr(0, r->first));
    out += "false";
    out.append(body.substr(r->second));
    return out;
  }
  // Append as the last member: parsers that keep the last of duplicate keys
  // then read ours even if an escaped "store" key slipped past.
  size_t close = body.find_last_of('}');
  if (close == std::string_view::npos) return std::string(body);
  size_t prev = body.find_last_not_of(" \t\r\n", close == 0 ? 0 : close - 1);
  bool empty_object = prev != std::string_view::npos && body[prev] == '{';
  std::string out(body.substr(0, close));
  out += empty_object ? "\"store\":false" : ",\"store\":false";
  out.append(body.substr(close));
  return out;
}

Result<std::string> RewriteStringsContaining(
    std::string_view doc, std::string_view needle,
    const std::function<bool(std::string_view key, const std::string& text, std::string* out)>& fn) {
  std::vector<JsonEdit> edits;
  std::string text;
  std::string replaced;
  Status st = ForEachJsonString(doc, [&](const JsonPath& path, JsonRange r) {
    std::string_view lit = doc.substr(r.begin, r.size());
    if (lit.find(needle) == std::string_view::npos && lit.find("\\u") == std::string_view::npos) return;
    text.clear();
    if (!UnescapeJsonString(lit, &text)) return;
    if (text.find(needle) == std::string::npos) return;
    replaced.clear();
    std::string_view key = path.empty() || path.back().index >= 0 ? std::string_view() : path.back().key;
    if (!fn(key, text, &replaced)) return;
    JsonEdit e{r.begin, r.end, {}};
    AppendJsonString(replaced, &e.replacement);
    edits.push_back(std::move(e));
  });
  if (!st.ok()) return st;
  if (edits.empty()) return std::string(doc);
  return ApplyEdits(doc, std::move(edits));
}

}  // namespace gwanmun::openai
