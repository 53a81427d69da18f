import { existsSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';

export const out = (line: string) => process.stdout.write(`${line}\n`);

export function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/**
 * A CLI's start, the same for each: `.env` read like the bot reads it, the arguments parsed,
 * and usage shown (exit 0 for --help, 2 for no command or bad arguments).
 */
export function readArgs<const O extends NonNullable<ParseArgsConfig['options']>>(options: O, usage: string) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  if (process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) fail(usage, 0);
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options });
  } catch (error) {
    return fail(`${(error as Error).message}\n${usage}`);
  }
  if (parsed.positionals.length === 0) fail(usage);
  return parsed;
}
