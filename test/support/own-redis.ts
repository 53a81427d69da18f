import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.js';

const REDIS_SERVER = '/usr/bin/redis-server';

export interface OwnRedis {
  url: string;
  /** SIGKILL: the server dies as in a crash, with no chance to save. */
  kill: () => Promise<void>;
  /** Starts it again on the same port and files: everything it acknowledged is there. */
  restart: () => Promise<void>;
  /** SIGSTOP, then SIGCONT: connections stay open and nothing answers, as with a hung host. */
  pause: () => void;
  resume: () => void;
  close: () => Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function answersPing(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}`, { method: 'GET' }).catch((error: unknown) => error);
  // Redis refuses HTTP and closes the connection: a refused connection is the only "not yet".
  return !(response instanceof Error && /ECONNREFUSED/.test(String((response as { cause?: unknown }).cause)));
}

/**
 * A Redis server of the test's own, on a free port, as a child of the test: the shared one is
 * never killed. Append-only with an fsync per write, so a SIGKILL loses nothing it acknowledged.
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'adduser-own-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const started = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--dir', dir], { stdio: 'ignore' });
    // A suite that times out never reaches its afterAll: the server must not outlive the test process.
    const orphaned = () => started.kill('SIGKILL');
    process.once('exit', orphaned);
    started.once('exit', () => process.off('exit', orphaned));
    child = started;
    await waitFor(() => answersPing(port), { timeoutMs: 10_000, what: 'redis-server to listen' });
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: start,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    close: async () => {
      child?.kill('SIGCONT');
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
