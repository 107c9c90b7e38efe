#include "proxy/guard_stage.h"

#include <nlohmann/json.hpp>

#include <string.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "openai/json_text.h"
#include "openai/text_fields.h"
#include "policy/vault.h"
#include "store/crypto.h"
#include "store/fingerprint.h"

namespace gwanmun::proxy {
namespace {

using openai::ApiError;
using openai::Endpoint;
using openai::SseEvent;
using policy::Action;
using policy::Vault;
using Json = nlohmann::ordered_json;

// Scratch buffers for the scanner, shared by the event-loop threads.
class ScratchPool {
 public:
  std::unique_ptr<detect::ScanScratch> Get() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) return std::make_unique<detect::ScanScratch>();
    auto s = std::move(free_.back());
    free_.pop_back();
    return s;
  }
  void Put(std::unique_ptr<detect::ScanScratch> s) {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.size() < 64) free_.push_back(std::move(s));
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<detect::ScanScratch>> free_;
};

struct Shared {
  GuardSettings settings;
  mutable ScratchPool pool;
};

struct Finding {
  size_t field;
  size_t begin;
  size_t end;
  detect::EntityType type;
  std::string type_name;
};

bool IsHangulSyllable(std::string_view s, size_t pos) {
  // U+AC00..U+D7A3 is EA B0 80 .. ED 9E A3.
  if (pos + 3 > s.size()) return false;
  unsigned char a = static_cast<unsigned char>(s[pos]);
  return a >= 0xEA && a <= 0xED && (static_cast<unsigned char>(s[pos + 1]) & 0xC0) == 0x80;
}

bool IsAsciiAlnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Whether an exact occurrence of a found value at [b, e) of `text` stands on
// its own (so "이수" is not replaced inside "강이수역"-like words).
bool OnItsOwn(std::string_view text, size_t b, size_t e, std::string_view value) {
  if (b >= 3 && IsHangulSyllable(text, b - 3) && IsHangulSyllable(value, 0)) return false;
  if (b > 0 && IsAsciiAlnum(text[b - 1]) && IsAsciiAlnum(value.front())) return false;
  if (e < text.size() && IsAsciiAlnum(text[e]) && IsAsciiAlnum(value.back())) return false;
  return true;
}

std::string JsonCounts(const std::map<std::string, int, std::less<>>& counts) {
  std::string out = "{";
  for (const auto& [name, n] : counts) {
    if (out.size() > 1) out += ',';
    openai::AppendJsonString(name, &out);
    out += ':' + std::to_string(n);
  }
  out += '}';
  return out;
}

