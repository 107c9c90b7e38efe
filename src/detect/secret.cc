// SECRET: credentials.
//
// Contract (every span is the credential itself, never its label or quotes):
//  * Provider keys, found from their literal prefix and validated by shape:
//    OpenAI "sk-…"/"sk-proj-…" (also Anthropic "sk-ant-…"), AWS access key
//    ids "AKIA…"/"ASIA…" (exactly 20 chars), GitHub "ghp_/gho_/ghu_/ghs_/ghr_"
//    and "github_pat_", Slack "xoxb-/xoxp-/xoxa-/xoxr-/xoxs-", "xapp-", Google
//    "AIza…", Stripe "sk_live_/rk_live_", GitLab "glpat-", Hugging Face "hf_",
//    npm "npm_", SendGrid "SG.x.y", and JWTs "eyJ….….sig". A key must not be
//    glued to a word on either side, must be long enough, must mix character
//    classes like a random string, and must not contain placeholder runs
//    ("sk-xxxxxxxx…", "AKIAXXXXXXXXXXXXXXXX").
//  * AWS secret access keys: exactly 40 [A-Za-z0-9/+] after an
//    aws_secret_access_key-like label, or right after an AKIA key id
//    ("AKIA…,wJalr…" in credential CSVs).
//  * PEM private keys: one span from "-----BEGIN … PRIVATE KEY-----" to the
//    end of the matching "-----END … PRIVATE KEY-----"; also when newlines are
//    written as "\n" inside a JSON string. A block without an END line within
//    kPemCap bytes is reported up to the end of its base64 body.
//  * Password values after a label (password, passwd, passphrase, pwd, PW,
//    pass, 비밀번호, 비번, 패스워드, 암호, SQL "IDENTIFIED BY") and ':', '=',
//    ':=', '=>', '|' (tables), a particle (비밀번호는 …), a few filler words
//    before ':' (비밀번호 알려드립니다: …) or plain whitespace (PW …,
//    비밀번호 …); "ID/PW: kim / pass" yields the second item. Also the
//    password of a URL's user-info ("postgresql://user:PASS@host") and of
//    "curl -u user:PASS", "mysql -pPASS", "sshpass -p PASS". The span is the
//    value only: quotes, trailing ",;." and Hangul particles ("Qwer1234!로")
//    are excluded. Placeholders and code references are not secrets: ${X},
//    <X>, {{ x }}, %X%, $X, !vault, ****, xxxx, YOUR_…, os.environ[…],
//    process.env.X, getenv(…), z.string(), changeme, …. Values after
//    whitespace-only labels must contain a digit or a symbol; letters-only
//    values get a confidence below the default threshold.
// Locality: a finding is at most kPemCap bytes; context is read at most a few
// hundred bytes around a value (labels, command names, URL schemes).

#include <algorithm>

#include "detect/registry.h"
#include "detect/text_util.h"

namespace gwanmun::detect {
namespace {

constexpr size_t kPemCap = 16384;     // longest PEM block we report
constexpr size_t kMaxToken = 4096;    // longest provider token / JWT
constexpr size_t kMaxValue = 128;     // longest password value
constexpr size_t kMaxUnquoted = 64;   // longest unquoted password value
constexpr size_t kMaxLabelGap = 48;   // label end → value start
constexpr size_t kMaxUserInfo = 256;  // "scheme://" → '@'

using text::IsAsciiAlnum;
using text::IsAsciiAlpha;
using text::IsAsciiDigit;

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsWordChar(char c) { return IsAsciiAlnum(c) || c == '_'; }
bool IsUrlSafeB64(char c) { return IsAsciiAlnum(c) || c == '_' || c == '-'; }
bool IsB64(char c) { return IsAsciiAlnum(c) || c == '+' || c == '/'; }
bool IsHSpace(char c) { return c == ' ' || c == '\t'; }
bool IsPrintable(char c) { return c > 0x20 && c < 0x7F; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

enum class Kind : uint8_t {
  kOpenAi,
  kStripe,
  kAwsKeyId,
  kGithub,
  kGithubPat,
  kSlack,
  kGoogle,
  kJwt,
  kGitlab,
  kHuggingFace,
  kNpm,
  kSendGrid,
  kPem,
};

struct Prefix {
  std::string_view literal;
  Kind kind;
};

constexpr Prefix kPrefixes[] = {
    {"sk-", Kind::kOpenAi},    {"sk_live_", Kind::kStripe},       {"rk_live_", Kind::kStripe},
    {"AKIA", Kind::kAwsKeyId}, {"ASIA", Kind::kAwsKeyId},         {"ghp_", Kind::kGithub},
    {"gho_", Kind::kGithub},   {"ghu_", Kind::kGithub},           {"ghs_", Kind::kGithub},
    {"ghr_", Kind::kGithub},   {"github_pat_", Kind::kGithubPat}, {"xoxb-", Kind::kSlack},
    {"xoxp-", Kind::kSlack},   {"xoxa-", Kind::kSlack},           {"xoxr-", Kind::kSlack},
    {"xoxs-", Kind::kSlack},   {"xapp-", Kind::kSlack},           {"AIza", Kind::kGoogle},
    {"eyJ", Kind::kJwt},       {"glpat-", Kind::kGitlab},         {"hf_", Kind::kHuggingFace},
    {"npm_", Kind::kNpm},      {"SG.", Kind::kSendGrid},          {"-----BEGIN", Kind::kPem},
};

// Password labels. `strong_only`: a bare whitespace separator is not enough
// ("pass the test"). `glue_left`: may be glued to a preceding word
// ("DBPASSWORD", "newpassword").
struct PwLabel {
  std::string_view literal;
  bool ascii;
  bool glue_left;
  bool strong_only;
};

constexpr PwLabel kPwLabels[] = {
    {"password", true, true, false},   {"passwd", true, true, false},         {"passphrase", true, true, false},
    {"passcode", true, true, false},   {"pwd", true, false, false},           {"pw", true, false, false},
    {"pswd", true, false, false},      {"pass", true, false, true},           {"비밀번호", false, true, false},
    {"비밀 번호", false, true, false}, {"비번", false, true, false},          {"패스워드", false, true, false},
    {"암호", false, true, false},      {"identified by", true, false, false},  // SQL: CREATE USER … IDENTIFIED BY 'pw'
};

constexpr std::string_view kAwsSecretLabels[] = {
    "aws_secret_access_key",
    "secret_access_key",
    "secretaccesskey",
    "aws_secret_key",
    "secret access key",
    "aws secret",
    "secret_key",
    "secretkey",
    "secret key",
    "시크릿 키",
    "시크릿키",
    "시크릿 액세스 키",
    "비밀 액세스 키",
};

// ---------------------------------------------------------------------------
// Shape checks.

struct Classes {
  bool upper = false, lower = false, digit = false, symbol = false;
  size_t max_run = 0;  // longest run of one repeated character
};

Classes ClassesOf(std::string_view v) {
  Classes c;
  size_t run = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    char ch = v[i];
    if (IsUpper(ch)) {
      c.upper = true;
    } else if (IsLower(ch)) {
      c.lower = true;
    } else if (IsAsciiDigit(ch)) {
      c.digit = true;
    } else {
      c.symbol = true;
    }
    run = (i > 0 && v[i - 1] == ch) ? run + 1 : 1;
    c.max_run = std::max(c.max_run, run);
  }
  return c;
}

// A random-looking token: letters and digits mixed, no placeholder runs.
bool LooksRandom(std::string_view body) {
  Classes c = ClassesOf(body);
  if (c.max_run >= 6) return false;
  int kinds = c.upper + c.lower + c.digit;
  return kinds >= 2 && c.digit;
}

size_t RunOf(std::string_view t, size_t p, bool (*pred)(char), size_t cap = kMaxToken) {
  size_t q = p;
  while (q < t.size() && pred(t[q]) && q - p < cap) ++q;
  return q;
}

std::string Lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (IsUpper(c)) c = static_cast<char>(c + 32);
  }
  return r;
}

