import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * A folder of the calling test file's own under the system's temp folder, removed after its last
 * test: files a test writes (a policy file, a CLI's working directory) never outlive the run.
 * Call at the top of a test file.
 */
export function tempFiles(prefix: string): { dir: () => string; write: (name: string, text: string) => string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let made = 0;
  return {
    dir: () => mkdtempSync(join(root, `${(made += 1)}-`)),
    write: (name, text) => {
      const path = join(mkdtempSync(join(root, `${(made += 1)}-`)), name);
      writeFileSync(path, text);
      return path;
    },
  };
}
