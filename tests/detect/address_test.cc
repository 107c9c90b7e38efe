// End-to-end tests of the KR_ADDRESS recognizer through Scanner::Scan
// (offsets are checked against the caller's original text). All addresses
// are invented for these tests.

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "detect/scanner.h"
#include "test_util.h"

namespace gwanmun::detect {
namespace {

using testutil::DefaultScanner;

// The substrings of `text` reported as KR_ADDRESS.
std::vector<std::string> Addresses(std::string_view text) { return testutil::ValuesOfType(text, EntityType::kAddress); }

using V = std::vector<std::string>;

TEST(AddressTest, RoadNameWithProvince) {
  EXPECT_EQ(Addresses("주소: 서울특별시 서초구 반포대로 58"), V{"서울특별시 서초구 반포대로 58"});
  EXPECT_EQ(Addresses("경기도 수원시 팔달구 효원로 241 으로 보내 주세요"), V{"경기도 수원시 팔달구 효원로 241"});
  EXPECT_EQ(Addresses("본사는 부산광역시 해운대구 센텀중앙로 97에 있습니다."), V{"부산광역시 해운대구 센텀중앙로 97"});
}

TEST(AddressTest, ShortAndFormerProvinceNames) {
  EXPECT_EQ(Addresses("서울 마포구 월드컵로 212"), V{"서울 마포구 월드컵로 212"});
  EXPECT_EQ(Addresses("강원도 원주시 시청로 1"), V{"강원도 원주시 시청로 1"});
  EXPECT_EQ(Addresses("전라북도 익산시 인북로 32"), V{"전라북도 익산시 인북로 32"});
  EXPECT_EQ(Addresses("제주도 서귀포시 중앙로 105"), V{"제주도 서귀포시 중앙로 105"});
  EXPECT_EQ(Addresses("충남 아산시 배방읍 희망로 46"), V{"충남 아산시 배방읍 희망로 46"});
  EXPECT_EQ(Addresses("세종 한누리대로 2130"), V{"세종 한누리대로 2130"});
}

TEST(AddressTest, WithoutProvince) {
  EXPECT_EQ(Addresses("서구 계룡로 74 방문 예정"), V{"서구 계룡로 74"});
  EXPECT_EQ(Addresses("마포구 서교동 123-45"), V{"마포구 서교동 123-45"});
  EXPECT_EQ(Addresses("성남시 분당구 정자일로 95"), V{"성남시 분당구 정자일로 95"});
}

TEST(AddressTest, BranchRoads) {
  EXPECT_EQ(Addresses("강원특별자치도 춘천시 퇴계로77번길 42"), V{"강원특별자치도 춘천시 퇴계로77번길 42"});
  EXPECT_EQ(Addresses("서울 강남구 논현로12길 8"), V{"서울 강남구 논현로12길 8"});
  EXPECT_EQ(Addresses("서울 송파구 백제고분로12가길 3-1"), V{"서울 송파구 백제고분로12가길 3-1"});
  EXPECT_EQ(Addresses("대전 유성구 대학로 99번길 17"), V{"대전 유성구 대학로 99번길 17"});
  EXPECT_EQ(Addresses("충남 천안시 서북구 불당21로 67"), V{"충남 천안시 서북구 불당21로 67"});
}

TEST(AddressTest, UndergroundBuilding) {
  EXPECT_EQ(Addresses("서울 중구 세종대로 지하 2"), V{"서울 중구 세종대로 지하 2"});
}

TEST(AddressTest, LotNumbers) {
  EXPECT_EQ(Addresses("경기 양평군 양평읍 양근리 123-4"), V{"경기 양평군 양평읍 양근리 123-4"});
  EXPECT_EQ(Addresses("강원 정선군 고한읍 고한리 산 12-3"), V{"강원 정선군 고한읍 고한리 산 12-3"});
  EXPECT_EQ(Addresses("서울특별시 관악구 봉천동 산12"), V{"서울특별시 관악구 봉천동 산12"});
  EXPECT_EQ(Addresses("대구 중구 동인동 45-7번지에 있어요"), V{"대구 중구 동인동 45-7번지"});
  EXPECT_EQ(Addresses("서울 종로구 종로2가 8"), V{"서울 종로구 종로2가 8"});
}

TEST(AddressTest, BuildingDetailIncluded) {
  EXPECT_EQ(Addresses("서울특별시 강남구 테헤란로 152, 101동 1203호입니다."),
            V{"서울특별시 강남구 테헤란로 152, 101동 1203호"});
  EXPECT_EQ(Addresses("인천 연수구 송도과학로 32 11층"), V{"인천 연수구 송도과학로 32 11층"});
  EXPECT_EQ(Addresses("광주 북구 첨단과기로 123, 303호로 와 주세요"), V{"광주 북구 첨단과기로 123, 303호"});
  EXPECT_EQ(Addresses("울산 남구 삼산로 10 B동 204호"), V{"울산 남구 삼산로 10 B동 204호"});
  EXPECT_EQ(Addresses("서울 성동구 왕십리로 50 지하1층"), V{"서울 성동구 왕십리로 50 지하1층"});
  EXPECT_EQ(Addresses("서울 강남구 대치동 316 은빛아파트 11동 504호에 삽니다"),
            V{"서울 강남구 대치동 316 은빛아파트 11동 504호"});
  EXPECT_EQ(Addresses("경기 성남시 분당구 판교역로 235 한빛타워 8층"),
            V{"경기 성남시 분당구 판교역로 235 한빛타워 8층"});
}

TEST(AddressTest, TrailingParticlesAndPunctuationExcluded) {
  EXPECT_EQ(Addresses("경남 창원시 의창구 중앙대로 151로 변경해 주세요"), V{"경남 창원시 의창구 중앙대로 151"});
  EXPECT_EQ(Addresses("\"서울 노원구 동일로 1414\","), V{"서울 노원구 동일로 1414"});
  EXPECT_EQ(Addresses("(부산 남구 수영로 309)"), V{"부산 남구 수영로 309"});
  EXPECT_EQ(Addresses("배송지: 전북 전주시 완산구 홍산로 20이고요"), V{"전북 전주시 완산구 홍산로 20"});
}

TEST(AddressTest, PlacesAloneAreNotAddresses) {
  EXPECT_EQ(Addresses("강남역 3번 출구에서 만나요"), V{});
  EXPECT_EQ(Addresses("서울에서 부산까지 4시간"), V{});
  EXPECT_EQ(Addresses("서울 강남구에 있는 회사"), V{});
  EXPECT_EQ(Addresses("서울 강남구 테헤란로 근처"), V{});
  EXPECT_EQ(Addresses("경기도 내 12개 시군"), V{});
  EXPECT_EQ(Addresses("중구 지역 5곳을 점검했다"), V{});
  EXPECT_EQ(Addresses("서울 중구 을지로 3번 출구"), V{});
  EXPECT_EQ(Addresses("부산 해운대구 해운대로 10분 거리"), V{});
}

TEST(AddressTest, NumberFollowedByRoParticleIsNotARoad) {
  EXPECT_EQ(Addresses("서울 중구 청구로 10에서 752로 변경"), V{"서울 중구 청구로 10"});
  EXPECT_EQ(Addresses("부산 서구 752로 변경"), V{});
}

TEST(AddressTest, OffsetsMapToOriginalText) {
  // Full-width digits and a full-width space inside the address.
  std::string text = "주소 서울 마포구 양화로\xE3\x80\x80\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93입니다";
  EXPECT_EQ(Addresses(text), V{"서울 마포구 양화로\xE3\x80\x80\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93"});
}

}  // namespace
}  // namespace gwanmun::detect

namespace gwanmun::detect {
namespace {

// Regression (found by the fuzzer): an address whose detail digits run to
// the very end of the input read one byte past it. The text is copied into
// an exact-size heap buffer so AddressSanitizer sees such a read.
TEST(AddressTest, DetailDigitsAtEndOfInput) {
  for (std::string text :
       {std::string("서울특별시 강남구 테헤란로 152, 101"), std::string("서울특별시 강남구 테헤란로 152,1"),
        std::string("경기도 성남시 분당구 판교역로 235 12")}) {
    auto buf = std::make_unique<char[]>(text.size());
    std::memcpy(buf.get(), text.data(), text.size());
    std::string_view exact(buf.get(), text.size());
    std::vector<std::string> found = testutil::ValuesOfType(exact, EntityType::kAddress);
    ASSERT_FALSE(found.empty()) << text;
    EXPECT_EQ(found[0].rfind(text.substr(0, 10), 0), 0u) << text;
  }
}

}  // namespace
}  // namespace gwanmun::detect
