// gwanmun's configuration: YAML parsed once into plain structs and validated.
// No other module sees YAML. Errors name the file, line and key, e.g.
//   "gwanmun.yaml:12: upstreams[0].timeouts.connect_ms: expected an integer".
//
// Secrets never live in the configuration: an upstream names the environment
// variable or file holding its API key, and ResolveApiKey() reads it.
// See config/gwanmun.example.yaml for every key with its default.

#ifndef GWANMUN_CONFIG_CONFIG_H_
#define GWANMUN_CONFIG_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gwanmun::config {

struct HostPort {
  std::string host;  // IPv4/IPv6 literal or name; IPv6 without brackets
  uint16_t port = 0;
};

// Parses "HOST:PORT" or "[V6]:PORT".
Result<HostPort> ParseHostPort(std::string_view text);
// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(std::string_view host);

// An absolute http(s) URL split for connecting.
struct Url {
  std::string scheme;    // "http" or "https"
  std::string host;      // without brackets
  uint16_t port = 0;     // explicit or the scheme's default
  std::string path;      // base path without trailing '/', may be empty
  std::string userinfo;  // "user:pass" (proxies only), may be empty
  bool tls() const { return scheme == "https"; }
  // "host" or "host:port" when the port is not the scheme's default.
  std::string HostHeader() const;
};
Result<Url> ParseUrl(std::string_view text);

struct ServerConfig {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  int threads = 0;                         // event-loop threads; 0 = one per core
  size_t max_body_bytes = 16u << 20;       // request bodies; larger → 413
  size_t max_response_bytes = 256u << 20;  // non-streaming upstream bodies
  int keepalive_timeout_ms = 75000;        // idle client connections
  int header_timeout_ms = 30000;           // reading one request
  int drain_timeout_ms = 30000;            // SIGTERM: wait this long for requests
};

struct AuthConfig {
  bool enabled = true;      // false only with a loopback listen address
  int cache_ttl_ms = 1000;  // how long a verified key is trusted without the store
};

struct Timeouts {
  int connect_ms = 5000;     // TCP + TLS (+ proxy CONNECT)
  int response_ms = 300000;  // request sent → response headers
  int idle_ms = 120000;      // between two body reads (stream events)
  int total_ms = 900000;     // whole attempt
};

// A model an upstream serves: `name` is what clients send; `upstream_model`
// what the upstream is asked for. name "*" serves any model under its own name.
struct ModelMapping {
  std::string name;
  std::string upstream_model;
};

struct UpstreamConfig {
  std::string name;
  std::string base_url;                       // e.g. https://api.openai.com/v1
  std::string api_key_env;                    // environment variable holding the key
  std::string api_key_file;                   // or a file holding it (trailing newline stripped)
  std::string auth_header = "authorization";  // "authorization" (Bearer) or "api-key" (Azure)
  std::string query;                          // appended to every upstream URL, e.g. "api-version=2024-10-21"
  std::string region;                         // residency tag, e.g. "kr", "us"
  int weight = 1;                             // share of first attempts among upstreams serving a model
  Timeouts timeouts;
  std::vector<ModelMapping> models;
  int max_idle_connections = 32;  // per event-loop thread
  int idle_connection_ms = 4000;  // reuse pooled connections idle at most this long
  std::string ca_file;            // extra CA bundle (PEM) besides the system store
  bool use_proxy = true;          // honour HTTPS_PROXY/HTTP_PROXY/NO_PROXY
  int line = 0;                   // 1-based line in the config file (0: from flags)
};

struct RetryConfig {
  int max_retries = 1;   // extra attempts on the same upstream before falling back
  int backoff_ms = 100;  // first backoff; doubles each retry, with jitter
  int max_backoff_ms = 2000;
  int max_retry_after_ms = 5000;  // longer Retry-After → fall back instead of waiting
};

