#!/usr/bin/env node
// The dev-set bar through the gateway: how many labelled values reach the
// upstream, and whether every answer comes back exactly.
//
//   node bench/guard/devset.mjs ../shared/eval/dev.jsonl \
//        [--binary build/release/src/cli/gwanmun] [--concurrency 4] [--seed 1] [--no-engine]
//        [--policy pseudonymize-all]   (e.g. allow-all to check the measurement: leak ≈ 1)
//
// Starts the recording mock (tests/e2e/mock_upstream.mjs) and
// `gwanmun serve --policy pseudonymize-all --no-auth` on 127.0.0.1, sends
// every record's text as one user chat message, once non-streaming and once
// streaming (random chunk sizes 1..7 per record, seeded), and prints one JSON
// object:
//   records, gold_values,
//   leak.{plain,stream}: fraction of gold values found verbatim in the
//       (unescaped) user message the mock received, with the count,
//   roundtrip.{plain,stream}: fraction of records whose answer is exactly
//       "Echo: " + text,
//   errors: non-200 answers, wall_seconds per mode and in total,
//   engine: leak_recall of `gwanmun scan --no-markings --format jsonl` scored
//       by score.py (next to the dev file), for comparison (1 - leak.plain is
//       the gateway's own "leak recall").
// Failing record ids (never their text) go to stderr. Not a CTest test: the
// dev set is not in the repository.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

const argv = process.argv.slice(2);
const opt = (flag, def) => {
  const i = argv.indexOf(flag);
  if (i < 0) return def;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
};
const has = (flag) => {
  const i = argv.indexOf(flag);
  if (i < 0) return false;
  argv.splice(i, 1);
  return true;
};
const binary = path.resolve(opt('--binary', process.env.GWANMUN_BINARY || path.join(repo, 'build/release/src/cli/gwanmun')));
const concurrency = Number(opt('--concurrency', '4'));
const seed = Number(opt('--seed', '1'));
const noEngine = has('--no-engine');
const policyName = opt('--policy', 'pseudonymize-all');
const devPath = path.resolve(argv[0] || path.join(repo, '../shared/eval/dev.jsonl'));
if (!fs.existsSync(devPath)) {
  console.error(`usage: node bench/guard/devset.mjs DEV.jsonl [--binary PATH] [--concurrency N] [--seed N] [--no-engine] [--policy P]\n(no ${devPath})`);
  process.exit(2);
}
if (!fs.existsSync(binary)) {
  console.error(`gwanmun binary not found: ${binary} (--binary or GWANMUN_BINARY)`);
  process.exit(2);
}
process.env.GWANMUN_BINARY = binary;  // read by the harness at import
const { startMock } = await import(path.join(repo, 'tests/e2e/mock_upstream.mjs'));
const { startGateway } = await import(path.join(repo, 'tests/e2e/lib/harness.mjs'));

