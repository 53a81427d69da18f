import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { readRepoFile, sourcePaths } from '../support/sources.js';

/** A function longer than this, from its first line to its last, is read in pieces: split it. */
const MAX_LINES = 80;

interface LongFunction {
  file: string;
  line: number;
  name: string;
  lines: number;
}

/** What a function is called where it stands: its own name, or the name it is given (a variable, a property). */
function nameOf(node: ts.FunctionLikeDeclaration): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const name = node.name ?? (node.parent as { name?: ts.Node }).name;
  return name?.getText() ?? '(anonymous)';
}

/** Every function, method, accessor and arrow in `text` longer than MAX_LINES. */
function longFunctions(file: string, text: string): LongFunction[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (last - first + 1 > MAX_LINES) found.push({ file, line: first + 1, name: nameOf(node), lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe(`no function in src/ is over ${MAX_LINES} lines`, () => {
  const long = sourcePaths().flatMap((file) => longFunctions(file, readRepoFile(file)));

  test('none is: each names itself, where it stands', () => {
    expect(long.map((fn) => `${fn.file}:${fn.line} ${fn.name} (${fn.lines} lines)`)).toEqual([]);
  });

  test('a function is measured from its first line to its last, whatever its kind', () => {
    const body = Array.from({ length: MAX_LINES - 2 }, (_, i) => `  const a${i} = ${i};`).join('\n');
    const text = [
      `const fits = () => {\n${body}\n};`,
      `const over = async () => {\n${body}\n  return 0;\n};`,
      `class C {\n  method() {\n${body}\n  return 0;\n  }\n  field = () => {\n${body}\n  return 0;\n  };\n}`,
      `export function declared() {\n${body}\n  return 0;\n}`,
    ].join('\n');
    expect(longFunctions('f.ts', text).map((fn) => `${fn.name} ${fn.lines}`)).toEqual([
      `over ${MAX_LINES + 1}`,
      `method ${MAX_LINES + 1}`,
      `field ${MAX_LINES + 1}`,
      `declared ${MAX_LINES + 1}`,
    ]);
  });
});
