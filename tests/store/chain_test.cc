// Backend-independent pieces: crypto helpers, the canonical form and hash
// chain (checked against an independent reimplementation of the documented
// format), and ChainVerifier on in-memory records.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "store/audit_chain.h"
#include "store/crypto.h"
#include "store_test_util.h"

namespace gwanmun::store {
namespace {

using testing::MakeRecord;

class ChainTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(EnsureCryptoInit().ok()); }
};

TEST_F(ChainTest, Sha256KnownAnswer) {
  EXPECT_EQ(HexEncode(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256("ab", "c")), HexEncode(Sha256("abc")));
}

TEST_F(ChainTest, Base64UrlHasNoPaddingOrUnsafeCharacters) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  std::string enc = Base64UrlEncode(RandomBytes(32));
  EXPECT_EQ(enc.size(), 43u);
  EXPECT_EQ(enc.find_first_of("+/="), std::string::npos);
}

TEST_F(ChainTest, RandomBytesDiffer) {
  EXPECT_EQ(RandomBytes(32).size(), 32u);
  EXPECT_NE(RandomBytes(32), RandomBytes(32));
}

TEST_F(ChainTest, ConstantTimeEqual) {
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "xbc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEqual("", "a"));
}

// The expected value was computed with Python's hashlib from the format
// described in audit_chain.h, so the documentation and the code agree.
TEST_F(ChainTest, HashMatchesDocumentedCanonicalForm) {
  AuditRecord r = MakeRecord(0);
  r.seq = 1;
  r.request_id = "req-1";
  r.key_id = "key_00";
  r.tokens_in = 100;
  r.latency_ms = 12.5;
  EXPECT_EQ(ChainHash(kGenesisHash, r), "fdcb19248501c44207dbbf4cc57fddf4159624e8fb5337614c8b59615c821f35");
  EXPECT_EQ(CanonicalAuditForm(r).substr(0, 25), "gwanmun-audit-v1\nseq 1 1\n");
}

TEST_F(ChainTest, EveryFieldButHashesIsCovered) {
  AuditRecord base = MakeRecord(1);
  base.seq = 7;
  const std::string h = ChainHash(kGenesisHash, base);
  auto differs = [&](auto mutate) {
    AuditRecord r = base;
    mutate(r);
    return ChainHash(kGenesisHash, r) != h;
  };
  EXPECT_TRUE(differs([](AuditRecord& r) { r.seq = 8; }));
  EXPECT_TRUE(differs([](AuditRecord& r) { r.time += "x"; }));
  EXPECT_TRUE(differs([](AuditRecord& r) { r.request_id += "x"; }));
  EXPECT_TRUE(differs([](AuditRecord& r) { r.key_id += "x"; }));
  EXPECT_TRUE(differs([](AuditRecord& r) { r.team += "x"; }));
  EXPECT_TRUE(differs([](AuditRecord& r) { r.endpoint += "x"; }));
  EXPECT_TRUE(differs([](AuditRecord& r) { r.model += "x"; }));
  EXPECT_TRUE(differs([](AuditRecord& r) { r.upstream += "x"; }));
  EXPECT_TRUE(differs([](AuditRecord& r) { r.region += "x"; }));
  EXPECT_TRUE(differs([](AuditRecord& r) { r.status = 201; }));
  EXPECT_TRUE(differs([](AuditRecord& r) { r.latency_ms += 0.001; }));
  EXPECT_TRUE(differs([](AuditRecord& r) { r.tokens_in += 1; }));
  EXPECT_TRUE(differs([](AuditRecord& r) { r.tokens_out += 1; }));
  EXPECT_TRUE(differs([](AuditRecord& r) { r.findings = "{}"; }));
  EXPECT_TRUE(differs([](AuditRecord& r) { r.action = "block"; }));
  EXPECT_TRUE(differs([](AuditRecord& r) { r.fingerprints = "[\"x\"]"; }));
  EXPECT_NE(ChainHash(std::string(64, '1'), base), h);  // and the previous hash
}

