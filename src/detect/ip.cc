// IP_ADDRESS: IPv4 and IPv6 addresses.
//
// Contract:
//  * IPv4: exactly four dot-separated decimal octets 0–255 without leading
//    zeros ("010" is rejected), standing alone: the dotted number must not
//    continue on either side ("2.14.3.1.5", OIDs), must not be glued to a
//    letter, digit or '_' ("v1.2.3.4", "ip10.0.0.1x"), and the preceding
//    word must not announce a version ("버전 2.1.3.4", "Windows 10.0.1.2").
//    Addresses made only of single-digit octets ("1.2.3.4", also section
//    numbers) are reported only with an IP context word nearby (IP, DNS,
//    서버, host, …). A trailing sentence dot, ":port", "/cidr", brackets and
//    Hangul particles are never part of the span.
//  * IPv6: RFC 4291 text forms — eight groups, one "::" compression, or an
//    embedded IPv4 tail ("::ffff:192.0.2.1"). The maximal run of hex digits,
//    ':' and '.' must parse completely (a trailing ':' before whitespace is
//    allowed); at least one group must have 3+ hex digits unless all eight
//    are written, eight 2-digit groups (fingerprints) are rejected, and the
//    address must contain a decimal digit ("Cafe::Add" is C++). This
//    keeps out times (12:30:45), MACs (00:1a:2b:3c:4d:5e), C++ scopes
//    (std::x), slices (a[1::2]) and hashes. "[2001:db8::1]:443" → the address.
// Two memchr passes ('.' and ':'); the lexicon supplies only context words.

#include <algorithm>
#include <cstring>

#include "detect/registry.h"
#include "detect/text_util.h"

