#include "policy/policy.h"

namespace gwanmun::policy {

using detect::EntityType;

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::kAllow:
      return "allow";
    case Action::kMask:
      return "mask";
    case Action::kPseudonymize:
      return "pseudonymize";
    case Action::kBlock:
      return "block";
  }
  return "allow";
}

std::optional<Action> ParseAction(std::string_view name) {
  for (Action a : {Action::kAllow, Action::kMask, Action::kPseudonymize, Action::kBlock}) {
    if (ActionName(a) == name) return a;
  }
  return std::nullopt;
}

Action Policy::ActionFor(EntityType type, std::string_view type_name) const {
  if (type == EntityType::kCustom) {
    auto it = by_dictionary.find(type_name);
    return it == by_dictionary.end() ? dictionary_default : it->second;
  }
  return by_type[static_cast<size_t>(type)];
}

namespace {

Policy AllTo(std::string name, Action a) {
  Policy p;
  p.name = std::move(name);
  p.by_type.fill(a);
  p.dictionary_default = a;
  return p;
}

void Set(Policy& p, std::initializer_list<EntityType> types, Action a) {
  for (EntityType t : types) p.by_type[static_cast<size_t>(t)] = a;
}

std::bitset<detect::kNumEntityTypes> Types(std::initializer_list<EntityType> types) {
  std::bitset<detect::kNumEntityTypes> b;
  for (EntityType t : types) b.set(static_cast<size_t>(t));
  return b;
}

}  // namespace

std::optional<Policy> BuiltinProfile(std::string_view name) {
  if (name == "pseudonymize-all") return AllTo("pseudonymize-all", Action::kPseudonymize);
  if (name == "allow-all") {
    Policy p = AllTo("allow-all", Action::kAllow);
    p.force_no_store = false;
    return p;
  }
  if (name == "general") {
    Policy p = AllTo("general", Action::kPseudonymize);
    // Credentials must never leave; RRNs have no lawful basis to leave (PIPA
    // Art. 24-2) and an answer rarely needs them back.
    Set(p, {EntityType::kSecret, EntityType::kMarking}, Action::kBlock);
    Set(p, {EntityType::kRrn, EntityType::kArn}, Action::kMask);
    p.dictionary_default = Action::kMask;
    return p;
  }
  if (name == "financial") {
    // Financial-sector profile (전자금융감독규정-minded): identifiers that
    // enable fraud are blocked outright; account numbers and contact data
    // are pseudonymized so customer-service answers stay usable; anything
    // carrying a resident number may only be processed in Korea.
    Policy p = AllTo("financial", Action::kPseudonymize);
    Set(p, {EntityType::kRrn, EntityType::kArn, EntityType::kCreditCard, EntityType::kSecret, EntityType::kMarking},
        Action::kBlock);
    p.dictionary_default = Action::kBlock;
    p.residency.push_back({"financial-identifiers-in-korea",
                           Types({EntityType::kBankAccount, EntityType::kPassport, EntityType::kDriverLicense}),
                           {},
                           "kr"});
    return p;
  }
  if (name == "public") {
    // Public-sector profile: the four 고유식별정보 (PIPA Art. 24) and
    // credentials are blocked; other personal data is pseudonymized and may
    // only be processed by an in-country model.
    Policy p = AllTo("public", Action::kPseudonymize);
    Set(p,
        {EntityType::kRrn, EntityType::kArn, EntityType::kPassport, EntityType::kDriverLicense, EntityType::kSecret,
         EntityType::kMarking},
        Action::kBlock);
    p.dictionary_default = Action::kBlock;
    p.residency.push_back(
        {"personal-data-in-korea",
         Types({EntityType::kPhone, EntityType::kBankAccount, EntityType::kCreditCard, EntityType::kEmail,
                EntityType::kPersonName, EntityType::kAddress, EntityType::kBrn, EntityType::kIpAddress}),
         {},
         "kr"});
    return p;
  }
  return std::nullopt;
}

std::vector<std::string> BuiltinProfileNames() {
  return {"general", "financial", "public", "pseudonymize-all", "allow-all"};
}

Decision Decide(const Policy& policy, const std::vector<EntityType>& types,
                const std::vector<std::string>& type_names) {
  Decision d;
  std::bitset<detect::kNumEntityTypes> present;
  for (size_t i = 0; i < types.size(); ++i) {
    const std::string& name = type_names[i];
    ++d.counts[name];
    present.set(static_cast<size_t>(types[i]));
    if (policy.ActionFor(types[i], name) == Action::kBlock) {
      d.blocked = true;
      if (types[i] == EntityType::kCustom) {
        bool seen = false;
        for (const auto& n : d.blocked_dictionaries) seen = seen || n == name;
        if (!seen) d.blocked_dictionaries.push_back(name);
      } else {
        d.blocked_types.set(static_cast<size_t>(types[i]));
      }
    }
  }
  for (const ResidencyRule& r : policy.residency) {
    bool fired = (r.types & present).any();
    for (const auto& dn : r.dictionaries) {
      for (size_t i = 0; i < types.size() && !fired; ++i) {
        fired = types[i] == EntityType::kCustom && type_names[i] == dn;
      }
    }
    if (!fired) continue;
    d.residency_rules_fired.push_back(r.name);
    if (d.required_region && *d.required_region != r.region) {
      d.blocked = true;  // no upstream can satisfy two regions at once
    }
    d.required_region = r.region;
  }
  return d;
}

Result<Policy> PolicyFromConfig(const config::PolicyConfig& cfg, const Policy& base,
                                const std::vector<config::DictionaryConfig>& dictionaries) {
  Policy p = base;
  if (!cfg.profile.empty()) {
    auto b = BuiltinProfile(cfg.profile);
    if (!b) return Status::Error("unknown policy profile '" + cfg.profile + "'");
    p = *b;
  }
  // Dictionaries' own actions come first; the policy's explicit actions win.
  for (const auto& d : dictionaries) {
    if (d.action.empty()) continue;
    auto a = ParseAction(d.action);
    if (!a) return Status::Error("dictionary " + d.name + ": unknown action '" + d.action + "'");
    p.by_dictionary[d.name] = *a;
  }
  for (const auto& [type, action] : cfg.actions) {
    auto a = ParseAction(action);
    if (!a) return Status::Error("actions." + type + ": unknown action '" + action + "'");
    if (auto t = detect::ParseEntityType(type); t && *t != EntityType::kCustom) {
      p.by_type[static_cast<size_t>(*t)] = *a;
    } else {
      p.by_dictionary[type] = *a;
    }
  }
  if (cfg.has_residency) {
    p.residency.clear();
    for (const auto& r : cfg.residency) {
      ResidencyRule rule;
      rule.name = r.name;
      rule.region = r.region;
      for (const auto& t : r.types) {
        if (auto et = detect::ParseEntityType(t); et && *et != EntityType::kCustom) {
          rule.types.set(static_cast<size_t>(*et));
        } else {
          rule.dictionaries.push_back(t);
        }
      }
      p.residency.push_back(std::move(rule));
    }
  }
  if (cfg.no_store >= 0) p.force_no_store = cfg.no_store == 1;
  if (cfg.scan_output >= 0) p.scan_output = cfg.scan_output == 1;
  if (!cfg.profile.empty() || !cfg.actions.empty() || cfg.has_residency)
    p.name = cfg.profile.empty() ? p.name : cfg.profile;
  return p;
}

}  // namespace gwanmun::policy
