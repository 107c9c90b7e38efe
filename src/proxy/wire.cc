#include "proxy/wire.h"

#include <ostream>  // Boost 1.74's beast/http/status.hpp uses std::ostream without including it

#include <boost/beast/http/status.hpp>
#include <charconv>

namespace gwanmun::proxy::wire {

namespace http = boost::beast::http;

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
  if (status < 0) return "Unknown";
  const http::status known = http::int_to_status(static_cast<unsigned>(status));
  if (known == http::status::unknown) return "Unknown";
  const auto reason = http::obsolete_reason(known);
  return std::string_view(reason.data(), reason.size());
}

}  // namespace gwanmun::proxy::wire
