// OpenAI request bodies: just enough parsing to authorise, route and meter a
// request. The body itself is forwarded byte for byte unless a stage rewrites
// it. Validation follows the OpenAI API: malformed JSON, a missing or
// ill-typed required field → 400 with `param` naming the field.
//
//   RequestParser parser;                       // one per thread (reuses buffers)
//   ParsedRequest req;
//   if (auto err = parser.Parse(Endpoint::kChatCompletions, body, &req)) … *err is a 400
//
// Also extracts token usage from responses (UsageFromBody, UsageFromEvent).

#ifndef GWANMUN_OPENAI_REQUEST_H_
#define GWANMUN_OPENAI_REQUEST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openai/errors.h"

namespace gwanmun::openai {

enum class Endpoint {
  kChatCompletions,  // POST /v1/chat/completions
  kResponses,        // POST /v1/responses
  kEmbeddings,       // POST /v1/embeddings
  kModels,           // GET /v1/models[/{id}]
  kOther,            // anything else under /v1 (pass-through)
};

// "/v1/chat/completions" → kChatCompletions … (path without query).
Endpoint EndpointForPath(std::string_view path);
// Metrics/audit label, e.g. "/v1/chat/completions", "other".
std::string_view EndpointName(Endpoint e);
// The path after the upstream's base URL, e.g. "/chat/completions".
std::string_view UpstreamSuffix(Endpoint e);

struct ParsedRequest {
  Endpoint endpoint = Endpoint::kOther;
  std::string model;
  bool stream = false;
  bool has_stream_options = false;
  bool include_usage = false;  // stream_options.include_usage
};

struct Usage {
  int64_t input_tokens = 0;   // prompt_tokens / input_tokens
  int64_t output_tokens = 0;  // completion_tokens / output_tokens
  int64_t total_tokens = 0;
};

class RequestParser {
 public:
  RequestParser();
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Validates `body` for `endpoint` and fills *out. nullopt on success.
  // Duplicate top-level keys are refused: the gateway and the upstream
  // might otherwise read different values (e.g. two "model"s).
  // Chat: model (string), messages (non-empty array of objects with a string
  // role and string/array/null content), stream (bool), stream_options
  // (object, include_usage bool), tools (array). Responses: model, input
  // (string or array) unless previous_response_id/prompt is given.
  // Embeddings: model, input (string, array of strings/ints/int arrays).
  std::optional<ApiError> Parse(Endpoint endpoint, std::string_view body, ParsedRequest* out);

  // Usage of a complete non-streaming response body (chat completion,
  // response object, embeddings list). nullopt if absent or unparsable.
  std::optional<Usage> UsageFromBody(std::string_view body);

  // Usage carried by one stream event's data: a chat chunk whose "usage" is
  // an object (the final chunk with stream_options.include_usage), or a
  // Responses "response.completed"/"response.incomplete"/"response.failed"
  // event (usage under "response"). Cheap for events without usage.
  std::optional<Usage> UsageFromEvent(std::string_view data);

  // The "id"s of a model list ({"object":"list","data":[{"id":…},…]}).
  std::vector<std::string> ModelIds(std::string_view body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True if a chat chunk's data is the usage-only chunk ("choices": [] and a
// usage object) that include_usage adds at the end of a stream.
bool IsUsageOnlyChunk(std::string_view data);

// Returns `body` (a JSON object, already validated) with
// "stream_options":{"include_usage":true} set, keeping every other byte.
// Used when the gateway needs usage that the client did not ask for.
std::string WithIncludeUsage(std::string_view body, bool has_stream_options);

// Byte range [first, second) of the value of top-level `key` in a JSON
// object that has been validated (e.g. by RequestParser::Parse); nullopt if
// absent. Keys are compared as written (escaped keys do not match).
std::optional<std::pair<size_t, size_t>> FindTopLevelValue(std::string_view json, std::string_view key);

// `body` with the top-level "model" replaced by `model`; every other byte
// kept (routing to an aliased upstream model).
std::string WithModel(std::string_view body, std::string_view model);

}  // namespace gwanmun::openai

#endif  // GWANMUN_OPENAI_REQUEST_H_
