#include "cli/echo_upstream.h"

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "proxy/asio.h"

namespace gwanmun::cli {
namespace {

namespace asio = proxy::asio;
namespace beast = proxy::beast;
namespace http = proxy::http;
using tcp = proxy::tcp;
using error_code = boost::system::error_code;
using json = nlohmann::json;

constexpr size_t kCodePointsPerEvent = 4;
constexpr size_t kMaxRequestBytes = 64u << 20;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// A message content: a string, or the text of its text parts joined.
std::string TextOf(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (!content.is_array()) return out;
  for (const json& part : content) {
    if (!part.is_object()) continue;
    auto type = part.find("type");
    auto text = part.find("text");
    if (type == part.end() || !type->is_string() || text == part.end() || !text->is_string()) continue;
    const auto& t = type->get_ref<const std::string&>();
    if (t == "text" || t == "input_text") out += text->get_ref<const std::string&>();
  }
  return out;
}

std::string LastUserText(const json& body) {
  auto messages = body.find("messages");
  if (messages == body.end() || !messages->is_array()) return "";
  for (auto m = messages->rbegin(); m != messages->rend(); ++m) {
    if (!m->is_object()) continue;
    auto role = m->find("role");
    if (role == m->end() || !role->is_string() || *role != "user") continue;
    auto content = m->find("content");
    return content == m->end() ? "" : TextOf(*content);
  }
  return "";
}

// `text` in pieces of `n` code points (UTF-8 sequences are never split).
std::vector<std::string> Pieces(const std::string& text, size_t n) {
  std::vector<std::string> out;
  size_t start = 0;
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    bool lead = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (lead && count == n) {
      out.push_back(text.substr(start, i - start));
      start = i;
      count = 0;
    }
    if (lead) ++count;
  }
  if (start < text.size() || out.empty()) out.push_back(text.substr(start));
  return out;
}

int64_t Tokens(size_t bytes) { return std::max<int64_t>(1, static_cast<int64_t>((bytes + 3) / 4)); }

json OpenAiError(std::string_view message, std::string_view type) {
  return {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}}}};
}

void WriteJson(tcp::socket& s, const http::request<http::string_body>& req, http::status status, const json& body,
               error_code& ec) {
  http::response<http::string_body> res{status, req.version()};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = Dump(body);
  res.prepare_payload();
  http::write(s, res, ec);
}

}  // namespace

struct EchoUpstream::Impl {
  asio::io_context ioc;  // for the sockets only; never run (all I/O is synchronous)
  tcp::acceptor acceptor{ioc};
  tcp::endpoint endpoint;
  std::thread accept_thread;
  std::mutex mu;
  bool stopping = false;                 // guarded by mu
  std::set<int> open;                    // guarded by mu: descriptors of served connections
  std::vector<std::thread> connections;  // guarded by mu
  std::optional<std::string> last_user;  // guarded by mu
  uint64_t next_id = 1;                  // guarded by mu

  void AcceptLoop();
  void Serve(tcp::socket s);
  // Answers one request; false when the connection must close.
  bool Handle(tcp::socket& s, const http::request<http::string_body>& req, error_code& ec);
  void Stop();
};

void EchoUpstream::Impl::AcceptLoop() {
  for (;;) {
    tcp::socket s(ioc);
    error_code ec;
    acceptor.accept(s, ec);
    std::unique_lock lock(mu);
    if (stopping) return;
    if (ec) {
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // e.g. out of descriptors
      continue;
    }
    s.set_option(tcp::no_delay(true), ec);  // one small write per event
    open.insert(s.native_handle());
    connections.emplace_back([this, sock = std::move(s)]() mutable { Serve(std::move(sock)); });
  }
}

void EchoUpstream::Impl::Serve(tcp::socket s) {
  beast::flat_buffer buffer;
  error_code ec;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxRequestBytes);
    http::read(s, buffer, parser, ec);
    if (ec) break;
    if (!Handle(s, parser.get(), ec) || ec) break;
  }
  // Under the lock, so Stop() never shuts down a descriptor already reused.
  std::lock_guard lock(mu);
  open.erase(s.native_handle());
  s.shutdown(tcp::socket::shutdown_both, ec);
  s.close(ec);
}

