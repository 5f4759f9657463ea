import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyCookie from '@fastify/cookie';
import fastifyWebsocket from '@fastify/websocket';
import { problemIn } from './core/problemLanguage.ts';
import { negotiateLocale } from './core/locale.ts';
import { WEBSOCKET_MAX_MESSAGE_BYTES } from './core/realtime.ts';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { authPlugin } from './core/auth/plugin.ts';
import type { Config } from './core/config.ts';
import type { Db } from './core/db.ts';
import type { Deps } from './core/deps.ts';
import { AppError, msg, problem, type ProblemDetails } from './core/errors.ts';
import { loadMasterKeys } from './core/blobs.ts';
import { capabilities } from './capabilities.ts';
import { drainUntilSettled, startJobWorker } from './core/jobs.ts';
import { closeIfBodyUnread } from './core/http.ts';
import { startAuditSealer } from './core/audit.ts';
import { jobTable } from './jobs.ts';
import { CSP_NONCE_PLACEHOLDER, isApi, isFhir, securityPlugin } from './core/security.ts';
import { secretBox } from './core/secrets.ts';
import { describeAccess, routeAccessPlugin, type RouteAccess } from './core/routeAccess.ts';
import { migrationsCurrent } from './core/migrate.ts';
import { webPages } from './core/webPage.ts';
import { operationOutcomeFor } from './fhir/routes.ts';

/** Maps any error to problem details: our AppErrors, schema failures and Fastify's own. */
function toProblem(err: FastifyError | AppError, req: FastifyRequest): ProblemDetails {
  const instance = req.url.split('?')[0];
  if (err instanceof AppError) return problem(err.code, err.message, err.extra, instance);
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors = err.validation.map((v) => ({ path: `/${err.validationContext ?? ''}${v.instancePath}`, message: v.message ?? 'is not valid' }));
    return problem('VALIDATION_FAILED', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors }, instance);
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return problem('PAYLOAD_TOO_LARGE', 'The request body is larger than this server accepts.', {}, instance);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return problem('UNSUPPORTED_MEDIA_TYPE', 'Send JSON (Content-Type: application/json).', {}, instance);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return problem('MALFORMED_BODY', 'The body is empty; send a JSON object.', {}, instance);
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return problem('MALFORMED_BODY', 'The body is not valid JSON.', {}, instance);
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return problem('MALFORMED_BODY', 'The body is not valid JSON.', {}, instance);
  if (err.statusCode === 404) return problem('NOT_FOUND', undefined, {}, instance);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return problem('VALIDATION_FAILED', err.message, {}, instance);
  return problem('INTERNAL', 'The error was logged. Please try again.', {}, instance);
}

/** Where an answer failed its response schema: paths and codes only, never the values (health data). */
function schemaIssuesOf(err: unknown): { issues?: { path: string; code: string }[] } {
  const issues = (err as { cause?: { issues?: { path: PropertyKey[]; code: string }[] } }).cause?.issues;
  return Array.isArray(issues) ? { issues: issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), code: i.code })) } : {};
}

/** Keeps a 4xx Fastify chose (405, 406, 413, 414, 415) instead of folding it into 400. */
function statusOf(err: FastifyError, fallback: number): number {
  const s = err.statusCode;
  return s && s >= 400 && s < 500 ? s : fallback;
}

/** The built web app's files: their names carry a hash of their content. */
const ASSETS_PREFIX = '/assets/';
const isAsset = (req: FastifyRequest) => req.url.startsWith(ASSETS_PREFIX);

function sendError(reply: FastifyReply, req: FastifyRequest, english: ProblemDetails) {
  const locale = negotiateLocale(req.headers['accept-language']);
  const p = problemIn(english, locale);
  if (p !== english) reply.header('content-language', locale);
  if (typeof p.retryAfterSeconds === 'number') reply.header('retry-after', String(p.retryAfterSeconds));
  if (isFhir(req)) return reply.code(p.status).type('application/fhir+json').send(operationOutcomeFor(p));
  return reply.code(p.status).type('application/problem+json').send(p);
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Runs every due background job now (tests and the CLI; the worker polls otherwise). */
    jobs: { drain: () => Promise<number> };
  }
}

