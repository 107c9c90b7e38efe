#include "detect/validators.h"

#include <chrono>

namespace gwanmun::detect::validate {
namespace {

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int D(char c) { return c - '0'; }

int RrnWeightedSum(std::string_view d) {
  constexpr int kW[12] = {2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5};
  int s = 0;
  for (int i = 0; i < 12; ++i) s += kW[i] * D(d[i]);
  return s;
}

bool Is13(std::string_view d) { return d.size() == 13 && AllDigits(d); }

}  // namespace

YmdInt TodayUtc() {
  auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  std::chrono::year_month_day ymd{now};
  return static_cast<int>(ymd.year()) * 10000 + static_cast<int>(unsigned(ymd.month())) * 100 +
         static_cast<int>(unsigned(ymd.day()));
}

bool IsCalendarDate(int year, int month, int day) {
  if (month < 1 || month > 12 || day < 1) return false;
  constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int dim = kDays[month - 1];
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) dim = 29;
  return day <= dim;
}

int RrnCentury(char g) {
  switch (g) {
    case '9':
    case '0':
      return 1800;
    case '1':
    case '2':
    case '5':
    case '6':
      return 1900;
    case '3':
    case '4':
    case '7':
    case '8':
      return 2000;
    default:
      return -1;
  }
}

YmdInt RrnBirthDate(std::string_view d) {
  if (!Is13(d)) return 0;
  int century = RrnCentury(d[6]);
  if (century < 0) return 0;
  int y = century + D(d[0]) * 10 + D(d[1]);
  int m = D(d[2]) * 10 + D(d[3]);
  int day = D(d[4]) * 10 + D(d[5]);
  if (!IsCalendarDate(y, m, day)) return 0;
  return y * 10000 + m * 100 + day;
}

bool RrnDateValid(std::string_view d, YmdInt today) {
  YmdInt b = RrnBirthDate(d);
  return b >= 19000101 && b <= today;
}

bool RrnChecksum(std::string_view d) {
  if (!Is13(d)) return false;
  return (11 - RrnWeightedSum(d) % 11) % 10 == D(d[12]);
}

bool ArnChecksum(std::string_view d) {
  if (!Is13(d)) return false;
  return (13 - RrnWeightedSum(d) % 11) % 10 == D(d[12]);
}

bool ArnAnyChecksum(std::string_view d) { return ArnChecksum(d) || RrnChecksum(d); }

bool RrnRandomScheme(std::string_view d) {
  YmdInt b = RrnBirthDate(d);
  return b >= 20201005;
}

bool BrnChecksum(std::string_view d) {
  if (d.size() != 10 || !AllDigits(d)) return false;
  constexpr int kW[9] = {1, 3, 7, 1, 3, 7, 1, 3, 5};
  int s = 0;
  for (int i = 0; i < 9; ++i) s += kW[i] * D(d[i]);
  s += (D(d[8]) * 5) / 10;
  return (10 - s % 10) % 10 == D(d[9]);
}

bool BrnStructureValid(std::string_view d) {
  if (d.size() != 10 || !AllDigits(d)) return false;
  int office = D(d[0]) * 100 + D(d[1]) * 10 + D(d[2]);
  int type = D(d[3]) * 10 + D(d[4]);
  int serial = D(d[5]) * 1000 + D(d[6]) * 100 + D(d[7]) * 10 + D(d[8]);
  return office >= 101 && type != 0 && serial != 0;
}

bool CrnChecksum(std::string_view d) {
  if (!Is13(d)) return false;
  int s = 0;
  for (int i = 0; i < 12; ++i) s += D(d[i]) * (i % 2 == 0 ? 1 : 2);
  return (10 - s % 10) % 10 == D(d[12]);
}

bool Luhn(std::string_view d) {
  if (d.size() < 2 || !AllDigits(d)) return false;
  int s = 0;
  bool dbl = false;
  for (size_t i = d.size(); i-- > 0;) {
    int v = D(d[i]);
    if (dbl) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    s += v;
    dbl = !dbl;
  }
  return s % 10 == 0;
}

bool CardPrefixValid(std::string_view d) {
  if (!AllDigits(d) || (d.size() != 15 && d.size() != 16)) return false;
  int p2 = D(d[0]) * 10 + D(d[1]);
  int p4 = p2 * 100 + D(d[2]) * 10 + D(d[3]);
  if (d.size() == 15) return p2 == 34 || p2 == 37;
  switch (d[0]) {
    case '2':
      return p4 >= 2221 && p4 <= 2720;
    case '3':
      return p2 == 30 || p2 == 35 || p2 == 36 || p2 == 38 || p2 == 39;
    case '4':
    case '5':
    case '6':
    case '9':
      return true;
    default:
      return false;
  }
}

PhonePrefix ClassifyPhonePrefix(std::string_view n) {
  PhonePrefix none;
  if (n.size() < 2 || n[0] != '0') return none;
  char a = n[1];
  if (a == '2') return {PhoneKind::kSeoul, 2};
  if (n.size() < 3) return none;
  char b = n[2];
  switch (a) {
    case '1':
      if (b == '0') return {PhoneKind::kMobile, 3};
      if (b == '1' || (b >= '6' && b <= '9')) return {PhoneKind::kLegacyMobile, 3};
      return none;
    case '3':
      return (b >= '1' && b <= '3') ? PhonePrefix{PhoneKind::kArea, 3} : none;
    case '4':
      return (b >= '1' && b <= '4') ? PhonePrefix{PhoneKind::kArea, 3} : none;
    case '5':
      if (b >= '1' && b <= '5') return {PhoneKind::kArea, 3};
      if (b == '0' && n.size() >= 4 && n[3] >= '2' && n[3] <= '8') {
        return {PhoneKind::kSafe, 4};
      }
      return none;
    case '6':
      return (b >= '1' && b <= '4') ? PhonePrefix{PhoneKind::kArea, 3} : none;
    case '7':
      return b == '0' ? PhonePrefix{PhoneKind::kVoip, 3} : none;
    default:
      return none;
  }
}

bool PhoneSubscriberValid(PhoneKind kind, std::string_view sub) {
  if (!AllDigits(sub) || sub.empty() || sub[0] == '0') return false;
  size_t n = sub.size();
  switch (kind) {
    case PhoneKind::kMobile:
    case PhoneKind::kLegacyMobile:
    case PhoneKind::kSeoul:
    case PhoneKind::kArea:
    case PhoneKind::kSafe:
      return n == 7 || n == 8;
    case PhoneKind::kVoip:
      return n == 8;
    case PhoneKind::kNone:
      return false;
  }
  return false;
}

bool PhoneNationalValid(std::string_view national) {
  if (!AllDigits(national)) return false;
  PhonePrefix p = ClassifyPhonePrefix(national);
  if (p.kind == PhoneKind::kNone) return false;
  return PhoneSubscriberValid(p.kind, national.substr(p.len));
}

bool LicenseRegionValid(int code) { return (code >= 11 && code <= 26) || code == 28; }

size_t LicenseRegionNameLength(std::string_view s) {
  // Longest names first so that "경기남부" wins over "경기".
  constexpr std::string_view kNames[] = {
      "경기남부", "경기북부", "서울", "부산", "경기", "강원", "충북", "충남", "전북",
      "전남",     "경북",     "경남", "제주", "대구", "인천", "광주", "대전", "울산",
  };
  for (std::string_view name : kNames) {
    if (s.substr(0, name.size()) == name) return name.size();
  }
  return 0;
}

}  // namespace gwanmun::detect::validate
