#include "openai/errors.h"

#include <cstdint>

namespace gwanmun::openai {
namespace {

ApiError Make(int status, std::string type, std::string message, std::string param = "", std::string code = "") {
  ApiError e;
  e.status = status;
  e.type = std::move(type);
  e.message = std::move(message);
  e.param = std::move(param);
  e.code = std::move(code);
  return e;
}

// Model names come from clients: quote them safely and bounded.
std::string Truncated(std::string_view s) {
  constexpr size_t kMax = 128;
  std::string out(s.substr(0, kMax));
  if (s.size() > kMax) out += "...";
  return out;
}
std::string Quoted(std::string_view s) { return "'" + Truncated(s) + "'"; }

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t Utf8Len(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = b(i);
  size_t n;
  uint32_t min;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else
    return 0;
  if (i + n > s.size()) return 0;
  uint32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

ApiError ApiError::InvalidJson() {
  return Make(400, "invalid_request_error",
              "We could not parse the JSON body of your request. The API expects a JSON payload.");
}
ApiError ApiError::MissingParam(std::string_view param) {
  return Make(400, "invalid_request_error", "Missing required parameter: '" + std::string(param) + "'.",
              std::string(param), "missing_required_parameter");
}
ApiError ApiError::InvalidParam(std::string_view param, std::string message) {
  return Make(400, "invalid_request_error", std::move(message), std::string(param), "invalid_value");
}
ApiError ApiError::MissingApiKey() {
  return Make(401, "invalid_request_error",
              "You didn't provide an API key. Send your gwanmun key as 'Authorization: Bearer KEY'.", "",
              "missing_api_key");
}
ApiError ApiError::InvalidApiKey() {
  return Make(401, "invalid_request_error", "Incorrect API key provided, or the key was revoked.", "",
              "invalid_api_key");
}
ApiError ApiError::ModelNotAllowed(std::string_view model) {
  return Make(403, "permission_error", "Your API key is not allowed to use the model " + Quoted(model) + ".", "model",
              "model_not_allowed");
}
ApiError ApiError::Forbidden(std::string message, std::string code) {
  return Make(403, "permission_error", std::move(message), "", std::move(code));
}
ApiError ApiError::ModelNotFound(std::string_view model) {
  return Make(404, "invalid_request_error",
              "The model " + Quoted(model) + " does not exist or you do not have access to it.", "model",
              "model_not_found");
}
ApiError ApiError::UnknownUrl(std::string_view method, std::string_view path) {
  return Make(404, "invalid_request_error", "Invalid URL (" + Truncated(method) + " " + Truncated(path) + ")", "",
              "unknown_url");
}
ApiError ApiError::MethodNotAllowed(std::string_view method, std::string_view path) {
  return Make(405, "invalid_request_error",
              "Method " + std::string(method.substr(0, 16)) + " is not allowed for " + Quoted(path) + ".", "",
              "method_not_allowed");
}
ApiError ApiError::BodyTooLarge(size_t limit) {
  return Make(413, "invalid_request_error",
              "The request body is larger than this gateway accepts (" + std::to_string(limit) + " bytes).", "",
              "request_too_large");
}
ApiError ApiError::RateLimited(std::string_view kind, int retry_after_s) {
  ApiError e = Make(429, std::string(kind),
                    "Rate limit reached for your API key on " + std::string(kind) + " per minute. Try again in " +
                        std::to_string(retry_after_s) + "s.",
                    "", "rate_limit_exceeded");
  e.retry_after_s = retry_after_s;
  return e;
}
ApiError ApiError::UpstreamRateLimited(int retry_after_s) {
  ApiError e = Make(429, "requests", "The upstream provider is rate limiting this gateway. Try again later.", "",
                    "upstream_rate_limited");
  e.retry_after_s = retry_after_s;
  return e;
}
ApiError ApiError::Internal(std::string message) {
  return Make(500, "api_error", std::move(message), "", "internal_error");
}
ApiError ApiError::UpstreamFailed(std::string message) {
  return Make(502, "api_error", std::move(message), "", "upstream_error");
}
ApiError ApiError::NoHealthyUpstream(int retry_after_s) {
  ApiError e = Make(503, "api_error", "No healthy upstream serves this model right now.", "", "upstream_unavailable");
  e.retry_after_s = retry_after_s;
  return e;
}
ApiError ApiError::Draining() { return Make(503, "api_error", "The gateway is shutting down.", "", "shutting_down"); }
ApiError ApiError::UpstreamTimeout(std::string message) {
  return Make(504, "api_error", std::move(message), "", "upstream_timeout");
}

void AppendJsonEscaped(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        ++i;
        continue;
      case '\\':
        out->append("\\\\");
        ++i;
        continue;
      case '\n':
        out->append("\\n");
        ++i;
        continue;
      case '\r':
        out->append("\\r");
        ++i;
        continue;
      case '\t':
        out->append("\\t");
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
      ++i;
      continue;
    }
    size_t n = Utf8Len(s, i);
    if (n == 0) {
      out->append("\xEF\xBF\xBD");
      ++i;
    } else {
      out->append(s.substr(i, n));
      i += n;
    }
  }
}

std::string ErrorBody(const ApiError& e) {
  std::string out;
  out.reserve(128 + e.message.size());
  out += "{\"error\":{\"message\":\"";
  AppendJsonEscaped(e.message, &out);
  out += "\",\"type\":\"";
  AppendJsonEscaped(e.type, &out);
  out += "\",\"param\":";
  if (e.param.empty()) {
    out += "null";
  } else {
    out += '"';
    AppendJsonEscaped(e.param, &out);
    out += '"';
  }
  out += ",\"code\":";
  if (e.code.empty()) {
    out += "null";
  } else {
    out += '"';
    AppendJsonEscaped(e.code, &out);
    out += '"';
  }
  out += "}}";
  return out;
}

}  // namespace gwanmun::openai
