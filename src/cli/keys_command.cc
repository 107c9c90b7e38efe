#include "cli/keys_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>

#include "policy/policy.h"

namespace gwanmun::cli {
namespace {

using Json = nlohmann::json;

std::string Dump(const Json& j, int indent = -1) { return j.dump(indent, ' ', false, Json::error_handler_t::replace); }

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += sep;
    out += v[i];
  }
  return out;
}

Json KeyJson(const store::KeyInfo& k) {
  Json j;
  j["key_id"] = k.principal.key_id;
  j["team"] = k.principal.team;
  j["models"] = k.principal.models;
  j["rpm"] = k.principal.rpm;
  j["tpm"] = k.principal.tpm;
  j["policy"] = k.principal.policy;  // "" = the deployment/team policy
  j["description"] = k.description;
  j["created_at"] = k.created_at;
  j["revoked_at"] = k.revoked_at ? Json(*k.revoked_at) : Json(nullptr);
  return j;
}

void PrintTable(const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line.append(widths[c] - DisplayWidth(row[c]) + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  }
}

std::string Limit(int64_t v) { return v == 0 ? "-" : std::to_string(v); }

// "" (no --policy) or a built-in profile name.
Status CheckKeyPolicy(const std::string& name) {
  if (name.empty()) return Status::Ok();
  const auto names = policy::BuiltinProfileNames();
  if (std::find(names.begin(), names.end(), name) != names.end()) return Status::Ok();
  return Status::Error("--policy: unknown profile '" + name + "' (valid: " + Join(names, ", ") + ")");
}

// How `list` and `create` show a key's policy.
std::string PolicyLabel(const std::string& policy) { return policy.empty() ? "default" : policy; }

}  // namespace

int RunKeysCreate(const KeysCreateOptions& options, std::ostream& out, std::ostream& err) {
  store::KeySpec spec;
  spec.team = Trim(options.team);
  for (const auto& m : options.models) {
    std::string name = Trim(m);
    if (!name.empty()) spec.models.push_back(std::move(name));
  }
  spec.rpm = options.rpm;
  spec.tpm = options.tpm;
  spec.description = options.description;
  spec.policy = Trim(options.policy);
  if (spec.team.empty()) {
    err << "gwanmun keys create: --team must not be empty\n";
    return 2;
  }
  if (Status s = CheckKeyPolicy(spec.policy); !s.ok()) {
    err << "gwanmun keys create: " << s.message() << '\n';
    return 2;
  }
  auto store = OpenStoreForCommand(options.store);
  if (!store.ok()) {
    err << "gwanmun keys create: " << store.status().message() << '\n';
    return 2;
  }
  auto created = store.value()->CreateKey(spec);
  if (!created.ok()) {
    err << "gwanmun keys create: " << created.status().message() << '\n';
    return 2;
  }
  const auto& key = created.value();
  if (options.json) {
    Json j = KeyJson(key.info);
    j["secret"] = key.secret;
    out << Dump(j) << '\n';
  } else {
    out << "Created key " << key.info.principal.key_id << " for team " << key.info.principal.team
        << " (models: " << (spec.models.empty() ? "all" : Join(spec.models, ",")) << ", rpm " << Limit(spec.rpm)
        << ", tpm " << Limit(spec.tpm) << ", policy " << PolicyLabel(spec.policy) << ").\n"
        << "Secret (shown only this once; store it now, it cannot be recovered):\n"
        << key.secret << '\n';
  }
  return 0;
}

int RunKeysList(const KeysListOptions& options, std::ostream& out, std::ostream& err) {
  auto store = OpenStoreForCommand(options.store);
  if (!store.ok()) {
    err << "gwanmun keys list: " << store.status().message() << '\n';
    return 2;
  }
  auto keys = store.value()->ListKeys();
  if (!keys.ok()) {
    err << "gwanmun keys list: " << keys.status().message() << '\n';
    return 2;
  }
  if (options.json) {
    Json arr = Json::array();
    for (const auto& k : keys.value()) arr.push_back(KeyJson(k));
    out << Dump(arr, 2) << '\n';
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"KEY ID", "TEAM", "MODELS", "RPM", "TPM", "POLICY", "CREATED", "STATUS", "DESCRIPTION"});
  for (const auto& k : keys.value()) {
    const auto& p = k.principal;
    rows.push_back({p.key_id, p.team, p.models.empty() ? "*" : Join(p.models, ","), Limit(p.rpm), Limit(p.tpm),
                    PolicyLabel(p.policy), k.created_at, k.revoked_at ? "revoked " + *k.revoked_at : "active",
                    k.description});
  }
  PrintTable(rows, out);
  if (keys.value().empty()) out << "(no keys; create one with `gwanmun keys create --team T`)\n";
  return 0;
}

int RunKeysRevoke(const KeysRevokeOptions& options, std::ostream& out, std::ostream& err) {
  auto store = OpenStoreForCommand(options.store);
  if (!store.ok()) {
    err << "gwanmun keys revoke: " << store.status().message() << '\n';
    return 2;
  }
  if (Status s = store.value()->RevokeKey(options.key_id); !s.ok()) {
    err << "gwanmun keys revoke: " << s.message() << '\n';
    return 2;
  }
  out << "Revoked " << options.key_id << ".\n";
  return 0;
}

KeysCommand::KeysCommand(CLI::App& app) {
  keys_ = app.add_subcommand("keys", "Manage virtual keys (create, list, revoke)");
  keys_->require_subcommand(1);

  create_ = keys_->add_subcommand("create", "Create a key and print its secret once");
  create_->add_option("--team", create_options_.team, "Team the key belongs to")->required();
  create_->add_option("--models", create_options_.models, "Comma-separated models the key may use (default: all)")
      ->delimiter(',');
  create_->add_option("--rpm", create_options_.rpm, "Requests per minute (0 = unlimited)")
      ->check(CLI::NonNegativeNumber);
  create_->add_option("--tpm", create_options_.tpm, "Tokens per minute (0 = unlimited)")->check(CLI::NonNegativeNumber);
  create_->add_option("--description", create_options_.description, "Free text");
  create_->add_option("--policy", create_options_.policy,
                      "Guardrail profile for this key: " + Join(policy::BuiltinProfileNames(), ", ") +
                          " (default: the deployment/team policy)");
  create_->add_flag("--json", create_options_.json, "Print one JSON object");
  AddStoreOptions(*create_, create_options_.store);

  list_ = keys_->add_subcommand("list", "List keys (never their secrets)");
  list_->add_flag("--json", list_options_.json, "Print a JSON array");
  AddStoreOptions(*list_, list_options_.store);

  revoke_ = keys_->add_subcommand("revoke", "Revoke a key by its id");
  revoke_->add_option("key_id", revoke_options_.key_id, "Key id (key_…)")->required();
  AddStoreOptions(*revoke_, revoke_options_.store);
}

bool KeysCommand::parsed() const { return keys_->parsed(); }

int KeysCommand::Run(std::ostream& out, std::ostream& err) const {
  if (create_->parsed()) return RunKeysCreate(create_options_, out, err);
  if (list_->parsed()) return RunKeysList(list_options_, out, err);
  if (revoke_->parsed()) return RunKeysRevoke(revoke_options_, out, err);
  return 2;
}

}  // namespace gwanmun::cli
