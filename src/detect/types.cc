#include "detect/types.h"

#include <array>

namespace gwanmun::detect {
namespace {
constexpr std::array<std::string_view, kNumEntityTypes> kNames = {
    "KR_RRN",      "KR_ARN", "KR_PASSPORT", "KR_DRIVER_LICENSE",
    "KR_BRN",      "KR_CRN", "KR_PHONE",    "KR_BANK_ACCOUNT",
    "CREDIT_CARD", "EMAIL",  "IP_ADDRESS",  "PERSON_NAME",
    "KR_ADDRESS",  "SECRET", "CUSTOM",      "CLASSIFICATION_MARKING"};
}  // namespace

std::string_view EntityTypeName(EntityType t) {
  auto i = static_cast<size_t>(t);
  return i < kNames.size() ? kNames[i] : std::string_view("UNKNOWN");
}

std::optional<EntityType> ParseEntityType(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<EntityType>(i);
  }
  return std::nullopt;
}

}  // namespace gwanmun::detect
