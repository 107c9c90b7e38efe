// Retries, fallback, circuit breaker, client disconnects, reload and drain.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import { startMock } from './mock_upstream.mjs';
import { startGateway, request, yamlConfig, waitFor, auditRecords, auditRecordsWith, sleep } from './lib/harness.mjs';

let a, b, c, gw;

function config(extraModels = []) {
  return yamlConfig({
    upstreams: [
      {
        name: 'a', base_url: a.url, region: 'kr', weight: 1,
        models: [
          'mock-gpt', 'slow-stream', 'broken-stream', 'fail-once', 'rate-limit-once', 'hang',
          { name: 'flaky', upstream_model: 'fail-always' },
          ...extraModels,
        ],
      },
      {
        name: 'b', base_url: b.url, region: 'us', weight: 0,  // weight 0: fallback only
        models: [{ name: 'flaky', upstream_model: 'mock-gpt' }, { name: 'breaker', upstream_model: 'mock-gpt' }],
      },
      {
        name: 'c', base_url: c.url, region: 'kr', weight: 1,
        models: [{ name: 'breaker', upstream_model: 'fail-always' }],
      },
    ],
    extra: 'retry:\n  max_retries: 1\n  backoff_ms: 10\n  max_retry_after_ms: 2000\n' +
      'circuit_breaker:\n  failure_threshold: 4\n  open_ms: 60000\n',
  });
}

before(async () => {
  a = await startMock({ name: 'a' });
  b = await startMock({ name: 'b' });
  c = await startMock({ name: 'c' });
  gw = await startGateway({ config: config(), noAuth: true });
});

after(async () => {
  await gw?.stop();
  await a?.close();
  await b?.close();
  await c?.close();
});

const chat = (model, extra = {}) => ({ model, messages: [{ role: 'user', content: '안녕' }], ...extra });
const post = (body) => request(`${gw.url}/v1/chat/completions`, { body });

test('upstream 500 → retry on the same upstream → fallback to the next', async () => {
  a.reset();
  b.reset();
  const r = await post(chat('flaky'));
  assert.equal(r.status, 200, r.text);
  assert.equal(a.byModel('fail-always').length, 2, 'first upstream: try + 1 retry');
  assert.equal(b.byModel('mock-gpt').length, 1, 'then the fallback');
  const id = r.headers.get('x-request-id');
  const rec = (await auditRecordsWith(gw.dataDir, [id])).find((x) => x.request_id === id);
  assert.equal(rec.upstream, 'b');
  assert.equal(rec.region, 'us');
});

test('a transient 500 is retried on the same upstream', async () => {
  a.reset();
  const r = await post(chat('fail-once', { user: 'u-500' }));
  assert.equal(r.status, 200);
  assert.equal(a.byModel('fail-once').length, 2);
});

test('429 with Retry-After is honoured before retrying', async () => {
  a.reset();
  const t0 = Date.now();
  const r = await post(chat('rate-limit-once', { user: 'u-429' }));
  assert.equal(r.status, 200);
  assert.ok(Date.now() - t0 >= 900, 'waited for Retry-After: 1');
  assert.equal(a.byModel('rate-limit-once').length, 2);
});

test('circuit breaker opens and skips the failing upstream', async () => {
  c.reset();
  b.reset();
  for (let i = 0; i < 2; i++) assert.equal((await post(chat('breaker'))).status, 200);
  const before = c.byModel('fail-always').length;
  assert.equal(before, 4, 'two requests × (try + retry) open the circuit (threshold 4)');
  for (let i = 0; i < 3; i++) assert.equal((await post(chat('breaker'))).status, 200);
  assert.equal(c.byModel('fail-always').length, before, 'open circuit: no more requests to c');
  assert.equal(b.byModel('mock-gpt').length, 5);
  const m = await request(`${gw.url}/metrics`, { method: 'GET' });
  assert.match(m.text, /gwanmun_upstream_errors_total\{upstream="c",kind="http_5xx"\} 4/);
});

test('client disconnect mid-stream cancels the upstream request', async () => {
  a.reset();
  const port = Number(gw.address.split(':')[1]);
  let requestId;
  await new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST',
      headers: { 'content-type': 'application/json' } }, (res) => {
      requestId = res.headers['x-request-id'];
      let got = '';
      res.on('data', (d) => {
        got += d;
        if (got.includes('"content":"3 "')) {  // a few events in: hang up
          req.destroy();
          resolve();
        }
      });
      res.on('error', () => {});
    });
    req.on('error', () => {});
    req.end(JSON.stringify(chat('slow-stream', { stream: true })));
    setTimeout(() => reject(new Error('no stream data')), 5000);
  });
  await waitFor(() => a.byModel('slow-stream')[0]?.cancelled, 3000, 'upstream request cancelled');
  assert.equal(a.byModel('slow-stream')[0].finished, false);
  await waitFor(() => auditRecords(gw.dataDir).some((x) => x.request_id === requestId), 3000, 'audit record');
  const rec = auditRecords(gw.dataDir).find((x) => x.request_id === requestId);
  assert.equal(rec.status, 499);
});

test('client disconnect during a non-streaming request cancels the upstream request', async () => {
  a.reset();
  const port = Number(gw.address.split(':')[1]);
  const req = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST',
    headers: { 'content-type': 'application/json' } });
  req.on('error', () => {});
  req.end(JSON.stringify(chat('hang')));
  await waitFor(() => a.byModel('hang').length === 1, 3000, 'upstream request started');
  const t0 = Date.now();
  req.destroy();
  // The upstream timeout is minutes away: only the client watch closes it.
  await waitFor(() => a.byModel('hang')[0].cancelled, 3000, 'upstream request cancelled');
  assert.ok(Date.now() - t0 < 3000);
});

