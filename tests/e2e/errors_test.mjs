// Every error status, over raw HTTP, in OpenAI's error shape.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startMock } from './mock_upstream.mjs';
import { startGateway, createKey, revokeKey, request, yamlConfig, sleep, waitFor, auditRecordsWith } from './lib/harness.mjs';

let mock, gw, key, limited, rpmKey, tpmKey;

before(async () => {
  mock = await startMock({ name: 'errors' });
  gw = await startGateway({
    config: yamlConfig({
      upstreams: [{
        name: 'm', base_url: mock.url, region: 'us',
        timeouts: { response_ms: 400 },
        models: ['mock-gpt', 'mock-embed', 'fail-always', 'hang', 'bad-auth'],
      }],
      extra: 'server:\n  max_body_bytes: 4096\nauth:\n  cache_ttl_ms: 100\nretry:\n  max_retries: 1\n  backoff_ms: 10\n' +
        'circuit_breaker:\n  failure_threshold: 0\n',
    }),
  });
  key = createKey(gw.dataDir, { team: 'a' });
  limited = createKey(gw.dataDir, { team: 'b', models: ['mock-gpt'] });
  rpmKey = createKey(gw.dataDir, { team: 'c', rpm: 2 });
  tpmKey = createKey(gw.dataDir, { team: 'd', tpm: 5 });
});

after(async () => {
  await gw?.stop();
  await mock?.close();
});

const chat = (extra = {}) => ({ model: 'mock-gpt', messages: [{ role: 'user', content: '안녕' }], ...extra });

function assertOpenAIError(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.ok(r.json && r.json.error, r.text);
  const e = r.json.error;
  assert.deepEqual(Object.keys(e).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(typeof e.message, 'string');
  assert.equal(typeof e.type, 'string');
  if (code !== undefined) assert.equal(e.code, code);
  return e;
}

const url = (p) => `${gw.url}${p}`;

test('400: malformed JSON, missing and ill-typed fields', async () => {
  assertOpenAIError(await request(url('/v1/chat/completions'), { key: key.secret, body: '{"model": "mock-gpt",', headers: { 'content-type': 'application/json' } }), 400);
  let e = assertOpenAIError(await request(url('/v1/chat/completions'), { key: key.secret, body: { model: 'mock-gpt' } }), 400, 'missing_required_parameter');
  assert.equal(e.param, 'messages');
  e = assertOpenAIError(await request(url('/v1/chat/completions'), { key: key.secret, body: { messages: [] } }), 400);
  assert.equal(e.param, 'model');
  e = assertOpenAIError(await request(url('/v1/chat/completions'), { key: key.secret, body: chat({ stream: 'yes' }) }), 400);
  assert.equal(e.param, 'stream');
  e = assertOpenAIError(await request(url('/v1/chat/completions'), { key: key.secret, body: { model: 'mock-gpt', messages: [{ content: 'x' }] } }), 400);
  assert.equal(e.param, 'messages[0].role');
  e = assertOpenAIError(await request(url('/v1/embeddings'), { key: key.secret, body: { model: 'mock-embed' } }), 400);
  assert.equal(e.param, 'input');
  e = assertOpenAIError(await request(url('/v1/responses'), { key: key.secret, body: { model: 'mock-gpt', input: 5 } }), 400);
  assert.equal(e.param, 'input');
  // Two "model" keys: the gateway and the upstream might disagree: refused.
  assertOpenAIError(await request(url('/v1/chat/completions'), {
    key: key.secret, body: '{"model":"mock-gpt","model":"fail-always","messages":[{"role":"user","content":"x"}]}',
    headers: { 'content-type': 'application/json' },
  }), 400);
});

test('401: no key, unknown key, revoked key', async () => {
  assertOpenAIError(await request(url('/v1/chat/completions'), { body: chat() }), 401, 'missing_api_key');
  assertOpenAIError(await request(url('/v1/chat/completions'), { key: 'gw-unknown', body: chat() }), 401, 'invalid_api_key');
  const k = createKey(gw.dataDir, { team: 'temp' });
  assert.equal((await request(url('/v1/chat/completions'), { key: k.secret, body: chat() })).status, 200);
  revokeKey(gw.dataDir, k.key_id);
  await sleep(150);  // auth.cache_ttl_ms
  const r = await request(url('/v1/chat/completions'), { key: k.secret, body: chat() });
  assertOpenAIError(r, 401, 'invalid_api_key');
  // Error messages never echo the presented key.
  assert.ok(!r.text.includes(k.secret));
});

test('403: model not allowed for the key', async () => {
  const e = assertOpenAIError(await request(url('/v1/embeddings'), { key: limited.secret, body: { model: 'mock-embed', input: 'x' } }), 403, 'model_not_allowed');
  assert.equal(e.param, 'model');
});

test('404: unknown path and unknown model', async () => {
  assertOpenAIError(await request(url('/v1/files'), { key: key.secret, method: 'GET' }), 404, 'unknown_url');
  assertOpenAIError(await request(url('/v1/fine_tuning/jobs'), { key: key.secret, body: {} }), 404, 'unknown_url');
  assertOpenAIError(await request(url('/nope'), { method: 'GET' }), 404);
  assertOpenAIError(await request(url('/v1/chat/completions'), { key: key.secret, body: chat({ model: 'gpt-9' }) }), 404, 'model_not_found');
  assertOpenAIError(await request(url('/v1/models/gpt-9'), { key: key.secret, method: 'GET' }), 404, 'model_not_found');
});

test('405: wrong method', async () => {
  const r = await request(url('/v1/chat/completions'), { key: key.secret, method: 'GET' });
  assertOpenAIError(r, 405, 'method_not_allowed');
  assert.equal(r.headers.get('allow'), 'POST');
  assertOpenAIError(await request(url('/v1/models'), { key: key.secret, method: 'DELETE' }), 405);
});

test('413: body over the limit (content-length and chunked)', async () => {
  const big = chat({ messages: [{ role: 'user', content: '가'.repeat(3000) }] });
  assertOpenAIError(await request(url('/v1/chat/completions'), { key: key.secret, body: big }), 413, 'request_too_large');
  // Chunked upload without content-length.
  const status = await new Promise((resolve, reject) => {
    const s = net.connect(gw.address.split(':')[1], '127.0.0.1', () => {
      const chunk = 'x'.repeat(3000);
      s.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key.secret}\r\n` +
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      s.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`);
    });
    let buf = '';
    s.on('data', (d) => { buf += d; });
    s.on('end', () => resolve(Number(buf.split(' ')[1])));
    s.on('error', reject);
  });
  assert.equal(status, 413);
});

