import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createStoreHealth, guardStore } from '../../src/adapters/store/guard.js';
import type { Store } from '../../src/adapters/store/types.js';

// A store in another process, as Redis is: its answer reaches this process's socket whatever
// this process is doing, and is read when its loop gets to it.
let server: ChildProcess;
let socket: Socket;
beforeAll(async () => {
  server = spawn(process.execPath, ['-e', "require('net').createServer((peer) => peer.on('data', () => peer.write('answer'))).listen(0, '127.0.0.1', function () { console.log(this.address().port); })"], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [port] = (await once(server.stdout!, 'data')) as [Buffer];
  socket = connect(Number(String(port).trim()), '127.0.0.1');
  await once(socket, 'connect');
});
afterAll(() => {
  socket.destroy();
  server.kill();
});

const overSocket = { get: () => new Promise((resolve) => socket.once('data', (data) => resolve(String(data))).write('get')) } as unknown as Store;
const busyFor = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until);
};

test('an answer that came while this process was busy past the deadline is the store answering, not an outage', async () => {
  const store = guardStore(overSocket, createStoreHealth(pino({ level: 'silent' })), { callMs: 200, downMs: 200 });
  const answer = store.get('key');
  // The store answers in a millisecond; this process looks again only after 400 ms.
  busyFor(400);
  expect(await answer).toBe('answer');
  expect(store.health.up()).toBe(true);
});

test('a store that does not answer is unavailable at its deadline', async () => {
  const silent = { get: () => new Promise(() => undefined) } as unknown as Store;
  const store = guardStore(silent, createStoreHealth(pino({ level: 'silent' })), { callMs: 200, downMs: 200 });
  const started = performance.now();
  await expect(store.get('key')).rejects.toThrow('the store is unavailable (no answer within 200 ms)');
  expect(performance.now() - started).toBeLessThan(1_000);
  expect(store.health.up()).toBe(false);
});