// Writes `first` on one connection, then `second` after `afterMs`; resolves
// with everything read once the answer to `second` (containing `until`) is in.
function pipelined(first, second, afterMs, until) {
  const port = Number(gw.address.split(':')[1]);
  const head = (body) => 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    let buf = '';
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(head(first) + first);
      setTimeout(() => s.write(head(second) + second), afterMs);
    });
    s.setEncoding('utf8');
    s.on('data', (d) => {
      buf += d;
      if (buf.includes(until)) {
        s.end();
        resolve(buf);
      }
    });
    s.on('error', reject);
    setTimeout(() => reject(new Error(`no second answer: ${buf}`)), 5000);
  });
}

test('a request pipelined during a slow non-streaming call (watch armed late) is answered after it', async () => {
  // The answer takes 400 ms: the client watch is armed after 50–100 ms and
  // reads the second request's bytes, which must not be lost.
  const first = JSON.stringify(chat('mock-gpt', {
    messages: [{ role: 'user', content: '느린 첫 요청' }], metadata: { mock_delay_ms: '400' },
  }));
  const second = JSON.stringify(chat('mock-gpt', { messages: [{ role: 'user', content: '뒤따른 요청' }] }));
  const got = await pipelined(first, second, 200, 'Echo: 뒤따른 요청');
  const a = got.indexOf('Echo: 느린 첫 요청');
  assert.ok(a > 0, 'first answer');
  assert.ok(got.indexOf('Echo: 뒤따른 요청') > a, 'second answer after the first');
  assert.equal(got.split('HTTP/1.1 200').length - 1, 2);
});

test('a request pipelined while the previous one is in flight is answered after it, in order', async () => {
  const first = JSON.stringify(chat('mock-gpt', {
    stream: true, messages: [{ role: 'user', content: '첫 번째 요청입니다' }], metadata: { mock_delay_ms: '60' },
  }));
  const second = JSON.stringify(chat('mock-gpt', { messages: [{ role: 'user', content: '두 번째' }] }));
  // While the first answer streams (an event every 60 ms), the second request arrives.
  const got = await pipelined(first, second, 150, 'Echo: 두 번째');
  const done = got.indexOf('[DONE]');
  assert.ok(done > 0, 'first answer complete');
  assert.ok(got.indexOf('HTTP/1.1 200', done) > done, 'second answer after the first');
  assert.equal(got.split('HTTP/1.1 200').length - 1, 2);
});

test('an upstream that breaks off a stream → in-band error event, no retry', async () => {
  a.reset();
  const r = await post(chat('broken-stream', { stream: true }));
  assert.equal(r.status, 200);  // the stream had started
  assert.match(r.text, /"error":\{"message":"The upstream broke off the stream\."/);
  assert.equal(a.byModel('broken-stream').length, 1, 'never retried once streaming');
});

test('SIGHUP reloads the config without dropping a stream in flight', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const port = Number(gw.address.split(':')[1]);
  const body = JSON.stringify(chat('mock-gpt', { stream: true, metadata: { mock_delay_ms: '30', mock_chunk: '1' } }));
  const streamed = new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, agent, path: '/v1/chat/completions', method: 'POST',
      headers: { 'content-type': 'application/json' } }, (res) => {
      let t = '';
      res.on('data', (d) => { t += d; });
      res.on('end', () => resolve(t));
    });
    req.on('error', reject);
    req.end(body);
  });
  await sleep(60);
  assert.equal((await post(chat('added-later'))).status, 404);
  fs.writeFileSync(gw.configPath, config([{ name: 'added-later', upstream_model: 'mock-gpt' }]));
  gw.proc.kill('SIGHUP');
  const text = await streamed;
  assert.ok(text.includes('[DONE]'), 'stream survived the reload');
  await waitFor(async () => (await post(chat('added-later'))).status === 200, 3000, 'new model served');
  agent.destroy();
});

test('a bad config on SIGHUP keeps the running one', async () => {
  fs.writeFileSync(gw.configPath, 'upstreams: [ {name: x} ]\n');
  gw.proc.kill('SIGHUP');
  await waitFor(() => gw.logs().includes('reload failed'), 3000, 'reload failure logged');
  assert.match(gw.logs(), /gwanmun\.yaml:1: upstreams\[0\]\.base_url: missing/);
  assert.equal((await post(chat('mock-gpt'))).status, 200);
});

test('SIGTERM drains: the stream in flight completes, then the process exits 0', async () => {
  const g2 = await startGateway({ config: config(), noAuth: true });
  const port = Number(g2.address.split(':')[1]);
  const body = JSON.stringify(chat('mock-gpt', { stream: true, metadata: { mock_delay_ms: '20', mock_chunk: '1' } }));
  const streamed = new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST',
      headers: { 'content-type': 'application/json' } }, (res) => {
      let t = '';
      res.on('data', (d) => { t += d; });
      res.on('end', () => resolve(t));
    });
    req.on('error', reject);
    req.end(body);
  });
  await sleep(50);
  g2.proc.kill('SIGTERM');
  const text = await streamed;
  assert.ok(text.includes('[DONE]'));
  const { code } = await g2.exited;
  assert.equal(code, 0);
  await assert.rejects(fetch(`${g2.url}/healthz`));
});
