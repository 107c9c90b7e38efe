#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "detect/types.h"

namespace gwanmun::config {
namespace {

// Thrown inside the parser only; converted to a Status at the boundary.
struct ConfigError {
  std::string message;
};

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void Fail(const YAML::Node& node, const std::string& key, const std::string& what) const {
    std::string where = source_;
    if (node.IsDefined() && node.Mark().line >= 0) {
      where += ":" + std::to_string(node.Mark().line + 1);
    }
    throw ConfigError{where + ": " + key + ": " + what};
  }

  // Rejects keys outside `allowed` (typos must not be silently ignored).
  void CheckKeys(const YAML::Node& map, const std::string& path,
                 std::initializer_list<std::string_view> allowed) const {
    if (!map.IsMap()) Fail(map, path.empty() ? "(top level)" : path, "expected a mapping");
    for (const auto& kv : map) {
      std::string k = kv.first.as<std::string>();
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        std::string full = path.empty() ? k : path + "." + k;
        if (k == "api_key") {
          Fail(kv.first, full,
               "API keys never go in the config: name an environment variable "
               "(api_key_env) or a file (api_key_file)");
        }
        Fail(kv.first, full, "unknown key");
      }
    }
  }

  std::string String(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) Fail(n, key, "expected a string");
    return n.Scalar();
  }

  int64_t Int(const YAML::Node& n, const std::string& key, int64_t lo, int64_t hi) const {
    if (!n.IsScalar()) Fail(n, key, "expected an integer");
    const std::string& s = n.Scalar();
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) Fail(n, key, "expected an integer, got '" + s + "'");
    if (v < lo || v > hi) {
      Fail(n, key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    }
    return v;
  }

  bool Bool(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) Fail(n, key, "expected true or false");
    const std::string& s = n.Scalar();
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
    Fail(n, key, "expected true or false, got '" + s + "'");
  }

  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

void ReadTimeouts(const Reader& r, const YAML::Node& n, const std::string& path, Timeouts* t) {
  r.CheckKeys(n, path, {"connect_ms", "response_ms", "idle_ms", "total_ms"});
  constexpr int64_t kMax = 24LL * 3600 * 1000;
  if (n["connect_ms"]) t->connect_ms = r.Int(n["connect_ms"], path + ".connect_ms", 1, kMax);
  if (n["response_ms"]) t->response_ms = r.Int(n["response_ms"], path + ".response_ms", 1, kMax);
  if (n["idle_ms"]) t->idle_ms = r.Int(n["idle_ms"], path + ".idle_ms", 1, kMax);
  if (n["total_ms"]) t->total_ms = r.Int(n["total_ms"], path + ".total_ms", 1, kMax);
}