struct CircuitBreakerConfig {
  int failure_threshold = 5;  // consecutive failures that open the circuit; 0 = off
  int open_ms = 30000;        // then one trial request (half-open)
};

struct LoggingConfig {
  std::string level = "info";    // trace, debug, info, warn, error, off
  std::string access_log = "-";  // "-" stdout, "off", or a file path
};

struct PassthroughConfig {
  bool enabled = false;  // forward other /v1/* paths (no parsing) …
  std::string upstream;  // … to this upstream
};

// A policy as written in YAML: a built-in profile plus overrides. Names are
// checked at parse time (types against the engine's type names or a
// configured dictionary; actions allow|mask|pseudonymize|block).
struct ResidencyRuleConfig {
  std::string name;
  std::vector<std::string> types;  // type or dictionary names
  std::string region;
};

struct PolicyConfig {
  std::string profile;                                       // "" = inherit (teams) / "general"
  std::vector<std::pair<std::string, std::string>> actions;  // type name → action, in file order
  bool has_residency = false;                                // residency given: replaces the profile's
  std::vector<ResidencyRuleConfig> residency;
  int no_store = -1;     // -1 inherit, 0/1
  int scan_output = -1;  // -1 inherit, 0/1
};

struct DictionaryConfig {
  std::string name;                // reported type name, e.g. PROJECT_CODENAME
  std::string file;                // one term per line; or
  std::vector<std::string> terms;  // terms inline
  std::string action;              // default: the policy's dictionary default
};

struct GuardrailsConfig {
  bool enabled = true;                                      // false: no scanning at all (guardrails off)
  PolicyConfig policy;                                      // the deployment's policy
  std::vector<std::pair<std::string, PolicyConfig>> teams;  // per-team overrides of `policy`
  std::vector<DictionaryConfig> dictionaries;
  bool markings = true;  // detect classification markings (대외비, 극비, …)
  double min_confidence = 0.5;
  // Model → in-region substitute, used when residency restricts the regions
  // and no upstream there serves the requested model.
  std::vector<std::pair<std::string, std::string>> substitutes;
  // Endpoints that persist data upstream (files, uploads, vector stores,
  // fine-tuning, batches) are refused unless this is true.
  bool allow_persisting_endpoints = false;
};

struct AuditConfig {
  // Deployment secret for HMAC fingerprints of found values (optional): from
  // an environment variable or a file. Without it no fingerprints are kept.
  std::string fingerprint_secret_env;
  std::string fingerprint_secret_file;
};

struct Config {
  std::string source;  // file it came from ("" = defaults/flags)
  ServerConfig server;
  std::string data_dir = "./data";
  AuthConfig auth;
  std::vector<UpstreamConfig> upstreams;
  RetryConfig retry;
  CircuitBreakerConfig circuit_breaker;
  LoggingConfig logging;
  PassthroughConfig passthrough;
  // Streams: ask the upstream for the final usage chunk even when the client
  // did not (needed for token limits), and hide it from such clients.
  bool inject_stream_usage = true;
  GuardrailsConfig guardrails;
  AuditConfig audit;
};

// Parses and validates YAML text. `source_name` prefixes error messages.
Result<Config> ParseConfig(std::string_view yaml, std::string_view source_name);
// Reads and parses a file.
Result<Config> LoadConfigFile(const std::string& path);
// Checks cross-field rules (unique names, known upstreams, URLs, ranges,
// no auth off on a non-loopback address). ParseConfig calls it; call it again
// after applying command-line overrides.
Status Validate(const Config& config);

// Reads the upstream's API key from its environment variable or file.
// Returns "" when neither is configured (e.g. a local model server).
Result<std::string> ResolveApiKey(const UpstreamConfig& upstream);

// Reads the audit fingerprint secret; "" when none is configured.
Result<std::string> ResolveFingerprintSecret(const AuditConfig& audit);

}  // namespace gwanmun::config

#endif  // GWANMUN_CONFIG_CONFIG_H_
