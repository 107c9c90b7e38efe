// EMAIL: e-mail addresses (personal and work).
//
// Contract:
//  * A finding is exactly the address `local@domain`: never surrounding
//    brackets, quotes, a "mailto:" scheme, trailing dots or Hangul particles
//    ("hong@example.co.kr로" → "hong@example.co.kr").
//  * local part: [A-Za-z0-9._%+-], 1–64 bytes, no leading/trailing/double dot.
//    It must start at a delimiter (whitespace, punctuation such as <("',;:=/,
//    non-ASCII text); a local part glued to '*', '#', '$', … is rejected, which
//    drops masked addresses ("ho***@naver.com") and password fragments.
//  * domain: ≥ 2 dot-separated labels [A-Za-z0-9-] (no leading/trailing '-'),
//    ending in a known top-level domain (confidence 0.95) or in an unknown
//    alphabetic one of 3–12 letters that is not a file extension (0.75:
//    "logo@2x.png" is not an address); a domain glued to '*' or '@' on the
//    right ("hong@na***.com") is rejected.
//  * URL user-info ("postgresql://user:pass@host", "https://token@github.com")
//    and scp-style remotes ("git@github.com:org/repo") are not addresses.
// The recognizer does one memchr pass over '@'; it registers no literals.

#include <algorithm>
#include <array>
#include <cstring>

#include "detect/registry.h"
#include "detect/text_util.h"

