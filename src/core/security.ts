import crypto from 'node:crypto';
import fp from 'fastify-plugin';
import helmet from 'helmet';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from './config.ts';
import { AppError, msg } from './errors.ts';

/**
 * The browser-facing defences, in one place: security headers (helmet with a strict
 * Content-Security-Policy), refusal of cross-site state-changing requests, and refusal of text
 * that no database or parser should ever see (NUL, lone surrogates, absurd nesting).
 */

/** The placeholder Vite writes into the built index.html (`html.cspNonce`), replaced per response. */
export const CSP_NONCE_PLACEHOLDER = '__CSP_NONCE__';

declare module 'fastify' {
  interface FastifyReply {
    /** A fresh nonce for this response's inline <style> elements (Mantine's theme variables). */
    styleNonce: string;
  }
}

const nonceOf = (res: ServerResponse) => (res as ServerResponse & { styleNonce?: string }).styleNonce ?? 'none';
const PERMISSIONS = 'camera=(self), microphone=(self), geolocation=(), payment=(), usb=()';

/** Addresses that answer data (API, DICOMweb, FHIR), never the page. */
export const isApi = (req: FastifyRequest) => req.url.startsWith('/api') || req.url.startsWith('/dicomweb');
export const isFhir = (req: FastifyRequest) => req.url.startsWith('/fhir/');

export const securityPlugin = fp(async (app: FastifyInstance, opts: { config: Config }) => {
  const { config } = opts;
  const production = config.env === 'production';
  // Built once, one for the page (a fresh nonce for its inline styles) and one for data answers,
  // which have no inline style to allow, so their policy is a fixed string: helmet's middleware
  // made per request parsed the whole policy for every slide tile.
  const securityHeaders = (styleSrc: (string | ((req: IncomingMessage, res: ServerResponse) => string))[]) => helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // The viewer compiles its image codecs from WebAssembly; nothing else is evaluated.
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        styleSrc,
        // Layout components set positions and sizes through style attributes.
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        // Our own documents (a PDF beside its text) are the only frames.
        frameSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  const pageHeaders = securityHeaders(["'self'", (_req, res) => `'nonce-${nonceOf(res)}'`]);
  const dataHeaders = securityHeaders(["'self'"]);
  app.decorateReply('styleNonce', '');
  app.addHook('onRequest', (req, reply, done) => {
    try {
      const data = isApi(req) || isFhir(req);
      if (!data) {
        reply.styleNonce = crypto.randomBytes(16).toString('base64');
        (reply.raw as ServerResponse & { styleNonce?: string }).styleNonce = reply.styleNonce;
      }
      (data ? dataHeaders : pageHeaders)(req.raw, reply.raw, (err?: unknown) => {
        if (err) throw err;
      });
      // Our own pages use the camera and microphone (video visits); no frame, and no other site, may.
      reply.header('permissions-policy', PERMISSIONS);
      // Headers first, so a refusal carries them too.
      refuseCrossSite(req, config);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
  // Fastify reads text/plain bodies by default; a foreign page can send those without a preflight.
  app.removeContentTypeParser('text/plain');
  app.addHook('preValidation', async (req) => refuseUnsafeText(req));
});

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * SameSite=Strict keeps the session cookie off cross-site requests in current browsers; this is
 * the second lock: a state-changing request that a browser marks as coming from another site, or
 * whose Origin is not ours, is refused before any handler runs. Clients outside a browser (DICOMweb
 * tools with a bearer token) send neither header and are not affected.
 */
export function refuseCrossSite(req: FastifyRequest, config: Config): void {
  if (SAFE_METHODS.has(req.method)) return;
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') {
    throw new AppError('FORBIDDEN', 'This request came from another website and was refused.');
  }
  const origin = req.headers.origin;
  if (typeof origin === 'string' && !ourOrigins(req, config).has(origin)) {
    throw new AppError('FORBIDDEN', 'This request came from another website and was refused.');
  }
}

export function ourOrigins(req: FastifyRequest, config: Config): Set<string> {
  const origins = new Set([new URL(config.publicUrl).origin]);
  // The address the browser itself connected to (the Host header a browser cannot forge).
  if (req.headers.host) origins.add(`${req.protocol}://${req.headers.host}`);
  return origins;
}

const MAX_DEPTH = 64;
// A NUL, or a UTF-16 surrogate without its partner: neither can be stored or printed faithfully.
const UNSAFE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Refuses, once for every route, request values no field of ours may hold. */
export function refuseUnsafeText(req: FastifyRequest): void {
  for (const [where, value] of [['path', req.params], ['query', req.query], ['body', req.body]] as const) {
    const problem = findUnsafeText(value);
    if (problem) throw new AppError('VALIDATION_FAILED', msg`The ${where} ${problem}.`);
  }
}

/** Whether a parsed value nests deeper than `max` (found without recursion, so any depth is safe). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length) {
    const { v, depth } = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) if (child && typeof child === 'object') stack.push({ v: child, depth: depth + 1 });
  }
  return false;
}

/** Walks a parsed value without recursion (it may be deeply nested on purpose). */
export function findUnsafeText(value: unknown): string | null {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length) {
    const { v, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSAFE_TEXT.test(v)) return 'contains characters that are not allowed (a NUL or a broken Unicode character)';
    } else if (v && typeof v === 'object') {
      if (depth >= MAX_DEPTH) return `is nested more than ${MAX_DEPTH} levels deep`;
      if (Buffer.isBuffer(v) || typeof (v as { pipe?: unknown }).pipe === 'function') continue;
      for (const [k, child] of Object.entries(v)) {
        if (UNSAFE_TEXT.test(k)) return 'has a field name with characters that are not allowed';
        stack.push({ v: child, depth: depth + 1 });
      }
    }
  }
  return null;
}
