import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { WEB_API_TYPES, webApiTypes } from './apiTypes.ts';

const WEB_SRC = path.resolve(import.meta.dirname, '../../web/src');

/** Every `any` written as a type in the web app's own code (the generated types excluded). */
function explicitAnys(): string[] {
  const found: string[] = [];
  for (const rel of fs.readdirSync(WEB_SRC, { recursive: true }).map(String)) {
    const file = path.join(WEB_SRC, rel);
    if (!/\.tsx?$/.test(rel) || file === WEB_API_TYPES) continue;
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, rel.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const visit = (node: ts.Node) => {
      if (node.kind === ts.SyntaxKind.AnyKeyword) found.push(`${rel}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
      node.forEachChild(visit);
    };
    visit(source);
  }
  return found;
}

describe('the web app’s API types', () => {
  it('match the OpenAPI document the server publishes (run npm run api:types after changing a route)', async () => {
    expect(fs.readFileSync(WEB_API_TYPES, 'utf8') === (await webApiTypes()), 'web/src/api/schema.d.ts is out of date: run npm run api:types').toBe(true);
  }, 60_000);

  it('are used: the web app writes no `any`', () => {
    expect(explicitAnys()).toEqual([]);
  });
});