std::string TypeList(const policy::Decision& d) {
  std::string out;
  for (size_t i = 0; i < detect::kNumEntityTypes; ++i) {
    if (!d.blocked_types.test(i)) continue;
    if (!out.empty()) out += ", ";
    out += detect::EntityTypeName(static_cast<detect::EntityType>(i));
  }
  for (const auto& n : d.blocked_dictionaries) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// Masks sensitive values in an answer streamed in pieces that were not in
// the request: text is released once the stream scanner has settled it (so
// the result equals a whole-text scan), which holds back up to about twice
// the engine's horizon.
class OutputMasker {
 public:
  OutputMasker(const detect::Scanner& scanner, const policy::Policy& policy,
               const std::set<std::string, std::less<>>& known)
      : scanner_(scanner), stream_(scanner), policy_(policy), known_(known) {}

  std::string Feed(std::string_view text) {
    buf_.append(text);
    received_ += text.size();
    for (const auto& sp : stream_.Feed(text)) spans_.push_back(sp);
    return Release(stream_.settled());
  }
  std::string Finish() {
    for (const auto& sp : stream_.Finish()) spans_.push_back(sp);
    return Release(received_);
  }
  size_t held() const { return buf_.size(); }

 private:
  std::string Release(uint64_t upto) {
    // A reported span that straddles the boundary is complete: release it whole.
    for (const auto& sp : spans_) {
      if (sp.start < upto && sp.end > upto) upto = sp.end;
    }
    upto = std::min(upto, received_);
    if (upto <= base_) return {};
    std::string out;
    uint64_t pos = base_;
    size_t k = 0;
    for (; k < spans_.size() && spans_[k].start < upto; ++k) {
      const detect::Span& sp = spans_[k];
      if (sp.start < pos) continue;
      std::string_view name = scanner_.TypeName(sp);
      std::string_view value(buf_.data() + (sp.start - base_), sp.end - sp.start);
      if (policy_.ActionFor(sp.type, name) == Action::kAllow || known_.count(value) > 0) continue;
      out.append(buf_, pos - base_, sp.start - pos);
      out += Vault::Mask(name);
      pos = sp.end;
    }
    out.append(buf_, pos - base_, upto - pos);
    buf_.erase(0, upto - base_);
    base_ = upto;
    spans_.erase(spans_.begin(), spans_.begin() + static_cast<std::ptrdiff_t>(k));
    return out;
  }

  const detect::Scanner& scanner_;
  detect::StreamScanner stream_;
  const policy::Policy& policy_;
  const std::set<std::string, std::less<>>& known_;
  std::string buf_;  // received, not yet released (starts at absolute offset base_)
  uint64_t base_ = 0;
  uint64_t received_ = 0;
  std::vector<detect::Span> spans_;  // reported, not yet released
};

// One text stream of an answer (a choice's content, a tool call's
// arguments, …): placeholders restored, then, with scan_output, new
// sensitive values masked.
class TextPipe {
 public:
  TextPipe(const Vault& vault, Vault::Escape escape, std::unique_ptr<OutputMasker> masker)
      : restorer_(vault, escape), masker_(std::move(masker)) {}
  std::string Feed(std::string_view piece) {
    std::string r = restorer_.Feed(piece);
    return masker_ ? masker_->Feed(r) : r;
  }
  std::string Finish() {
    std::string r = restorer_.Finish();
    if (!masker_) return r;
    std::string out = masker_->Feed(r);
    out += masker_->Finish();
    return out;
  }
  size_t held() const { return restorer_.held() + (masker_ ? masker_->held() : 0); }

 private:
  policy::StreamRestorer restorer_;
  std::unique_ptr<OutputMasker> masker_;
};

class GuardStage : public Stage {
 public:
  GuardStage(const Shared& shared, const policy::Policy& policy) : shared_(shared), policy_(policy) {}

  std::optional<ApiError> OnRequest(Exchange& ex) override;
  void OnResponseBody(Exchange& ex, std::string& body) override;
  void OnStreamEvent(Exchange& ex, SseEvent&& ev, std::vector<SseEvent>& out) override;
  void OnStreamEnd(Exchange& ex, std::vector<SseEvent>& out) override;

 private:
  TextPipe& Restorer(const std::string& key, Vault::Escape escape) {
    auto it = restorers_.find(key);
    if (it == restorers_.end()) {
      std::unique_ptr<OutputMasker> masker;
      if (policy_.scan_output) {
        masker = std::make_unique<OutputMasker>(*shared_.settings.scanner, policy_, request_values_);
      }
      it = restorers_.emplace(key, std::make_unique<TextPipe>(vault_, escape, std::move(masker))).first;
    }
    return *it->second;
  }
  // Whether stream events need parsing at all.
  bool Active() const { return !vault_.empty() || policy_.scan_output; }
  bool AnyPending() const {
    for (const auto& [k, r] : restorers_) {
      if (r->held() > 0) return true;
    }
    return false;
  }
  std::string Flush(const std::string& key) {
    auto it = restorers_.find(key);
    if (it == restorers_.end()) return {};
    std::string s = it->second->Finish();
    restorers_.erase(it);
    return s;
  }
  void RestoreStrings(Json& j, std::string_view key);
  void ChatEvent(SseEvent&& ev, std::vector<SseEvent>& out);
  void ChatFlush(std::vector<SseEvent>& out);
  void ResponsesEvent(SseEvent&& ev, std::vector<SseEvent>& out);
  void ResponsesFlush(std::vector<SseEvent>& out);
  std::string MaskNewValues(std::string_view text);

  const Shared& shared_;
  const policy::Policy& policy_;
  Vault vault_;
  std::set<std::string, std::less<>> request_values_;
  std::map<std::string, std::unique_ptr<TextPipe>> restorers_;
  std::string first_chunk_;  // a chat chunk's data, for synthetic chunks' envelope
  // Responses streams: synthetic events inserted so far (sequence numbers
  // of later events move up by this much).
  int64_t seq_shift_ = 0;
  std::map<std::string, Json> responses_delta_envelope_;  // key → last delta event
};

std::optional<ApiError> GuardStage::OnRequest(Exchange& ex) {
  const GuardSettings& s = shared_.settings;
  if (ex.endpoint == Endpoint::kOther) {
    if (IsPersistingPath(ex.path) && !s.allow_persisting_endpoints) {
      ex.action = "block:retention";
      return ApiError::Forbidden(
          "The gateway's no-retention policy refuses endpoints that store data at the provider (" + ex.path + ").",
          "gwanmun_policy_violation");
    }
    if (ex.body.empty()) return std::nullopt;
  }
  auto texts_r = openai::ExtractRequestTexts(ex.endpoint, ex.body);
  if (!texts_r.ok()) {
    ex.action = "block:unreadable";
    if (ex.endpoint == Endpoint::kOther) {
      return ApiError::Forbidden(
          "The gateway cannot inspect this request body (it is not JSON), so its data policy does not forward it.",
          "gwanmun_policy_violation");
    }
    return ApiError::InvalidJson();
  }
  openai::RequestTexts& texts = texts_r.value();

  // 1. Scan every leaf field.
  for (const auto& f : texts.fields) {
    if (!f.container) vault_.Reserve(f.text);
  }
  std::vector<Finding> found;
  {
    auto scratch = shared_.pool.Get();
    std::vector<detect::Span> spans;
    for (size_t i = 0; i < texts.fields.size(); ++i) {
      const auto& f = texts.fields[i];
      if (f.container || f.text.empty()) continue;
      spans.clear();
      Status st = s.scanner->Scan(f.text, *scratch, &spans);
      if (!st.ok()) {
        shared_.pool.Put(std::move(scratch));
        ex.action = "block:scan-failed";
        return ApiError::Internal("The gateway's guardrail could not inspect the request; it was not forwarded.");
      }
      for (const auto& sp : spans) {
        found.push_back({i, static_cast<size_t>(sp.start), static_cast<size_t>(sp.end), sp.type,
                         std::string(s.scanner->TypeName(sp))});
      }
    }
    shared_.pool.Put(std::move(scratch));
  }

  // 2. A value found once is replaced everywhere in the request, even where
  //    the engine lacked the context to recognise it on its own.
  {
    std::map<std::pair<std::string, std::string>, detect::EntityType> values;
    for (const auto& f : found) {
      const std::string& t = texts.fields[f.field].text;
      Action a = policy_.ActionFor(f.type, f.type_name);
      if (a == Action::kMask || a == Action::kPseudonymize) {
        values.emplace(std::make_pair(t.substr(f.begin, f.end - f.begin), f.type_name), f.type);
      }
    }
    std::vector<Finding> extra;
    for (const auto& [key, type] : values) {
      const std::string& value = key.first;
      if (value.size() < 6) continue;
      for (size_t i = 0; i < texts.fields.size(); ++i) {
        const auto& f = texts.fields[i];
        if (f.container) continue;
        size_t pos = 0;
        while (pos + value.size() <= f.text.size()) {
          // glibc's memmem (two-way) is far cheaper than find() on Hangul,
          // whose UTF-8 lead bytes repeat constantly.
          const void* hit = memmem(f.text.data() + pos, f.text.size() - pos, value.data(), value.size());
          if (hit == nullptr) break;
          pos = static_cast<size_t>(static_cast<const char*>(hit) - f.text.data());
          size_t end = pos + value.size();
          bool overlaps = false;
          for (const auto& g : found) {
            overlaps = overlaps || (g.field == i && g.begin < end && pos < g.end);
          }
          for (const auto& g : extra) {
            overlaps = overlaps || (g.field == i && g.begin < end && pos < g.end);
          }
          if (!overlaps && OnItsOwn(f.text, pos, end, value)) extra.push_back({i, pos, end, type, key.second});
          pos = end;
        }
      }
    }
    for (auto& e : extra) found.push_back(std::move(e));
  }

  // 3. Decide.
  std::vector<detect::EntityType> types;
  std::vector<std::string> names;
  types.reserve(found.size());
  names.reserve(found.size());
  for (const auto& f : found) {
    types.push_back(f.type);
    names.push_back(f.type_name);
  }
  policy::Decision d = policy::Decide(policy_, types, names);
  ex.findings = JsonCounts(d.counts);

  if (!s.fingerprint_secret.empty() && !found.empty()) {
    std::set<std::string> fps;
    for (const auto& f : found) {
      std::string_view v = std::string_view(texts.fields[f.field].text).substr(f.begin, f.end - f.begin);
      fps.insert(f.type_name + ":" + store::Fingerprint(s.fingerprint_secret, v));
    }
    std::string arr = "[";
    for (const auto& fp : fps) {
      if (arr.size() > 1) arr += ',';
      openai::AppendJsonString(fp, &arr);
    }
    ex.fingerprints = arr + "]";
  }

  if (d.blocked) {
    ex.action = "block";
    std::string listed = TypeList(d);
    if (listed.empty()) {
      // Two residency rules asking for different regions.
      std::string rules;
      for (const auto& r : d.residency_rules_fired) rules += (rules.empty() ? "" : ", ") + r;
      return ApiError::Forbidden(
          "This request was blocked by the gateway's data policy: its data classes fall under residency rules "
          "that require different regions (" +
              rules + ").",
          "gwanmun_policy_violation");
    }
    return ApiError::Forbidden("This request was blocked by the gateway's data policy '" + policy_.name +
                                   "': it contains " + listed + ". Remove these values and try again.",
                               "gwanmun_policy_violation");
  }
  const bool any_restricted = std::any_of(found.begin(), found.end(), [&](const Finding& f) {
    return policy_.ActionFor(f.type, f.type_name) != Action::kAllow;
  });
  if (texts.has_token_input) {
    bool policy_acts = false;
    for (Action a : policy_.by_type) policy_acts = policy_acts || a != Action::kAllow;
    if (policy_acts) {
      ex.action = "block:unreadable";
      return ApiError::Forbidden(
          "Embeddings input given as token ids cannot be inspected by the gateway's data policy; send text.",
          "gwanmun_policy_violation");
    }
  }

  if (d.required_region) {
    ex.route.allowed_regions = {*d.required_region};
    std::string classes;
    for (const auto& [name, n] : d.counts) {
      (void)n;
      classes += (classes.empty() ? "" : ", ") + name;
    }
    std::string rules;
    for (const auto& r : d.residency_rules_fired) rules += (rules.empty() ? "" : ", ") + r;
    ex.route.reason =
        "the request contains " + classes + "; rule " + rules + " requires region '" + *d.required_region + "'";
    if (auto it = s.substitutes.find(ex.request.model); it != s.substitutes.end()) {
      ex.route.substitute_model = it->second;
    }
  }

  // 4. Transform.
  std::string action;
  bool masked = false;
  bool pseudonymized = false;
  if (any_restricted) {
    std::sort(found.begin(), found.end(), [](const Finding& a, const Finding& b) {
      return a.field != b.field ? a.field < b.field : a.begin < b.begin;
    });
    std::vector<std::optional<std::string>> repl(texts.fields.size());
    size_t k = 0;
    while (k < found.size()) {
      size_t field = found[k].field;
      const std::string& text = texts.fields[field].text;
      std::string out;
      size_t pos = 0;
      bool changed = false;
      for (; k < found.size() && found[k].field == field; ++k) {
        const Finding& f = found[k];
        if (f.begin < pos) continue;  // overlapping (cannot happen; defensive)
        std::string_view value = std::string_view(text).substr(f.begin, f.end - f.begin);
        request_values_.emplace(value);
        Action a = policy_.ActionFor(f.type, f.type_name);
        if (a == Action::kAllow) continue;
        out.append(text, pos, f.begin - pos);
        if (a == Action::kMask) {
          out += Vault::Mask(f.type_name);
          masked = true;
        } else {
          out += vault_.Pseudonymize(f.type_name, value);
          pseudonymized = true;
        }
        pos = f.end;
        changed = true;
      }
      if (changed) {
        out.append(text, pos);
        repl[field] = std::move(out);
      }
    }
    ex.body = openai::RewriteRequestTexts(ex.body, texts, repl);
  } else {
    for (const auto& f : found) {
      request_values_.emplace(std::string_view(texts.fields[f.field].text).substr(f.begin, f.end - f.begin));
    }
  }
  if (masked) action += "mask";
  if (pseudonymized) action += std::string(action.empty() ? "" : "+") + "pseudonymize";
  if (action.empty()) action = found.empty() ? "none" : "allow";
  if (policy_.force_no_store && (ex.endpoint == Endpoint::kChatCompletions || ex.endpoint == Endpoint::kResponses)) {
    ex.body = openai::WithStoreFalse(ex.body);
    action += ";store=false";
  }
  if (d.required_region) action += ";region=" + *d.required_region;
  ex.action = std::move(action);
  return std::nullopt;
}

std::string GuardStage::MaskNewValues(std::string_view text) {
  auto scratch = shared_.pool.Get();
  std::vector<detect::Span> spans;
  Status st = shared_.settings.scanner->Scan(text, *scratch, &spans);
  shared_.pool.Put(std::move(scratch));
  if (!st.ok()) return std::string(text);
  std::string out;
  size_t pos = 0;
  for (const auto& sp : spans) {
    std::string_view name = shared_.settings.scanner->TypeName(sp);
    std::string_view value = text.substr(sp.start, sp.end - sp.start);
    if (policy_.ActionFor(sp.type, name) == Action::kAllow) continue;
    if (request_values_.count(value) > 0) continue;  // the caller's own data, restored
    out.append(text.substr(pos, sp.start - pos));
    out += Vault::Mask(name);
    pos = sp.end;
  }
  if (pos == 0) return std::string(text);
  out.append(text.substr(pos));
  return out;
}

void GuardStage::OnResponseBody(Exchange& ex, std::string& body) {
  (void)ex;
  if (!vault_.empty()) {
    auto r = openai::RewriteStringsContaining(
        body, "[[", [&](std::string_view key, const std::string& text, std::string* out) {
          *out = vault_.RestoreAll(text, key == "arguments" ? Vault::Escape::kJsonString : Vault::Escape::kNone);
          return *out != text;
        });
    if (r.ok()) body = std::move(r).value();
  }
  if (policy_.scan_output && ex.status >= 200 && ex.status < 300) {
    auto r = openai::RewriteStringsContaining(
        body, "", [&](std::string_view key, const std::string& text, std::string* out) {
          if (key != "content" && key != "text" && key != "arguments" && key != "refusal") return false;
          *out = MaskNewValues(text);
          return *out != text;
        });
    if (r.ok()) body = std::move(r).value();
  }
}

// Restores placeholders in every string of `j` (recursively).
void GuardStage::RestoreStrings(Json& j, std::string_view key) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    const bool restore = !vault_.empty() && s.find("[[") != std::string::npos;
    const bool mask = policy_.scan_output &&
                      (key == "text" || key == "arguments" || key == "refusal" || key == "content" || key == "delta");
    if (!restore && !mask) return;
    std::string v =
        restore ? vault_.RestoreAll(s, key == "arguments" ? Vault::Escape::kJsonString : Vault::Escape::kNone) : s;
    if (mask) v = MaskNewValues(v);
    j = std::move(v);
  } else if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) RestoreStrings(it.value(), it.key());
  } else if (j.is_array()) {
    for (auto& e : j) RestoreStrings(e, "");
  }
}

