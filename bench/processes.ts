// The apps a benchmark measures, each as a plain `node` process on loopback.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { closedPort } from '../test/simulators/harness.js';
import { waitFor } from '../test/support/wait.js';

export const root = fileURLToPath(new URL('../', import.meta.url));

export interface Child {
  process: ChildProcess;
  url: string;
  startMs: number;
  stop: () => Promise<void>;
}

export async function launch(script: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Child> {
  const port = await closedPort();
  const started = performance.now();
  // As `npm start` runs it: compiled, no loader, source maps on.
  const child = spawn(process.execPath, ['--enable-source-maps', ...nodeArgs, script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/healthz`)).status === 200, { timeoutMs: 30_000, intervalMs: 5, what: `${script} /healthz` });
  const startMs = performance.now() - started;
  return {
    process: child,
    url,
    startMs,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
