import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsxLoader = pathToFileURL(`${root}node_modules/tsx/dist/loader.mjs`).href;
const cli = `${root}src/cli/audit.ts`;

/** `npm run audit -- …args` as a user runs it, with exactly `env` (plus PATH), from `cwd`. */
export function runAudit(args: string[], env: Record<string, string>, cwd: string) {
  const result = spawnSync(process.execPath, ['--import', tsxLoader, cli, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function startAudit(args: string[], env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, ['--import', tsxLoader, cli, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  return { child, stdout: () => stdout };
}
