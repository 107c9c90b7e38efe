#include "openai/json_text.h"

#include <algorithm>
#include <cstdint>

#include "openai/errors.h"

namespace gwanmun::openai {
namespace {

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Walker {
 public:
  Walker(std::string_view doc, const std::function<void(const JsonPath&, JsonRange)>& visit, int max_depth,
         bool visit_keys)
      : d_(doc), visit_(visit), max_depth_(max_depth), visit_keys_(visit_keys) {}

  Status Run() {
    SkipWs();
    if (!Value(0)) return Status::Error(error_.empty() ? "malformed JSON" : error_);
    SkipWs();
    if (p_ != d_.size()) return Status::Error("malformed JSON: trailing bytes after the value");
    return Status::Ok();
  }

 private:
  void SkipWs() {
    while (p_ < d_.size() && (d_[p_] == ' ' || d_[p_] == '\t' || d_[p_] == '\n' || d_[p_] == '\r')) ++p_;
  }

  bool Fail(const char* what) {
    if (error_.empty()) error_ = std::string("malformed JSON: ") + what + " at byte " + std::to_string(p_);
    return false;
  }

  // Scans a string literal starting at p_ (the quote); leaves p_ after it.
  bool String(JsonRange* r) {
    r->begin = p_;
    ++p_;
    while (true) {
      // Fast path over ordinary bytes.
      while (p_ < d_.size() && d_[p_] != '"' && d_[p_] != '\\' && static_cast<unsigned char>(d_[p_]) >= 0x20) ++p_;
      if (p_ >= d_.size()) return Fail("unterminated string");
      char c = d_[p_];
      if (c == '"') {
        ++p_;
        r->end = p_;
        return true;
      }
      if (c != '\\') return Fail("control character in string");
      if (p_ + 1 >= d_.size()) return Fail("unterminated escape");
      char e = d_[p_ + 1];
      if (e == 'u') {
        if (p_ + 6 > d_.size()) return Fail("short \\u escape");
        for (size_t k = 2; k < 6; ++k) {
          if (HexVal(d_[p_ + k]) < 0) return Fail("bad \\u escape");
        }
        p_ += 6;
      } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
        p_ += 2;
      } else {
        return Fail("bad escape");
      }
    }
  }

  bool Number() {
    size_t start = p_;
    if (p_ < d_.size() && d_[p_] == '-') ++p_;
    if (p_ >= d_.size()) return Fail("bad number");
    if (d_[p_] == '0') {
      ++p_;
    } else if (d_[p_] >= '1' && d_[p_] <= '9') {
      while (p_ < d_.size() && d_[p_] >= '0' && d_[p_] <= '9') ++p_;
    } else {
      return Fail("unexpected character");
    }
    if (p_ < d_.size() && d_[p_] == '.') {
      ++p_;
      size_t f = p_;
      while (p_ < d_.size() && d_[p_] >= '0' && d_[p_] <= '9') ++p_;
      if (p_ == f) return Fail("bad number");
    }
    if (p_ < d_.size() && (d_[p_] == 'e' || d_[p_] == 'E')) {
      ++p_;
      if (p_ < d_.size() && (d_[p_] == '+' || d_[p_] == '-')) ++p_;
      size_t f = p_;
      while (p_ < d_.size() && d_[p_] >= '0' && d_[p_] <= '9') ++p_;
      if (p_ == f) return Fail("bad number");
    }
    return p_ > start;
  }

  bool Literal(std::string_view word) {
    if (d_.substr(p_, word.size()) != word) return Fail("unexpected character");
    p_ += word.size();
    return true;
  }

  bool Value(int depth) {
    if (p_ >= d_.size()) return Fail("unexpected end");
    char c = d_[p_];
    if (c == '"') {
      JsonRange r;
      if (!String(&r)) return false;
      visit_(path_, r);
      return true;
    }
    if (c == '{' || c == '[') {
      if (depth >= max_depth_) return Fail("nesting too deep");
      return c == '{' ? Object(depth + 1) : Array(depth + 1);
    }
    if (c == 't') return Literal("true");
    if (c == 'f') return Literal("false");
    if (c == 'n') return Literal("null");
    return Number();
  }

