// The audit log: durable before a response completes (kill -9 under load),
// and `gwanmun audit verify` catches a tampered row.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startMock } from './mock_upstream.mjs';
import { startGateway, createKey, request, yamlConfig, auditRecords, cli, sleep } from './lib/harness.mjs';

let mock;

before(async () => {
  mock = await startMock({ name: 'audit' });
});

after(async () => {
  await mock?.close();
});

const config = () => yamlConfig({ upstreams: [{ name: 'm', base_url: mock.url, region: 'kr', models: ['mock-gpt'] }] });

test('every response a client received is in the log after kill -9 during load', async () => {
  const gw = await startGateway({ config: config() });
  const key = createKey(gw.dataDir, { team: 'load' });
  const received = [];
  let stop = false;
  const worker = async (i) => {
    while (!stop) {
      try {
        const stream = i % 2 === 1;
        const r = await request(`${gw.url}/v1/chat/completions`, {
          key: key.secret,
          body: { model: 'mock-gpt', stream, messages: [{ role: 'user', content: `요청 ${i}` }] },
        });
        // Only a complete answer counts as received.
        if (r.status === 200 && (!stream || r.text.includes('[DONE]'))) received.push(r.headers.get('x-request-id'));
      } catch {
        // connection refused/reset once the gateway is killed
      }
    }
  };
  const workers = Array.from({ length: 8 }, (_, i) => worker(i));
  await sleep(1500);
  gw.kill9();
  await gw.exited;
  stop = true;
  await Promise.all(workers);
  assert.ok(received.length > 50, `enough load (${received.length} responses)`);
  const ids = new Set(auditRecords(gw.dataDir).map((r) => r.request_id));
  const missing = received.filter((id) => !ids.has(id));
  assert.deepEqual(missing, [], 'received responses missing from the audit log');
  const v = cli(['audit', 'verify', '--data-dir', gw.dataDir]);
  assert.equal(v.status, 0, v.stdout + v.stderr);
});

test('audit verify reports a tampered record', async () => {
  const gw = await startGateway({ config: config() });
  const key = createKey(gw.dataDir, { team: 'tamper' });
  for (let i = 0; i < 5; i++) {
    const r = await request(`${gw.url}/v1/chat/completions`, {
      key: key.secret, body: { model: 'mock-gpt', messages: [{ role: 'user', content: 'x' }] },
    });
    assert.equal(r.status, 200);
  }
  await gw.stop();
  let v = cli(['audit', 'verify', '--data-dir', gw.dataDir]);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  const db = path.join(gw.dataDir, 'gwanmun.db');
  const s = spawnSync('sqlite3', [db, 'UPDATE audit_log SET status = 500 WHERE seq = 3;'], { encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  v = cli(['audit', 'verify', '--data-dir', gw.dataDir]);
  assert.equal(v.status, 1, v.stdout + v.stderr);
  assert.match(v.stdout + v.stderr, /3/);
});