bool MayHoldPlaceholder(std::string_view data) {
  return data.find("[[") != std::string_view::npos || data.find("[\"") != std::string_view::npos ||
         data.find("\\u005b") != std::string_view::npos || data.find("\\u005B") != std::string_view::npos;
}

std::optional<Json> ParseJson(std::string_view data) {
  Json j = Json::parse(data.begin(), data.end(), nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

SseEvent DataEvent(std::string event, std::string data) {
  SseEvent e;
  e.event = std::move(event);
  e.data = std::move(data);
  e.has_data = true;
  return e;
}

void GuardStage::ChatEvent(SseEvent&& ev, std::vector<SseEvent>& out) {
  if (ev.data == "[DONE]") {
    ChatFlush(out);
    out.push_back(std::move(ev));
    return;
  }
  if (first_chunk_.empty()) first_chunk_ = ev.data;
  if (!policy_.scan_output && !AnyPending() && !MayHoldPlaceholder(ev.data)) {
    out.push_back(std::move(ev));
    return;
  }
  auto parsed = ParseJson(ev.data);
  if (!parsed || !parsed->is_object()) {
    out.push_back(std::move(ev));
    return;
  }
  Json& j = *parsed;
  auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array()) {
    out.push_back(std::move(ev));
    return;
  }
  for (auto& ch : *choices) {
    if (!ch.is_object()) continue;
    int64_t idx = ch.value("index", int64_t{0});
    std::string ci = std::to_string(idx);
    auto delta = ch.find("delta");
    if (delta != ch.end() && delta->is_object()) {
      for (const char* field : {"content", "refusal"}) {
        auto f = delta->find(field);
        if (f != delta->end() && f->is_string()) {
          *f = Restorer(std::string(field) + ":" + ci, Vault::Escape::kNone).Feed(f->get_ref<const std::string&>());
        }
      }
      auto tcs = delta->find("tool_calls");
      if (tcs != delta->end() && tcs->is_array()) {
        for (auto& tc : *tcs) {
          if (!tc.is_object()) continue;
          auto fn = tc.find("function");
          if (fn == tc.end() || !fn->is_object()) continue;
          auto args = fn->find("arguments");
          if (args == fn->end() || !args->is_string()) continue;
          std::string key = "tool:" + ci + ":" + std::to_string(tc.value("index", int64_t{0}));
          *args = Restorer(key, Vault::Escape::kJsonString).Feed(args->get_ref<const std::string&>());
        }
      }
    }
    auto fr = ch.find("finish_reason");
    if (fr == ch.end() || fr->is_null()) continue;
    // The choice ends here: release what was held back, in this same chunk.
    if (delta == ch.end() || !delta->is_object()) {
      ch["delta"] = Json::object();
      delta = ch.find("delta");
    }
    for (const char* field : {"content", "refusal"}) {
      std::string rest = Flush(std::string(field) + ":" + ci);
      if (rest.empty()) continue;
      auto f = delta->find(field);
      if (f != delta->end() && f->is_string())
        *f = f->get_ref<const std::string&>() + rest;
      else
        (*delta)[field] = rest;
    }
    std::string prefix = "tool:" + ci + ":";
    std::vector<std::string> keys;
    for (const auto& [k, r] : restorers_) {
      if (k.rfind(prefix, 0) == 0) keys.push_back(k);
    }
    for (const auto& k : keys) {
      std::string rest = Flush(k);
      if (rest.empty()) continue;
      int64_t tci = std::stoll(k.substr(prefix.size()));
      Json& tcs2 = (*delta)["tool_calls"];
      if (!tcs2.is_array()) tcs2 = Json::array();
      bool added = false;
      for (auto& tc : tcs2) {
        if (tc.is_object() && tc.value("index", int64_t{0}) == tci) {
          Json& a = tc["function"]["arguments"];
          a = (a.is_string() ? a.get<std::string>() : std::string()) + rest;
          added = true;
        }
      }
      if (!added) tcs2.push_back(Json{{"index", tci}, {"function", Json{{"arguments", rest}}}});
    }
  }
  ev.data = Dump(j);
  ev.MarkModified();
  out.push_back(std::move(ev));
}

// A stream that ends without finish_reason: release held text in synthetic
// chunks shaped like the upstream's own.
void GuardStage::ChatFlush(std::vector<SseEvent>& out) {
  if (!AnyPending()) {
    restorers_.clear();
    return;
  }
  Json env = Json::object();
  if (auto first = ParseJson(first_chunk_); first && first->is_object()) {
    for (const char* k : {"id", "object", "created", "model", "system_fingerprint"}) {
      if (auto it = first->find(k); it != first->end()) env[k] = *it;
    }
  }
  if (!env.contains("object")) env["object"] = "chat.completion.chunk";
  std::vector<std::string> names;
  for (const auto& [k, r] : restorers_) names.push_back(k);
  for (const auto& k : names) {
    std::string rest = Flush(k);
    if (rest.empty()) continue;
    Json c = env;
    Json choice = Json::object();
    size_t colon = k.find(':');
    std::string kind = k.substr(0, colon);
    std::string tail = k.substr(colon + 1);
    int64_t idx = std::stoll(tail);
    choice["index"] = idx;
    if (kind == "tool") {
      int64_t tci = std::stoll(tail.substr(tail.find(':') + 1));
      choice["delta"] =
          Json{{"tool_calls", Json::array({Json{{"index", tci}, {"function", Json{{"arguments", rest}}}}})}};
    } else {
      choice["delta"] = Json{{kind, rest}};
    }
    choice["finish_reason"] = nullptr;
    c["choices"] = Json::array({choice});
    out.push_back(DataEvent("", Dump(c)));
  }
}

void GuardStage::ResponsesEvent(SseEvent&& ev, std::vector<SseEvent>& out) {
  if (!policy_.scan_output && seq_shift_ == 0 && !AnyPending() && !MayHoldPlaceholder(ev.data)) {
    out.push_back(std::move(ev));
    return;
  }
  auto parsed = ParseJson(ev.data);
  if (!parsed || !parsed->is_object()) {
    out.push_back(std::move(ev));
    return;
  }
  Json& j = *parsed;
  std::string type = j.value("type", std::string());
  auto key_of = [&](const std::string& kind) {
    return kind + ":" + std::to_string(j.value("output_index", int64_t{0})) + ":" +
           std::to_string(j.value("content_index", int64_t{0}));
  };
  struct Kind {
    const char* delta_type;
    const char* done_type;
    const char* done_field;
    Vault::Escape escape;
  };
  static constexpr Kind kKinds[] = {
      {"response.output_text.delta", "response.output_text.done", "text", Vault::Escape::kNone},
      {"response.refusal.delta", "response.refusal.done", "refusal", Vault::Escape::kNone},
      {"response.function_call_arguments.delta", "response.function_call_arguments.done", "arguments",
       Vault::Escape::kJsonString},
  };
  bool handled = false;
  for (const Kind& k : kKinds) {
    if (type == k.delta_type) {
      auto d = j.find("delta");
      if (d != j.end() && d->is_string()) {
        std::string key = key_of(k.delta_type);
        *d = Restorer(key, k.escape).Feed(d->get_ref<const std::string&>());
        Json envelope = j;
        envelope.erase("delta");
        responses_delta_envelope_[key] = std::move(envelope);
      }
      handled = true;
    } else if (type == k.done_type) {
      std::string key = key_of(k.delta_type);
      std::string rest = Flush(key);
      if (!rest.empty()) {
        Json synth = Json::object();
        synth["type"] = k.delta_type;
        for (const char* f : {"item_id", "output_index", "content_index"}) {
          if (auto it = j.find(f); it != j.end()) synth[f] = *it;
        }
        synth["delta"] = rest;
        if (auto it = j.find("sequence_number"); it != j.end() && it->is_number_integer()) {
          synth["sequence_number"] = it->get<int64_t>() + seq_shift_;
        }
        ++seq_shift_;
        std::string name = ev.event.empty() ? std::string() : std::string(k.delta_type);
        out.push_back(DataEvent(name, Dump(synth)));
      }
      responses_delta_envelope_.erase(key);
      RestoreStrings(j, "");
      handled = true;
    }
  }
  if (!handled) RestoreStrings(j, "");
  if (seq_shift_ > 0) {
    if (auto it = j.find("sequence_number"); it != j.end() && it->is_number_integer()) {
      *it = it->get<int64_t>() + seq_shift_;
    }
  }
  ev.data = Dump(j);
  ev.MarkModified();
  out.push_back(std::move(ev));
}

void GuardStage::ResponsesFlush(std::vector<SseEvent>& out) {
  std::vector<std::string> names;
  for (const auto& [k, r] : restorers_) names.push_back(k);
  for (const auto& k : names) {
    std::string rest = Flush(k);
    if (rest.empty()) continue;
    Json synth = Json::object();
    if (auto it = responses_delta_envelope_.find(k); it != responses_delta_envelope_.end()) synth = it->second;
    synth["type"] = k.substr(0, k.find(':'));
    synth["delta"] = rest;
    out.push_back(DataEvent("", Dump(synth)));
  }
}

void GuardStage::OnStreamEvent(Exchange& ex, SseEvent&& ev, std::vector<SseEvent>& out) {
  if (!Active() || !ev.has_data) {
    out.push_back(std::move(ev));
    return;
  }
  if (ex.endpoint == Endpoint::kChatCompletions) {
    ChatEvent(std::move(ev), out);
  } else if (ex.endpoint == Endpoint::kResponses) {
    ResponsesEvent(std::move(ev), out);
  } else {
    out.push_back(std::move(ev));
  }
}

void GuardStage::OnStreamEnd(Exchange& ex, std::vector<SseEvent>& out) {
  if (!Active()) return;
  if (ex.endpoint == Endpoint::kChatCompletions)
    ChatFlush(out);
  else if (ex.endpoint == Endpoint::kResponses)
    ResponsesFlush(out);
}

class GuardFactory : public StageFactory {
 public:
  explicit GuardFactory(GuardSettings settings) { shared_.settings = std::move(settings); }
  std::string_view name() const override { return "guardrails"; }
  std::unique_ptr<Stage> Create(const Exchange& ex) const override {
    const policy::Policy* p = &shared_.settings.policy;
    for (const auto& [team, tp] : shared_.settings.teams) {
      if (team == ex.principal.team) p = &tp;
    }
    if (!ex.principal.policy.empty()) {
      bool found = false;
      for (const auto& [name, kp] : shared_.settings.key_profiles) {
        if (name == ex.principal.policy) {
          p = &kp;
          found = true;
        }
      }
      // A key naming a policy this build does not know gets the strictest
      // built-in one rather than a weaker default: fail closed.
      if (!found) {
        for (const auto& [name, kp] : shared_.settings.key_profiles) {
          if (name == "public") p = &kp;
        }
      }
    }
    return std::make_unique<GuardStage>(shared_, *p);
  }

 private:
  Shared shared_;
};

}  // namespace

