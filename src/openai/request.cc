#include "openai/request.h"

#include "openai/json_text.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <nlohmann/json.hpp>

namespace gwanmun::openai {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string TypeName(const element& e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      return "a number";
    case simdjson::dom::element_type::STRING:
      return "a string";
    case simdjson::dom::element_type::BOOL:
      return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
  }
  return "a value";
}

ApiError WrongType(std::string_view param, std::string_view expected, const element& got) {
  return ApiError::InvalidParam(param, "Invalid type for '" + std::string(param) + "': expected " +
                                           std::string(expected) + ", but got " + TypeName(got) + " instead.");
}

std::optional<ApiError> ReadModel(const object& root, ParsedRequest* out) {
  element v;
  if (root["model"].get(v) != simdjson::SUCCESS) return ApiError::MissingParam("model");
  if (!v.is_string()) return WrongType("model", "a string", v);
  std::string_view m = v.get_string().value_unsafe();
  if (m.empty()) return ApiError::InvalidParam("model", "'model' must not be empty.");
  out->model = std::string(m);
  return std::nullopt;
}

std::optional<ApiError> ReadStream(const object& root, ParsedRequest* out) {
  element v;
  if (root["stream"].get(v) == simdjson::SUCCESS && !v.is_null()) {
    if (!v.is_bool()) return WrongType("stream", "a boolean", v);
    out->stream = v.get_bool().value_unsafe();
  }
  if (root["stream_options"].get(v) == simdjson::SUCCESS && !v.is_null()) {
    if (!v.is_object()) return WrongType("stream_options", "an object", v);
    out->has_stream_options = true;
    element iu;
    if (v.get_object().value_unsafe()["include_usage"].get(iu) == simdjson::SUCCESS && !iu.is_null()) {
      if (!iu.is_bool()) return WrongType("stream_options.include_usage", "a boolean", iu);
      out->include_usage = iu.get_bool().value_unsafe();
    }
  }
  return std::nullopt;
}

bool KnownRole(std::string_view r) {
  return r == "system" || r == "developer" || r == "user" || r == "assistant" || r == "tool" || r == "function";
}

std::optional<ApiError> ValidateContentParts(const array& parts, const std::string& param) {
  size_t j = 0;
  for (element part : parts) {  // `parts` is a named copy: no dangling temporary
    std::string p = param + "[" + std::to_string(j++) + "]";
    if (!part.is_object()) return WrongType(p, "an object", part);
    element t;
    if (part.get_object().value_unsafe()["type"].get(t) != simdjson::SUCCESS)
      return ApiError::MissingParam(p + ".type");
    if (!t.is_string()) return WrongType(p + ".type", "a string", t);
  }
  return std::nullopt;
}

std::optional<ApiError> ValidateChat(const object& root) {
  element msgs;
  if (root["messages"].get(msgs) != simdjson::SUCCESS) return ApiError::MissingParam("messages");
  if (!msgs.is_array()) return WrongType("messages", "an array", msgs);
  array arr = msgs.get_array().value_unsafe();
  if (arr.size() == 0) {
    return ApiError::InvalidParam("messages",
                                  "Invalid 'messages': empty array. Expected an array with minimum "
                                  "length 1, but got an empty array instead.");
  }
  size_t i = 0;
  for (element m : arr) {
    std::string p = "messages[" + std::to_string(i++) + "]";
    if (!m.is_object()) return WrongType(p, "an object", m);
    object mo = m.get_object().value_unsafe();
    element role;
    if (mo["role"].get(role) != simdjson::SUCCESS) return ApiError::MissingParam(p + ".role");
    if (!role.is_string()) return WrongType(p + ".role", "a string", role);
    std::string_view r = role.get_string().value_unsafe();
    if (!KnownRole(r)) {
      return ApiError::InvalidParam(p + ".role", "Invalid value for '" + p + ".role': '" +
                                                     std::string(r.substr(0, 32)) +
                                                     "'. Supported values are: 'system', 'developer', 'user', "
                                                     "'assistant', 'tool' and 'function'.");
    }
    element content;
    bool has_content = mo["content"].get(content) == simdjson::SUCCESS;
    if (!has_content || content.is_null()) {
      if (r != "assistant") return ApiError::MissingParam(p + ".content");
      continue;
    }
    if (content.is_string()) continue;
    if (!content.is_array()) return WrongType(p + ".content", "a string or an array", content);
    array parts = content.get_array().value_unsafe();
    if (auto e = ValidateContentParts(parts, p + ".content")) return e;
  }
  element tools;
  if (root["tools"].get(tools) == simdjson::SUCCESS && !tools.is_null()) {
    if (!tools.is_array()) return WrongType("tools", "an array", tools);
    size_t j = 0;
    array tools_arr = tools.get_array().value_unsafe();
    for (element t : tools_arr) {
      std::string p = "tools[" + std::to_string(j++) + "]";
      if (!t.is_object()) return WrongType(p, "an object", t);
      element ty;
      if (t.get_object().value_unsafe()["type"].get(ty) != simdjson::SUCCESS)
        return ApiError::MissingParam(p + ".type");
      if (!ty.is_string()) return WrongType(p + ".type", "a string", ty);
    }
  }
  return std::nullopt;
}

