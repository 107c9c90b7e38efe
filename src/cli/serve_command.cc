#include "cli/serve_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <ostream>

#include "cli/store_command.h"
#include "policy/policy.h"
#include "proxy/guard_stage.h"
#include "proxy/log.h"
#include "proxy/server.h"
#include "store/store.h"

namespace gwanmun::cli {

Result<config::Config> ServeConfig(const ServeOptions& o) {
  config::Config c;
  if (!o.config.empty()) {
    auto loaded = config::LoadConfigFile(o.config);
    if (!loaded.ok()) return loaded.status();
    c = std::move(loaded).value();
  }
  if (!o.listen.empty()) {
    auto hp = config::ParseHostPort(o.listen);
    if (!hp.ok()) return Status::Error("--listen: " + hp.status().message());
    c.server.listen_host = hp.value().host;
    c.server.listen_port = hp.value().port;
  }
  if (!o.upstream_region.empty() && o.upstream.empty()) {
    return Status::Error("--upstream-region needs --upstream");
  }
  if (!o.policy.empty()) {
    if (o.policy == "off") {
      c.guardrails.enabled = false;
    } else {
      auto names = policy::BuiltinProfileNames();
      if (std::find(names.begin(), names.end(), o.policy) == names.end()) {
        std::string list;
        for (const auto& n : names) list += n + ", ";
        return Status::Error("--policy: unknown profile '" + o.policy + "' (" + list + "or off)");
      }
      c.guardrails.enabled = true;
      c.guardrails.policy.profile = o.policy;
    }
  }
  if (!o.upstream_key_env.empty() && o.upstream.empty()) {
    return Status::Error("--upstream-key-env needs --upstream");
  }
  if (!o.upstream.empty()) {
    if (auto u = config::ParseUrl(o.upstream); !u.ok()) return Status::Error("--upstream: " + u.status().message());
    config::UpstreamConfig u;
    u.name = "default";
    u.base_url = o.upstream;
    u.api_key_env = o.upstream_key_env;
    u.region = o.upstream_region;
    u.models.push_back({"*", "*"});
    c.upstreams.clear();
    c.upstreams.push_back(std::move(u));
    c.passthrough = {};
  }
  if (o.no_auth) {
    if (!config::IsLoopbackHost(c.server.listen_host)) {
      return Status::Error("--no-auth is only allowed on a loopback address (127.0.0.1, ::1), not '" +
                           c.server.listen_host + "'");
    }
    c.auth.enabled = false;
  }
  if (o.threads >= 0) c.server.threads = o.threads;
  StoreCommandOptions so;
  so.data_dir = o.data_dir;
  so.config = o.config;
  auto dir = ResolveDataDir(so);
  if (!dir.ok()) return dir.status();
  c.data_dir = dir.value();
  if (Status s = config::Validate(c); !s.ok()) return s;
  return c;
}

int RunServe(const ServeOptions& options, std::ostream& /*out*/, std::ostream& err) {
  std::signal(SIGPIPE, SIG_IGN);
  auto cfg = ServeConfig(options);
  if (!cfg.ok()) {
    err << "gwanmun serve: " << cfg.status().message() << "\n";
    return 2;
  }
  auto logs = proxy::Logs::Create(cfg.value().logging);
  if (!logs.ok()) {
    err << "gwanmun serve: " << logs.status().message() << "\n";
    return 2;
  }
  auto st = store::OpenDataDir(cfg.value().data_dir);
  if (!st.ok()) {
    err << "gwanmun serve: cannot open the store in " << cfg.value().data_dir << ": " << st.status().message() << "\n";
    return 2;
  }
  proxy::GatewayOptions g;
  g.config = cfg.value();
  if (!options.config.empty()) {
    g.reload = [options] { return ServeConfig(options); };
  }
  g.make_stages = [](const config::Config& c) { return proxy::MakeGuardStages(c); };
  g.store = st.value().get();
  g.logs = logs.value().get();
  Status s = proxy::RunGateway(std::move(g));
  if (!s.ok()) {
    logs.value()->Error("gateway failed", {{"error", s.message()}});
    err << "gwanmun serve: " << s.message() << "\n";
    return 2;
  }
  return 0;
}

ServeCommand::ServeCommand(CLI::App& app) {
  serve_ = app.add_subcommand("serve", "Run the OpenAI-compatible gateway");
  serve_->add_option("--config", options_.config, "Config file (YAML); see config/gwanmun.example.yaml");
  serve_->add_option("--listen", options_.listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve_->add_option("--upstream", options_.upstream,
                     "Base URL of one upstream serving every model, e.g. https://api.openai.com/v1");
  serve_->add_option("--upstream-key-env", options_.upstream_key_env,
                     "Environment variable holding the --upstream API key");
  serve_->add_flag("--no-auth", options_.no_auth, "Accept requests without a virtual key (loopback only)");
  serve_->add_option("--data-dir", options_.data_dir, "Directory of gwanmun.db (keys, audit log)");
  serve_->add_option("--threads", options_.threads, "Event-loop threads (default: one per core)")
      ->check(CLI::Range(0, 1024));
  serve_->add_option("--upstream-region", options_.upstream_region,
                     "Region tag of the --upstream (e.g. kr) for residency rules");
  serve_->add_option("--policy", options_.policy,
                     "Guardrail profile: general (default), financial, public, pseudonymize-all, allow-all, "
                     "or off");
}

bool ServeCommand::parsed() const { return serve_->parsed(); }

int ServeCommand::Run(std::ostream& out, std::ostream& err) const { return RunServe(options_, out, err); }

}  // namespace gwanmun::cli