UpstreamConfig ReadUpstream(const Reader& r, const YAML::Node& n, const std::string& path) {
  r.CheckKeys(n, path,
              {"name", "base_url", "api_key_env", "api_key_file", "auth_header", "query", "region", "weight",
               "timeouts", "models", "max_idle_connections", "idle_connection_ms", "ca_file", "use_proxy"});
  UpstreamConfig u;
  u.line = n.Mark().line + 1;
  if (!n["name"]) r.Fail(n, path + ".name", "missing");
  u.name = r.String(n["name"], path + ".name");
  if (!n["base_url"]) r.Fail(n, path + ".base_url", "missing");
  u.base_url = r.String(n["base_url"], path + ".base_url");
  if (auto v = ParseUrl(u.base_url); !v.ok()) r.Fail(n["base_url"], path + ".base_url", v.status().message());
  if (n["api_key_env"]) u.api_key_env = r.String(n["api_key_env"], path + ".api_key_env");
  if (n["api_key_file"]) u.api_key_file = r.String(n["api_key_file"], path + ".api_key_file");
  if (!u.api_key_env.empty() && !u.api_key_file.empty()) {
    r.Fail(n["api_key_file"], path + ".api_key_file", "set api_key_env or api_key_file, not both");
  }
  if (n["auth_header"]) {
    u.auth_header = r.String(n["auth_header"], path + ".auth_header");
    std::transform(u.auth_header.begin(), u.auth_header.end(), u.auth_header.begin(), ::tolower);
    if (u.auth_header != "authorization" && u.auth_header != "api-key") {
      r.Fail(n["auth_header"], path + ".auth_header", "expected 'authorization' or 'api-key'");
    }
  }
  if (n["query"]) u.query = r.String(n["query"], path + ".query");
  if (n["region"]) u.region = r.String(n["region"], path + ".region");
  if (n["weight"]) u.weight = r.Int(n["weight"], path + ".weight", 0, 1000000);
  if (n["timeouts"]) ReadTimeouts(r, n["timeouts"], path + ".timeouts", &u.timeouts);
  if (n["max_idle_connections"]) {
    u.max_idle_connections = r.Int(n["max_idle_connections"], path + ".max_idle_connections", 0, 100000);
  }
  if (n["idle_connection_ms"]) {
    u.idle_connection_ms = r.Int(n["idle_connection_ms"], path + ".idle_connection_ms", 0, 3600000);
  }
  if (n["ca_file"]) u.ca_file = r.String(n["ca_file"], path + ".ca_file");
  if (n["use_proxy"]) u.use_proxy = r.Bool(n["use_proxy"], path + ".use_proxy");
  if (!n["models"]) r.Fail(n, path + ".models", "missing (list the models this upstream serves, or \"*\")");
  const YAML::Node& models = n["models"];
  if (!models.IsSequence() || models.size() == 0) {
    r.Fail(models, path + ".models", "expected a non-empty list");
  }
  for (size_t i = 0; i < models.size(); ++i) {
    std::string mp = path + ".models[" + std::to_string(i) + "]";
    const YAML::Node& m = models[i];
    ModelMapping mm;
    if (m.IsScalar()) {
      mm.name = m.Scalar();
      mm.upstream_model = mm.name;
    } else {
      r.CheckKeys(m, mp, {"name", "upstream_model"});
      if (!m["name"]) r.Fail(m, mp + ".name", "missing");
      mm.name = r.String(m["name"], mp + ".name");
      mm.upstream_model = m["upstream_model"] ? r.String(m["upstream_model"], mp + ".upstream_model") : mm.name;
    }
    if (mm.name.empty() || mm.upstream_model.empty()) r.Fail(m, mp, "model names must not be empty");
    if (mm.name == "*" && mm.upstream_model != "*") r.Fail(m, mp, "\"*\" cannot be aliased");
    u.models.push_back(std::move(mm));
  }
  return u;
}

bool IsActionName(std::string_view a) { return a == "allow" || a == "mask" || a == "pseudonymize" || a == "block"; }

bool IsProfileName(std::string_view p) {
  return p == "general" || p == "financial" || p == "public" || p == "pseudonymize-all" || p == "allow-all";
}

// Type names a policy may name: the engine's types and configured dictionaries.
bool IsKnownType(std::string_view name, const std::vector<DictionaryConfig>& dicts) {
  if (auto t = detect::ParseEntityType(name); t && *t != detect::EntityType::kCustom) return true;
  for (const auto& d : dicts) {
    if (d.name == name) return true;
  }
  return false;
}

PolicyConfig ReadPolicy(const Reader& r, const YAML::Node& n, const std::string& path,
                        const std::vector<DictionaryConfig>& dicts, bool top) {
  if (top) {
    r.CheckKeys(n, path,
                {"enabled", "profile", "actions", "residency", "no_store", "scan_output", "teams", "dictionaries",
                 "markings", "min_confidence", "substitutes", "allow_persisting_endpoints"});
  } else {
    r.CheckKeys(n, path, {"profile", "actions", "residency", "no_store", "scan_output"});
  }
  PolicyConfig p;
  if (n["profile"]) {
    p.profile = r.String(n["profile"], path + ".profile");
    if (!IsProfileName(p.profile)) {
      r.Fail(n["profile"], path + ".profile",
             "unknown profile '" + p.profile + "' (general, financial, public, pseudonymize-all, allow-all)");
    }
  }
  if (const auto& a = n["actions"]) {
    if (!a.IsMap()) r.Fail(a, path + ".actions", "expected a mapping of type name to action");
    for (const auto& kv : a) {
      std::string type = kv.first.as<std::string>();
      std::string key = path + ".actions." + type;
      if (!IsKnownType(type, dicts))
        r.Fail(kv.first, key, "unknown type (see `gwanmun scan --help` or docs/detection.md)");
      std::string action = r.String(kv.second, key);
      if (!IsActionName(action)) r.Fail(kv.second, key, "expected allow, mask, pseudonymize or block");
      p.actions.emplace_back(type, action);
    }
  }
  if (const auto& rs = n["residency"]) {
    if (!rs.IsSequence()) r.Fail(rs, path + ".residency", "expected a list of rules");
    p.has_residency = true;
    for (size_t i = 0; i < rs.size(); ++i) {
      std::string rp = path + ".residency[" + std::to_string(i) + "]";
      r.CheckKeys(rs[i], rp, {"name", "types", "region"});
      ResidencyRuleConfig rule;
      rule.name = rs[i]["name"] ? r.String(rs[i]["name"], rp + ".name") : "residency-" + std::to_string(i + 1);
      if (!rs[i]["region"]) r.Fail(rs[i], rp + ".region", "missing");
      rule.region = r.String(rs[i]["region"], rp + ".region");
      const auto& ts = rs[i]["types"];
      if (!ts || !ts.IsSequence() || ts.size() == 0)
        r.Fail(rs[i], rp + ".types", "expected a non-empty list of type names");
      for (const auto& t : ts) {
        std::string name = r.String(t, rp + ".types");
        if (!IsKnownType(name, dicts)) r.Fail(t, rp + ".types", "unknown type '" + name + "'");
        rule.types.push_back(name);
      }
      p.residency.push_back(std::move(rule));
    }
  }
  if (n["no_store"]) p.no_store = r.Bool(n["no_store"], path + ".no_store") ? 1 : 0;
  if (n["scan_output"]) p.scan_output = r.Bool(n["scan_output"], path + ".scan_output") ? 1 : 0;
  return p;
}