// Seeded chunk sizes.
function rng(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const records = fs.readFileSync(devPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const goldValues = records.reduce((n, r) => n + r.spans.length, 0);

function parseSseContent(text) {
  let out = '';
  let done = false;
  for (const block of text.split(/\r?\n\r?\n/)) {
    for (const line of block.split(/\r?\n/)) {
      if (!line.startsWith('data:')) continue;
      const d = line.slice(5).trim();
      if (d === '[DONE]') {
        done = true;
        continue;
      }
      const obj = JSON.parse(d);  // throws on a malformed event
      if (obj.error) throw new Error('in-band error: ' + JSON.stringify(obj.error));
      out += obj.choices?.[0]?.delta?.content ?? '';
    }
  }
  if (!done) throw new Error('stream without [DONE]');
  return out;
}

const mock = await startMock({ name: 'devset' });
const gw = await startGateway({
  noAuth: true,
  args: ['--upstream', mock.url, '--policy', policyName],
});
// The access log goes to the harness's stdout buffer; keep it small.
gw.proc.stdout.removeAllListeners('data');
gw.proc.stdout.resume();

async function runMode(mode) {
  const rand = rng(seed + (mode === 'stream' ? 1000 : 0));
  const chunks = records.map(() => 1 + Math.floor(rand() * 7));
  const result = { leaked: 0, roundtrip: 0, errors: 0, failed_ids: [], leaked_ids: new Set(), by_type: {}, wall: 0 };
  const byId = new Map();
  const t0 = process.hrtime.bigint();
  let next = 0;
  async function worker() {
    while (next < records.length) {
      const i = next++;
      const rec = records[i];
      const benchId = `${mode}-${i}`;
      const body = {
        model: 'mock-gpt',
        messages: [{ role: 'user', content: rec.text }],
        metadata: { bench_id: benchId, mock_chunk: String(chunks[i]) },
      };
      if (mode === 'stream') body.stream = true;
      let answer = null;
      try {
        const res = await fetch(`${gw.url}/v1/chat/completions`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
        });
        const bytes = new Uint8Array(await res.arrayBuffer());
        const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        if (res.status !== 200) {
          result.errors++;
          result.failed_ids.push(`${rec.id} (HTTP ${res.status})`);
        } else if (mode === 'stream') {
          answer = parseSseContent(text);
        } else {
          answer = JSON.parse(text).choices[0].message.content;
        }
      } catch (e) {
        result.errors++;
        result.failed_ids.push(`${rec.id} (${e.message.slice(0, 80)})`);
      }
      if (answer !== null) {
        if (answer === `Echo: ${rec.text}`) result.roundtrip++;
        else {
          const want = `Echo: ${rec.text}`;
          let k = 0;
          while (k < want.length && want[k] === answer[k]) k++;
          result.failed_ids.push(`${rec.id} (answer differs at char ${k})`);
        }
      }
      byId.set(benchId, i);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  result.wall = Number(process.hrtime.bigint() - t0) / 1e9;
  // Leaks: each gold value searched in the user message the upstream got.
  const seen = new Set();
  for (const up of mock.requests) {
    const id = up.body?.metadata?.bench_id;
    if (!id || !byId.has(id)) continue;
    const i = byId.get(id);
    seen.add(i);
    const content = up.body.messages?.[0]?.content;
    const sent = typeof content === 'string' ? content : JSON.stringify(content);
    for (const sp of records[i].spans) {
      if (sent.includes(sp.value)) {
        result.leaked++;
        result.leaked_ids.add(records[i].id);
        result.by_type[sp.type] = (result.by_type[sp.type] || 0) + 1;
      }
    }
  }
  result.not_forwarded = records.length - seen.size;
  mock.reset();
  return result;
}

const tAll = process.hrtime.bigint();
const plain = await runMode('plain');
const stream = await runMode('stream');
const wallAll = Number(process.hrtime.bigint() - tAll) / 1e9;
await gw.stop();
await mock.close();

let engine = null;
if (!noEngine) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gwanmun-devset-'));
  const pred = path.join(tmp, 'pred.jsonl');
  const scan = spawnSync(binary, ['scan', '--no-markings', '--format', 'jsonl', devPath], { maxBuffer: 1 << 30 });
  if (scan.status === 0) {
    fs.writeFileSync(pred, scan.stdout);
    const score = path.join(path.dirname(devPath), 'score.py');
    const s = spawnSync('python3', [score, devPath, pred, '--json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const last = s.stdout.trim().split('\n').at(-1);
    try {
      const j = JSON.parse(last);
      engine = { leak_recall: j.leak_recall, false_mask_per_kb: j.false_mask_per_kb, overall: j.overall };
    } catch {
      engine = { error: `score.py failed: ${s.stderr.slice(0, 200)}` };
    }
  } else {
    engine = { error: `gwanmun scan exited ${scan.status}` };
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

const round = (x) => Math.round(x * 1e6) / 1e6;
const summary = (r) => ({
  leaked_values: r.leaked,
  leak_fraction: round(r.leaked / goldValues),
  records_with_leak: r.leaked_ids.size,
  leaked_by_type: r.by_type,
  roundtrip_equal: r.roundtrip,
  roundtrip_rate: round(r.roundtrip / records.length),
  errors: r.errors,
  not_forwarded: r.not_forwarded,
  wall_seconds: round(r.wall),
  requests_per_second: round(records.length / r.wall),
});
const out = {
  dev: devPath,
  binary,
  policy: policyName,
  records: records.length,
  gold_values: goldValues,
  concurrency,
  plain: summary(plain),
  stream: summary(stream),
  gateway_leak_recall: round(1 - plain.leaked / goldValues),
  engine,
  wall_seconds: round(wallAll),
};
for (const [mode, r] of [['plain', plain], ['stream', stream]]) {
  if (r.failed_ids.length) console.error(`${mode}: ${r.failed_ids.length} failed: ${r.failed_ids.slice(0, 20).join(', ')}`);
  if (r.leaked_ids.size) console.error(`${mode}: values reached the upstream in ${[...r.leaked_ids].slice(0, 20).join(', ')}`);
}
console.log(JSON.stringify(out, null, 2));