namespace gwanmun::detect {
namespace {

constexpr size_t kMaxLocal = 64;
constexpr size_t kMaxDomain = 253;
// How far left of a local part we look for a "scheme://" user-info prefix.
constexpr size_t kUrlLookBack = 128;

bool IsLocalChar(char c) { return text::IsAsciiAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; }

bool IsLabelChar(char c) { return text::IsAsciiAlnum(c) || c == '-'; }

// Generic and country-code top-level domains, lower case, '|'-delimited.
// Country codes are the ISO 3166 alpha-2 list plus ac/eu/uk/su.
constexpr std::string_view kGenericTlds =
    "|com|net|org|edu|gov|mil|int|info|biz|name|pro|io|ai|app|dev|co|me|tv|cc|xyz|online|site|"
    "tech|store|shop|cloud|blog|email|mail|page|live|life|news|media|group|global|world|asia|"
    "company|solutions|agency|design|studio|digital|network|systems|software|services|center|"
    "team|work|works|zone|today|space|website|club|fun|link|one|top|vip|kim|ltd|inc|llc|"
    "academy|bank|finance|capital|health|care|law|legal|consulting|partners|ventures|"
    "games|energy|events|education|school|university|travel|photo|art|music|book|"
    "seoul|busan|samsung|hyundai|naver|kakao|"
    "local|localdomain|internal|intra|intranet|corp|lan|home|test|example|invalid|mobi|"
    "jobs|tel|coop|aero|museum|post|gmbh|";
constexpr std::string_view kCountryTlds =
    "|ac|ad|ae|af|ag|ai|al|am|ao|aq|ar|as|at|au|aw|ax|az|ba|bb|bd|be|bf|bg|bh|bi|bj|bm|bn|bo|"
    "br|bs|bt|bw|by|bz|ca|cc|cd|cf|cg|ch|ci|ck|cl|cm|cn|co|cr|cu|cv|cw|cx|cy|cz|de|dj|dk|dm|"
    "do|dz|ec|ee|eg|er|es|et|eu|fi|fj|fk|fm|fo|fr|ga|gb|gd|ge|gf|gg|gh|gi|gl|gm|gn|gp|gq|gr|"
    "gs|gt|gu|gw|gy|hk|hm|hn|hr|ht|hu|id|ie|il|im|in|io|iq|ir|is|it|je|jm|jo|jp|ke|kg|kh|ki|"
    "km|kn|kp|kr|kw|ky|kz|la|lb|lc|li|lk|lr|ls|lt|lu|lv|ly|ma|mc|md|me|mg|mh|mk|ml|mm|mn|mo|"
    "mp|mq|mr|ms|mt|mu|mv|mw|mx|my|mz|na|nc|ne|nf|ng|ni|nl|no|np|nr|nu|nz|om|pa|pe|pf|pg|ph|"
    "pk|pl|pm|pn|pr|ps|pt|pw|py|qa|re|ro|rs|ru|rw|sa|sb|sc|sd|se|sg|sh|si|sk|sl|sm|sn|so|sr|"
    "ss|st|su|sv|sx|sy|sz|tc|td|tf|tg|th|tj|tk|tl|tm|tn|to|tr|tt|tv|tw|tz|ua|ug|uk|us|uy|uz|"
    "va|vc|ve|vg|vi|vn|vu|wf|ws|ye|yt|za|zm|zw|";

// File extensions and code words that follow '@x.' in non-addresses
// ("logo@2x.png", "pkg@next.js").
constexpr std::string_view kNotTlds =
    "|png|jpg|jpeg|gif|svg|webp|bmp|ico|tif|tiff|heic|js|mjs|cjs|ts|tsx|jsx|py|rb|go|rs|java|"
    "kt|kts|scala|swift|cpp|hpp|cs|php|pl|sh|bash|zsh|json|yaml|yml|toml|xml|html|htm|css|scss|"
    "less|txt|md|rst|pdf|doc|docx|xls|xlsx|ppt|pptx|hwp|hwpx|zip|gz|tgz|tar|rar|exe|dll|dylib|"
    "bin|log|csv|tsv|sql|db|ini|cfg|conf|env|lock|jar|war|class|mp3|mp4|wav|avi|mov|mkv|woff|"
    "woff2|ttf|otf|eot|map|min|vue|svelte|ipynb|proto|gradle|pem|key|crt|cer|tmp|bak|old|new|"
    "get|set|run|main|test|spec|then|next|prev|value|length|name|type|id|";

// The '|'-delimited lists above as sorted arrays, built at compile time, so
// a lookup is a binary search rather than a scan of the whole list.
constexpr size_t CountItems(std::string_view list) {
  size_t n = 0;
  for (char c : list) n += c == '|' ? 1 : 0;
  return n - 1;
}

template <size_t N>
constexpr std::array<std::string_view, N> SortedItems(std::string_view list) {
  std::array<std::string_view, N> out{};
  size_t k = 0;
  size_t start = 1;
  for (size_t i = 1; i < list.size(); ++i) {
    if (list[i] == '|') {
      out[k++] = list.substr(start, i - start);
      start = i + 1;
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

constexpr auto kGenericSet = SortedItems<CountItems(kGenericTlds)>(kGenericTlds);
constexpr auto kCountrySet = SortedItems<CountItems(kCountryTlds)>(kCountryTlds);
constexpr auto kNotSet = SortedItems<CountItems(kNotTlds)>(kNotTlds);

template <size_t N>
bool Contains(const std::array<std::string_view, N>& set, std::string_view key) {
  return std::binary_search(set.begin(), set.end(), key);
}

// 2: a known top-level domain, 1: an unknown but plausible one (3–12
// letters, not a file extension), 0: not a top-level domain.
int TldClass(std::string_view tld) {
  if (tld.size() < 2 || tld.size() > 14) return 0;
  char buf[16];
  for (size_t i = 0; i < tld.size(); ++i) {
    char c = tld[i];
    if (!text::IsAsciiAlpha(c)) return 0;
    buf[i] = static_cast<char>(c | 0x20);
  }
  std::string_view key(buf, tld.size());
  if (Contains(kGenericSet, key)) return 2;
  if (tld.size() == 2) return Contains(kCountrySet, key) ? 2 : 0;
  if (tld.size() > 12 || Contains(kNotSet, key)) return 0;
  return 1;
}

// True if the bytes right before `pos` look like "scheme://userinfo" with
// `pos` inside the user-info part, i.e. the '@' is a URL credential separator.
bool InUrlUserInfo(std::string_view t, size_t pos) {
  size_t floor = pos > kUrlLookBack ? pos - kUrlLookBack : 0;
  for (size_t i = pos; i > floor; --i) {
    char c = t[i - 1];
    if (c == '/') return i >= 2 && t[i - 2] == '/';
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '@') {
      return false;
    }
  }
  return false;
}

// A local part may start right after these bytes (or at text start, or after
// any non-ASCII character).
bool LeftDelimiterOk(std::string_view t, size_t ls) {
  if (ls == 0) return true;
  unsigned char c = static_cast<unsigned char>(t[ls - 1]);
  if (c >= 0x80) return true;  // Hangul and other text
  switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case '\f':
    case '\v':
    case '<':
    case '(':
    case '[':
    case '{':
    case '"':
    case '\'':
    case '`':
    case ',':
    case ';':
    case '=':
    case '|':
    case '>':
    case '!':
    case '?':
    case '~':
    case ')':
    case ']':
    case '}':
    case '\\':
    case '.':
      return true;
    case ':':
      return !InUrlUserInfo(t, ls - 1);
    case '/':
      return !(ls >= 2 && t[ls - 2] == '/');
    default:
      return false;  // '*', '#', '$', '&', '^', '@', '_' (masking / glued tokens)
  }
}

class EmailRecognizer final : public Recognizer {
 public:
  std::string_view name() const override { return "email"; }
  void Register(LexiconBuilder&) override {}

  void Scan(const ScanView& view, std::vector<Finding>& out) const override {
    std::string_view t = view.text();
    const char* base = t.data();
    size_t n = t.size();
    size_t pos = 0;
    while (pos < n) {
      const void* hit = std::memchr(base + pos, '@', n - pos);
      if (hit == nullptr) break;
      size_t at = static_cast<size_t>(static_cast<const char*>(hit) - base);
      pos = at + 1;
      size_t end = 0;
      size_t start = 0;
      float conf = 0;
      if (Match(t, at, &start, &end, &conf)) {
        out.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(end), EntityType::kEmail, conf, "email",
                       specificity::kStructured});
        pos = end;
      }
    }
  }

