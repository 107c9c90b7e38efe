// libFuzzer target over the gateway's request parsing: JSON validation for
// every endpoint, usage extraction, the byte-level rewrites and the SSE
// parser (fed in two pieces at a fuzzer-chosen split). Checks invariants,
// not just crashes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "openai/request.h"
#include "openai/sse.h"

namespace {

void CheckSse(std::string_view data) {
  if (data.empty()) return;
  size_t cut = static_cast<uint8_t>(data[0]) % data.size();
  data.remove_prefix(1);
  cut = cut > data.size() ? data.size() : cut;
  gwanmun::openai::SseParser whole, split;
  std::vector<gwanmun::openai::SseEvent> a, b;
  whole.Feed(data, &a);
  whole.Finish(&a);
  split.Feed(data.substr(0, cut), &b);
  split.Feed(data.substr(cut), &b);
  split.Finish(&b);
  // Same events with fields (a CRLF split between its CR and LF at the very
  // end may add a comment-only block holding the LF), and the same bytes.
  std::vector<const gwanmun::openai::SseEvent*> fa, fb;
  std::string wa, wb;
  for (const auto& e : a) {
    if (!e.comment_only()) fa.push_back(&e);
    gwanmun::openai::AppendSseEvent(e, &wa);
  }
  for (const auto& e : b) {
    if (!e.comment_only()) fb.push_back(&e);
    gwanmun::openai::AppendSseEvent(e, &wb);
  }
  if (fa.size() != fb.size()) __builtin_trap();
  for (size_t i = 0; i < fa.size(); ++i) {
    if (fa[i]->data != fb[i]->data || fa[i]->event != fb[i]->event || fa[i]->id != fb[i]->id) __builtin_trap();
  }
  // Raw forwarding reproduces the input exactly.
  if (wa != data || wb != data) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  using namespace gwanmun::openai;
  static RequestParser parser;  // reused like a worker's parser
  std::string_view body(reinterpret_cast<const char*>(bytes), size);
  for (Endpoint e : {Endpoint::kChatCompletions, Endpoint::kResponses, Endpoint::kEmbeddings}) {
    ParsedRequest req;
    auto err = parser.Parse(e, body, &req);
    if (err) {
      if (err->status != 400) __builtin_trap();
      continue;
    }
    if (req.model.empty()) __builtin_trap();
    // Accepted bodies stay valid, with the same meaning, after the rewrites.
    ParsedRequest again;
    std::string aliased = WithModel(body, "alias-\"x\"");
    if (parser.Parse(e, aliased, &again) || again.model != "alias-\"x\"") __builtin_trap();
    if (e == Endpoint::kChatCompletions && req.stream) {
      std::string with_usage = WithIncludeUsage(body, req.has_stream_options);
      if (parser.Parse(e, with_usage, &again) || !again.include_usage || again.model != req.model) __builtin_trap();
    }
  }
  parser.UsageFromBody(body);
  parser.UsageFromEvent(body);
  parser.ModelIds(body);
  IsUsageOnlyChunk(body);
  CheckSse(body);
  return 0;
}
