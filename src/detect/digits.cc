#include "detect/digits.h"

namespace gwanmun::detect::num {
namespace {

bool IsSep(char c) { return c == '-' || c == '.' || c == ' '; }

// Bytes that continue an ASCII token.
bool IsTokenChar(char c) { return text::IsAsciiAlnum(c) || c == '_' || c == '@'; }

bool IsAsciiLetterByte(char c) { return text::IsAsciiAlpha(c); }

}  // namespace

void ParseGroups(std::string_view t, size_t pos, Groups& g) {
  g.n = 0;
  const size_t n = t.size();
  size_t p = pos;
  while (g.n < kMaxGroups) {
    size_t e = DigitRunEnd(t, p);
    g.b[g.n] = static_cast<uint32_t>(p);
    g.e[g.n] = static_cast<uint32_t>(e);
    g.sep[g.n] = 0;
    ++g.n;
    if (e - p > 40) return;
    if (e + 1 < n && IsSep(t[e]) && text::IsAsciiDigit(t[e + 1])) {
      g.sep[g.n - 1] = t[e];
      p = e + 1;
    } else {
      return;
    }
  }
}

bool LeftBoundaryOk(std::string_view t, size_t pos) {
  if (pos == 0) return true;
  char c = t[pos - 1];
  // An escaped newline or tab inside a JSON or C string ("…\n010-…").
  if ((c == 'n' || c == 't' || c == 'r') && pos >= 2 && t[pos - 2] == '\\') return true;
  if (IsTokenChar(c)) return false;
  if ((c == '-' || c == '.') && pos >= 2) {
    char d = t[pos - 2];
    if (text::IsAsciiDigit(d)) return false;
    if (c == '-' && (IsAsciiLetterByte(d) || d == '_')) return false;
  }
  return true;
}

bool RightBoundaryOk(std::string_view t, size_t end) {
  if (end >= t.size()) return true;
  char c = t[end];
  if (IsTokenChar(c)) return false;
  if ((c == '-' || c == '.') && end + 1 < t.size()) {
    char d = t[end + 1];
    if (text::IsAsciiDigit(d)) return false;
    if (c == '-' && (IsAsciiLetterByte(d) || d == '_')) return false;
  }
  return true;
}

bool EndsAfter(std::string_view t, const Groups& g, int k) {
  if (k < g.n) return g.sep[k - 1] == ' ';
  return RightBoundaryOk(t, g.e[k - 1]);
}

size_t CollectDigits(std::string_view t, size_t from, size_t to, char* buf, size_t cap) {
  size_t k = 0;
  for (size_t i = from; i < to && k < cap; ++i) {
    if (text::IsAsciiDigit(t[i])) buf[k++] = t[i];
  }
  return k;
}

size_t CollectGroupDigits(std::string_view t, const Groups& g, int from, int to, char* buf, size_t cap) {
  size_t k = 0;
  for (int i = from; i < to; ++i) {
    for (uint32_t j = g.b[i]; j < g.e[i] && k < cap; ++j) buf[k++] = t[j];
  }
  return k;
}

void AddKeywords(LexiconBuilder& lexicon, uint16_t category, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words) {
    bool ascii = true;
    for (char c : w) {
      if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
    }
    lexicon.Add(w, category, /*caseless=*/ascii);
  }
}

namespace {

// Short ASCII keywords ("RRN", "KB", "NH") must not be glued to other ASCII
// letters or digits ("warning", "1024KB").
bool KeywordBoundaryOk(std::string_view t, const Hit& h) {
  size_t len = h.end - h.start;
  if (len > 4) return true;
  bool first_ascii = text::IsAsciiAlpha(t[h.start]);
  bool last_ascii = text::IsAsciiAlpha(t[h.end - 1]);
  if (first_ascii && h.start > 0 && text::IsAsciiAlnum(t[h.start - 1])) return false;
  if (last_ascii && h.end < t.size() && text::IsAsciiAlnum(t[h.end])) return false;
  return true;
}

}  // namespace

namespace {

// Line breaks in `s`: '\n' and the escaped "\\n" of JSON/C strings.
int CountLineBreaks(std::string_view s) {
  int n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n') {
      ++n;
    } else if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
      ++n;
      ++i;
    }
  }
  return n;
}

}  // namespace

int ContextGap(const ScanView& view, uint16_t category, size_t start, size_t end, size_t before, size_t after,
               int max_lines_before) {
  size_t from = start > before ? start - before : 0;
  size_t to = end + after;
  // A hit overlapping the window may start up to 64 bytes before it.
  size_t scan_from = from > 64 ? from - 64 : 0;
  int best = -1;
  std::string_view t = view.text();
  for (const Hit& h : view.HitsStartingIn(scan_from, to)) {
    if (h.category != category || h.end <= from || h.start >= to) continue;
    if (!KeywordBoundaryOk(t, h)) continue;
    size_t gap = 0;
    if (h.end <= start) {
      gap = start - h.end;
      if (max_lines_before < kAnyLines && CountLineBreaks(t.substr(h.end, gap)) > max_lines_before) {
        continue;
      }
    } else if (h.start >= end) {
      // A keyword after the value belongs to it only on the same line.
      gap = h.start - end;
      if (CountLineBreaks(t.substr(end, gap)) > 0) continue;
    }
    if (best < 0 || static_cast<int>(gap) < best) best = static_cast<int>(gap);
  }
  return best;
}

}  // namespace gwanmun::detect::num
