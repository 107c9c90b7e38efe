#include "detect/lexicon.h"

#include <hs/hs.h>

#include <algorithm>
#include <atomic>

namespace gwanmun::detect {

uint16_t LexiconBuilder::Category(std::string_view name) {
  for (size_t i = 0; i < categories_.size(); ++i) {
    if (categories_[i] == name) return static_cast<uint16_t>(i);
  }
  categories_.emplace_back(name);
  return static_cast<uint16_t>(categories_.size() - 1);
}

uint32_t LexiconBuilder::Add(std::string_view literal, uint16_t category, bool caseless) {
  literals_.push_back({std::string(literal), category, caseless});
  return static_cast<uint32_t>(literals_.size() - 1);
}

LexiconScratch::~LexiconScratch() {
  if (scratch_ != nullptr) hs_free_scratch(scratch_);
}

Lexicon::~Lexicon() {
  if (db_ != nullptr) hs_free_database(db_);
}

Result<std::unique_ptr<Lexicon>> Lexicon::Compile(const LexiconBuilder& builder) {
  std::unique_ptr<Lexicon> lex(new Lexicon());  // private constructor
  static std::atomic<uint64_t> next_id{1};
  lex->id_ = next_id.fetch_add(1);
  lex->categories_ = builder.categories_;
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  std::vector<size_t> lens;
  for (size_t i = 0; i < builder.literals_.size(); ++i) {
    const auto& l = builder.literals_[i];
    lex->entries_.push_back({l.bytes, l.category});
    if (l.bytes.empty()) return Status::Error("empty lexicon literal");
    exprs.push_back(l.bytes.data());
    flags.push_back(l.caseless ? HS_FLAG_CASELESS : 0);
    ids.push_back(static_cast<unsigned>(i));
    lens.push_back(l.bytes.size());
    lex->max_literal_len_ = std::max(lex->max_literal_len_, l.bytes.size());
  }
  if (exprs.empty()) return lex;
  hs_compile_error_t* err = nullptr;
  hs_error_t rc = hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                                       static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &lex->db_, &err);
  if (rc != HS_SUCCESS) {
    std::string msg = "hyperscan compile failed";
    if (err != nullptr) {
      msg += ": ";
      msg += err->message;
      if (err->expression >= 0) {
        msg += " (literal #" + std::to_string(err->expression) + ")";
      }
      hs_free_compile_error(err);
    }
    return Status::Error(msg);
  }
  return lex;
}

int Lexicon::FindCategory(std::string_view name) const {
  for (size_t i = 0; i < categories_.size(); ++i) {
    if (categories_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

namespace {
struct MatchContext {
  const Lexicon* lex;
  std::vector<Hit>* hits;
};

int OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to, unsigned int /*flags*/, void* ctx) {
  auto* mc = static_cast<MatchContext*>(ctx);
  auto len = static_cast<uint32_t>(mc->lex->Literal(id).size());
  auto end = static_cast<uint32_t>(to);
  mc->hits->push_back({end - len, end, mc->lex->CategoryOf(id), id});
  return 0;
}
}  // namespace

Status Lexicon::Match(std::string_view text, LexiconScratch& scratch, std::vector<Hit>& hits) const {
  if (db_ == nullptr || text.empty()) return Status::Ok();
  if (scratch.sized_for_ != id_) {
    if (hs_alloc_scratch(db_, &scratch.scratch_) != HS_SUCCESS) {
      return Status::Error("hyperscan: cannot allocate scratch");
    }
    scratch.sized_for_ = id_;
  }
  size_t first = hits.size();
  MatchContext mc{this, &hits};
  // Hyperscan takes an unsigned length; scan very large inputs in windows
  // that overlap by the longest literal so no match is lost or repeated.
  const size_t max_len = max_literal_len_;
  constexpr size_t kWindow = size_t{1} << 30;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t len = std::min(kWindow, text.size() - pos);
    size_t before = hits.size();
    hs_error_t rc = hs_scan(db_, text.data() + pos, static_cast<unsigned>(len), 0, scratch.scratch_, OnMatch, &mc);
    if (rc != HS_SUCCESS) return Status::Error("hyperscan: scan failed");
    for (size_t k = before; k < hits.size(); ++k) {
      hits[k].start += static_cast<uint32_t>(pos);
      hits[k].end += static_cast<uint32_t>(pos);
    }
    if (pos + len >= text.size()) break;
    size_t next = pos + len - std::min(len, max_len - 1);
    // Drop hits that the next window will report again.
    size_t keep = before;
    for (size_t k = before; k < hits.size(); ++k) {
      if (hits[k].start < next) hits[keep++] = hits[k];
    }
    hits.resize(keep);
    pos = next;
  }
  std::sort(hits.begin() + static_cast<std::ptrdiff_t>(first), hits.end(), [](const Hit& a, const Hit& b) {
    return a.start != b.start ? a.start < b.start : (a.end != b.end ? a.end < b.end : a.entry < b.entry);
  });
  return Status::Ok();
}

}  // namespace gwanmun::detect
