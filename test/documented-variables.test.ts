import { describe, expect, test } from 'vitest';
import { SCIM_VARIABLES } from '../src/adapters/providers/scim/env.js';
import { variableNames } from '../src/config/schema.js';
import { readRepoFile, sourceFiles } from './support/sources.js';

/** Names read straight from process.env anywhere in src/ (`process.env.X`, `process.env['X']`, destructuring). */
function readFromProcessEnv(): string[] {
  const names = sourceFiles().flatMap(({ code }) => [
    ...[...code.matchAll(/process\.env\s*(?:\.\s*([A-Z][A-Z0-9_]*)|\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\])/g)].map((match) => match[1] ?? match[2]!),
    ...[...code.matchAll(/\{([^}]*)\}\s*=\s*process\.env\b/g)].flatMap((match) => match[1]!.match(/\b[A-Z][A-Z0-9_]*\b/g) ?? []),
  ]);
  return [...new Set(names)];
}

/** Every environment variable the code reads: the zod schema's (providers' own included) and direct reads. */
const readByCode = [...new Set([...variableNames, ...readFromProcessEnv()])].sort();

const exampleLines = readRepoFile('.env.example').split('\n');
const exampleNames = exampleLines.flatMap((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1] ?? []);

/** The rows of the README's configuration table. */
function readmeTableRows(): string[] {
  const readme = readRepoFile('README.md');
  const section = readme.slice(readme.indexOf('\n## Configuration'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration') + 1));
  return section.split('\n').filter((line) => line.startsWith('| `'));
}

/** The variables named in the first column of the README's configuration table. */
function readmeTableNames(): string[] {
  const rows = readmeTableRows();
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]!));
}

describe('every environment variable the code reads is documented', () => {
  test('the scan finds the schema and the direct reads', () => {
    expect(readByCode).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'DIGICERT_API_KEY', 'ADDUSER_APPROVERS_DIGICERT', 'ADDUSER_CRASH_AT']));
  });

  test('in .env.example, each with a comment above it, and nothing the code does not read', () => {
    for (const name of readByCode) {
      const index = exampleLines.findIndex((line) => line.startsWith(`${name}=`));
      expect(index, `${name} missing from .env.example`).toBeGreaterThan(0);
      const above = exampleLines.slice(0, index).reverse().find((line) => !/^[A-Z0-9_]+=/.test(line));
      expect(above, `${name} needs a comment above it`).toMatch(/^#/);
    }
    expect(exampleNames.filter((name) => !readByCode.includes(name)), 'in .env.example but read by nothing').toEqual([]);
  });

  test("in the README's configuration table, and nothing the code does not read", () => {
    const documented = readmeTableNames();
    expect(readByCode.filter((name) => !documented.includes(name)), "missing from the README's configuration table").toEqual([]);
    expect(documented.filter((name) => !readByCode.includes(name)), 'in the README table but read by nothing').toEqual([]);
  });

  test('the variables of a SCIM instance, by their pattern: described in .env.example and a row each in the README table', () => {
    const rows = readmeTableRows();
    for (const name of SCIM_VARIABLES) {
      expect(exampleLines.some((line) => line.startsWith(`# ${name}: `)), `${name} described in .env.example`).toBe(true);
      expect(rows.some((row) => row.startsWith(`| \`${name}\` |`)), `${name} in the README table`).toBe(true);
    }
  });
});