bool StartsWithCi(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && text::EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || IsAsciiDigit(s[0])) return false;
  for (char c : s) {
    if (!IsWordChar(c)) return false;
  }
  return true;
}

// Placeholders, masked values and references to a secret stored elsewhere.
bool IsPlaceholder(std::string_view v) {
  if (v.empty()) return true;
  static constexpr std::string_view kOpeners[] = {"${", "$(", "{{", "{%", "%(", "%{", "#{", "@{"};
  for (std::string_view o : kOpeners) {
    if (v.substr(0, o.size()) == o) return true;
  }
  char f = v.front(), b = v.back();
  if (f == '<' || f == '[' || f == '{') return true;
  if (f == '(' && b == ')') return true;
  if (f == '%' && b == '%' && v.size() > 2) return true;                   // %DB_PASSWORD%
  if (f == '!' && v.size() > 1 && IsIdentifier(v.substr(1))) return true;  // YAML tags: !vault
  if (f == '$' && v.size() > 1 && IsIdentifier(v.substr(1))) {
    Classes c = ClassesOf(v.substr(1));
    if (!(c.upper && c.lower) || !c.digit) return true;  // $DB_PASS, $password
  }
  bool all_mask = true;
  for (char c : v) {
    if (!(c == '*' || c == 'x' || c == 'X' || c == '#' || c == '.' || c == '?' || c == '-' || c == '_' || c == '~')) {
      all_mask = false;
      break;
    }
  }
  if (all_mask) return true;
  std::string l = Lower(v);
  if (l.find("***") != std::string::npos || l.find("xxxx") != std::string::npos || l.find("...") != std::string::npos) {
    return true;
  }
  static constexpr std::string_view kWords[] = {
      "password",   "passwd",   "pass",   "pwd",    "secret", "changeme", "change_me", "changeit",  "yourpassword",
      "mypassword", "redacted", "masked", "hidden", "none",   "null",     "nil",       "undefined", "empty",
      "required",   "optional", "string", "str",    "text",   "example",  "sample",    "dummy",     "placeholder",
      "todo",       "tbd",      "n/a",    "true",   "false",  "value",    "default",   "unknown",   "omitted",
      "removed",    "private",  "admin",  "root",   "user",   "username", "test",      "temp",      "sensitive",
  };
  for (std::string_view w : kWords) {
    if (l == w) return true;
  }
  static constexpr std::string_view kFragments[] = {
      "your_",    "your-",    "yourpass", "_here",  "-here", "placeholder",
      "redacted", "changeme", "example",  "enter_", "<",     "://",
  };
  for (std::string_view w : kFragments) {
    if (l.find(w) != std::string::npos) return true;
  }
  static constexpr std::string_view kRefs[] = {
      "os.",     "process.env", "env.",     "env(",    "env[",        "getenv",   "system.getenv", "config.",
      "config[", "settings.",   "secrets.", "secret.", "vault:",      "self.",    "this.",         "request.",
      "req.",    "input(",      "args.",    "params.", "props.",      "ctx.",     "context.",      "options.",
      "opts.",   "cfg.",        "conf.",    "environ", "import.meta", "keyring.", "getpass",
  };
  for (std::string_view r : kRefs) {
    if (StartsWithCi(v, r)) return true;
  }
  // Function calls and subscripts in code: name(…), obj.name(…).x(…), $_POST[…].
  size_t paren = v.find_first_of("([");
  if (paren != std::string_view::npos && paren > 0 && (b == ')' || b == ']')) {
    std::string_view callee = v.substr(0, paren);
    if (callee.front() == '$') callee.remove_prefix(1);
    bool dotted = !callee.empty() && callee.front() != '.' && callee.back() != '.';
    for (char c : callee) {
      if (!(IsWordChar(c) || c == '.')) dotted = false;
    }
    if (dotted && !IsAsciiDigit(callee.front())) return true;
  }
  // Dotted references without digits: settings.DB_PASSWORD.
  if (v.find('.') != std::string_view::npos) {
    bool ref = true;
    for (char c : v) {
      if (!(IsAsciiAlpha(c) || c == '_' || c == '.')) ref = false;
    }
    if (ref && f != '.' && b != '.') return true;
  }
  return false;
}

