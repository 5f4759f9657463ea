import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WEB_API_TYPES, webApiTypes } from './apiTypes.ts';

describe('the web app’s API types', () => {
  it('match the OpenAPI document the server publishes (run npm run api:types after changing a route)', async () => {
    expect(fs.readFileSync(WEB_API_TYPES, 'utf8') === (await webApiTypes()), 'web/src/api/schema.d.ts is out of date: run npm run api:types').toBe(true);
  }, 60_000);
});
