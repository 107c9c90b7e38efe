// The guardrail stage: joins the detection engine and the policy to the
// request/response path.
//
// Request: every caller-controlled string (openai/text_fields.h) is scanned;
// a value found once is also replaced wherever else it occurs in the
// request. The policy then decides per finding: allow, mask ("[[TYPE]]"),
// pseudonymize ("[[TYPE_N]]", restored in the answer) or block (403
// gwanmun_policy_violation naming the types, never the values). Residency
// rules narrow the upstream regions (403 gwanmun_residency_violation if no
// upstream there serves the model or its configured substitute). With
// no-retention on, "store" is forced to false and endpoints that persist
// data upstream are refused. A body that cannot be parsed or scanned is
// refused: the guardrail fails closed.
//
// Response: placeholders are restored in non-streaming bodies (message
// content, tool-call arguments, Responses output) and inside streams, across
// any split of a placeholder over events, holding back only the ambiguous
// tail (policy/vault.h). With scan_output, sensitive values in a
// non-streaming answer that were not in the request are masked.
//
// Audit: per-type counts, the actions taken and, with a deployment secret,
// HMAC fingerprints "TYPE:hex" of the values (store/fingerprint.h).

#ifndef GWANMUN_PROXY_GUARD_STAGE_H_
#define GWANMUN_PROXY_GUARD_STAGE_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "detect/scanner.h"
#include "policy/policy.h"
#include "proxy/stage.h"

namespace gwanmun::proxy {

struct GuardSettings {
  std::shared_ptr<const detect::Scanner> scanner;
  policy::Policy policy;                                      // the deployment's
  std::vector<std::pair<std::string, policy::Policy>> teams;  // per-team policies
  // Policies a key may name (`keys create --policy`): the built-in profiles
  // with the deployment's dictionaries. A key's policy wins over its team's.
  std::vector<std::pair<std::string, policy::Policy>> key_profiles;
  std::map<std::string, std::string, std::less<>> substitutes;  // model → in-region model
  bool allow_persisting_endpoints = false;
  std::string fingerprint_secret;  // "" = no fingerprints
};

std::shared_ptr<const StageFactory> MakeGuardStage(GuardSettings settings);

// Builds the settings from configuration: compiles the scanner (with the
// configured dictionaries and markings), resolves the policies and the
// fingerprint secret. Returns an empty list when guardrails are disabled.
Result<std::vector<std::shared_ptr<const StageFactory>>> MakeGuardStages(const config::Config& cfg);

// True for /v1 paths whose endpoints keep data at the provider: files,
// uploads, vector stores, fine-tuning, batches, assistants, threads,
// containers, conversations, evals.
bool IsPersistingPath(std::string_view path);

}  // namespace gwanmun::proxy

#endif  // GWANMUN_PROXY_GUARD_STAGE_H_