void ReadGuardrails(const Reader& r, const YAML::Node& g, GuardrailsConfig* out) {
  const std::string path = "guardrails";
  if (!g.IsMap()) r.Fail(g, path, "expected a mapping");
  if (const auto& ds = g["dictionaries"]) {
    if (!ds.IsSequence()) r.Fail(ds, path + ".dictionaries", "expected a list");
    for (size_t i = 0; i < ds.size(); ++i) {
      std::string dp = path + ".dictionaries[" + std::to_string(i) + "]";
      r.CheckKeys(ds[i], dp, {"name", "file", "terms", "action"});
      DictionaryConfig d;
      if (!ds[i]["name"]) r.Fail(ds[i], dp + ".name", "missing");
      d.name = r.String(ds[i]["name"], dp + ".name");
      bool ok_name = !d.name.empty() && std::all_of(d.name.begin(), d.name.end(), [](char ch) {
        return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
      });
      if (!ok_name) r.Fail(ds[i]["name"], dp + ".name", "expected upper-case letters, digits and '_'");
      if (detect::ParseEntityType(d.name)) r.Fail(ds[i]["name"], dp + ".name", "is a built-in type name");
      if (ds[i]["file"]) d.file = r.String(ds[i]["file"], dp + ".file");
      if (const auto& ts = ds[i]["terms"]) {
        if (!ts.IsSequence()) r.Fail(ts, dp + ".terms", "expected a list of strings");
        for (const auto& t : ts) d.terms.push_back(r.String(t, dp + ".terms"));
      }
      if (d.file.empty() == d.terms.empty()) r.Fail(ds[i], dp, "give either file or terms");
      if (ds[i]["action"]) {
        d.action = r.String(ds[i]["action"], dp + ".action");
        if (!IsActionName(d.action))
          r.Fail(ds[i]["action"], dp + ".action", "expected allow, mask, pseudonymize or block");
      }
      for (const auto& prev : out->dictionaries) {
        if (prev.name == d.name) r.Fail(ds[i]["name"], dp + ".name", "duplicate dictionary '" + d.name + "'");
      }
      out->dictionaries.push_back(std::move(d));
    }
  }
  out->policy = ReadPolicy(r, g, path, out->dictionaries, true);
  if (g["enabled"]) out->enabled = r.Bool(g["enabled"], path + ".enabled");
  if (g["markings"]) out->markings = r.Bool(g["markings"], path + ".markings");
  if (const auto& mc = g["min_confidence"]) {
    std::string s = r.String(mc, path + ".min_confidence");
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0' || v < 0 || v > 1)
      r.Fail(mc, path + ".min_confidence", "expected a number from 0 to 1");
    out->min_confidence = v;
  }
  if (const auto& sub = g["substitutes"]) {
    if (!sub.IsMap()) r.Fail(sub, path + ".substitutes", "expected a mapping of model to in-region model");
    for (const auto& kv : sub) {
      out->substitutes.emplace_back(kv.first.as<std::string>(), r.String(kv.second, path + ".substitutes"));
    }
  }
  if (g["allow_persisting_endpoints"]) {
    out->allow_persisting_endpoints = r.Bool(g["allow_persisting_endpoints"], path + ".allow_persisting_endpoints");
  }
  if (const auto& ts = g["teams"]) {
    if (!ts.IsMap()) r.Fail(ts, path + ".teams", "expected a mapping of team name to policy");
    for (const auto& kv : ts) {
      std::string team = kv.first.as<std::string>();
      out->teams.emplace_back(team, ReadPolicy(r, kv.second, path + ".teams." + team, out->dictionaries, false));
    }
  }
}