std::optional<ApiError> ValidateResponses(const object& root) {
  element instr;
  if (root["instructions"].get(instr) == simdjson::SUCCESS && !instr.is_null() && !instr.is_string()) {
    return WrongType("instructions", "a string", instr);
  }
  element input;
  if (root["input"].get(input) != simdjson::SUCCESS || input.is_null()) {
    element other;
    if (root["previous_response_id"].get(other) == simdjson::SUCCESS) return std::nullopt;
    if (root["prompt"].get(other) == simdjson::SUCCESS) return std::nullopt;
    if (root["conversation"].get(other) == simdjson::SUCCESS) return std::nullopt;
    return ApiError::MissingParam("input");
  }
  if (input.is_string()) return std::nullopt;
  if (!input.is_array()) return WrongType("input", "a string or an array", input);
  size_t i = 0;
  array items = input.get_array().value_unsafe();
  for (element item : items) {
    std::string p = "input[" + std::to_string(i++) + "]";
    if (!item.is_object()) return WrongType(p, "an object", item);
  }
  return std::nullopt;
}

std::optional<ApiError> ValidateEmbeddings(const object& root) {
  element input;
  if (root["input"].get(input) != simdjson::SUCCESS || input.is_null()) return ApiError::MissingParam("input");
  if (input.is_string()) return std::nullopt;
  if (!input.is_array()) return WrongType("input", "a string or an array", input);
  array arr = input.get_array().value_unsafe();
  if (arr.size() == 0) return ApiError::InvalidParam("input", "'input' must not be an empty array.");
  for (element e : arr) {
    if (e.is_string() || e.is_int64() || e.is_uint64()) continue;
    if (e.is_array()) {
      array ids = e.get_array().value_unsafe();
      for (element t : ids) {
        if (!t.is_int64() && !t.is_uint64()) return WrongType("input", "token ids (integers)", t);
      }
      continue;
    }
    return WrongType("input", "strings, token ids or arrays of token ids", e);
  }
  return std::nullopt;
}

int64_t IntField(const object& o, std::string_view a, std::string_view b = {}) {
  element v;
  if (o[a].get(v) != simdjson::SUCCESS && (b.empty() || o[b].get(v) != simdjson::SUCCESS)) return 0;
  if (v.is_int64()) return v.get_int64().value_unsafe();
  if (v.is_uint64()) return static_cast<int64_t>(v.get_uint64().value_unsafe());
  if (v.is_double()) return static_cast<int64_t>(v.get_double().value_unsafe());
  return 0;
}

std::optional<Usage> UsageOf(const element& u) {
  if (!u.is_object()) return std::nullopt;
  object o = u.get_object().value_unsafe();
  Usage usage;
  usage.input_tokens = IntField(o, "prompt_tokens", "input_tokens");
  usage.output_tokens = IntField(o, "completion_tokens", "output_tokens");
  usage.total_tokens = IntField(o, "total_tokens");
  if (usage.total_tokens == 0) usage.total_tokens = usage.input_tokens + usage.output_tokens;
  return usage;
}

// Finds `"usage"` followed by optional whitespace, ':', whitespace and '{'.
bool MentionsUsageObject(std::string_view s) {
  size_t pos = 0;
  while ((pos = s.find("\"usage\"", pos)) != std::string_view::npos) {
    size_t i = pos + 7;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    if (i < s.size() && s[i] == ':') {
      ++i;
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
      if (i < s.size() && s[i] == '{') return true;
    }
    pos += 7;
  }
  return false;
}

}  // namespace

