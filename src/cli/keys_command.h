// `gwanmun keys create|list|revoke`: virtual keys clients present as
// `Authorization: Bearer gw-…`.
//
// Exit codes: 0 success; 2 errors (bad arguments, unknown key id or policy
// name, store unreadable). The secret is printed once by `create` and never again: only
// its SHA-256 is stored.

#ifndef GWANMUN_CLI_KEYS_COMMAND_H_
#define GWANMUN_CLI_KEYS_COMMAND_H_

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/store_command.h"

namespace gwanmun::cli {

struct KeysCreateOptions {
  StoreCommandOptions store;
  std::string team;
  std::vector<std::string> models;  // allowed models; empty = all
  int64_t rpm = 0;                  // 0 = unlimited
  int64_t tpm = 0;
  std::string description;
  // Guardrail profile for the key's requests, one of
  // policy::BuiltinProfileNames(); "" = the deployment/team policy.
  std::string policy;
  bool json = false;  // one JSON object instead of text
};

struct KeysListOptions {
  StoreCommandOptions store;
  bool json = false;  // JSON array instead of a table
};

struct KeysRevokeOptions {
  StoreCommandOptions store;
  std::string key_id;
};

int RunKeysCreate(const KeysCreateOptions& options, std::ostream& out, std::ostream& err);
int RunKeysList(const KeysListOptions& options, std::ostream& out, std::ostream& err);
int RunKeysRevoke(const KeysRevokeOptions& options, std::ostream& out, std::ostream& err);

// Registers `keys` and its subcommands on `app`; after parsing, Run() runs
// the one that was given. Must outlive parsing (CLI11 writes into it).
class KeysCommand {
 public:
  explicit KeysCommand(CLI::App& app);
  KeysCommand(const KeysCommand&) = delete;
  KeysCommand& operator=(const KeysCommand&) = delete;

  bool parsed() const;
  int Run(std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* keys_ = nullptr;
  CLI::App* create_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* revoke_ = nullptr;
  KeysCreateOptions create_options_;
  KeysListOptions list_options_;
  KeysRevokeOptions revoke_options_;
};

}  // namespace gwanmun::cli

#endif  // GWANMUN_CLI_KEYS_COMMAND_H_
