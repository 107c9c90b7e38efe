#include "detect/scanner.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <numeric>

#include "detect/registry.h"

namespace gwanmun::detect {

Scanner::~Scanner() = default;

Result<std::unique_ptr<Scanner>> Scanner::Compile(const ScannerOptions& options) { return Compile(options, {}); }

Result<std::unique_ptr<Scanner>> Scanner::Compile(const ScannerOptions& options,
                                                  std::vector<std::unique_ptr<Recognizer>> extra) {
  std::unique_ptr<Scanner> s(new Scanner());  // private constructor
  s->options_ = options;
  for (const Dictionary& d : options.dictionaries) {
    if (d.name.empty()) return Status::Error("dictionary without a name");
    for (const std::string& t : d.terms) {
      if (t.empty()) return Status::Error("dictionary " + d.name + " has an empty term");
    }
  }
  s->recognizers_ = BuiltinRecognizers(options);
  for (auto& r : extra) s->recognizers_.push_back(std::move(r));
  LexiconBuilder builder;
  size_t horizon = 256;
  for (auto& r : s->recognizers_) {
    r->Register(builder);
    horizon = std::max(horizon, r->Horizon());
  }
  s->horizon_ = horizon;
  auto lex = Lexicon::Compile(builder);
  if (!lex.ok()) return lex.status();
  s->lexicon_ = std::move(lex).value();
  return s;
}

std::string_view Scanner::TypeName(const Span& span) const {
  if (span.type == EntityType::kCustom && span.dict < options_.dictionaries.size()) {
    return options_.dictionaries[span.dict].name;
  }
  return EntityTypeName(span.type);
}

Status Scanner::Scan(std::string_view text, ScanScratch& scratch, std::vector<Span>* out) const {
  out->clear();
  if (text.empty()) return Status::Ok();
  if (text.size() >= (uint64_t{1} << 32) - 1) {
    // Offsets are 32-bit internally: scan huge inputs as a stream.
    StreamScanner stream(*this);
    for (size_t pos = 0; pos < text.size(); pos += (size_t{1} << 28)) {
      auto part = stream.Feed(text.substr(pos, size_t{1} << 28));
      out->insert(out->end(), part.begin(), part.end());
    }
    auto rest = stream.Finish();
    out->insert(out->end(), rest.begin(), rest.end());
    return Status::Ok();
  }
  scratch.normalized.Reset(text);
  std::string_view nt = scratch.normalized.text();
  scratch.hits.clear();
  Status st = lexicon_->Match(nt, scratch.lexicon, scratch.hits);
  if (!st.ok()) return st;
  scratch.findings.clear();
  ScanView view(nt, scratch.hits);
  for (const auto& r : recognizers_) r->Scan(view, scratch.findings);

  // Filter, then resolve overlaps greedily in priority order.
  auto& f = scratch.findings;
  auto& order = scratch.order;
  order.clear();
  for (uint32_t i = 0; i < f.size(); ++i) {
    const Finding& x = f[i];
    if (x.start >= x.end || x.end > nt.size()) continue;
    if (!options_.types.test(static_cast<size_t>(x.type))) continue;
    if (x.confidence < options_.min_confidence) continue;
    order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const Finding& x = f[a];
    const Finding& y = f[b];
    if (x.specificity != y.specificity) return x.specificity > y.specificity;
    uint32_t lx = x.end - x.start, ly = y.end - y.start;
    if (lx != ly) return lx > ly;
    if (x.confidence != y.confidence) return x.confidence > y.confidence;
    if (x.start != y.start) return x.start < y.start;
    if (x.type != y.type) return x.type < y.type;
    if (x.dict != y.dict) return x.dict < y.dict;
    return std::string_view(x.rule) < std::string_view(y.rule);
  });
  // A candidate is accepted if none of its bytes is taken by a candidate
  // accepted before it. `occupied` is all zero between scans.
  auto& occ = scratch.occupied;
  if (occ.size() < nt.size()) occ.resize(nt.size(), 0);
  auto& accepted = scratch.accepted;
  accepted.clear();
  for (uint32_t i : order) {
    const Finding& x = f[i];
    const uint8_t* p = occ.data() + x.start;
    size_t len = x.end - x.start;
    if (std::memchr(p, 1, len) != nullptr) continue;
    std::memset(occ.data() + x.start, 1, len);
    accepted.push_back(i);
  }
  std::sort(accepted.begin(), accepted.end(), [&](uint32_t a, uint32_t b) { return f[a].start < f[b].start; });
  out->reserve(accepted.size());
  for (uint32_t i : accepted) {
    const Finding& x = f[i];
    std::memset(occ.data() + x.start, 0, x.end - x.start);
    Span s;
    s.start = scratch.normalized.OriginalStart(x.start);
    s.end = scratch.normalized.OriginalEnd(x.end);
    s.type = x.type;
    s.confidence = x.confidence;
    s.rule = x.rule;
    s.dict = x.dict;
    s.specificity = x.specificity;
    out->push_back(s);
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------

StreamScanner::StreamScanner(const Scanner& scanner) : scanner_(scanner), margin_(2 * scanner.Horizon() + 64) {}

std::vector<Span> StreamScanner::Feed(std::string_view chunk) {
  buf_.append(chunk);
  unscanned_ += chunk.size();
  if (unscanned_ >= std::max<size_t>(margin_, 4096) && buf_.size() > 2 * margin_) {
    return Process(false);
  }
  return {};
}

std::vector<Span> StreamScanner::Finish() { return Process(true); }

std::vector<Span> StreamScanner::Process(bool final) {
  unscanned_ = 0;
  std::vector<Span> all;
  std::vector<Span> out;
  Status st = scanner_.Scan(buf_, scratch_, &all);
  (void)st;  // Lexicon failures cannot happen after a successful first scan.
  uint64_t end_abs = base_ + buf_.size();
  uint64_t frontier = end_abs > margin_ ? end_abs - margin_ : 0;
  uint64_t new_settled = frontier;
  for (Span s : all) {
    s.start += base_;
    s.end += base_;
    if (s.start < settled_) continue;
    if (final) {
      out.push_back(s);
      continue;
    }
    if (s.start >= frontier) break;
    if (s.end <= frontier) {
      out.push_back(s);
    } else {
      new_settled = s.start;
      break;
    }
  }
  if (final) {
    settled_ = end_abs;
    buf_.clear();
    base_ = end_abs;
    return out;
  }
  settled_ = std::max(settled_, new_settled);
  if (settled_ > base_ + margin_) {
    size_t drop = static_cast<size_t>(settled_ - margin_ - base_);
    buf_.erase(0, drop);
    base_ += drop;
  }
  return out;
}

// ---------------------------------------------------------------------------

Result<Dictionary> LoadDictionaryFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error("cannot open dictionary file " + path);
  Dictionary d;
  std::string base = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  if (auto dot = base.find('.'); dot != std::string::npos && dot > 0) base.resize(dot);
  for (char c : base) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    d.name.push_back(((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) ? c : '_');
  }
  if (d.name.empty()) d.name = "CUSTOM";
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t b = line.find_first_not_of(" \t");
    size_t e = line.find_last_not_of(" \t");
    std::string t = b == std::string::npos ? "" : line.substr(b, e - b + 1);
    if (first && t.rfind("\xEF\xBB\xBF", 0) == 0) t = t.substr(3);
    if (first && t.rfind("@type ", 0) == 0) {
      d.name = t.substr(6);
      first = false;
      continue;
    }
    first = false;
    if (t.empty() || t[0] == '#') continue;
    d.terms.push_back(t);
  }
  return d;
}

}  // namespace gwanmun::detect