struct RequestParser::Impl {
  simdjson::dom::parser parser;
};

RequestParser::RequestParser() : impl_(std::make_unique<Impl>()) {}
RequestParser::~RequestParser() = default;

std::optional<ApiError> RequestParser::Parse(Endpoint endpoint, std::string_view body, ParsedRequest* out) {
  *out = ParsedRequest{};
  out->endpoint = endpoint;
  element doc;
  if (impl_->parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) return ApiError::InvalidJson();
  if (!doc.is_object()) {
    return ApiError::InvalidParam("", "The request body must be a JSON object, not " + TypeName(doc) + ".");
  }
  object root = doc.get_object().value_unsafe();
  {
    // Top-level keys are few: a fixed array, a vector only past 32.
    std::array<std::string_view, 32> first;
    size_t n = 0;
    std::vector<std::string_view> more;
    for (auto field : root) {
      const std::string_view key = field.key;
      const bool dup = std::find(first.begin(), first.begin() + static_cast<ptrdiff_t>(n), key) !=
                           first.begin() + static_cast<ptrdiff_t>(n) ||
                       std::find(more.begin(), more.end(), key) != more.end();
      if (dup) {
        return ApiError::InvalidParam(std::string(key.substr(0, 64)),
                                      "Duplicate key '" + std::string(key.substr(0, 64)) + "' in the request body.");
      }
      if (n < first.size()) {
        first[n++] = key;
      } else {
        more.push_back(key);
      }
    }
  }
  if (auto e = ReadModel(root, out)) return e;
  if (auto e = ReadStream(root, out)) return e;
  switch (endpoint) {
    case Endpoint::kChatCompletions:
      return ValidateChat(root);
    case Endpoint::kResponses:
      return ValidateResponses(root);
    case Endpoint::kEmbeddings:
      out->stream = false;
      return ValidateEmbeddings(root);
    default:
      return std::nullopt;
  }
}

std::optional<Usage> RequestParser::UsageFromBody(std::string_view body) {
  if (!MentionsUsageObject(body)) return std::nullopt;
  element doc;
  if (impl_->parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return std::nullopt;
  }
  element u;
  if (doc.get_object().value_unsafe()["usage"].get(u) != simdjson::SUCCESS) return std::nullopt;
  return UsageOf(u);
}

std::optional<Usage> RequestParser::UsageFromEvent(std::string_view data) {
  if (!MentionsUsageObject(data)) return std::nullopt;
  element doc;
  if (impl_->parser.parse(data.data(), data.size()).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return std::nullopt;
  }
  object root = doc.get_object().value_unsafe();
  element u;
  if (root["usage"].get(u) == simdjson::SUCCESS && u.is_object()) return UsageOf(u);
  element resp;
  if (root["response"].get(resp) == simdjson::SUCCESS && resp.is_object() &&
      resp.get_object().value_unsafe()["usage"].get(u) == simdjson::SUCCESS) {
    element type;
    if (root["type"].get(type) == simdjson::SUCCESS && type.is_string()) {
      std::string_view t = type.get_string().value_unsafe();
      if (t != "response.completed" && t != "response.incomplete" && t != "response.failed") return std::nullopt;
    }
    return UsageOf(u);
  }
  return std::nullopt;
}

std::vector<std::string> RequestParser::ModelIds(std::string_view body) {
  std::vector<std::string> ids;
  element doc;
  if (impl_->parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS || !doc.is_object()) return ids;
  element data;
  if (doc.get_object().value_unsafe()["data"].get(data) != simdjson::SUCCESS || !data.is_array()) return ids;
  array arr = data.get_array().value_unsafe();
  for (element m : arr) {
    element id;
    if (m.is_object() && m.get_object().value_unsafe()["id"].get(id) == simdjson::SUCCESS && id.is_string()) {
      ids.emplace_back(id.get_string().value_unsafe());
    }
  }
  return ids;
}

namespace {

size_t SkipWs(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  return i;
}

// Index just past the JSON string starting at s[i] == '"'.
size_t SkipString(std::string_view s, size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\')
      ++i;
    else if (s[i] == '"')
      return i + 1;
  }
  return s.size();
}