TEST_F(ChainTest, LengthPrefixesKeepFieldBoundaries) {
  AuditRecord a = MakeRecord(1), b = MakeRecord(1);
  a.model = "ab";
  a.upstream = "c";
  b.model = "a";
  b.upstream = "bc";
  EXPECT_NE(ChainHash(kGenesisHash, a), ChainHash(kGenesisHash, b));
  a.model = "x\nupstream 1 y";
  EXPECT_NE(CanonicalAuditForm(a), CanonicalAuditForm(b));
}

TEST_F(ChainTest, NormalizeFillsDefaultsAndRoundsLatency) {
  AuditRecord r;
  r.latency_ms = -0.0;
  NormalizeAuditRecord(r);
  EXPECT_EQ(r.findings, "{}");
  EXPECT_EQ(r.fingerprints, "[]");
  EXPECT_EQ(r.time.size(), 24u);  // 2026-01-02T03:04:05.678Z
  EXPECT_EQ(r.time.back(), 'Z');
  EXPECT_FALSE(std::signbit(r.latency_ms));
  r.latency_ms = std::numeric_limits<double>::quiet_NaN();
  NormalizeAuditRecord(r);
  EXPECT_EQ(r.latency_ms, 0.0);
  r.latency_ms = 1.23456;
  NormalizeAuditRecord(r);
  EXPECT_DOUBLE_EQ(r.latency_ms, 1.235);
  r.latency_ms = -0.0001;  // rounds to -0.0
  NormalizeAuditRecord(r);
  EXPECT_FALSE(std::signbit(r.latency_ms));
}

std::vector<AuditRecord> Chain(int n) {
  std::vector<AuditRecord> v;
  std::string prev(kGenesisHash);
  for (int i = 1; i <= n; ++i) {
    AuditRecord r = MakeRecord(i);
    r.seq = i;
    r.prev_hash = prev;
    r.hash = ChainHash(prev, r);
    prev = r.hash;
    v.push_back(r);
  }
  return v;
}

VerifyReport Verify(const std::vector<AuditRecord>& records, AuditHead head) {
  ChainVerifier v;
  for (const auto& r : records) v.Add(r);
  return v.Finish(head);
}

TEST_F(ChainTest, VerifierAcceptsIntactChain) {
  auto c = Chain(5);
  VerifyReport r = Verify(c, {5, c.back().hash});
  EXPECT_TRUE(r.ok) << testing::Joined(r.problems);
  EXPECT_EQ(r.records, 5);
  EXPECT_TRUE(Verify({}, {0, std::string(kGenesisHash)}).ok);
}

TEST_F(ChainTest, VerifierNamesEditedRecord) {
  auto c = Chain(5);
  c[2].status = 500;
  VerifyReport r = Verify(c, {5, c.back().hash});
  ASSERT_FALSE(r.ok);
  ASSERT_EQ(r.problems.size(), 1u) << testing::Joined(r.problems);
  EXPECT_NE(r.problems[0].find("record seq 3"), std::string::npos);
  EXPECT_NE(r.problems[0].find("edited"), std::string::npos);
}

TEST_F(ChainTest, VerifierNamesDeletedRecords) {
  auto c = Chain(6);
  c.erase(c.begin() + 2, c.begin() + 4);  // seq 3 and 4
  VerifyReport r = Verify(c, {6, c.back().hash});
  ASSERT_FALSE(r.ok);
  EXPECT_NE(testing::Joined(r.problems).find("records seq 3..4 are missing"), std::string::npos)
      << testing::Joined(r.problems);
}

TEST_F(ChainTest, VerifierCapsTheListButCountsEverything) {
  auto c = Chain(1200);
  for (auto& r : c) r.status = 599;
  VerifyReport r = Verify(c, {1200, c.back().hash});
  EXPECT_EQ(r.problem_count, 1200);
  EXPECT_EQ(r.problems.size(), ChainVerifier::kMaxListedProblems);
}

}  // namespace
}  // namespace gwanmun::store
