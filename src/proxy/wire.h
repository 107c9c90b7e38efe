// HTTP/1.1 message heads and chunk framing, written by hand for the hot
// path. Beast's serializer walks a field list through a buffer-sequence
// view on every write, which shows in profiles at tens of thousands of
// requests per second; the gateway's heads are a handful of known fields.
// Parsing stays with Beast.
//
//   std::string head;
//   wire::StartResponse(&head, 200);
//   wire::AppendField(&head, "Content-Type", "application/json");
//   wire::EndWithLength(&head, body.size(), /*keep_alive=*/true);
//   … write head, then body …
//
// Values never split a head: CR and LF in a value become spaces.

#ifndef GWANMUN_PROXY_WIRE_H_
#define GWANMUN_PROXY_WIRE_H_

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace gwanmun::proxy::wire {

inline constexpr std::string_view kCrlf = "\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// "METHOD target HTTP/1.1\r\n".
void StartRequest(std::string* head, std::string_view method, std::string_view target);
// "HTTP/1.1 <status> <reason>\r\n".
void StartResponse(std::string* head, int status);
// "Name: value\r\n".
void AppendField(std::string* head, std::string_view name, std::string_view value);
// "Content-Length: n\r\n", "Connection: close\r\n" unless keep_alive, and
// the blank line that ends the head.
void EndWithLength(std::string* head, size_t content_length, bool keep_alive);
// The same with "Transfer-Encoding: chunked" instead of a length.
void EndChunked(std::string* head, bool keep_alive);
// Only the blank line (and "Connection: close" unless keep_alive): a
// request without a body.
void End(std::string* head, bool keep_alive);

// The size line of a chunk of `n` bytes ("<hex>\r\n"), in *buf. A chunk
// on the wire is that, the bytes, then kCrlf; n must not be 0 (that is
// kLastChunk).
std::string_view ChunkSizeLine(size_t n, std::array<char, 20>* buf);

// The reason phrase for a status code (Beast's table: "OK", "Not Found",
// …); "Unknown" for codes without one.
std::string_view ReasonPhrase(int status);

}  // namespace gwanmun::proxy::wire

#endif  // GWANMUN_PROXY_WIRE_H_