Config ParseRoot(const Reader& r, const YAML::Node& root) {
  Config c;
  if (!root.IsDefined() || root.IsNull()) return c;  // empty file: defaults
  r.CheckKeys(root, "",
              {"server", "data_dir", "auth", "upstreams", "retry", "circuit_breaker", "logging", "passthrough",
               "inject_stream_usage", "guardrails", "audit"});
  if (const auto& s = root["server"]) {
    r.CheckKeys(s, "server",
                {"listen", "threads", "max_body_bytes", "max_response_bytes", "keepalive_timeout_ms",
                 "header_timeout_ms", "drain_timeout_ms"});
    if (s["listen"]) {
      auto hp = ParseHostPort(r.String(s["listen"], "server.listen"));
      if (!hp.ok()) r.Fail(s["listen"], "server.listen", hp.status().message());
      c.server.listen_host = hp.value().host;
      c.server.listen_port = hp.value().port;
    }
    if (s["threads"]) c.server.threads = r.Int(s["threads"], "server.threads", 0, 1024);
    if (s["max_body_bytes"]) {
      c.server.max_body_bytes = r.Int(s["max_body_bytes"], "server.max_body_bytes", 1, 1LL << 32);
    }
    if (s["max_response_bytes"]) {
      c.server.max_response_bytes = r.Int(s["max_response_bytes"], "server.max_response_bytes", 1, 1LL << 34);
    }
    if (s["keepalive_timeout_ms"]) {
      c.server.keepalive_timeout_ms = r.Int(s["keepalive_timeout_ms"], "server.keepalive_timeout_ms", 1, 86400000);
    }
    if (s["header_timeout_ms"]) {
      c.server.header_timeout_ms = r.Int(s["header_timeout_ms"], "server.header_timeout_ms", 1, 86400000);
    }
    if (s["drain_timeout_ms"]) {
      c.server.drain_timeout_ms = r.Int(s["drain_timeout_ms"], "server.drain_timeout_ms", 0, 86400000);
    }
  }
  if (root["data_dir"]) c.data_dir = r.String(root["data_dir"], "data_dir");
  if (const auto& a = root["auth"]) {
    r.CheckKeys(a, "auth", {"enabled", "cache_ttl_ms"});
    if (a["enabled"]) c.auth.enabled = r.Bool(a["enabled"], "auth.enabled");
    if (a["cache_ttl_ms"]) c.auth.cache_ttl_ms = r.Int(a["cache_ttl_ms"], "auth.cache_ttl_ms", 0, 3600000);
  }
  if (const auto& us = root["upstreams"]) {
    if (!us.IsSequence()) r.Fail(us, "upstreams", "expected a list");
    std::set<std::string> names;
    for (size_t i = 0; i < us.size(); ++i) {
      std::string p = "upstreams[" + std::to_string(i) + "]";
      UpstreamConfig u = ReadUpstream(r, us[i], p);
      if (!names.insert(u.name).second) r.Fail(us[i]["name"], p + ".name", "duplicate upstream '" + u.name + "'");
      c.upstreams.push_back(std::move(u));
    }
  }
  if (const auto& rt = root["retry"]) {
    r.CheckKeys(rt, "retry", {"max_retries", "backoff_ms", "max_backoff_ms", "max_retry_after_ms"});
    if (rt["max_retries"]) c.retry.max_retries = r.Int(rt["max_retries"], "retry.max_retries", 0, 10);
    if (rt["backoff_ms"]) c.retry.backoff_ms = r.Int(rt["backoff_ms"], "retry.backoff_ms", 0, 600000);
    if (rt["max_backoff_ms"]) c.retry.max_backoff_ms = r.Int(rt["max_backoff_ms"], "retry.max_backoff_ms", 0, 600000);
    if (rt["max_retry_after_ms"]) {
      c.retry.max_retry_after_ms = r.Int(rt["max_retry_after_ms"], "retry.max_retry_after_ms", 0, 600000);
    }
  }
  if (const auto& cb = root["circuit_breaker"]) {
    r.CheckKeys(cb, "circuit_breaker", {"failure_threshold", "open_ms"});
    if (cb["failure_threshold"]) {
      c.circuit_breaker.failure_threshold =
          r.Int(cb["failure_threshold"], "circuit_breaker.failure_threshold", 0, 100000);
    }
    if (cb["open_ms"]) c.circuit_breaker.open_ms = r.Int(cb["open_ms"], "circuit_breaker.open_ms", 1, 86400000);
  }
  if (const auto& l = root["logging"]) {
    r.CheckKeys(l, "logging", {"level", "access_log"});
    if (l["level"]) {
      c.logging.level = r.String(l["level"], "logging.level");
      static constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
      if (std::find(std::begin(kLevels), std::end(kLevels), c.logging.level) == std::end(kLevels)) {
        r.Fail(l["level"], "logging.level", "expected trace, debug, info, warn, error or off");
      }
    }
    if (l["access_log"]) c.logging.access_log = r.String(l["access_log"], "logging.access_log");
  }
  if (const auto& p = root["passthrough"]) {
    r.CheckKeys(p, "passthrough", {"enabled", "upstream"});
    if (p["enabled"]) c.passthrough.enabled = r.Bool(p["enabled"], "passthrough.enabled");
    if (p["upstream"]) c.passthrough.upstream = r.String(p["upstream"], "passthrough.upstream");
    if (c.passthrough.enabled) {
      bool found = false;
      for (const auto& u : c.upstreams) found = found || u.name == c.passthrough.upstream;
      if (!found) r.Fail(p, "passthrough.upstream", "names no configured upstream");
    }
  }
  if (root["inject_stream_usage"]) c.inject_stream_usage = r.Bool(root["inject_stream_usage"], "inject_stream_usage");
  if (const auto& g = root["guardrails"]) ReadGuardrails(r, g, &c.guardrails);
  if (const auto& a = root["audit"]) {
    r.CheckKeys(a, "audit", {"fingerprint_secret_env", "fingerprint_secret_file"});
    if (a["fingerprint_secret_env"]) {
      c.audit.fingerprint_secret_env = r.String(a["fingerprint_secret_env"], "audit.fingerprint_secret_env");
    }
    if (a["fingerprint_secret_file"]) {
      c.audit.fingerprint_secret_file = r.String(a["fingerprint_secret_file"], "audit.fingerprint_secret_file");
    }
    if (!c.audit.fingerprint_secret_env.empty() && !c.audit.fingerprint_secret_file.empty()) {
      r.Fail(a, "audit", "set fingerprint_secret_env or fingerprint_secret_file, not both");
    }
  }
  return c;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

}  // namespace