test('429: requests per minute, with Retry-After', async () => {
  assert.equal((await request(url('/v1/chat/completions'), { key: rpmKey.secret, body: chat() })).status, 200);
  assert.equal((await request(url('/v1/chat/completions'), { key: rpmKey.secret, body: chat() })).status, 200);
  const r = await request(url('/v1/chat/completions'), { key: rpmKey.secret, body: chat() });
  assertOpenAIError(r, 429, 'rate_limit_exceeded');
  assert.equal(r.json.error.type, 'requests');
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
});

test('429: tokens per minute, charged from upstream usage (streams too)', async () => {
  const first = await request(url('/v1/chat/completions'), { key: tpmKey.secret, body: chat({ stream: true }) });
  assert.equal(first.status, 200);
  assert.ok(first.text.includes('[DONE]'));
  const r = await request(url('/v1/chat/completions'), { key: tpmKey.secret, body: chat() });
  assertOpenAIError(r, 429, 'rate_limit_exceeded');
  assert.equal(r.json.error.type, 'tokens');
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
});

test('502: upstream keeps failing (after a retry)', async () => {
  mock.reset();
  const r = await request(url('/v1/chat/completions'), { key: key.secret, body: chat({ model: 'fail-always' }) });
  assertOpenAIError(r, 502, 'upstream_error');
  assert.equal(mock.byModel('fail-always').length, 2, 'one try plus max_retries: 1');
});

test('502: the upstream rejecting our credentials is not passed through', async () => {
  const r = await request(url('/v1/chat/completions'), { key: key.secret, body: chat({ model: 'bad-auth' }) });
  assertOpenAIError(r, 502, 'upstream_error');
  assert.ok(!r.text.includes('Incorrect API key'));
});

test('504: upstream timeout, and the hung upstream request is abandoned', async () => {
  mock.reset();
  const t0 = Date.now();
  const r = await request(url('/v1/chat/completions'), { key: key.secret, body: chat({ model: 'hang' }) });
  assertOpenAIError(r, 504, 'upstream_timeout');
  assert.ok(Date.now() - t0 >= 350);
  await waitFor(() => mock.byModel('hang').every((x) => x.cancelled), 3000, 'hung request closed');
});

test('error responses are audited too', async () => {
  const r = await request(url('/v1/chat/completions'), { key: key.secret, body: chat({ model: 'gpt-9' }) });
  const id = r.headers.get('x-request-id');
  const rec = (await auditRecordsWith(gw.dataDir, [id])).find((x) => x.request_id === id);
  assert.equal(rec.status, 404);
  assert.equal(rec.key_id, key.key_id);
});

test('health, readiness and metrics', async () => {
  assert.equal((await request(url('/healthz'), { method: 'GET' })).status, 200);
  assert.equal((await request(url('/readyz'), { method: 'GET' })).status, 200);
  const m = await request(url('/metrics'), { method: 'GET' });
  assert.equal(m.status, 200);
  assert.match(m.text, /gwanmun_requests_total\{endpoint="\/v1\/chat\/completions",status="200",upstream="m"\} \d+/);
  assert.match(m.text, /gwanmun_request_duration_seconds_bucket\{endpoint="\/v1\/chat\/completions",le="\+Inf"\} \d+/);
  assert.match(m.text, /gwanmun_gateway_overhead_seconds_count\{endpoint="\/v1\/chat\/completions"\} \d+/);
  assert.match(m.text, /gwanmun_upstream_errors_total\{upstream="m",kind="http_5xx"\} \d+/);
  assert.match(m.text, /gwanmun_upstream_errors_total\{upstream="m",kind="timeout"\} \d+/);
  assert.match(m.text, /gwanmun_open_streams 0/);
});

test('pass-through of other /v1 paths when configured', async () => {
  const g = await startGateway({
    config: yamlConfig({ upstreams: [{ name: 'm', base_url: mock.url, models: ['mock-gpt'] }] }) +
      'passthrough:\n  enabled: true\n  upstream: m\n',
  });
  try {
    const k = createKey(g.dataDir, { team: 'p' });
    mock.reset();
    const r = await request(`${g.url}/v1/moderations?x=1`, { key: k.secret, body: { input: 'x' } });
    assert.equal(r.status, 404);  // the mock's own answer, forwarded
    assert.match(r.json.error.message, /mock: no route POST \/moderations/);
    assert.equal(mock.requests.at(-1).path, '/v1/moderations?x=1');
    assert.ok(!mock.requests.at(-1).headers.authorization?.includes(k.secret), 'virtual key not forwarded');
  } finally {
    await g.stop();
  }
});
