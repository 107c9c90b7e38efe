// A tiny in-process OpenAI-compatible model for `gwanmun demo`: it answers
// what it was sent, so the demo can show what reached the model and what
// the gateway gave back.
//
//   POST /v1/chat/completions   {"object":"chat.completion", …} whose message
//                               content is "Echo: " + the last user message's
//                               text (a string, or the text parts joined);
//                               with "stream": true, SSE chat.completion.chunk
//                               events of a few characters each (whole code
//                               points), a usage chunk if
//                               stream_options.include_usage, then [DONE]
//   anything else               404 with an OpenAI-shaped error
//
// Listens on 127.0.0.1 with an ephemeral port; one thread accepts and one
// synchronous thread serves each (keep-alive) connection. It records the last
// user text of every chat request, for TakeLastUserContent(). The destructor
// stops accepting, shuts every open connection down and joins all threads.

#ifndef GWANMUN_CLI_ECHO_UPSTREAM_H_
#define GWANMUN_CLI_ECHO_UPSTREAM_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"

namespace gwanmun::cli {

class EchoUpstream {
 public:
  // Binds 127.0.0.1:0 and starts serving.
  static Result<std::unique_ptr<EchoUpstream>> Start();
  ~EchoUpstream();
  EchoUpstream(const EchoUpstream&) = delete;
  EchoUpstream& operator=(const EchoUpstream&) = delete;

  uint16_t port() const;
  // "http://127.0.0.1:PORT/v1": the upstream base URL for the gateway.
  std::string base_url() const;
  // The raw last user text of the most recent chat request since the last
  // call, and forgets it; nullopt if no chat request arrived since.
  std::optional<std::string> TakeLastUserContent();

 private:
  struct Impl;
  explicit EchoUpstream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gwanmun::cli

#endif  // GWANMUN_CLI_ECHO_UPSTREAM_H_