// Index just past the JSON value starting at s[i].
size_t SkipValue(std::string_view s, size_t i) {
  if (i >= s.size()) return i;
  if (s[i] == '"') return SkipString(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c == '"') {
        i = SkipString(s, i);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return i;
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' &&
         s[i] != '\r') {
    ++i;
  }
  return i;
}

}  // namespace

std::optional<std::pair<size_t, size_t>> FindTopLevelValue(std::string_view s, std::string_view key) {
  size_t i = SkipWs(s, 0);
  if (i >= s.size() || s[i] != '{') return std::nullopt;
  i = SkipWs(s, i + 1);
  while (i < s.size() && s[i] == '"') {
    size_t kend = SkipString(s, i);
    std::string_view k = s.substr(i + 1, kend - i - 2);
    i = SkipWs(s, kend);
    if (i >= s.size() || s[i] != ':') return std::nullopt;
    i = SkipWs(s, i + 1);
    size_t vend = SkipValue(s, i);
    if (k == key) return std::make_pair(i, vend);
    i = SkipWs(s, vend);
    if (i < s.size() && s[i] == ',') i = SkipWs(s, i + 1);
  }
  return std::nullopt;
}

std::string WithModel(std::string_view body, std::string_view model) {
  auto span = FindTopLevelValue(body, "model");
  if (!span) {
    // The key may be written escaped ("\u006dodel"): find it by its
    // unescaped name.
    ForEachJsonString(body, [&](const JsonPath& path, JsonRange r) {
      if (!span && path.size() == 1 && path[0].key == "model") span = std::make_pair(r.begin, r.end);
    });
  }
  if (!span) return std::string(body);
  std::string out;
  out.reserve(body.size() + model.size());
  out.append(body.substr(0, span->first));
  out.push_back('"');
  AppendJsonEscaped(model, &out);
  out.push_back('"');
  out.append(body.substr(span->second));
  return out;
}

bool IsUsageOnlyChunk(std::string_view data) {
  if (!MentionsUsageObject(data)) return false;
  // The final usage chunk has an empty choices array.
  size_t pos = data.find("\"choices\"");
  if (pos == std::string_view::npos) return false;
  size_t i = pos + 9;
  auto skip_ws = [&] {
    while (i < data.size() && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r')) ++i;
  };
  skip_ws();
  if (i >= data.size() || data[i] != ':') return false;
  ++i;
  skip_ws();
  if (i >= data.size() || data[i] != '[') return false;
  ++i;
  skip_ws();
  return i < data.size() && data[i] == ']';
}

std::string WithIncludeUsage(std::string_view body, bool has_stream_options) {
  if (!has_stream_options) {
    size_t brace = body.find('{');
    if (brace == std::string_view::npos) return std::string(body);
    std::string out;
    out.reserve(body.size() + 48);
    out.append(body.substr(0, brace + 1));
    out.append("\"stream_options\":{\"include_usage\":true},");
    out.append(body.substr(brace + 1));
    return out;
  }
  // Rare: the client sent stream_options without include_usage. Re-serialise.
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::string(body);
  j["stream_options"]["include_usage"] = true;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Endpoint EndpointForPath(std::string_view path) {
  if (path == "/v1/chat/completions") return Endpoint::kChatCompletions;
  if (path == "/v1/responses") return Endpoint::kResponses;
  if (path == "/v1/embeddings") return Endpoint::kEmbeddings;
  if (path == "/v1/models" || path.substr(0, 11) == "/v1/models/") return Endpoint::kModels;
  return Endpoint::kOther;
}

std::string_view EndpointName(Endpoint e) {
  switch (e) {
    case Endpoint::kChatCompletions:
      return "/v1/chat/completions";
    case Endpoint::kResponses:
      return "/v1/responses";
    case Endpoint::kEmbeddings:
      return "/v1/embeddings";
    case Endpoint::kModels:
      return "/v1/models";
    case Endpoint::kOther:
      return "other";
  }
  return "other";
}

std::string_view UpstreamSuffix(Endpoint e) {
  switch (e) {
    case Endpoint::kChatCompletions:
      return "/chat/completions";
    case Endpoint::kResponses:
      return "/responses";
    case Endpoint::kEmbeddings:
      return "/embeddings";
    case Endpoint::kModels:
      return "/models";
    case Endpoint::kOther:
      return "";
  }
  return "";
}

}  // namespace gwanmun::openai