  bool Object(int depth) {
    ++p_;
    SkipWs();
    if (p_ < d_.size() && d_[p_] == '}') {
      ++p_;
      return true;
    }
    path_.emplace_back();
    while (true) {
      SkipWs();
      if (p_ >= d_.size() || d_[p_] != '"') return Fail("expected a member name");
      JsonRange kr;
      if (!String(&kr)) return false;
      std::string_view klit = d_.substr(kr.begin, kr.size());
      JsonPathElem& el = path_.back();
      el.index = -1;
      if (klit.find('\\') == std::string_view::npos) {
        el.key.assign(klit.substr(1, klit.size() - 2));
      } else {
        el.key.clear();
        UnescapeJsonString(klit, &el.key);
      }
      if (visit_keys_) {
        kr.key = true;
        visit_(path_, kr);
      }
      SkipWs();
      if (p_ >= d_.size() || d_[p_] != ':') return Fail("expected ':'");
      ++p_;
      SkipWs();
      if (!Value(depth)) return false;
      SkipWs();
      if (p_ < d_.size() && d_[p_] == ',') {
        ++p_;
        continue;
      }
      if (p_ < d_.size() && d_[p_] == '}') {
        ++p_;
        path_.pop_back();
        return true;
      }
      return Fail("expected ',' or '}'");
    }
  }

  bool Array(int depth) {
    ++p_;
    SkipWs();
    if (p_ < d_.size() && d_[p_] == ']') {
      ++p_;
      return true;
    }
    path_.emplace_back();
    long index = 0;
    while (true) {
      SkipWs();
      JsonPathElem& el = path_.back();
      el.key.clear();
      el.index = index++;
      if (!Value(depth)) return false;
      SkipWs();
      if (p_ < d_.size() && d_[p_] == ',') {
        ++p_;
        continue;
      }
      if (p_ < d_.size() && d_[p_] == ']') {
        ++p_;
        path_.pop_back();
        return true;
      }
      return Fail("expected ',' or ']'");
    }
  }

  std::string_view d_;
  const std::function<void(const JsonPath&, JsonRange)>& visit_;
  int max_depth_;
  bool visit_keys_;
  size_t p_ = 0;
  JsonPath path_;
  std::string error_;
};

}  // namespace

Status ForEachJsonString(std::string_view doc, const std::function<void(const JsonPath&, JsonRange)>& visit,
                         int max_depth, bool visit_keys) {
  Walker w(doc, visit, max_depth, visit_keys);
  return w.Run();
}

bool UnescapeJsonString(std::string_view lit, std::string* out) {
  if (lit.size() < 2 || lit.front() != '"' || lit.back() != '"') return false;
  std::string_view s = lit.substr(1, lit.size() - 2);
  out->reserve(out->size() + s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t bs = s.find('\\', i);
    if (bs == std::string_view::npos) {
      out->append(s.substr(i));
      break;
    }
    out->append(s.substr(i, bs - i));
    if (bs + 1 >= s.size()) return false;
    char e = s[bs + 1];
    i = bs + 2;
    switch (e) {
      case '"':
        out->push_back('"');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '/':
        out->push_back('/');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        auto hex4 = [&](size_t at, uint32_t* v) {
          if (at + 4 > s.size()) return false;
          uint32_t x = 0;
          for (size_t k = 0; k < 4; ++k) {
            int h = HexVal(s[at + k]);
            if (h < 0) return false;
            x = (x << 4) | static_cast<uint32_t>(h);
          }
          *v = x;
          return true;
        };
        uint32_t cp = 0;
        if (!hex4(i, &cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo = 0;
          if (i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u' && hex4(i + 2, &lo) && lo >= 0xDC00 &&
              lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          } else {
            cp = 0xFFFD;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD;
        }
        AppendUtf8(cp, out);
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  AppendJsonEscaped(text, out);
  out->push_back('"');
}

std::string ApplyEdits(std::string_view doc, std::vector<JsonEdit> edits) {
  std::sort(edits.begin(), edits.end(), [](const JsonEdit& a, const JsonEdit& b) { return a.begin < b.begin; });
  std::string out;
  size_t grow = 0;
  for (const auto& e : edits) grow += e.replacement.size();
  out.reserve(doc.size() + grow);
  size_t pos = 0;
  for (const auto& e : edits) {
    out.append(doc.substr(pos, e.begin - pos));
    out.append(e.replacement);
    pos = e.end;
  }
  out.append(doc.substr(pos));
  return out;
}

}  // namespace gwanmun::openai
