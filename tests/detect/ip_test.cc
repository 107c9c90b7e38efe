// End-to-end tests of the IP_ADDRESS recognizer through Scanner::Scan.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "detect/scanner.h"
#include "test_util.h"

namespace gwanmun::detect {
namespace {

using testutil::DefaultScanner;

std::vector<std::string> Found(std::string_view text) { return testutil::ValuesOfType(text, EntityType::kIpAddress); }

using V = std::vector<std::string>;

TEST(IpTest, Ipv4InProse) {
  EXPECT_EQ(Found("접속 허용 IP는 192.168.10.24로 제한하였다."), V{"192.168.10.24"});
  EXPECT_EQ(Found("개발 서버 10.20.30.40 디스크 사용률 6.6%"), V{"10.20.30.40"});
  EXPECT_EQ(Found("최근 203.0.113.7에서 로그인 시도"), V{"203.0.113.7"});
  EXPECT_EQ(Found("gateway is 172.16.0.1."), V{"172.16.0.1"});
}

TEST(IpTest, Ipv4PortCidrAndQuotesExcluded) {
  EXPECT_EQ(Found("server 10.0.0.1:8080"), V{"10.0.0.1"});
  EXPECT_EQ(Found("allow 10.0.0.0/8;"), V{"10.0.0.0"});
  EXPECT_EQ(Found("jdbc:mysql://192.0.2.15:3306/app"), V{"192.0.2.15"});
  EXPECT_EQ(Found("ALLOWED_HOSTS = [\"198.51.100.3\", \"localhost\"]"), V{"198.51.100.3"});
  EXPECT_EQ(Found("u1,198.51.100.25,SUCCESS"), V{"198.51.100.25"});
}

TEST(IpTest, Ipv4LookAlikesNotReported) {
  EXPECT_TRUE(Found("버전 2.14.3.1.5 배포").empty());             // longer dotted number
  EXPECT_TRUE(Found("OID 1.3.6.1.4.1.311 참조").empty());         // OID
  EXPECT_TRUE(Found("앱을 v1.2.3.4 이상으로 업데이트").empty());  // v-prefixed version
  EXPECT_TRUE(Found("앱 버전 4.12.3.100 배포").empty());          // announced version
  EXPECT_TRUE(Found("Windows 10.0.19045.2437 build").empty());
  EXPECT_TRUE(Found("release 2.0.10.1 notes").empty());
  EXPECT_TRUE(Found("256.1.1.1 999.10.10.10").empty());      // octet > 255
  EXPECT_TRUE(Found("01.02.03.04").empty());                 // leading zeros
  EXPECT_TRUE(Found("일자 2024.01.05 금액 1.234").empty());  // dates, decimals
  EXPECT_TRUE(Found("카드 3591.6201.8184.0046").empty());
  EXPECT_TRUE(Found("x10.1.1.1 10.1.1.1y").empty());  // glued to words
}

TEST(IpTest, SingleDigitOctetsNeedContext) {
  EXPECT_TRUE(Found("자세한 내용은 1.2.3.4 항목을 참고").empty());
  EXPECT_EQ(Found("DNS 8.8.8.8 사용"), V{"8.8.8.8"});
  EXPECT_EQ(Found("IP 1.1.1.1 로 변경"), V{"1.1.1.1"});
}

TEST(IpTest, Ipv6Forms) {
  EXPECT_EQ(Found("IPv6 주소 2001:db8::7334 이걸 허용"), V{"2001:db8::7334"});
  EXPECT_EQ(Found("2001:0db8:85a3:0000:0000:8a2e:0370:7334"), V{"2001:0db8:85a3:0000:0000:8a2e:0370:7334"});
  EXPECT_EQ(Found("link-local fe80::1ff:fe23:4567:890a%eth0"), V{"fe80::1ff:fe23:4567:890a"});
  EXPECT_EQ(Found("mapped ::ffff:192.0.2.128 ok"), V{"::ffff:192.0.2.128"});
  EXPECT_EQ(Found("loopback ::1 only"), V{"::1"});
  EXPECT_EQ(Found("listen: \"[2400:cb00:2048:1::c629:d7a2]:443\""), V{"2400:cb00:2048:1::c629:d7a2"});
  EXPECT_EQ(Found("IPv6:2001:db8:1::ab9:C0A8:102"), V{"2001:db8:1::ab9:C0A8:102"});
  EXPECT_EQ(Found("주소는 2001:db8::1로 변경"), V{"2001:db8::1"});
}

TEST(IpTest, Ipv6LookAlikesNotReported) {
  EXPECT_TRUE(Found("다음 회의: 09:30:45, 2025-01-17T02:58:02.701Z").empty());
  EXPECT_TRUE(Found("MAC 00:1A:2B:3C:4D:5E").empty());
  EXPECT_TRUE(Found("std::vector<int> a; b = a[1::2]").empty());
  EXPECT_TRUE(Found("Cafe::Add(x); dead::beef").empty());
  EXPECT_TRUE(Found("sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709").empty());
  EXPECT_TRUE(Found("fingerprint 16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48").empty());
  EXPECT_TRUE(Found("1:2:3:4:5:6:7:8:9 and 1::2::3").empty());
  EXPECT_TRUE(Found("uuid e0d1a943-8721-44f9-80b4-fafe4c47c065").empty());
}

TEST(IpTest, RulesAndOffsets) {
  ScanScratch scratch;
  std::vector<Span> spans;
  std::string text = "a 10.1.2.3 b 2001:db8::2 c";
  ASSERT_TRUE(DefaultScanner().Scan(text, scratch, &spans).ok());
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].start, 2u);
  EXPECT_EQ(spans[0].end, 10u);
  EXPECT_STREQ(spans[0].rule, "ip.v4");
  EXPECT_STREQ(spans[1].rule, "ip.v6");
  EXPECT_EQ(spans[1].specificity, specificity::kStructured);
}

}  // namespace
}  // namespace gwanmun::detect
