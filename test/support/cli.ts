import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsxLoader = pathToFileURL(`${root}node_modules/tsx/dist/loader.mjs`).href;
const script = (name: 'audit' | 'policy') => `${root}src/cli/${name}.ts`;

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run audit -- …args` as a user runs it, with exactly `env` (plus PATH), from `cwd`. */
export function runAudit(args: string[], env: Record<string, string>, cwd: string): CliRun {
  const result = spawnSync(process.execPath, ['--import', tsxLoader, script('audit'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A CLI run that leaves this process's event loop free, for when the CLI talks to a fake
 * served from this process (a synchronous spawn would keep the fake from answering).
 */
export function runCli(name: 'audit' | 'policy', args: string[], env: Record<string, string>, cwd: string): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', tsxLoader, script(name), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export function startAudit(args: string[], env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, ['--import', tsxLoader, script('audit'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  return { child, stdout: () => stdout };
}
