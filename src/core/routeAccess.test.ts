import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { routeAccessPlugin } from './routeAccess.ts';

describe('route access declarations', () => {
  it('refuses to start with an API route that does not say who may call it', async () => {
    const app = Fastify();
    await app.register(routeAccessPlugin);
    expect(() => app.get('/api/forgotten', async () => ({ ok: true }))).toThrow(/declares no access/);
    app.get('/api/declared', { config: { access: 'public' } }, async () => ({ ok: true }));
    // Web assets are public files and need no declaration.
    app.get('/assets/app.js', async () => 'x');
    await app.ready();
    await app.close();
  });

  it('checks the declaration before the route runs: 401 without a session', async () => {
    const app = Fastify();
    app.decorateRequest('auth', null);
    await app.register(routeAccessPlugin);
    app.setErrorHandler((err: { status?: number }, _req, reply) => reply.code(err.status ?? 500).send({}));
    app.post('/api/private', { config: { access: 'signed-in' }, schema: { body: { type: 'object', required: ['x'] } } }, async () => ({ ok: true }));
    const res = await app.inject({ method: 'POST', url: '/api/private', payload: {} });
    expect(res.statusCode).toBe(401);
    await app.close();
  });
});
