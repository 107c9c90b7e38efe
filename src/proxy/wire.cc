#include "proxy/wire.h"

#include <charconv>

namespace gwanmun::proxy::wire {

void StartRequest(std::string* head, std::string_view method, std::string_view target) {
  head->append(method);
  head->push_back(' ');
  head->append(target);
  head->append(" HTTP/1.1\r\n");
}

void StartResponse(std::string* head, int status) {
  char digits[8];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, status);
  (void)ec;  // 8 characters hold any int status
  head->append("HTTP/1.1 ");
  head->append(digits, end);
  head->push_back(' ');
  head->append(ReasonPhrase(status));
  head->append(kCrlf);
}

void AppendField(std::string* head, std::string_view name, std::string_view value) {
  head->append(name);
  head->append(": ");
  const size_t at = head->size();
  head->append(value);
  for (size_t i = at; i < head->size(); ++i) {
    if ((*head)[i] == '\r' || (*head)[i] == '\n') (*head)[i] = ' ';
  }
  head->append(kCrlf);
}

void End(std::string* head, bool keep_alive) {
  if (!keep_alive) head->append("Connection: close\r\n");
  head->append(kCrlf);
}

void EndWithLength(std::string* head, size_t content_length, bool keep_alive) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, content_length);
  (void)ec;
  head->append("Content-Length: ");
  head->append(digits, end);
  head->append(kCrlf);
  End(head, keep_alive);
}

void EndChunked(std::string* head, bool keep_alive) {
  head->append("Transfer-Encoding: chunked\r\n");
  End(head, keep_alive);
}

std::string_view ChunkSizeLine(size_t n, std::array<char, 20>* buf) {
  auto [end, ec] = std::to_chars(buf->data(), buf->data() + buf->size() - 2, n, 16);
  (void)ec;  // 16 hex digits hold any size_t
  end[0] = '\r';
  end[1] = '\n';
  return std::string_view(buf->data(), static_cast<size_t>(end + 2 - buf->data()));
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 499:
      return "Client Closed Request";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

}  // namespace gwanmun::proxy::wire
