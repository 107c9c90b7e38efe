// What to do with each kind of finding, and where data may go.
//
// A Policy maps every entity type (and every custom dictionary, by name) to
// an Action, and lists residency rules: "a request containing any of these
// types may only go to an upstream whose region is R". Decide() turns the
// spans found in a request into one Decision. Policies are plain values
// built from YAML by the config module or taken from a built-in profile.

#ifndef GWANMUN_POLICY_POLICY_H_
#define GWANMUN_POLICY_POLICY_H_

#include <array>
#include <bitset>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "detect/types.h"

namespace gwanmun::policy {

enum class Action : uint8_t {
  kAllow = 0,         // forward unchanged
  kMask = 1,          // irreversible typed placeholder [[TYPE]]
  kPseudonymize = 2,  // reversible placeholder [[TYPE_N]], restored in the answer
  kBlock = 3,         // refuse the request (403 gwanmun_policy_violation)
};

std::string_view ActionName(Action a);
std::optional<Action> ParseAction(std::string_view name);

struct ResidencyRule {
  std::string name;                            // shown in the 403 message
  std::bitset<detect::kNumEntityTypes> types;  // any of these present…
  std::vector<std::string> dictionaries;       // …or a term of these dictionaries…
  std::string region;                          // …requires this upstream region
};

struct Policy {
  std::string name = "custom";
  std::array<Action, detect::kNumEntityTypes> by_type{};  // default kAllow
  Action dictionary_default = Action::kMask;              // custom dictionaries
  std::map<std::string, Action, std::less<>> by_dictionary;
  std::vector<ResidencyRule> residency;
  bool force_no_store = true;  // force store:false upstream (no-retention)
  bool scan_output = false;    // output guardrail: mask new sensitive values in answers

  Action ActionFor(detect::EntityType type, std::string_view type_name) const;
};

// Built-in profiles:
//  "general"           – secrets and classification markings blocked; RRN/ARN masked;
//                        all other personal data pseudonymized (answers stay complete).
//  "financial"         – RRN, ARN, card numbers and secrets blocked; accounts, passport,
//                        licence, phone, names pseudonymized; RRN-bearing data kept in Korea.
//  "public"            – all 고유식별정보 and secrets blocked; other personal data
//                        pseudonymized; any personal data only to region "kr".
//  "pseudonymize-all"  – every type pseudonymized (trials and tests).
//  "allow-all"         – detection and audit only.
std::optional<Policy> BuiltinProfile(std::string_view name);
std::vector<std::string> BuiltinProfileNames();

// The outcome of applying a policy to the spans of one request.
struct Decision {
  bool blocked = false;
  std::bitset<detect::kNumEntityTypes> blocked_types;
  std::vector<std::string> blocked_dictionaries;
  // Region every upstream must have, if a residency rule fired.
  std::optional<std::string> required_region;
  std::vector<std::string> residency_rules_fired;
  std::map<std::string, int, std::less<>> counts;  // type name → findings
};

// `type_names[i]` is the reported type name of spans[i] (dictionary name for
// custom types). Two residency rules requiring different regions make the
// request impossible to place: it is blocked.
Decision Decide(const Policy& policy, const std::vector<detect::EntityType>& types,
                const std::vector<std::string>& type_names);

// A policy from configuration: `base` (a built-in profile, or the deployment
// policy for team overrides) with cfg.profile replacing it when set, then the
// per-type actions, residency rules and flags of `cfg` applied on top.
// Names were validated by the config parser; unknown ones are errors here too.
Result<Policy> PolicyFromConfig(const config::PolicyConfig& cfg, const Policy& base,
                                const std::vector<config::DictionaryConfig>& dictionaries);

}  // namespace gwanmun::policy

#endif  // GWANMUN_POLICY_POLICY_H_
