#include "proxy/stage.h"

namespace gwanmun::proxy {

std::optional<openai::ApiError> Chain::OnRequest(Exchange& ex) {
  for (auto& s : stages_) {
    if (auto err = s->OnRequest(ex)) return err;
  }
  return std::nullopt;
}

void Chain::OnResponseHeaders(Exchange& ex, bool streaming) {
  for (size_t i = stages_.size(); i-- > 0;) stages_[i]->OnResponseHeaders(ex, streaming);
}

void Chain::OnResponseBody(Exchange& ex, std::string& body) {
  for (size_t i = stages_.size(); i-- > 0;) stages_[i]->OnResponseBody(ex, body);
}

void Chain::Continue(Exchange& ex, size_t from, std::vector<openai::SseEvent>&& events,
                     std::vector<openai::SseEvent>* out) {
  // Response order is last → first; `from` counts stages already applied.
  std::vector<openai::SseEvent> cur = std::move(events);
  std::vector<openai::SseEvent> next;
  for (size_t k = from; k < stages_.size() && !cur.empty(); ++k) {
    Stage& s = *stages_[stages_.size() - 1 - k];
    next.clear();
    for (auto& e : cur) s.OnStreamEvent(ex, std::move(e), next);
    cur.swap(next);
  }
  for (auto& e : cur) out->push_back(std::move(e));
}

void Chain::OnStreamEvent(Exchange& ex, openai::SseEvent&& ev, std::vector<openai::SseEvent>* out) {
  if (stages_.empty()) {
    out->push_back(std::move(ev));
    return;
  }
  std::vector<openai::SseEvent> one;
  one.push_back(std::move(ev));
  Continue(ex, 0, std::move(one), out);
}

void Chain::OnStreamEnd(Exchange& ex, std::vector<openai::SseEvent>* out) {
  // Each stage flushes; what it emits still passes the stages after it.
  for (size_t k = 0; k < stages_.size(); ++k) {
    std::vector<openai::SseEvent> flushed;
    stages_[stages_.size() - 1 - k]->OnStreamEnd(ex, flushed);
    if (!flushed.empty()) Continue(ex, k + 1, std::move(flushed), out);
  }
}

Chain Pipeline::Start(const Exchange& ex) const {
  std::vector<std::unique_ptr<Stage>> stages;
  for (const auto& f : factories_) {
    if (auto s = f->Create(ex)) stages.push_back(std::move(s));
  }
  return Chain(std::move(stages));
}

namespace {

class StreamUsageStage final : public Stage {
 public:
  std::optional<openai::ApiError> OnRequest(Exchange& ex) override {
    ex.body = openai::WithIncludeUsage(ex.body, ex.request.has_stream_options);
    return std::nullopt;
  }
  void OnStreamEvent(Exchange& /*ex*/, openai::SseEvent&& ev, std::vector<openai::SseEvent>& out) override {
    if (ev.has_data && openai::IsUsageOnlyChunk(ev.data)) return;  // the client did not ask for it
    out.push_back(std::move(ev));
  }
};

class StreamUsageFactory final : public StageFactory {
 public:
  std::string_view name() const override { return "stream_usage"; }
  std::unique_ptr<Stage> Create(const Exchange& ex) const override {
    if (ex.endpoint != openai::Endpoint::kChatCompletions || !ex.request.stream || ex.request.include_usage) {
      return nullptr;
    }
    return std::make_unique<StreamUsageStage>();
  }
};

}  // namespace

std::shared_ptr<const StageFactory> MakeStreamUsageStage() { return std::make_shared<StreamUsageFactory>(); }

}  // namespace gwanmun::proxy
