// `gwanmun demo`: shows the guardrails on a few Korean prompts without any
// setup, account or API key.
//
//   gwanmun demo [--policy PROFILE|off] [--prompt TEXT]… [--stream] [--json]
//                [--data-dir DIR]
//
// Starts, in this process, a built-in echo model (cli/echo_upstream.h,
// answering "Echo: " + what it received) and the gateway in front of it,
// both on 127.0.0.1 with ephemeral ports: no auth, access log off, the
// upstream named "echo" in region "kr", guardrails from --policy (default
// general; the names of `serve --policy`). The store lives in a temporary
// directory removed at exit, or in --data-dir (kept, for `gwanmun audit`).
//
// Each prompt (the built-in ones, or every --prompt instead) goes through the
// gateway as a chat completion; the output shows what was sent, what the
// model received (or that the gateway blocked it, with its message) and what
// came back, plus one streamed example (text output without --stream).
// --stream streams every prompt. --json prints one JSON object per prompt:
//   {"sent", "upstream_saw" (string|null), "received" (string|null),
//    "status" (HTTP), "blocked" (403 from the gateway), "stream",
//    "events" (stream only), "error" (the gateway's message, when not 200)}
// The gateway is stopped by raising SIGTERM, which it handles (drain).
//
// Exit codes: 0 when every prompt got an answer or a refusal from the
// gateway; 1 if a request failed (no answer, a 5xx); 2 on bad options or if
// the gateway or the echo model cannot start.

#ifndef GWANMUN_CLI_DEMO_COMMAND_H_
#define GWANMUN_CLI_DEMO_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace gwanmun::cli {

struct DemoOptions {
  std::string policy = "general";    // --policy PROFILE|off
  std::vector<std::string> prompts;  // --prompt (replaces the built-in prompts)
  bool stream = false;               // --stream
  bool json = false;                 // --json
  std::string data_dir;              // --data-dir; "" = temporary, removed at exit
};

int RunDemo(const DemoOptions& options, std::ostream& out, std::ostream& err);

// Registers `demo` on `app`. Must outlive parsing.
class DemoCommand {
 public:
  explicit DemoCommand(CLI::App& app);
  DemoCommand(const DemoCommand&) = delete;
  DemoCommand& operator=(const DemoCommand&) = delete;
  bool parsed() const;
  int Run(std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* demo_ = nullptr;
  DemoOptions options_;
};

}  // namespace gwanmun::cli

#endif  // GWANMUN_CLI_DEMO_COMMAND_H_
