import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, for tests that read its files (manifest.yml, README.md, .env.example). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export const readRepoFile = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every TypeScript file under src/, as its repository path (`src/…`). */
export const sourcePaths = () => tsFiles(join(repoRoot, 'src')).map((file) => file.slice(repoRoot.length));

/** Every TypeScript file under src/, as its repository path and its code without comments. */
export function sourceFiles(): { path: string; code: string }[] {
  return sourcePaths().map((path) => ({
    path,
    code: readRepoFile(path)
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, ''),
  }));
}