/** Builds the whole application, one plugin per capability, in the order they depend on. */
export async function buildApp(opts: { config: Config; db: Db; now?: () => Date }): Promise<FastifyInstance> {
  const { config, db } = opts;
  const deps: Deps = { config, db, now: opts.now ?? (() => new Date()) };
  const hasWeb = fs.existsSync(path.join(config.webDist, 'index.html'));
  const app = Fastify({
    bodyLimit: config.bodyLimit,
    // Shut down promptly: a finished streamed download can leave its keep-alive connection
    // looking busy. Cutting connections is safe: writes are transactional, uploads resume.
    forceCloseConnections: true,
    // Errors Fastify meets before routing (a malformed URL, a parameter too long) are problems too.
    frameworkErrors: (err, req, reply) => {
      const p = toProblem(err as FastifyError, req as FastifyRequest);
      return sendError(reply as FastifyReply, req as FastifyRequest, { ...p, status: statusOf(err as FastifyError, p.status) });
    },
    // Requests Node refuses before Fastify sees them (headers too large, a broken request line).
    clientErrorHandler: (err, socket) => {
      if (!socket.writable) return socket.destroy();
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const p = { ...problem('MALFORMED_BODY', status === 431 ? 'The request line or headers are too large.' : 'The request could not be read.'), status };
      const raw = (err as { rawPacket?: unknown }).rawPacket;
      const fhir = Buffer.isBuffer(raw) && /^[A-Z]+ \/fhir\//.test(raw.subarray(0, 64).toString('latin1'));
      const body = JSON.stringify(fhir ? operationOutcomeFor(p) : p);
      socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: ${fhir ? 'application/fhir+json' : 'application/problem+json'}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    },
    // Only the configured reverse proxies may say who the client is; by default nobody can.
    trustProxy: config.trustedProxies.length ? config.trustedProxies : false,
    logger: config.logLevel === 'silent' ? false : {
      level: config.logLevel,
      // Never log URLs with their query strings, bodies or cookies: they can carry health data.
      serializers: {
        req: (req) => ({ method: req.method, route: req.routeOptions?.url ?? 'unmatched', id: req.id }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(fastifyCookie);
  // Before every other hook: it marks an upgrade request first, so one refused by a later hook
  // (401, 403) still has its socket closed after the answer.
  await app.register(fastifyWebsocket, {
    options: { maxPayload: WEBSOCKET_MAX_MESSAGE_BYTES },
    // On shutdown live pages end at once (they reconnect to another server by themselves); a
    // polite close would wait for every peer's answer, however slow.
    preClose(this: FastifyInstance, done) {
      for (const client of this.websocketServer.clients) client.terminate();
      this.websocketServer.close(() => done());
    },
  });
  await app.register(fastifyRateLimit, { global: false, errorResponseBuilder: (_req, ctx) => new AppError('TOO_MANY_REQUESTS', msg`Too many requests. Please wait ${Math.ceil(ctx.ttl / 1000)} seconds and try again.`) });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Consilium API', version: '0.1.0', description: 'Remote medical second opinions. Errors are RFC 9457 problem details (application/problem+json).' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'consilium_session' } } },
      security: [{ session: [] }],
    },
    // Each operation carries the access its route declares (x-access), so the access-matrix
    // test and API clients can read who may call it.
    transform: (input) => {
      const out = jsonSchemaTransform(input);
      const access = (input.route.config as { access?: RouteAccess } | undefined)?.access;
      return access ? { ...out, schema: { ...out.schema, 'x-access': describeAccess(access) } } : out;
    },
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(securityPlugin, { config });
  await app.register(authPlugin, { db, config, now: deps.now });
  await app.register(routeAccessPlugin);

  app.addHook('onSend', async (req, reply) => {
    if (isApi(req) || isFhir(req)) reply.header('cache-control', 'no-store');
    closeIfBodyUnread(req.raw, reply.raw);
  });

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    const mapped = toProblem(err, req);
    const p = err instanceof AppError || hasZodFastifySchemaValidationErrors(err) ? mapped : { ...mapped, status: statusOf(err, mapped.status) };
    if (p.status >= 500) req.log.error({ err: { message: err.message, stack: err.stack, ...schemaIssuesOf(err) } }, 'request failed');
    return sendError(reply, req, p);
  });
  app.setNotFoundHandler((req, reply) => {
    // A missing asset is a 404, not the page: a tab opened before an upgrade asks for a page's
    // old file, and must learn it is gone (it then reloads) rather than get HTML as a script.
    if (isApi(req) || isFhir(req) || isAsset(req) || req.method !== 'GET' || !hasWeb) return sendError(reply, req, problem('NOT_FOUND', 'There is nothing at this address.', {}, req.url.split('?')[0]));
    return sendIndex(req, reply);
  });
  // The page is sent in the asked-for language, with this response's nonce for the inline styles the CSP allows.
  const pages = webPages(hasWeb ? fs.readFileSync(path.join(config.webDist, 'index.html'), 'utf8') : '');
  const sendIndex = (req: FastifyRequest, reply: FastifyReply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('vary', 'Accept-Language')
    .send(pages[negotiateLocale(req.headers['accept-language'])].replaceAll(CSP_NONCE_PLACEHOLDER, reply.styleNonce));

  app.get('/healthz', { config: { access: 'public' }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { access: 'public' }, schema: { hide: true } }, async (_req, reply) => {
    try {
      await db.query('SELECT 1');
      if (!(await migrationsCurrent(db))) return reply.code(503).send({ status: 'migrations pending' });
      return { status: 'ready', database: db.kind };
    } catch {
      return reply.code(503).send({ status: 'database unreachable' });
    }
  });

  const masterKeys = loadMasterKeys(config.blobKeys, config.dataDir, config.env === 'production');
  const modules = await capabilities({ ...deps, secrets: secretBox(masterKeys), masterKeys });
  const jobHandlers = jobTable(modules.map((m) => m.jobs ?? {}));
  for (const m of modules) if (m.startupNote) app.log.info({ capability: m.name }, m.startupNote);
  app.decorate('jobs', { drain: () => drainUntilSettled(db, jobHandlers, app.log, config.instanceName) });
  if (config.jobsPollMs > 0) {
    const stopJobs = startJobWorker(db, jobHandlers, app.log, config.jobsPollMs, config.instanceName);
    app.log.info({ instance: config.instanceName }, 'background jobs and audit sealing run on this instance');
    const stopSealer = startAuditSealer(db, (err) => app.log.error({ err: err.message }, 'audit sealer failed'), config.jobsPollMs);
    app.addHook('onClose', async () => {
      await stopJobs();
      await stopSealer();
    });
  }
  for (const m of modules) {
    for (const r of m.routes) await app.register(r.plugin, { prefix: r.prefix });
    if (m.onClose) app.addHook('onClose', m.onClose);
  }
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  if (hasWeb) {
    const assetsDir = path.join(config.webDist, ASSETS_PREFIX);
    await app.register(fastifyStatic, {
      root: config.webDist, wildcard: false, index: false, allowedPath: (p) => p !== '/index.html',
      // The build writes brotli and gzip copies beside each file (web/vite.config.ts): sent as
      // they are to a browser that accepts them, with Vary: Accept-Encoding.
      preCompressed: true,
      // A hashed file never changes under its name, so browsers keep it for a year without asking
      // again; anything else is checked each time. The page itself is never cached (sendIndex).
      setHeaders: (reply, filePath) => {
        reply.header('cache-control', filePath.startsWith(assetsDir) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    app.get('/', { schema: { hide: true } }, async (req, reply) => sendIndex(req, reply));
  }
  return app;
}
