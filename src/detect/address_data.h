// Lexicons for KR_ADDRESS detection (address.cc): the 17 시·도 with their
// full, short and former names, and the particles that may follow an address.
// Hangul lists are space-separated; address.cc splits them once.

#ifndef GWANMUN_DETECT_ADDRESS_DATA_H_
#define GWANMUN_DETECT_ADDRESS_DATA_H_

#include <string_view>

namespace gwanmun::detect::address_data {

// 시·도: official names, former names (강원도, 전라북도, 제주도) and the
// short forms used in everyday addresses (서울, 경기, 충북 …).
extern const std::string_view kProvinces;

// The 시/군/구 (and the 구 of large cities). An address without a 시·도
// must start with one of these; after a 시·도 any word ending in 시/군/구 is
// accepted.
extern const std::string_view kMunicipalities;

// Particles and copulas that may directly follow an address; they end the
// span ("…1203호입니다" → stop before 입니다).
extern const std::string_view kTrailers;

// Hangul units that, glued to a number, show it is not a building or lot
// number ("5분", "3번 출구", "10개").
extern const std::string_view kNumberUnits;

}  // namespace gwanmun::detect::address_data

#endif  // GWANMUN_DETECT_ADDRESS_DATA_H_