Result<HostPort> ParseHostPort(std::string_view text) {
  HostPort hp;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Status::Error("expected [IPV6]:PORT, got '" + std::string(text) + "'");
    }
    hp.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return Status::Error("expected HOST:PORT, got '" + std::string(text) + "'");
    }
    hp.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  unsigned v = 0;
  if (hp.host.empty() || !IsDigits(port) || port.size() > 5 ||
      std::from_chars(port.data(), port.data() + port.size(), v).ec != std::errc() || v > 65535) {
    return Status::Error("expected HOST:PORT with a port 0-65535, got '" + std::string(text) + "'");
  }
  hp.port = static_cast<uint16_t>(v);
  return hp;
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8 as a dotted quad.
  if (host.substr(0, 4) != "127.") return false;
  int dots = 0;
  for (char ch : host) {
    if (ch == '.')
      ++dots;
    else if (ch < '0' || ch > '9')
      return false;
  }
  return dots == 3;
}

std::string Url::HostHeader() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if ((tls() && port != 443) || (!tls() && port != 80)) h += ":" + std::to_string(port);
  return h;
}

Result<Url> ParseUrl(std::string_view text) {
  Url u;
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return Status::Error("expected an http:// or https:// URL");
  u.scheme = std::string(text.substr(0, sep));
  std::transform(u.scheme.begin(), u.scheme.end(), u.scheme.begin(), ::tolower);
  if (u.scheme != "http" && u.scheme != "https") return Status::Error("expected an http:// or https:// URL");
  std::string_view rest = text.substr(sep + 3);
  size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos) return Status::Error("URL must not have a query or fragment");
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    u.userinfo = std::string(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::Error("bad IPv6 host in URL");
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Status::Error("bad host in URL");
      port = after.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return Status::Error("URL has no host");
  if (!port.empty()) {
    unsigned v = 0;
    if (!IsDigits(port) || port.size() > 5 ||
        std::from_chars(port.data(), port.data() + port.size(), v).ec != std::errc() || v == 0 || v > 65535) {
      return Status::Error("bad port in URL");
    }
    u.port = static_cast<uint16_t>(v);
  } else {
    u.port = u.tls() ? 443 : 80;
  }
  u.path = std::string(path);
  while (!u.path.empty() && u.path.back() == '/') u.path.pop_back();
  return u;
}

