// Server-sent events (text/event-stream), incrementally: bytes may arrive
// split anywhere (inside a line, between '\r' and '\n', inside a UTF-8
// sequence) and the parser reports exactly the events a whole-stream parse
// would. Line endings CRLF, LF and CR are all accepted (WHATWG rules).
//
// Every block of lines ended by a blank line becomes one SseEvent, including
// blocks holding only comments (": keep-alive"), so a proxy can forward the
// stream faithfully. `raw` keeps the block's exact bytes; writers emit `raw`
// when it is non-empty and re-serialise the fields otherwise, so a stage that
// changes a field must call MarkModified().

#ifndef GWANMUN_OPENAI_SSE_H_
#define GWANMUN_OPENAI_SSE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gwanmun::openai {

struct SseEvent {
  std::string event;  // "event:" field; "" means "message"
  std::string data;   // "data:" lines joined with '\n'
  std::string id;     // "id:" field (last one in the block)
  std::optional<int64_t> retry;
  bool has_data = false;  // at least one data line (false: comment-only block)
  std::string raw;        // exact bytes of the block as received ("" after MarkModified)

  void MarkModified() { raw.clear(); }
  // A comment-only block (no field lines at all).
  bool comment_only() const { return !has_data && event.empty() && id.empty() && !retry; }
};

class SseParser {
 public:
  // Parses `bytes` and appends every completed event to *out.
  void Feed(std::string_view bytes, std::vector<SseEvent>* out);
  // End of stream. A final block without its blank line is dispatched too
  // (upstreams that close right after the last "data:" line are common);
  // a trailing partial line counts as a line.
  void Finish(std::vector<SseEvent>* out);
  // Bytes held waiting for the end of a line or block.
  size_t buffered() const { return raw_.size(); }

 private:
  void ProcessLine(std::string_view line);
  void Dispatch(std::vector<SseEvent>* out);

  std::string line_;  // current incomplete line (without terminator)
  std::string raw_;   // bytes of the current block
  SseEvent cur_;
  bool any_line_ = false;    // current block has at least one line
  bool pending_cr_ = false;  // last byte was '\r' (a following '\n' belongs to it)
  bool started_ = false;     // BOM check done
};

// Appends the wire form of `e` to *out: e.raw if set, else the fields
// ("event: …\n", one "data: …\n" per line of data, "id: …\n", "retry: …\n")
// and a blank line.
void AppendSseEvent(const SseEvent& e, std::string* out);

}  // namespace gwanmun::openai

#endif  // GWANMUN_OPENAI_SSE_H_