bool EchoUpstream::Impl::Handle(tcp::socket& s, const http::request<http::string_body>& req, error_code& ec) {
  std::string_view target(req.target().data(), req.target().size());
  target = target.substr(0, target.find('?'));
  if (req.method() != http::verb::post || (target != "/v1/chat/completions" && target != "/chat/completions")) {
    WriteJson(s, req, http::status::not_found,
              OpenAiError("echo: no route " + std::string(req.method_string()) + " " + std::string(target),
                          "invalid_request_error"),
              ec);
    return req.keep_alive();
  }
  json body = json::parse(req.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    WriteJson(s, req, http::status::bad_request,
              OpenAiError("echo: the body is not a JSON object", "invalid_request_error"), ec);
    return req.keep_alive();
  }
  std::string user = LastUserText(body);
  std::string id;
  {
    std::lock_guard lock(mu);
    last_user = user;
    id = "chatcmpl-echo-" + std::to_string(next_id++);
  }
  std::string content = "Echo: " + user;
  auto m = body.find("model");
  std::string model = m != body.end() && m->is_string() ? m->get<std::string>() : "echo";
  int64_t created =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  int64_t prompt_tokens = Tokens(req.body().size());
  int64_t completion_tokens = Tokens(content.size());
  json usage = {{"prompt_tokens", prompt_tokens},
                {"completion_tokens", completion_tokens},
                {"total_tokens", prompt_tokens + completion_tokens}};

  auto st = body.find("stream");
  if (st == body.end() || !st->is_boolean() || !st->get<bool>()) {
    json message = {{"role", "assistant"}, {"content", content}, {"refusal", nullptr}};
    json choice = {{"index", 0}, {"message", message}, {"logprobs", nullptr}, {"finish_reason", "stop"}};
    WriteJson(s, req, http::status::ok,
              {{"id", id},
               {"object", "chat.completion"},
               {"created", created},
               {"model", model},
               {"choices", json::array({choice})},
               {"usage", usage}},
              ec);
    return req.keep_alive();
  }

  bool include_usage = false;
  if (auto so = body.find("stream_options"); so != body.end() && so->is_object()) {
    auto iu = so->find("include_usage");
    include_usage = iu != so->end() && iu->is_boolean() && iu->get<bool>();
  }
  http::response<http::empty_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "text/event-stream; charset=utf-8");
  res.set(http::field::cache_control, "no-cache");
  res.keep_alive(req.keep_alive());
  res.chunked(true);
  http::response_serializer<http::empty_body> serializer{res};
  http::write_header(s, serializer, ec);
  auto send_data = [&](const std::string& data) {
    if (ec) return;
    std::string event = "data: " + data + "\n\n";
    asio::write(s, http::make_chunk(asio::buffer(event)), ec);
  };
  json base = {{"id", id}, {"object", "chat.completion.chunk"}, {"created", created}, {"model", model}};
  auto send = [&](json delta, json finish_reason) {
    json chunk = base;
    chunk["choices"] = json::array({{{"index", 0},
                                     {"delta", std::move(delta)},
                                     {"logprobs", nullptr},
                                     {"finish_reason", std::move(finish_reason)}}});
    if (include_usage) chunk["usage"] = nullptr;
    send_data(Dump(chunk));
  };
  send({{"role", "assistant"}, {"content", ""}}, nullptr);
  for (const std::string& piece : Pieces(content, kCodePointsPerEvent)) {
    send({{"content", piece}}, nullptr);
  }
  send(json::object(), "stop");
  if (include_usage) {
    json chunk = base;
    chunk["choices"] = json::array();
    chunk["usage"] = usage;
    send_data(Dump(chunk));
  }
  send_data("[DONE]");
  if (!ec) asio::write(s, http::make_chunk_last(), ec);
  return req.keep_alive();
}

void EchoUpstream::Impl::Stop() {
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  if (accept_thread.joinable()) {
    // Wake the blocked accept(); the loop then sees `stopping`.
    tcp::socket waker(ioc);
    error_code ec;
    waker.connect(endpoint, ec);
    accept_thread.join();
  }
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu);
    for (int fd : open) ::shutdown(fd, SHUT_RDWR);  // unblocks their reads
    threads.swap(connections);
  }
  for (std::thread& t : threads) t.join();
  error_code ec;
  acceptor.close(ec);
}

Result<std::unique_ptr<EchoUpstream>> EchoUpstream::Start() {
  auto impl = std::make_unique<Impl>();
  error_code ec;
  tcp::endpoint ep(asio::ip::make_address_v4("127.0.0.1"), 0);
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) impl->endpoint = impl->acceptor.local_endpoint(ec);
  if (ec) return Status::Error("echo upstream: cannot listen on 127.0.0.1: " + ec.message());
  Impl* p = impl.get();
  impl->accept_thread = std::thread([p] { p->AcceptLoop(); });
  return std::unique_ptr<EchoUpstream>(new EchoUpstream(std::move(impl)));  // private constructor
}

EchoUpstream::EchoUpstream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EchoUpstream::~EchoUpstream() { impl_->Stop(); }

uint16_t EchoUpstream::port() const { return impl_->endpoint.port(); }

std::string EchoUpstream::base_url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/v1"; }

std::optional<std::string> EchoUpstream::TakeLastUserContent() {
  std::lock_guard lock(impl_->mu);
  return std::exchange(impl_->last_user, std::nullopt);
}

}  // namespace gwanmun::cli
