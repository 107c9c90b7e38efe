// Hand-written HTTP/1.1 heads and chunks: exact bytes, and Beast's parser
// (what the gateway and every client use) reads them back as meant.
#include "proxy/wire.h"

#include <gtest/gtest.h>

#include "proxy/asio.h"

namespace gwanmun::proxy {
namespace {

TEST(WireTest, ResponseHeadWithLength) {
  std::string head;
  wire::StartResponse(&head, 404);
  wire::AppendField(&head, "Content-Type", "application/json");
  wire::AppendField(&head, "x-request-id", "req_1");
  wire::EndWithLength(&head, 16, true);
  EXPECT_EQ(head,
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nx-request-id: req_1\r\n"
            "Content-Length: 16\r\n\r\n");

  http::response_parser<http::string_body> p;
  boost::system::error_code ec;
  const std::string msg = head + "{\"error\":\"none\"}";
  p.eager(true);
  p.put(asio::buffer(msg), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(p.is_done());
  EXPECT_EQ(p.get().body(), "{\"error\":\"none\"}");
  EXPECT_EQ(p.get().result_int(), 404u);
  EXPECT_EQ(p.get()[http::field::content_type], "application/json");
  EXPECT_EQ(p.get()["x-request-id"], "req_1");
  EXPECT_TRUE(p.get().keep_alive());
}

TEST(WireTest, ConnectionCloseAndUnknownStatus) {
  std::string head;
  wire::StartResponse(&head, 299);
  wire::EndWithLength(&head, 0, false);
  EXPECT_EQ(head, "HTTP/1.1 299 Unknown\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  http::response_parser<http::empty_body> p;
  boost::system::error_code ec;
  p.put(asio::buffer(head), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_FALSE(p.get().keep_alive());
}

TEST(WireTest, ValuesNeverSplitTheHead) {
  std::string head;
  wire::StartRequest(&head, "POST", "/v1/chat/completions");
  wire::AppendField(&head, "Accept", "text/event-stream\r\nX-Injected: 1\nY: 2");
  wire::EndWithLength(&head, 0, true);
  EXPECT_EQ(head.find("\r\nX-Injected"), std::string::npos);
  http::request_parser<http::empty_body> p;
  boost::system::error_code ec;
  p.put(asio::buffer(head), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(p.get().method(), http::verb::post);
  EXPECT_EQ(p.get().target(), "/v1/chat/completions");
  EXPECT_EQ(p.get().count("X-Injected"), 0u);
  EXPECT_EQ(p.get()[http::field::accept], "text/event-stream  X-Injected: 1 Y: 2");
}

TEST(WireTest, ChunkedStreamParsesBack) {
  std::string msg;
  wire::StartResponse(&msg, 200);
  wire::AppendField(&msg, "Content-Type", "text/event-stream");
  wire::EndChunked(&msg, true);
  const std::string events[] = {"data: {\"a\":1}\n\n", std::string(300, 'x'), "data: [DONE]\n\n"};
  std::string expected;
  for (const auto& e : events) {
    std::array<char, 20> buf;
    std::string_view line = wire::ChunkSizeLine(e.size(), &buf);
    msg += line;
    msg += e;
    msg += wire::kCrlf;
    expected += e;
  }
  msg += wire::kLastChunk;
  http::response_parser<http::string_body> p;
  boost::system::error_code ec;
  size_t used = 0;
  while (!p.is_done() && !ec) {
    used += p.put(asio::buffer(msg.data() + used, msg.size() - used), ec);
    if (ec == http::error::need_more) break;
  }
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(p.is_done());
  EXPECT_EQ(p.get().body(), expected);
  EXPECT_EQ(used, msg.size());
}

TEST(WireTest, ChunkSizeLineIsLowerHex) {
  std::array<char, 20> buf;
  EXPECT_EQ(wire::ChunkSizeLine(1, &buf), "1\r\n");
  EXPECT_EQ(wire::ChunkSizeLine(255, &buf), "ff\r\n");
  EXPECT_EQ(wire::ChunkSizeLine(16384, &buf), "4000\r\n");
  EXPECT_EQ(wire::ChunkSizeLine(SIZE_MAX, &buf), "ffffffffffffffff\r\n");
}

}  // namespace
}  // namespace gwanmun::proxy
