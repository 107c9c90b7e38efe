// CPU cost of the guardrail stage per request, without the network: a
// ~1.5 KB Korean chat prompt through OnRequest (extract, scan, decide,
// rewrite) and its answer through OnResponseBody (restore), and a streamed
// answer through OnStreamEvent. The end-to-end figure (guardrails on vs off
// at p50) comes from bench/gateway/run.sh.
//
//   build/release/bench/guard_bench --benchmark_min_time=2

#include <benchmark/benchmark.h>

#include <string>

#include "openai/json_text.h"
#include "proxy/guard_stage.h"

namespace {

using gwanmun::openai::Endpoint;

// Made-up values in a prompt of the benchmark's usual size.
const std::string kPii =
    "상담 기록입니다. 고객 이서준 님(010-4821-7753, seojun.lee@example.co.kr)이 카드 발급 지연을 문의했고, "
    "환불 계좌는 신한은행 110-482-117530입니다. 담당자 박지민 대리(02-3781-4410)가 회신 예정입니다. "
    "위 내용을 세 줄로 요약하고 고객에게 보낼 안내 문자를 써 주세요. ";
const std::string kPlain =
    "안녕하세요. 다음 분기 고객 상담 보고서를 요약해 주세요. 상담 건수는 전 분기 대비 12% 늘었고, "
    "주요 문의는 카드 발급 지연, 모바일 앱 로그인 오류, 대출 금리 안내였습니다. "
    "각 항목별로 원인과 개선 방안을 세 줄 이내로 정리하고, 마지막에 경영진에게 전달할 핵심 메시지를 한 문장으로 써 "
    "주세요. ";

std::string Body(const std::string& text) {
  std::string lit;
  gwanmun::openai::AppendJsonString(text + text + text, &lit);
  return R"({"model":"gpt-4o-mini","temperature":0.2,"messages":[{"role":"system","content":"당신은 한국 금융회사의 업무 보조 도우미입니다."},{"role":"user","content":)" +
         lit + "}]}";
}

const gwanmun::proxy::Pipeline& GuardPipeline() {
  static const gwanmun::proxy::Pipeline p = [] {
    gwanmun::config::Config cfg;  // guardrails on, profile "general"
    auto stages = gwanmun::proxy::MakeGuardStages(cfg);
    if (!stages.ok()) std::abort();
    return gwanmun::proxy::Pipeline(stages.value());
  }();
  return p;
}

void Run(benchmark::State& state, const std::string& text) {
  const std::string body = Body(text);
  const std::string answer_text = "요약: [[PERSON_NAME_1]] 고객([[KR_PHONE_1]])에게 안내 문자를 보냅니다.";
  std::string answer_lit;
  gwanmun::openai::AppendJsonString(answer_text, &answer_lit);
  const std::string answer =
      R"({"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":)" +
      answer_lit +
      R"(},"finish_reason":"stop"}],"usage":{"prompt_tokens":420,"completion_tokens":18,"total_tokens":438}})";
  const auto& pipeline = GuardPipeline();
  for (auto _ : state) {
    gwanmun::proxy::Exchange ex;
    ex.endpoint = Endpoint::kChatCompletions;
    ex.request.model = "gpt-4o-mini";
    ex.body = body;
    auto chain = pipeline.Start(ex);
    auto err = chain.OnRequest(ex);
    if (err) state.SkipWithError("blocked");
    std::string resp = answer;
    ex.status = 200;
    chain.OnResponseBody(ex, resp);
    benchmark::DoNotOptimize(resp);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void BM_GuardPlainPrompt(benchmark::State& state) { Run(state, kPlain); }
void BM_GuardPiiPrompt(benchmark::State& state) { Run(state, kPii); }
BENCHMARK(BM_GuardPlainPrompt);
BENCHMARK(BM_GuardPiiPrompt);

}  // namespace

BENCHMARK_MAIN();