Status Validate(const Config& c) {
  std::string where = c.source.empty() ? "config" : c.source;
  if (!c.auth.enabled && !IsLoopbackHost(c.server.listen_host)) {
    return Status::Error(where +
                         ": auth.enabled: authentication can only be turned off when listening on a "
                         "loopback address (127.0.0.1, ::1), not '" +
                         c.server.listen_host + "'");
  }
  std::set<std::string> names;
  for (const auto& u : c.upstreams) {
    std::string at = where + (u.line ? ":" + std::to_string(u.line) : "") + ": upstream '" + u.name + "'";
    if (u.name.empty()) return Status::Error(at + ": name must not be empty");
    if (!names.insert(u.name).second) return Status::Error(at + ": duplicate name");
    if (auto url = ParseUrl(u.base_url); !url.ok()) return Status::Error(at + ": base_url: " + url.status().message());
    if (u.models.empty()) return Status::Error(at + ": models: empty");
  }
  if (c.passthrough.enabled && !names.count(c.passthrough.upstream)) {
    return Status::Error(where + ": passthrough.upstream: names no configured upstream");
  }
  if (c.data_dir.empty()) return Status::Error(where + ": data_dir must not be empty");
  return Status::Ok();
}

Result<Config> ParseConfig(std::string_view yaml, std::string_view source_name) {
  Reader r{std::string(source_name)};
  Config c;
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    c = ParseRoot(r, root);
  } catch (const ConfigError& e) {
    return Status::Error(e.message);
  } catch (const YAML::Exception& e) {
    return Status::Error(std::string(source_name) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  c.source = std::string(source_name);
  if (Status s = Validate(c); !s.ok()) return s;
  return c;
}

Result<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path + ": cannot open the config file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), path);
}

Result<std::string> ResolveApiKey(const UpstreamConfig& u) {
  std::string key;
  if (!u.api_key_env.empty()) {
    const char* v = std::getenv(u.api_key_env.c_str());
    if (v == nullptr || *v == '\0') {
      return Status::Error("upstream '" + u.name + "': environment variable " + u.api_key_env + " is not set");
    }
    key = v;
  } else if (!u.api_key_file.empty()) {
    std::ifstream in(u.api_key_file, std::ios::binary);
    if (!in) return Status::Error("upstream '" + u.name + "': cannot read api_key_file " + u.api_key_file);
    std::stringstream ss;
    ss << in.rdbuf();
    key = ss.str();
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) key.pop_back();
    if (key.empty()) return Status::Error("upstream '" + u.name + "': api_key_file " + u.api_key_file + " is empty");
  }
  for (unsigned char ch : key) {
    if (ch < 0x21 || ch > 0x7e) {
      return Status::Error("upstream '" + u.name + "': the API key contains a control or non-ASCII character");
    }
  }
  return key;
}

Result<std::string> ResolveFingerprintSecret(const AuditConfig& audit) {
  std::string secret;
  if (!audit.fingerprint_secret_env.empty()) {
    const char* v = std::getenv(audit.fingerprint_secret_env.c_str());
    if (v == nullptr || *v == '\0') {
      return Status::Error("audit: environment variable " + audit.fingerprint_secret_env + " is not set");
    }
    secret = v;
  } else if (!audit.fingerprint_secret_file.empty()) {
    std::ifstream in(audit.fingerprint_secret_file, std::ios::binary);
    if (!in) return Status::Error("audit: cannot read fingerprint_secret_file " + audit.fingerprint_secret_file);
    std::stringstream ss;
    ss << in.rdbuf();
    secret = ss.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  } else {
    return std::string();
  }
  if (secret.size() < 16) return Status::Error("audit: the fingerprint secret must be at least 16 bytes");
  return secret;
}

}  // namespace gwanmun::config