namespace gwanmun::detect {
namespace {

constexpr size_t kContextBefore = 48;
constexpr size_t kContextAfter = 16;
constexpr size_t kMaxV6Run = 64;

bool IsHex(char c) { return text::IsAsciiDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
bool IsWordChar(char c) { return text::IsAsciiAlnum(c) || c == '_'; }

// ASCII words that announce a version number when they directly precede a
// dotted number (compared case-insensitively).
constexpr std::string_view kVersionWords[] = {
    "v",    "ver",    "version", "versions", "release", "rel",     "build", "rev",    "revision", "firmware", "fw",
    "sdk",  "kernel", "patch",   "update",   "windows", "android", "ios",   "macos",  "chrome",   "java",     "python",
    "node", "ubuntu", "debian",  "centos",   "oid",     "app",     "agent", "client", "driver",   "bios",
};
// Hangul words with the same role (a particle may follow them).
constexpr std::string_view kHangulVersionWords[] = {
    "버전", "빌드", "릴리스", "릴리즈", "펌웨어", "패치", "업데이트", "개정", "판",
};
constexpr std::string_view kParticles[] = {"은", "는", "이", "가", "을", "를", "도", "의"};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// True if the word right before `pos` (separators " \t:=(" skipped) is a
// version word.
bool PrecededByVersionWord(std::string_view t, size_t pos) {
  size_t p = pos;
  int skipped = 0;
  while (p > 0 && skipped < 4 &&
         (t[p - 1] == ' ' || t[p - 1] == '\t' || t[p - 1] == ':' || t[p - 1] == '=' || t[p - 1] == '(')) {
    --p;
    ++skipped;
  }
  if (p == 0) return false;
  if (text::IsAsciiAlpha(t[p - 1])) {
    size_t s = p;
    while (s > 0 && text::IsAsciiAlpha(t[s - 1]) && p - s <= 10) --s;
    if (s > 0 && text::IsAsciiAlnum(t[s - 1])) return false;
    std::string_view w = t.substr(s, p - s);
    for (std::string_view v : kVersionWords) {
      if (text::EqualsIgnoreCase(w, v)) return true;
    }
    return false;
  }
  // Hangul: up to 5 syllables ending at p.
  size_t s = p;
  while (s >= 3 && p - s < 15 && text::HangulBefore(t, s)) s -= 3;
  if (s == p) return false;
  std::string_view w = t.substr(s, p - s);
  for (std::string_view part : kParticles) {
    if (w.size() > part.size() && EndsWith(w, part)) {
      std::string_view stem = w.substr(0, w.size() - part.size());
      for (std::string_view v : kHangulVersionWords) {
        if (EndsWith(stem, v)) return true;
      }
    }
  }
  for (std::string_view v : kHangulVersionWords) {
    if (EndsWith(w, v)) return true;
  }
  return false;
}

// Parses a decimal octet at t[p..q) (1–3 digits, ≤ 255, no leading zero).
bool ValidOctet(std::string_view t, size_t p, size_t q) {
  size_t len = q - p;
  if (len == 0 || len > 3) return false;
  if (len > 1 && t[p] == '0') return false;
  int v = 0;
  for (size_t i = p; i < q; ++i) v = v * 10 + (t[i] - '0');
  return v <= 255;
}

// If t[p..] starts with a dotted quad, returns its end (else 0). Does not
// check boundaries. Used for the IPv4 tail of an IPv6 address.
size_t ParseDottedQuad(std::string_view t, size_t p, size_t limit) {
  size_t q = p;
  for (int g = 0; g < 4; ++g) {
    size_t s = q;
    while (q < limit && text::IsAsciiDigit(t[q]) && q - s < 4) ++q;
    if (!ValidOctet(t, s, q)) return 0;
    if (g < 3) {
      if (q >= limit || t[q] != '.') return 0;
      ++q;
    }
  }
  return q;
}

// Parses t[s..e) as a complete IPv6 address.
bool ValidIpv6(std::string_view t, size_t s, size_t e) {
  size_t p = s;
  int groups = 0;  // 16-bit groups written (an IPv4 tail counts as two)
  int two_digit = 0;
  bool long_group = false;
  bool compressed = false;
  if (e - s >= 2 && t[p] == ':' && t[p + 1] == ':') {
    compressed = true;
    p += 2;
    if (p == e) return false;  // "::" alone
  } else if (t[p] == ':') {
    return false;
  }
  while (p < e) {
    size_t g = p;
    while (p < e && IsHex(t[p]) && p - g < 5) ++p;
    size_t len = p - g;
    if (len == 0 || len > 4) return false;
    if (p < e && t[p] == '.') {
      // IPv4 tail: must be the last thing.
      size_t q = ParseDottedQuad(t, g, e);
      if (q != e) return false;
      groups += 2;
      long_group = true;
      p = e;
      break;
    }
    ++groups;
    if (len >= 3) long_group = true;
    if (len == 2) ++two_digit;
    if (p == e) break;
    if (t[p] != ':') return false;
    if (p + 1 < e && t[p + 1] == ':') {
      if (compressed) return false;
      compressed = true;
      p += 2;
      if (p == e) break;  // "fe80::"
    } else {
      ++p;
      if (p == e) return false;
    }
  }
  if (compressed ? groups > 7 : groups != 8) return false;
  if (!long_group) {
    // "::1" is the loopback address; other short forms are slices or times.
    if (!(compressed && groups == 1 && e - s == 3 && t[s + 2] == '1')) return false;
  }
  if (groups == 8 && two_digit == 8) return false;  // fingerprints, EUI-64
  // Identifiers made of hex letters only ("Cafe::Add", "dead::beef").
  bool digit = false;
  for (size_t i = s; i < e && !digit; ++i) digit = text::IsAsciiDigit(t[i]);
  return digit;
}

class IpRecognizer final : public Recognizer {
 public:
  std::string_view name() const override { return "ip"; }

  void Register(LexiconBuilder& lexicon) override {
    ctx_ = lexicon.Category("ctx.ip");
    for (std::string_view w : {"IP", "IPv4", "ip:", "ip=", "ip ", "_ip", "ip\""}) {
      lexicon.Add(w, ctx_, false);
    }
    for (std::string_view w :
         {"dns", "server", "host", "gateway", "ping", "nameserver", "subnet", "address", "addr", "proxy", "router",
          "bind", "listen", "netmask", "firewall", "allow", "deny", "localhost", "route"}) {
      lexicon.Add(w, ctx_, true);
    }
    for (std::string_view w : {"서버", "주소", "게이트웨이", "접속", "아이피", "네임서버", "라우터", "프록시", "호스트",
                               "바인딩", "방화벽", "허용", "차단", "대역", "넷마스크", "서브넷", "라우팅"}) {
      lexicon.Add(w, ctx_, false);
    }
  }

  void Scan(const ScanView& view, std::vector<Finding>& out) const override {
    ScanV4(view, out);
    ScanV6(view, out);
  }

  size_t Horizon() const override { return kMaxV6Run + kContextBefore + 64; }

 private:
  void ScanV4(const ScanView& view, std::vector<Finding>& out) const {
    std::string_view t = view.text();
    const char* base = t.data();
    size_t n = t.size();
    size_t pos = 1;
    while (pos < n) {
      const void* hit = std::memchr(base + pos, '.', n - pos);
      if (hit == nullptr) break;
      size_t dot = static_cast<size_t>(static_cast<const char*>(hit) - base);
      pos = dot + 1;
      if (!text::IsAsciiDigit(t[dot - 1])) continue;
      size_t s = dot;
      while (s > 0 && text::IsAsciiDigit(t[s - 1])) --s;
      // Walk the whole dotted number.
      size_t q = s;
      int groups = 0;
      bool octets_ok = true;
      bool all_single = true;
      while (true) {
        size_t g = q;
        while (q < n && text::IsAsciiDigit(t[q])) ++q;
        ++groups;
        if (!ValidOctet(t, g, q)) octets_ok = false;
        if (q - g > 1) all_single = false;
        if (q + 1 < n && t[q] == '.' && text::IsAsciiDigit(t[q + 1])) {
          ++q;
          continue;
        }
        break;
      }
      pos = std::max(q, dot + 1);
      if (groups != 4 || !octets_ok) continue;
      if (s > 0 && (IsWordChar(t[s - 1]) || t[s - 1] == '.')) continue;
      if (q < n && IsWordChar(t[q])) continue;
      if (PrecededByVersionWord(t, s)) continue;
      float conf = 0.95f;
      if (all_single && !view.HasHitNear(ctx_, s, q, kContextBefore, kContextAfter)) conf = 0.4f;
      out.push_back({static_cast<uint32_t>(s), static_cast<uint32_t>(q), EntityType::kIpAddress, conf, "ip.v4",
                     specificity::kStructured});
    }
  }

  void ScanV6(const ScanView& view, std::vector<Finding>& out) const {
    std::string_view t = view.text();
    const char* base = t.data();
    size_t n = t.size();
    size_t pos = 0;
    while (pos < n) {
      const void* hit = std::memchr(base + pos, ':', n - pos);
      if (hit == nullptr) break;
      size_t colon = static_cast<size_t>(static_cast<const char*>(hit) - base);
      // The maximal run of hex digits and ':' (plus '.' on the right, for an
      // IPv4 tail) around this colon.
      size_t s = colon;
      while (s > 0 && (IsHex(t[s - 1]) || t[s - 1] == ':') && colon - s < kMaxV6Run) --s;
      size_t e = colon;
      while (e < n && (IsHex(t[e]) || t[e] == ':' || t[e] == '.') && e - s < kMaxV6Run + 16) ++e;
      pos = e + 1;
      if (e - s > kMaxV6Run || (s > 0 && (IsHex(t[s - 1]) || t[s - 1] == ':'))) continue;
      if (e < n && (IsWordChar(t[e]) || IsHex(t[e]))) continue;
      while (e > s && t[e - 1] == '.') --e;  // sentence dot
      if (e - s >= 2 && t[e - 1] == ':' && t[e - 2] != ':' &&
          (e == n || t[e] == ' ' || t[e] == '\n' || t[e] == '\t' || t[e] == '\r')) {
        --e;  // "…::1: " — a trailing colon is punctuation
      }
      if (s > 0 && IsWordChar(t[s - 1])) {
        // Glued to a word ("IPv6:2001:db8::1"): drop the first group.
        size_t c = s;
        while (c < e && t[c] != ':') ++c;
        if (c >= e) continue;
        s = (c + 1 < e && t[c + 1] == ':') ? c : c + 1;
      }
      if (e <= s || e - s < 3) continue;
      if (!ValidIpv6(t, s, e)) continue;
      out.push_back({static_cast<uint32_t>(s), static_cast<uint32_t>(e), EntityType::kIpAddress, 0.9f, "ip.v6",
                     specificity::kStructured});
    }
  }

  uint16_t ctx_ = 0;
};

}  // namespace

std::unique_ptr<Recognizer> NewIpRecognizer() { return std::make_unique<IpRecognizer>(); }

}  // namespace gwanmun::detect
