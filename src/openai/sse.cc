#include "openai/sse.h"

#include <charconv>

namespace gwanmun::openai {

void SseParser::ProcessLine(std::string_view line) {
  if (!started_) {
    started_ = true;
    if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  }
  any_line_ = true;
  if (line.empty() || line.front() == ':') return;  // comment
  size_t colon = line.find(':');
  std::string_view name = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (name == "data") {
    cur_.data.append(value);
    cur_.data.push_back('\n');
    cur_.has_data = true;
  } else if (name == "event") {
    cur_.event = std::string(value);
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) cur_.id = std::string(value);
  } else if (name == "retry") {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (!value.empty() && ec == std::errc() && p == value.data() + value.size() && value.front() != '-') {
      cur_.retry = v;
    }
  }
}

void SseParser::Dispatch(std::vector<SseEvent>* out) {
  if (cur_.has_data) cur_.data.pop_back();  // the last '\n'
  cur_.raw = std::move(raw_);
  out->push_back(std::move(cur_));
  cur_ = SseEvent{};
  raw_.clear();
  any_line_ = false;
}

void SseParser::Feed(std::string_view bytes, std::vector<SseEvent>* out) {
  size_t i = 0;
  const size_t n = bytes.size();
  while (i < n) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (bytes[i] == '\n') {  // the '\n' of a CRLF split from its '\r'
        raw_.push_back('\n');
        ++i;
        continue;
      }
    }
    size_t j = i;
    while (j < n && bytes[j] != '\n' && bytes[j] != '\r') ++j;
    if (j == n) {
      line_.append(bytes.substr(i));
      raw_.append(bytes.substr(i));
      return;
    }
    line_.append(bytes.substr(i, j - i));
    raw_.append(bytes.substr(i, j - i + 1));
    if (bytes[j] == '\r') {
      if (j + 1 < n) {
        if (bytes[j + 1] == '\n') {
          raw_.push_back('\n');
          ++j;
        }
      } else {
        pending_cr_ = true;
      }
    }
    i = j + 1;
    if (line_.empty()) {
      // A blank line ends the block; stray blank lines stay in raw_ and lead
      // the next block, so the byte stream is preserved.
      if (any_line_) Dispatch(out);
    } else {
      ProcessLine(line_);
      line_.clear();
    }
  }
}

void SseParser::Finish(std::vector<SseEvent>* out) {
  if (!line_.empty()) {
    ProcessLine(line_);
    line_.clear();
  }
  if (any_line_) {
    Dispatch(out);
  } else if (!raw_.empty()) {
    SseEvent e;
    e.raw = std::move(raw_);
    raw_.clear();
    out->push_back(std::move(e));
  }
  pending_cr_ = false;
}

void AppendSseEvent(const SseEvent& e, std::string* out) {
  if (!e.raw.empty()) {
    out->append(e.raw);
    return;
  }
  if (!e.event.empty()) {
    out->append("event: ");
    out->append(e.event);
    out->push_back('\n');
  }
  if (e.has_data) {
    std::string_view d = e.data;
    while (true) {
      size_t nl = d.find('\n');
      out->append("data: ");
      out->append(d.substr(0, nl));
      out->push_back('\n');
      if (nl == std::string_view::npos) break;
      d.remove_prefix(nl + 1);
    }
  }
  if (!e.id.empty()) {
    out->append("id: ");
    out->append(e.id);
    out->push_back('\n');
  }
  if (e.retry) {
    out->append("retry: ");
    out->append(std::to_string(*e.retry));
    out->push_back('\n');
  }
  out->push_back('\n');
}

}  // namespace gwanmun::openai
