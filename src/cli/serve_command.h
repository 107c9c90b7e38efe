// `gwanmun serve`: runs the OpenAI-compatible gateway.
//
//   gwanmun serve [--config FILE] [--listen HOST:PORT] [--upstream URL]
//                 [--upstream-key-env VAR] [--no-auth] [--data-dir DIR] [--threads N]
//
// Without a config: 127.0.0.1:8080, SQLite under ./data (or $GWANMUN_DATA_DIR),
// no upstreams unless --upstream. Flags override the config file; --upstream
// replaces its upstreams with one named "default" serving every model.
// --no-auth is refused unless the listen address is loopback.
//
// Exit codes: 0 after a graceful stop (SIGTERM/SIGINT); 2 on a bad
// configuration, an unopenable store or an address that cannot be bound.

#ifndef GWANMUN_CLI_SERVE_COMMAND_H_
#define GWANMUN_CLI_SERVE_COMMAND_H_

#include <iosfwd>
#include <string>

#include "common/status.h"
#include "config/config.h"

namespace CLI {
class App;
}  // namespace CLI

namespace gwanmun::cli {

struct ServeOptions {
  std::string config;            // --config
  std::string listen;            // --listen HOST:PORT
  std::string upstream;          // --upstream URL
  std::string upstream_key_env;  // --upstream-key-env VAR
  bool no_auth = false;          // --no-auth
  std::string data_dir;          // --data-dir
  int threads = -1;              // --threads (-1: from config)
  std::string upstream_region;   // --upstream-region TAG (with --upstream)
  std::string policy;            // --policy PROFILE|off (overrides guardrails.profile)
};

// The effective configuration: the file (or defaults) with flags applied,
// validated. Also what SIGHUP re-runs.
Result<config::Config> ServeConfig(const ServeOptions& options);

int RunServe(const ServeOptions& options, std::ostream& out, std::ostream& err);

// Registers `serve` on `app`. Must outlive parsing.
class ServeCommand {
 public:
  explicit ServeCommand(CLI::App& app);
  ServeCommand(const ServeCommand&) = delete;
  ServeCommand& operator=(const ServeCommand&) = delete;
  bool parsed() const;
  int Run(std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* serve_ = nullptr;
  ServeOptions options_;
};

}  // namespace gwanmun::cli

#endif  // GWANMUN_CLI_SERVE_COMMAND_H_