bool IsPersistingPath(std::string_view path) {
  static constexpr std::string_view kPrefixes[] = {
      "/v1/files",      "/v1/uploads", "/v1/vector_stores", "/v1/fine_tuning",   "/v1/batches",
      "/v1/assistants", "/v1/threads", "/v1/containers",    "/v1/conversations", "/v1/evals"};
  for (std::string_view p : kPrefixes) {
    if (path.substr(0, p.size()) == p && (path.size() == p.size() || path[p.size()] == '/')) return true;
  }
  return false;
}

std::shared_ptr<const StageFactory> MakeGuardStage(GuardSettings settings) {
  return std::make_shared<GuardFactory>(std::move(settings));
}

Result<std::vector<std::shared_ptr<const StageFactory>>> MakeGuardStages(const config::Config& cfg) {
  std::vector<std::shared_ptr<const StageFactory>> out;
  const config::GuardrailsConfig& g = cfg.guardrails;
  if (!g.enabled) return out;
  detect::ScannerOptions so;
  so.markings = g.markings;
  so.min_confidence = static_cast<float>(g.min_confidence);
  for (const auto& d : g.dictionaries) {
    detect::Dictionary dict;
    if (!d.file.empty()) {
      auto loaded = detect::LoadDictionaryFile(d.file);
      if (!loaded.ok()) return Status::Error("guardrails.dictionaries " + d.name + ": " + loaded.status().message());
      dict = std::move(loaded).value();
    }
    dict.name = d.name;
    for (const auto& t : d.terms) dict.terms.push_back(t);
    so.dictionaries.push_back(std::move(dict));
  }
  auto scanner = detect::Scanner::Compile(so);
  if (!scanner.ok())
    return Status::Error("guardrails: the detection engine failed to compile: " + scanner.status().message());

  GuardSettings s;
  s.scanner = std::shared_ptr<const detect::Scanner>(std::move(scanner).value());
  std::string profile = g.policy.profile.empty() ? "general" : g.policy.profile;
  auto base = policy::BuiltinProfile(profile);
  if (!base) return Status::Error("guardrails.profile: unknown profile '" + profile + "'");
  config::PolicyConfig top = g.policy;
  top.profile.clear();
  auto p = policy::PolicyFromConfig(top, *base, g.dictionaries);
  if (!p.ok()) return Status::Error("guardrails: " + p.status().message());
  s.policy = std::move(p).value();
  for (const auto& [team, tc] : g.teams) {
    auto tp = policy::PolicyFromConfig(tc, s.policy, g.dictionaries);
    if (!tp.ok()) return Status::Error("guardrails.teams." + team + ": " + tp.status().message());
    s.teams.emplace_back(team, std::move(tp).value());
  }
  for (const auto& name : policy::BuiltinProfileNames()) {
    config::PolicyConfig kc;
    kc.profile = name;
    auto kp = policy::PolicyFromConfig(kc, s.policy, g.dictionaries);
    if (!kp.ok()) return Status::Error("guardrails: profile " + name + ": " + kp.status().message());
    s.key_profiles.emplace_back(name, std::move(kp).value());
  }
  for (const auto& [from, to] : g.substitutes) s.substitutes.emplace(from, to);
  s.allow_persisting_endpoints = g.allow_persisting_endpoints;
  auto secret = config::ResolveFingerprintSecret(cfg.audit);
  if (!secret.ok()) return secret.status();
  s.fingerprint_secret = std::move(secret).value();
  if (!s.fingerprint_secret.empty()) {
    if (Status cs = store::EnsureCryptoInit(); !cs.ok()) return cs;
  }
  out.push_back(MakeGuardStage(std::move(s)));
  return out;
}

}  // namespace gwanmun::proxy