// First syllables after a value that make the following Hangul a particle
// or copula ("Qwer1234!로", "abc123이고", "…입니다"), not part of a word.
bool ParticleFollows(std::string_view t, size_t p) {
  static constexpr std::string_view kLead[] = {
      "로", "으", "이", "예", "입", "야", "랑", "와", "과", "을", "를", "은", "는",
      "가", "도", "만", "인", "라", "였", "에", "요", "임", "까", "며", "고", "및",
  };
  static constexpr std::string_view kNot[] = {"이상", "이하", "이내", "이후", "이전", "자리"};
  std::string_view rest = t.substr(p, 6);
  for (std::string_view w : kNot) {
    if (rest.substr(0, w.size()) == w) return false;
  }
  for (std::string_view w : kLead) {
    if (rest.substr(0, w.size()) == w) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------

class SecretRecognizer final : public Recognizer {
 public:
  std::string_view name() const override { return "secret"; }

  void Register(LexiconBuilder& lexicon) override {
    prefix_cat_ = lexicon.Category("secret.prefix");
    pw_cat_ = lexicon.Category("secret.pwlabel");
    aws_cat_ = lexicon.Category("secret.awslabel");
    url_cat_ = lexicon.Category("secret.url");
    for (const Prefix& p : kPrefixes) {
      uint32_t e = lexicon.Add(p.literal, prefix_cat_, false);
      if (prefix_entries_.empty()) prefix_base_ = e;
      prefix_entries_.push_back(e);
    }
    for (const PwLabel& l : kPwLabels) {
      uint32_t e = lexicon.Add(l.literal, pw_cat_, l.ascii);
      if (pw_entries_.empty()) pw_base_ = e;
      pw_entries_.push_back(e);
    }
    for (std::string_view l : kAwsSecretLabels) lexicon.Add(l, aws_cat_, true);
    lexicon.Add("://", url_cat_, false);
    cli_cat_ = lexicon.Category("secret.cli");
    lexicon.Add(" -u ", cli_cat_, false);
    lexicon.Add(" -p", cli_cat_, false);
  }

  void Scan(const ScanView& view, std::vector<Finding>& out) const override {
    std::string_view t = view.text();
    size_t pw_done = 0;  // end of the last password label handled
    for (const Hit& h : view.hits()) {
      if (h.category == prefix_cat_) {
        size_t i = h.entry - prefix_base_;
        if (i < prefix_entries_.size() && prefix_entries_[i] == h.entry) {
          ScanPrefix(t, h, kPrefixes[i].kind, out);
        }
      } else if (h.category == pw_cat_) {
        size_t i = h.entry - pw_base_;
        if (h.start < pw_done || i >= pw_entries_.size() || pw_entries_[i] != h.entry) continue;
        size_t label_end = 0;
        if (ScanPassword(t, h, kPwLabels[i], out, &label_end)) pw_done = label_end;
      } else if (h.category == aws_cat_) {
        ScanAwsSecretLabel(t, h, out);
      } else if (h.category == url_cat_) {
        ScanUrlPassword(t, h, out);
      } else if (h.category == cli_cat_) {
        ScanCliPassword(t, h, out);
      }
    }
  }

  size_t Horizon() const override { return kPemCap + 256; }

 private:
  static void Emit(std::vector<Finding>& out, size_t s, size_t e, float conf, const char* rule, int16_t spec) {
    out.push_back({static_cast<uint32_t>(s), static_cast<uint32_t>(e), EntityType::kSecret, conf, rule, spec});
  }

  // --- provider prefixes ----------------------------------------------------

  void ScanPrefix(std::string_view t, const Hit& h, Kind kind, std::vector<Finding>& out) const {
    size_t s = h.start;
    size_t p = h.end;  // body start
    char before = s > 0 ? t[s - 1] : ' ';
    const int16_t spec = specificity::kProviderKey;
    switch (kind) {
      case Kind::kOpenAi: {
        if (IsUrlSafeB64(before)) return;
        size_t e = RunOf(t, p, IsUrlSafeB64, 400);  // keys may end in '-' or '_'
        if (e - p < 20 || e - p >= 400) return;
        std::string_view body = t.substr(p, e - p);
        Classes c = ClassesOf(body);
        if (!(c.upper && c.lower && c.digit) || c.max_run >= 6) return;
        Emit(out, s, e, 0.95f, body.substr(0, 4) == "ant-" ? "secret.anthropic" : "secret.openai", spec);
        return;
      }
      case Kind::kStripe: {
        if (IsWordChar(before)) return;
        size_t e = RunOf(t, p, IsAsciiAlnum, 256);
        if (e - p < 16 || (e < t.size() && IsWordChar(t[e]))) return;
        if (!LooksRandom(t.substr(p, e - p))) return;
        Emit(out, s, e, 0.95f, "secret.stripe", spec);
        return;
      }
      case Kind::kAwsKeyId: {
        if (IsAsciiAlnum(before)) return;
        size_t e = RunOf(
            t, p, [](char c) { return IsUpper(c) || IsAsciiDigit(c); }, 17);
        if (e - p != 16 || (e < t.size() && IsAsciiAlnum(t[e]))) return;
        if (ClassesOf(t.substr(p, 16)).max_run >= 5) return;
        Emit(out, s, e, 0.95f, "secret.aws_key_id", spec);
        ScanAwsSecretAfterKeyId(t, e, out);
        return;
      }
      case Kind::kGithub: {
        if (IsWordChar(before)) return;
        size_t e = RunOf(t, p, IsAsciiAlnum, 256);
        if (e - p < 30 || (e < t.size() && IsWordChar(t[e]))) return;
        if (!LooksRandom(t.substr(p, e - p))) return;
        Emit(out, s, e, 0.95f, "secret.github", spec);
        return;
      }
      case Kind::kGithubPat: {
        if (IsWordChar(before)) return;
        size_t e = RunOf(t, p, IsWordChar, 256);
        if (e - p < 30) return;
        if (!LooksRandom(t.substr(p, e - p))) return;
        Emit(out, s, e, 0.95f, "secret.github", spec);
        return;
      }
      case Kind::kSlack: {
        if (IsWordChar(before) || before == '-') return;
        size_t e = RunOf(
            t, p, [](char c) { return IsAsciiAlnum(c) || c == '-'; }, 256);
        while (e > p && t[e - 1] == '-') --e;
        if (e - p < 10 || (e < t.size() && IsWordChar(t[e]))) return;
        Classes c = ClassesOf(t.substr(p, e - p));
        if (!c.digit || c.max_run >= 8) return;
        Emit(out, s, e, 0.95f, "secret.slack", spec);
        return;
      }
      case Kind::kGoogle: {
        if (IsUrlSafeB64(before)) return;
        size_t e = RunOf(t, p, IsUrlSafeB64, 64);
        size_t len = e - p;
        if (len < 30 || len > 45) return;
        Classes c = ClassesOf(t.substr(p, len));
        if (c.max_run >= 6 || (c.upper + c.lower + c.digit) < 2) return;
        Emit(out, s, e, len == 35 ? 0.95f : 0.8f, "secret.google", spec);
        return;
      }
      case Kind::kJwt: {
        if (IsUrlSafeB64(before)) return;
        size_t e1 = RunOf(t, s, IsUrlSafeB64);
        if (e1 - s < 10 || e1 >= t.size() || t[e1] != '.') return;
        size_t e2 = RunOf(t, e1 + 1, IsUrlSafeB64);
        if (e2 - (e1 + 1) < 10) return;
        size_t e = e2;
        // Signature (and, for JWE, two more segments).
        for (int seg = 0; seg < 3 && e < t.size() && t[e] == '.'; ++seg) {
          size_t n = RunOf(t, e + 1, IsUrlSafeB64);
          if (n == e + 1) {
            if (seg == 0) e = e + 1;  // unsigned token "header.payload."
            break;
          }
          e = n;
        }
        if (e - s > kMaxToken) return;
        Emit(out, s, e, 0.95f, "secret.jwt", spec);
        return;
      }
      case Kind::kGitlab: {
        if (IsWordChar(before)) return;
        size_t e = RunOf(t, p, IsUrlSafeB64, 128);
        if (e - p < 20 || !LooksRandom(t.substr(p, e - p))) return;
        Emit(out, s, e, 0.95f, "secret.gitlab", spec);
        return;
      }
      case Kind::kHuggingFace:
      case Kind::kNpm: {
        if (IsWordChar(before)) return;
        size_t e = RunOf(t, p, IsAsciiAlnum, 128);
        if (e - p < 30 || e - p > 64 || (e < t.size() && IsWordChar(t[e]))) return;
        Classes c = ClassesOf(t.substr(p, e - p));
        if (!(c.upper && c.lower) || c.max_run >= 6) return;
        Emit(out, s, e, 0.9f, kind == Kind::kNpm ? "secret.npm" : "secret.huggingface", spec);
        return;
      }
      case Kind::kSendGrid: {
        if (IsWordChar(before)) return;
        size_t e1 = RunOf(t, p, IsUrlSafeB64, 64);
        if (e1 - p < 16 || e1 >= t.size() || t[e1] != '.') return;
        size_t e2 = RunOf(t, e1 + 1, IsUrlSafeB64, 128);
        if (e2 - e1 - 1 < 30 || !LooksRandom(t.substr(e1 + 1, e2 - e1 - 1))) return;
        Emit(out, s, e2, 0.95f, "secret.sendgrid", spec);
        return;
      }
      case Kind::kPem:
        ScanPem(t, s, out);
        return;
    }
  }

  // "-----BEGIN <label>-----" … "-----END <label>-----".
  static void ScanPem(std::string_view t, size_t s, std::vector<Finding>& out) {
    size_t p = s + 10;  // after "-----BEGIN"
    if (p >= t.size() || t[p] != ' ') return;
    size_t label_start = p + 1;
    size_t label_end = t.substr(label_start, 53).find("-----");
    if (label_end == std::string_view::npos) return;
    label_end += label_start;
    std::string_view label = t.substr(label_start, label_end - label_start);
    if (label.find("PRIVATE KEY") == std::string_view::npos) return;
    size_t body = label_end + 5;
    size_t limit = std::min(t.size(), s + kPemCap);
    std::string_view window = t.substr(body, limit - body);
    size_t end_rel = window.find("-----END ");
    size_t next_begin = window.find("-----BEGIN");
    size_t body_end;
    size_t span_end = 0;
    if (end_rel != std::string_view::npos && (next_begin == std::string_view::npos || next_begin > end_rel)) {
      size_t el = body + end_rel + 9;
      size_t close = t.substr(el, 53).find("-----");
      if (close == std::string_view::npos) return;
      close += el;
      if (close + 5 > limit) return;
      if (t.substr(el, close - el).find("PRIVATE KEY") == std::string_view::npos) return;
      body_end = body + end_rel;
      span_end = close + 5;
    } else {
      // Truncated block: stop after the last base64 line.
      size_t stop = next_begin == std::string_view::npos ? limit : body + next_begin;
      size_t q = body;
      size_t last = body;
      while (q < stop) {
        char c = t[q];
        if (IsB64(c) || c == '=') {
          ++q;
          last = q;
        } else if (IsSpace(c)) {
          ++q;
        } else if (c == '\\' && q + 1 < stop && (t[q + 1] == 'n' || t[q + 1] == 'r')) {
          q += 2;
        } else {
          break;
        }
      }
      body_end = last;
      span_end = last;
    }
    // The body must carry key material, not "..." or "<key>".
    size_t b64 = 0;
    for (size_t q = body; q < body_end; ++q) {
      char c = t[q];
      if (c == '\\' && q + 1 < body_end && (t[q + 1] == 'n' || t[q + 1] == 'r')) {
        ++q;
        continue;
      }
      if (IsB64(c)) ++b64;
    }
    if (b64 < 32) return;
    bool complete = span_end > body_end;
    Emit(out, s, span_end, complete ? 0.99f : 0.85f, "secret.pem", specificity::kPemBlock);
  }

  // --- AWS secret access keys ------------------------------------------------

  // A 40-char base64 token at t[p..]; returns its end or 0.
  static size_t AwsSecretAt(std::string_view t, size_t p) {
    if (p > 0 && (IsB64(t[p - 1]))) return 0;
    size_t e = RunOf(t, p, IsB64, 41);
    if (e - p != 40) return 0;
    if (e < t.size() && (IsB64(t[e]) || t[e] == '=')) return 0;
    Classes c = ClassesOf(t.substr(p, 40));
    if (!(c.upper && c.lower && c.digit) || c.max_run >= 6) return 0;
    return e;
  }

  static void ScanAwsSecretAfterKeyId(std::string_view t, size_t p, std::vector<Finding>& out) {
    size_t q = p;
    while (q < t.size() && q - p < 6 &&
           (IsHSpace(t[q]) || t[q] == ',' || t[q] == ';' || t[q] == ':' || t[q] == '|' || t[q] == '/' || t[q] == '"' ||
            t[q] == '\'' || t[q] == '\t')) {
      ++q;
    }
    if (q == p || q >= t.size()) return;
    if (size_t e = AwsSecretAt(t, q)) {
      Emit(out, q, e, 0.9f, "secret.aws_secret", specificity::kProviderKey);
    }
  }

  static void ScanAwsSecretLabel(std::string_view t, const Hit& h, std::vector<Finding>& out) {
    size_t p = h.end;
    if (p < t.size() && IsAsciiAlpha(t[p])) return;
    size_t stop = std::min(t.size(), p + kMaxLabelGap);
    // Skip the rest of the label ("_ID" is an id, not the secret).
    while (p < stop && (t[p] == '"' || t[p] == '\'' || t[p] == ']' || IsHSpace(t[p]))) ++p;
    if (p < stop && (t[p] == ':' || t[p] == '=')) {
      ++p;
      if (p < stop && (t[p] == '=' || t[p] == '>')) ++p;
    }
    while (p < stop && (IsHSpace(t[p]) || t[p] == '"' || t[p] == '\'')) ++p;
    if (p >= stop) return;
    if (size_t e = AwsSecretAt(t, p)) {
      Emit(out, p, e, 0.9f, "secret.aws_secret", specificity::kProviderKey);
    }
  }

  // --- passwords --------------------------------------------------------------

  // Words that may stand between a label and ':' ("비밀번호 알려드립니다: …",
  // "Password for the admin account: …"). Anything else (reset code, 정책, …)
  // means the value after ':' is not the password.
  static bool IsFillerWord(std::string_view w) {
    static constexpr std::string_view kAscii[] = {
        "for",   "of",      "the",      "a",      "an",   "account",   "admin",   "user",    "root",
        "login", "db",      "database", "server", "new",  "temporary", "temp",    "initial", "default",
        "is",    "current", "my",       "our",    "your", "app",       "service",
    };
    static constexpr std::string_view kHangul[] = {
        "알려드립니다", "알려드려요", "알려드릴게요", "알려줄게",   "공유드립니다", "공유드려요", "공유합니다",
        "보내드립니다", "보내드려요", "전달드립니다", "전달드려요", "드립니다",     "입니다",     "안내드립니다",
        "안내",         "정보",       "변경",         "변경값",     "새로",         "신규",       "임시",
        "초기",         "초기값",     "기본값",       "값",         "계정",         "관리자",     "접속",
        "로그인",       "알려줄게",   "알려드림",     "알려줘",     "보내줄게",     "여기",       "바뀐",
        "새",           "바꾼",       "변경된",       "임시로",     "완료",
    };
    for (std::string_view a : kAscii) {
      if (text::EqualsIgnoreCase(w, a)) return true;
    }
    for (std::string_view k : kHangul) {
      if (w == k) return true;
    }
    return false;
  }

  // From p (after a label), skips filler words up to a ':' and returns the
  // position after it (*colon = true). Without a ':', Hangul filler words
  // directly followed by an ASCII value also count ("비번 알려줄게 abc12!"):
  // returns the value's position (*colon = false). 0 if neither applies.
  static size_t SkipFiller(std::string_view t, size_t p, size_t stop, bool* colon) {
    size_t q = p;
    int words = 0;
    bool last_hangul = false;
    while (q < stop) {
      size_t ws = q;
      while (q < stop && IsHSpace(t[q])) ++q;
      if (q < stop && t[q] == ':') {
        *colon = true;
        return words > 0 ? q + 1 : 0;
      }
      if (q < stop && words > 0 && last_hangul && q > ws && static_cast<unsigned char>(t[q]) > 0x20 &&
          static_cast<unsigned char>(t[q]) < 0x7F) {
        *colon = false;
        return q;
      }
      size_t w = q;
      while (q < stop && !IsHSpace(t[q]) && t[q] != ':' &&
             (IsAsciiAlpha(t[q]) || static_cast<unsigned char>(t[q]) >= 0x80)) {
        ++q;
      }
      std::string_view word = t.substr(w, q - w);
      if (q == w || !(IsFillerWord(word) || word == "\xE2\x86\x92") || ++words > 4) return 0;
      last_hangul = static_cast<unsigned char>(word[0]) >= 0x80;
    }
    return 0;
  }

  struct Value {
    size_t start = 0, end = 0;
    bool quoted = false;
    bool ok = false;
  };

  // Extracts a password value starting at p: a quoted string, or a run of
  // printable ASCII up to whitespace / non-ASCII, minus trailing syntax.
  static Value ExtractValue(std::string_view t, size_t p, bool query, bool pipe = false) {
    Value v;
    size_t n = t.size();
    if (p >= n) return v;
    char c = t[p];
    if (c == '\\' && p + 1 < n && t[p + 1] == '"') {
      // An escaped string inside a string literal: \"value\".
      size_t close = t.substr(p + 2, kMaxValue + 2).find("\\\"");
      if (close == std::string_view::npos) return v;
      v = {p + 2, p + 2 + close, true, true};
      return v;
    }
    if (c == '"' || c == '\'' || c == '`') {
      size_t close = p + 1;
      while (close < n && t[close] != c && t[close] != '\n' && close - p <= kMaxValue) ++close;
      if (close >= n || t[close] != c) return v;
      v = {p + 1, close, true, true};
      return v;
    }
    size_t e = p;
    while (e < n && IsPrintable(t[e]) && e - p <= kMaxValue) {
      if (pipe && t[e] == '|') break;  // table cell
      // key=value lists: "…;Password=abc;Database=x", "?password=abc&db=x".
      if ((t[e] == ';' || t[e] == '&' || t[e] == ',') && e > p) {
        if (t[e] == '&' && query) break;
        size_t k = e + 1;
        while (k < n && IsWordChar(t[k]) && k - e < 32) ++k;
        if (k > e + 1 && k < n && (t[k] == '=' || t[k] == ':')) break;
      }
      ++e;
    }
    if (e - p > kMaxUnquoted) return v;
    // Trailing punctuation that belongs to the sentence or the syntax.
    bool dot_trimmed = false;
    while (e > p) {
      char last = t[e - 1];
      std::string_view s = t.substr(p, e - p);
      auto count = [&](char ch) { return std::count(s.begin(), s.end(), ch); };
      if (last == ',' || last == ';') {
        --e;
      } else if (last == '.' && !dot_trimmed && e - p > 1 && t[e - 2] != '.') {
        --e;
        dot_trimmed = true;
      } else if ((last == ')' && count('(') < count(')')) || (last == ']' && count('[') < count(']')) ||
                 (last == '}' && count('{') < count('}')) ||
                 ((last == '"' || last == '\'' || last == '`') && count(last) % 2 == 1) || (last == '|' && e - p > 1)) {
        --e;
      } else {
        break;
      }
    }
    if (e == p) return v;
    // A bracketed value: "비밀번호: [Qwer1234!]" → the inside.
    if (e - p > 2 && ((t[p] == '[' && t[e - 1] == ']') || (t[p] == '(' && t[e - 1] == ')'))) {
      v = {p + 1, e - 1, true, true};
      return v;
    }
    if (e < n && static_cast<unsigned char>(t[e]) >= 0x80) {
      if (text::HangulAt(t, e)) {
        if (!ParticleFollows(t, e)) return v;  // "8자리", "5회"
      } else if (t.substr(e, 3) != "\xE2\x80\x9D" && t.substr(e, 3) != "\xE2\x80\x99") {
        return v;  // other non-ASCII glued to the value
      }
    }
    v = {p, e, false, true};
    return v;
  }

  // Handles one password label hit. Returns true (and the label's end) if the
  // hit was a usable label, so that overlapping labels are skipped.
  static bool ScanPassword(std::string_view t, const Hit& h, const PwLabel& label, std::vector<Finding>& out,
                           size_t* label_end) {
    size_t ks = h.start;
    size_t p = h.end;
    size_t n = t.size();
    // The label is itself a value (type="password", autocomplete=password),
    // unless a value attribute follows (<add key="Password" value="…"/>).
    if (ks > 0 && (t[ks - 1] == '=' || ((t[ks - 1] == '"' || t[ks - 1] == '\'') && ks > 1 && t[ks - 2] == '='))) {
      size_t q = p;
      if (q < n && (t[q] == '"' || t[q] == '\'')) ++q;
      size_t ws = q;
      while (q < n && IsHSpace(t[q]) && q - ws < 8) ++q;
      if (q == ws || !StartsWithCi(t.substr(q, 6), "value=")) return false;
    }
    bool query = false;  // ?password=…&next=…
    if (label.ascii) {
      char before = ks > 0 ? t[ks - 1] : ' ';
      if (IsAsciiAlpha(before) && !label.glue_left && !(IsLower(before) && IsUpper(t[ks]))) {
        return false;
      }
      if (IsAsciiDigit(before) && !label.glue_left) return false;
      while (p < n && IsAsciiDigit(t[p])) ++p;                         // password2
      if (p < n && (IsAsciiAlpha(t[p]) || t[p] == '_')) return false;  // password_hash
      size_t is = ks;                                                  // start of the identifier the label ends
      while (is > 0 && (IsWordChar(t[is - 1]) || t[is - 1] == '.' || t[is - 1] == '-') && ks - is < 64) {
        --is;
      }
      query = is > 0 && (t[is - 1] == '?' || t[is - 1] == '&');
    }
    *label_end = p;
    // "ID/PW: kim / pass", "아이디/비밀번호: …": the value is the second item.
    bool pair = ks > 0 && t[ks - 1] == '/';
    // XML element: <password>…</password>.
    if (label.ascii && ks > 0 && t[ks - 1] == '<') {
      if (p >= n || t[p] != '>') return true;
      size_t e = t.find('<', p + 1);
      if (e == std::string_view::npos || e - p - 1 > kMaxValue) return true;
      EmitValue(t, p + 1, e, /*strong=*/true, /*quoted=*/true, out);
      return true;
    }
    size_t stop = std::min(n, p + kMaxLabelGap);
    // Closers of the label: "password": / cfg["password"] / password?: / (PW).
    if (p + 1 < stop && t[p] == '\\' && t[p + 1] == '"') ++p;  // \"password\": in a string
    if (p < stop && (t[p] == '"' || t[p] == '\'' || t[p] == '`')) ++p;
    if (p < stop && (t[p] == ']' || t[p] == ')')) ++p;  // cfg["password"], (ID/PW)
    if (p < stop && t[p] == '?') ++p;
    {
      size_t q = p;
      while (q < stop && IsHSpace(t[q])) ++q;
      if (q < stop && t[q] == '(') {
        size_t close = t.substr(q, 25).find(')');
        if (close != std::string_view::npos && t.substr(q, close).find('\n') == std::string_view::npos) {
          p = q + close + 1;
        }
      }
    }
    // Separator.
    bool strong = false;
    size_t gap_start = p;
    while (p < stop && IsHSpace(t[p])) ++p;
    if (p + 1 < n && ((t[p] == '=' && t[p + 1] == '=') || (t[p] == '!' && t[p + 1] == '='))) {
      return true;  // comparison, not assignment
    }
    bool pipe = false;
    if (p < n && (t[p] == ':' || t[p] == '=' || t[p] == '|')) {
      strong = true;
      pipe = t[p] == '|';
      ++p;
      if (p < n && (t[p] == '=' || t[p] == '>')) ++p;  // := =>
    } else if (p + 1 < n && t[p] == '-' && t[p + 1] == '>') {
      strong = true;
      p += 2;
    } else if (p + 1 < n && t[p] == '-' && IsHSpace(t[p + 1]) && p > gap_start) {
      p += 1;  // "Password - value"
    } else if (p < n && text::HangulAt(t, p) && p == gap_start) {
      // Particle after the label: 비밀번호는 / 비밀번호가 / PW는 …
      static constexpr std::string_view kLabelParticles[] = {"는", "은", "가", "이", "를", "을", "도", "란"};
      bool ok = false;
      for (std::string_view w : kLabelParticles) {
        if (t.substr(p, w.size()) == w) {
          p += w.size();
          ok = true;
          break;
        }
      }
      if (!ok || (p < n && text::HangulAt(t, p))) return true;  // 암호화, 비밀번호변경
      strong = true;
      while (p < stop && IsHSpace(t[p])) ++p;
      if (p < n && (t[p] == ':' || t[p] == '=')) ++p;
    } else if (size_t after = SkipFiller(t, p, std::min(n, p + 64), &strong)) {
      p = after;
    } else if (p == gap_start) {
      return true;  // glued to something else: "password-protected"
    } else if (label.strong_only) {
      return true;
    }
    while (p < stop && IsHSpace(t[p])) ++p;
    if (!strong && label.ascii) {
      // "password is X", "changed the password to X".
      for (std::string_view w : {"is ", "was ", "to "}) {
        if (t.substr(p, w.size()) == w) {
          p += w.size();
          while (p < stop && IsHSpace(t[p])) ++p;
          break;
        }
      }
    }
    // XML attributes: <add key="Password" value="…"/>.
    if (StartsWithCi(t.substr(p, 6), "value=")) {
      p += 6;
      strong = true;
    }
    if (p >= n || p >= stop + 8) return true;
    Value v = ExtractValue(t, p, query, pipe);
    if (!v.ok) return true;
    if (pair) {
      size_t q = v.end + (v.quoted ? 1 : 0);
      while (q < n && IsHSpace(t[q])) ++q;
      if (q < n && t[q] == '/') {
        ++q;
        while (q < n && IsHSpace(t[q])) ++q;
        Value second = ExtractValue(t, q, query, pipe);
        if (second.ok) v = second;
      }
    }
    EmitValue(t, v.start, v.end, strong || v.quoted, v.quoted, out);
    return true;
  }

  // "curl -u user:PASS …", "mysql … -pPASS", "sshpass -p PASS …".
  static void ScanCliPassword(std::string_view t, const Hit& h, std::vector<Finding>& out) {
    // The command must be on the same line, at most 200 bytes before.
    size_t from = h.start > 200 ? h.start - 200 : 0;
    std::string_view prefix = t.substr(from, h.start - from);
    if (size_t nl = prefix.rfind('\n'); nl != std::string_view::npos) prefix.remove_prefix(nl + 1);
    size_t p = h.end;
    size_t n = t.size();
    if (t.substr(h.start, h.end - h.start) == " -u ") {
      if (prefix.find("curl") == std::string_view::npos) return;
      while (p < n && IsHSpace(t[p])) ++p;
      bool q = p < n && (t[p] == '"' || t[p] == '\'');
      size_t s = p + (q ? 1 : 0);
      size_t e = s;
      while (e < n && !IsSpace(t[e]) && t[e] != '"' && t[e] != '\'' && e - s < kMaxValue) ++e;
      size_t colon = t.substr(s, e - s).find(':');
      if (colon == std::string_view::npos || colon == 0) return;
      EmitValue(t, s + colon + 1, e, true, q, out);
    } else if (prefix.find("sshpass") != std::string_view::npos) {  // sshpass -p 'pw'
      if (p >= n || t[p] != ' ') return;
      Value v = ExtractValue(t, p + 1, false);
      if (v.ok) EmitValue(t, v.start, v.end, true, v.quoted, out);
    } else {  // " -p" glued to the value
      if (prefix.find("mysql") == std::string_view::npos && prefix.find("mariadb") == std::string_view::npos) {
        return;
      }
      if (p >= n || IsSpace(t[p])) return;
      Value v = ExtractValue(t, p, false);
      if (v.ok) EmitValue(t, v.start, v.end, true, v.quoted, out);
    }
  }

  static void EmitValue(std::string_view t, size_t s, size_t e, bool strong, bool quoted, std::vector<Finding>& out) {
    if (e <= s || e - s < 4 || e - s > kMaxValue) return;
    std::string_view v = t.substr(s, e - s);
    for (char c : v) {
      if (static_cast<unsigned char>(c) >= 0x80 || c == '\n' || c == '\r') return;
    }
    if (!quoted && (v.front() == '/' || v.front() == '~')) return;  // paths: "pwd /home/x"
    if (IsPlaceholder(v)) return;
    Classes c = ClassesOf(v);
    bool alpha = c.upper || c.lower;
    bool only_ident = IsIdentifier(v);  // letters, digits, '_' only, not digit-first
    float conf;
    if (!strong) {
      if (!(c.digit || c.symbol)) return;
      if (!alpha && (c.symbol || v.size() > 12)) return;  // 2024-01-01, 12,000
      if (v.find(' ') != std::string_view::npos) return;
      if (v.back() == ':') return;  // another label: "password hash: …"
      if (v.find('=') != std::string_view::npos && v.find_first_of("\"'") != std::string_view::npos) {
        return;  // an attribute: name="…"
      }
      conf = alpha ? 0.8f : 0.6f;
    } else if (!c.digit && !(c.symbol && !only_ident)) {
      // Letters (and '_') only: identifiers in code, words in prose.
      if (only_ident && c.upper && c.lower && v.find('_') == std::string_view::npos && v.size() >= 6) {
        conf = 0.55f;  // "Welcome" – a plausible password
      } else {
        conf = 0.35f;
      }
    } else if (!alpha && !c.symbol) {
      conf = v.size() >= 4 ? 0.75f : 0.4f;  // digits only: PINs
    } else {
      conf = 0.85f;
    }
    if (quoted && conf < 0.9f && conf >= 0.5f) conf += 0.05f;
    Emit(out, s, e, conf, "secret.password", specificity::kSecretValue);
  }

  // "scheme://user:PASSWORD@host".
  static void ScanUrlPassword(std::string_view t, const Hit& h, std::vector<Finding>& out) {
    size_t s = h.start;
    if (s < 2 || !IsAsciiAlpha(t[s - 1])) return;
    size_t u = h.end;
    size_t n = t.size();
    size_t e = u;
    size_t at = 0;
    while (e < n && e - u < kMaxUserInfo) {
      char c = t[e];
      if (IsSpace(c) || c == '/' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' ||
          static_cast<unsigned char>(c) >= 0x80) {
        break;
      }
      if (c == '@') at = e;
      ++e;
    }
    if (at == 0 || at + 1 >= n) return;
    char host = t[at + 1];
    if (!(IsAsciiAlnum(host) || host == '[')) return;
    size_t colon = t.substr(u, at - u).find(':');
    if (colon == std::string_view::npos) return;
    colon += u;
    size_t ps = colon + 1;
    if (at - ps < 1 || at - ps > kMaxValue) return;
    std::string_view v = t.substr(ps, at - ps);
    if (IsPlaceholder(v)) return;
    Emit(out, ps, at, 0.9f, "secret.url_password", specificity::kSecretValue);
  }

  uint16_t prefix_cat_ = 0, pw_cat_ = 0, aws_cat_ = 0, url_cat_ = 0, cli_cat_ = 0;
  uint32_t prefix_base_ = 0, pw_base_ = 0;
  std::vector<uint32_t> prefix_entries_, pw_entries_;
};

}  // namespace

std::unique_ptr<Recognizer> NewSecretRecognizer() { return std::make_unique<SecretRecognizer>(); }

}  // namespace gwanmun::detect
