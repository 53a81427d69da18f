import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { waitFor } from './wait.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsxLoader = pathToFileURL(`${root}node_modules/tsx/dist/loader.mjs`).href;
const main = `${root}src/main.ts`;

export interface BotProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** The port the bot listens on, read from its start-up log line (start it with PORT=0). */
  port: () => Promise<number>;
  /** Waits for `GET /healthz` = 200 and gives the port. */
  healthy: () => Promise<number>;
  kill: (signal?: NodeJS.Signals) => Promise<number | string>;
}

const live = new Set<BotProcess>();

/**
 * SIGKILLs every bot this worker spawned that is still running: for `afterEach`, so a failed
 * assertion (which skips the test's own `kill`) never leaves a bot behind for the next test.
 */
export async function killBots(): Promise<void> {
  await Promise.all([...live].map((bot) => bot.kill('SIGKILL')));
}

/**
 * Runs `src/main.ts` as `npm start` does, in its own process, with exactly `env` (plus PATH):
 * nothing leaks in from the developer's shell or a .env file, since `cwd` defaults to the repo
 * only when asked.
 */
export function spawnBot(env: Record<string, string>, cwd: string): BotProcess {
  const child = spawn(process.execPath, ['--import', tsxLoader, main], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const port = () =>
    waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`bot exited early: ${err || out}`);
        const match = /"port":(\d+)/.exec(out);
        return match ? Number(match[1]) : undefined;
      },
      { timeoutMs: 20_000, what: 'the bot to log its port' },
    );
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  const bot: BotProcess = {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    port,
    healthy: async () => {
      const listening = await port();
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`bot exited early: ${err || out}`);
          const res = await fetch(`http://127.0.0.1:${listening}/healthz`);
          return res.status === 200;
        },
        { timeoutMs: 20_000, what: 'the bot to answer /healthz' },
      );
      return listening;
    },
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  live.add(bot);
  void exited.then(() => live.delete(bot));
  return bot;
}
