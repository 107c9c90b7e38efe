// OpenAI-shaped errors: every error the gateway sends is built here, so the
// shape {"error":{"message","type","param","code"}} and the HTTP status are
// decided in one place. Messages never contain request content, keys or
// upstream credentials.

#ifndef GWANMUN_OPENAI_ERRORS_H_
#define GWANMUN_OPENAI_ERRORS_H_

#include <string>
#include <string_view>

namespace gwanmun::openai {

struct ApiError {
  int status = 500;
  std::string type;  // "invalid_request_error", "api_error", "requests", "tokens", …
  std::string message;
  std::string param;       // "" → null
  std::string code;        // "" → null
  int retry_after_s = -1;  // ≥ 0 → a Retry-After header

  // 400
  static ApiError InvalidJson();
  static ApiError MissingParam(std::string_view param);
  static ApiError InvalidParam(std::string_view param, std::string message);
  // 401
  static ApiError MissingApiKey();
  static ApiError InvalidApiKey();
  // 403
  static ApiError ModelNotAllowed(std::string_view model);
  static ApiError Forbidden(std::string message, std::string code);
  // 404
  static ApiError ModelNotFound(std::string_view model);
  static ApiError UnknownUrl(std::string_view method, std::string_view path);
  // 405
  static ApiError MethodNotAllowed(std::string_view method, std::string_view path);
  // 413
  static ApiError BodyTooLarge(size_t limit);
  // 429; kind is "requests" or "tokens"
  static ApiError RateLimited(std::string_view kind, int retry_after_s);
  static ApiError UpstreamRateLimited(int retry_after_s);
  // 5xx
  static ApiError Internal(std::string message);
  static ApiError UpstreamFailed(std::string message);   // 502
  static ApiError NoHealthyUpstream(int retry_after_s);  // 503
  static ApiError Draining();                            // 503
  static ApiError UpstreamTimeout(std::string message);  // 504
};

// The JSON body for `e`.
std::string ErrorBody(const ApiError& e);

// Appends `s` to *out as the inside of a JSON string (quotes not included).
// Invalid UTF-8 is replaced by U+FFFD so the output is always valid JSON.
void AppendJsonEscaped(std::string_view s, std::string* out);

}  // namespace gwanmun::openai

#endif  // GWANMUN_OPENAI_ERRORS_H_
