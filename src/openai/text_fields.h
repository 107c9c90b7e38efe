// The caller-controlled text of a request body, for the guardrails: find it,
// hand it over unescaped, and write changed text back with every other byte
// of the body kept.
//
// Which strings count. Every string value of the body is caller text except
// a short list of structural fields whose values are identifiers or enums
// the upstream must receive unchanged: "model", "role", "type", "id",
// "tool_call_id", "call_id", "previous_response_id", "object",
// "encoding_format", "service_tier", "reasoning_effort", "effort", "detail",
// "format", "voice", "status", "truncation", "tool_choice", "file_id",
// "url", "image_url", "file_url", "mime_type"; function names ("name"
// anywhere except a chat message's participant name); and payloads that are
// data URLs ("data:…") or base64 media ("data", "file_data"). Everything else —
// message content in every role, content parts, participant names, tool
// results, tool descriptions, instructions, embeddings input, metadata,
// `user` — is scanned, so a field OpenAI adds later is scanned by default.
// Member names are scanned too (metadata keys, tool schema property names),
// except plain lower-case identifiers ([a-z_]+), which every API field is.
//
// Tool-call "arguments" hold JSON inside a JSON string: when that inner text
// parses, its own string values become nested fields (so "\uXXXX" escapes
// inside the inner JSON are unescaped too); otherwise the whole text is one
// field.

#ifndef GWANMUN_OPENAI_TEXT_FIELDS_H_
#define GWANMUN_OPENAI_TEXT_FIELDS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "openai/json_text.h"
#include "openai/request.h"

namespace gwanmun::openai {

struct TextField {
  JsonRange range;         // literal (with quotes) in the body, or in the parent's text
  std::string text;        // unescaped
  int parent = -1;         // index of the enclosing "arguments" field, -1 at top level
  bool container = false;  // its text is JSON whose strings are separate fields:
                           // scan the children, not this one
};

struct RequestTexts {
  std::vector<TextField> fields;
  // Embeddings input given as token ids: text the gateway cannot read.
  bool has_token_input = false;
};

// Collects the caller text of `body`. Fails on malformed JSON (the caller
// must refuse the request: never forward what could not be scanned).
Result<RequestTexts> ExtractRequestTexts(Endpoint endpoint, std::string_view body);

// `body` with the text of fields[i] replaced by replacements[i] where that
// is set (same size as texts.fields; only leaf fields may be set).
std::string RewriteRequestTexts(std::string_view body, const RequestTexts& texts,
                                const std::vector<std::optional<std::string>>& replacements);

// `body` (a JSON object) with top-level "store" set to false, added if absent.
std::string WithStoreFalse(std::string_view body);

// Rewrites string values of any JSON document: `fn(key, text, &out)` gets
// each string containing `needle` (unescaped text; key = its member name,
// "" in arrays) and returns true if it replaced the text with `out`.
// Malformed JSON → the error, and `doc` is left as it is by the caller.
Result<std::string> RewriteStringsContaining(
    std::string_view doc, std::string_view needle,
    const std::function<bool(std::string_view key, const std::string& text, std::string* out)>& fn);

}  // namespace gwanmun::openai

#endif  // GWANMUN_OPENAI_TEXT_FIELDS_H_