  size_t Horizon() const override { return kMaxLocal + kMaxDomain + kUrlLookBack + 16; }

 private:
  // Validates the address around the '@' at `at`; sets [*start, *end).
  static bool Match(std::string_view t, size_t at, size_t* start, size_t* end, float* confidence) {
    size_t n = t.size();
    // Local part.
    size_t ls = at;
    while (ls > 0 && IsLocalChar(t[ls - 1]) && at - ls <= kMaxLocal) --ls;
    if (at - ls > kMaxLocal) return false;
    // An escaped control character glued to the address ("\\nhong@…" in
    // source code or JSON written as text) is not part of it.
    if (ls > 0 && t[ls - 1] == '\\' && ls + 1 < at && (t[ls] == 'n' || t[ls] == 't' || t[ls] == 'r')) {
      ++ls;
    }
    while (ls < at && t[ls] == '.') ++ls;  // "...hong@" → "hong@"
    if (ls == at || t[at - 1] == '.') return false;
    for (size_t i = ls; i + 1 < at; ++i) {
      if (t[i] == '.' && t[i + 1] == '.') return false;
    }
    if (!LeftDelimiterOk(t, ls)) return false;
    // Domain labels.
    size_t q = at + 1;
    size_t last_label = q;
    int labels = 0;
    while (true) {
      size_t s = q;
      while (q < n && IsLabelChar(t[q]) && q - at <= kMaxDomain) ++q;
      if (q == s || q - s > 63 || t[s] == '-' || t[q - 1] == '-') return false;
      ++labels;
      last_label = s;
      if (q + 1 < n && t[q] == '.' && IsLabelChar(t[q + 1])) {
        ++q;
        continue;
      }
      break;
    }
    if (labels < 2 || q - at > kMaxDomain) return false;
    int tld = TldClass(t.substr(last_label, q - last_label));
    if (tld == 0) return false;
    *confidence = tld == 2 ? 0.95f : 0.75f;
    // Right boundary.
    if (q < n) {
      char c = t[q];
      if (c == '*' || c == '@' || c == '_' || c == '#' || c == '$' || c == '%') return false;
      // scp-style "git@github.com:org/repo" or "user@host:/path".
      if (c == ':' && q + 1 < n && (text::IsAsciiAlnum(t[q + 1]) || t[q + 1] == '/' || t[q + 1] == '~')) {
        return false;
      }
    }
    *start = ls;
    *end = q;
    return true;
  }
};

}  // namespace

std::unique_ptr<Recognizer> NewEmailRecognizer() { return std::make_unique<EmailRecognizer>(); }

}  // namespace gwanmun::detect
