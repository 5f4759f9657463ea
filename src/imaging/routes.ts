import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { MultipartParseError, parseMultipartStream } from '@remix-run/multipart-parser/node';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.ts';
import { requestMeta } from '../core/http.ts';
import { DicomRejected, NATIVE_SYNTAXES, type DicomJson } from './part10.ts';
import { readFrames, renderFrame, type RenderOptions } from './frames.ts';
import type { QidoLevel } from './qido.ts';
import type { ImagingService, InstanceRow, Scope, StoreOutcome } from './service.ts';

/**
 * DICOMweb (PS3.18) under /dicomweb: STOW-RS, QIDO-RS and WADO-RS. Two bases serve the same
 * resources: `/dicomweb` covers every case the caller may see, and `/dicomweb/cases/{caseId}`
 * one case (and is where studies are stored, since an instance must land on a case). Sign-in is
 * the session cookie or `Authorization: Bearer <session token>`.
 */

const UID = '([0-9.]{1,64})';
type Params = { caseId?: string; studyUid?: string; seriesUid?: string; sopInstanceUid?: string; frames?: string };

const scopeOf = (p: Params): Scope => ({ caseId: p.caseId ?? null });

/** Retrieve URLs are built from PUBLIC_URL, never from the request's Host or forwarded headers. */
function baseUrl(publicUrl: string, p: Params) {
  return `${publicUrl}/dicomweb${p.caseId ? `/cases/${p.caseId}` : ''}`;
}

const attr = (vr: string, ...Value: unknown[]) => ({ vr, Value });

/** The STOW-RS response body (PS3.18 Table 10.5.3-1). */
function stowResponse(outcomes: StoreOutcome[], base: string): DicomJson {
  const ok = outcomes.filter((o) => o.ok);
  const failed = outcomes.filter((o) => !o.ok);
  const body: DicomJson = {};
  const studies = new Set(ok.map((o) => o.studyUid));
  if (studies.size === 1) body['00081190'] = attr('UR', `${base}/studies/${[...studies][0]}`);
  if (ok.length) {
    body['00081199'] = attr('SQ', ...ok.map((o) => ({
      '00081150': attr('UI', o.sopClassUid), '00081155': attr('UI', o.sopInstanceUid),
      '00081190': attr('UR', `${base}/studies/${o.studyUid}/series/${o.seriesUid}/instances/${o.sopInstanceUid}`),
      ...(o.duplicate ? { '00081196': attr('US', 0xb000) } : {}),
    })));
  }
  if (failed.length) {
    body['00081198'] = attr('SQ', ...failed.map((o) => ({
      ...(o.sopClassUid ? { '00081150': attr('UI', o.sopClassUid) } : {}),
      ...(o.sopInstanceUid ? { '00081155': attr('UI', o.sopInstanceUid) } : {}),
      '00081197': attr('US', o.reason ?? 0xc000),
      '00000902': attr('LO', (o.message ?? 'refused').slice(0, 64)),
      // The full explanation, for people: LO is limited to 64 characters.
      '00404010': attr('LT', o.message ?? 'refused'),
    })));
  }
  return body;
}

/** Which multipart media types a WADO client accepts ("*" and missing mean anything). */
function accepts(req: FastifyRequest, wanted: string[]): string | null {
  const header = String(req.headers.accept ?? '*/*');
  for (const raw of header.split(',')) {
    const v = raw.trim().toLowerCase();
    if (!v || v.startsWith('*/*')) return wanted[0]!;
    for (const w of wanted) if (v.startsWith(w)) return w;
    if (v.startsWith('multipart/related')) {
      const type = /type="?([^";]+)"?/.exec(v)?.[1];
      if (!type || type === '*/*') return wanted[0]!;
      for (const w of wanted) if (w === `multipart/related; type=${type}`) return w;
    }
  }
  return null;
}

/** The transfer syntax a client asked for; null when any is fine ("*" or none). */
function requestedSyntax(req: FastifyRequest): string | null {
  const m = /transfer-syntax=([0-9.*]+)/i.exec(String(req.headers.accept ?? ''));
  return m && m[1] !== '*' ? m[1]! : null;
}

function multipart(reply: FastifyReply, type: string, parts: AsyncIterable<{ contentType: string; location?: string; body: Readable | Uint8Array }>) {
  const boundary = crypto.randomUUID();
  async function* body() {
    for await (const part of parts) {
      yield Buffer.from(`--${boundary}\r\nContent-Type: ${part.contentType}\r\n${part.location ? `Content-Location: ${part.location}\r\n` : ''}\r\n`);
      if (part.body instanceof Uint8Array) yield part.body;
      else for await (const chunk of part.body) yield chunk as Buffer;
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  // A few parts buffered, not Readable.from's sixteen: a part may be a large instance.
  return reply.type(`multipart/related; type="${type}"; boundary=${boundary}`).send(Readable.from(body(), { highWaterMark: 3 }));
}

function parseRenderOptions(req: FastifyRequest): RenderOptions {
  // A parameter given twice arrives as a list: the last one counts, as for QIDO.
  const raw = req.query as Record<string, string | string[] | undefined>;
  const last = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);
  const q = { window: last(raw.window), viewport: last(raw.viewport), quality: last(raw.quality) };
  const accept = String(req.headers.accept ?? '');
  const format: RenderOptions['format'] = /image\/png/.test(accept) && !/image\/jpeg/.test(accept.split('image/png')[0] ?? '') ? 'png' : 'jpeg';
  const opts: RenderOptions = { format };
  if (q.window) {
    const [c, w] = q.window.split(',').map(Number);
    if (!Number.isFinite(c) || !Number.isFinite(w) || w! <= 0) throw new AppError('VALIDATION_FAILED', '“window” must be centre,width[,function] with a positive width.');
    opts.window = { center: c!, width: w! };
  }
  if (q.viewport) {
    const [w, h] = q.viewport.split(',').map(Number);
    if (!Number.isInteger(w) || !Number.isInteger(h) || w! < 1 || h! < 1 || w! > 4096 || h! > 4096) throw new AppError('VALIDATION_FAILED', '“viewport” must be width,height in pixels (1–4096).');
    opts.viewport = { width: w!, height: h! };
  }
  if (q.quality) opts.quality = Math.min(100, Math.max(1, Number(q.quality) || 90));
  return opts;
}

const frameContentType = (ts: string) => (NATIVE_SYNTAXES.has(ts) ? 'application/octet-stream' : `application/octet-stream; transfer-syntax=${ts}`);

export function imagingDicomwebRoutes(imaging: ImagingService, opts: { maxInstanceBytes: number; maxRequestBytes: number; publicUrl: () => string }) {
  return async (app: FastifyInstance) => {
    // STOW bodies are streamed part by part; Fastify must not buffer them.
    app.addContentTypeParser(/^multipart\/related/i, (_req, payload, done) => done(null, payload));

    for (const base of ['', '/cases/:caseId']) {
      app.post(`${base}/studies`, { config: { access: { case: 'case.records.write' } }, schema: { hide: true } }, (req, reply) => stow(req, reply));
      app.post(`${base}/studies/:studyUid${UID}`, { config: { access: { case: 'case.records.write' } }, schema: { hide: true } }, (req, reply) => stow(req, reply));

      app.get(`${base}/studies`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => search(req, reply, 'study'));
      app.get(`${base}/series`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => search(req, reply, 'series'));
      app.get(`${base}/instances`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => search(req, reply, 'instance'));
      app.get(`${base}/studies/:studyUid${UID}/series`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => search(req, reply, 'series'));
      app.get(`${base}/studies/:studyUid${UID}/instances`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => search(req, reply, 'instance'));
      app.get(`${base}/studies/:studyUid${UID}/series/:seriesUid${UID}/instances`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => search(req, reply, 'instance'));

      app.get(`${base}/studies/:studyUid${UID}`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => retrieve(req, reply));
      app.get(`${base}/studies/:studyUid${UID}/series/:seriesUid${UID}`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => retrieve(req, reply));
      app.get(`${base}/studies/:studyUid${UID}/series/:seriesUid${UID}/instances/:sopInstanceUid${UID}`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => retrieve(req, reply));

      app.get(`${base}/studies/:studyUid${UID}/metadata`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => metadata(req, reply));
      app.get(`${base}/studies/:studyUid${UID}/series/:seriesUid${UID}/metadata`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => metadata(req, reply));
      app.get(`${base}/studies/:studyUid${UID}/series/:seriesUid${UID}/instances/:sopInstanceUid${UID}/metadata`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => metadata(req, reply));

      app.get(`${base}/studies/:studyUid${UID}/series/:seriesUid${UID}/instances/:sopInstanceUid${UID}/frames/:frames`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => frames(req, reply));
      app.get(`${base}/studies/:studyUid${UID}/series/:seriesUid${UID}/instances/:sopInstanceUid${UID}/rendered`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => rendered(req, reply, false));
      app.get(`${base}/studies/:studyUid${UID}/series/:seriesUid${UID}/instances/:sopInstanceUid${UID}/frames/:frames/rendered`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => rendered(req, reply, false));
      app.get(`${base}/studies/:studyUid${UID}/series/:seriesUid${UID}/instances/:sopInstanceUid${UID}/thumbnail`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => rendered(req, reply, true));
      app.get(`${base}/studies/:studyUid${UID}/series/:seriesUid${UID}/thumbnail`, { config: { access: { case: 'case.records.read' } }, schema: { hide: true } }, (req, reply) => rendered(req, reply, true));
    }

    async function stow(req: FastifyRequest, reply: FastifyReply) {
      const actor = req.actor;
      const p = req.params as Params;
      if (!p.caseId) throw new AppError('VALIDATION_FAILED', 'Images are stored on a case: send them to /dicomweb/cases/{caseId}/studies.');
      const contentType = String(req.headers['content-type'] ?? '');
      const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
      if (!/^multipart\/related/i.test(contentType) || !boundary) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'STOW-RS takes multipart/related; type="application/dicom" with a boundary.');
      const stream = Readable.from(skipPreamble(req.body as Readable, boundary));
      const parts = (async function* () {
        try {
          for await (const part of parseMultipartStream(stream, { boundary, maxFileSize: opts.maxInstanceBytes, maxParts: 100_000, maxTotalSize: opts.maxRequestBytes, maxHeaderSize: 8 * 1024 })) {
            yield { bytes: part.bytes, contentType: part.headers['content-type'] ?? null };
          }
        } catch (err) {
          if (err instanceof MultipartParseError) throw new AppError(/size|exceed/i.test(err.message) ? 'PAYLOAD_TOO_LARGE' : 'MALFORMED_BODY', `The multipart body could not be read: ${err.message}`);
          throw err;
        }
      })();
      const outcomes = await imaging.stow(actor, requestMeta(req), p.caseId, parts);
      if (p.studyUid) {
        // Storing to a named study: instances of other studies are refused (PS3.18 10.5.1).
        for (const o of outcomes) if (o.ok && o.studyUid !== p.studyUid) Object.assign(o, { ok: false, reason: 0xa900, message: 'The instance belongs to another study than the one in the URL.' });
      }
      const failed = outcomes.filter((o) => !o.ok).length;
      const status = outcomes.length === 0 ? 400 : failed === 0 ? 200 : failed === outcomes.length ? 409 : 202;
      return reply.code(status).type('application/dicom+json').send(stowResponse(outcomes, baseUrl(opts.publicUrl(), p)));
    }

    async function search(req: FastifyRequest, reply: FastifyReply, level: QidoLevel) {
      const actor = req.actor;
      const p = req.params as Params;
      const { answer, warnings } = await imaging.search(actor, requestMeta(req), scopeOf(p), level, { studyUid: p.studyUid, seriesUid: p.seriesUid }, req.query as Record<string, string>, baseUrl(opts.publicUrl(), p));
      if (warnings.length) reply.header('warning', warnings.join(', '));
      return reply.type('application/dicom+json').send(answer);
    }

    async function instancesFor(req: FastifyRequest) {
      const p = req.params as Params;
      const rows = await imaging.instances(req.actor, requestMeta(req), scopeOf(p), { studyUid: p.studyUid!, seriesUid: p.seriesUid, sopInstanceUid: p.sopInstanceUid });
      return { rows, p };
    }

    async function retrieve(req: FastifyRequest, reply: FastifyReply) {
      const type = accepts(req, ['multipart/related; type=application/dicom']);
      if (!type) throw new AppError('NOT_ACCEPTABLE', 'Instances are sent as multipart/related; type="application/dicom".');
      const { rows, p } = await instancesFor(req);
      const ts = requestedSyntax(req);
      if (ts && rows.some((r) => r.transfer_syntax !== ts)) {
        throw new AppError('NOT_ACCEPTABLE', 'Images are served in the transfer syntax they were received in; ask for transfer-syntax=* or that syntax.');
      }
      const base = baseUrl(opts.publicUrl(), p);
      return multipart(reply, 'application/dicom', (async function* () {
        let k = 0;
        for await (const bytes of imaging.readMany(rows)) {
          const r = rows[k++]!;
          yield { contentType: `application/dicom; transfer-syntax=${r.transfer_syntax}`, location: `${base}/studies/${r.study_uid}/series/${r.series_uid}/instances/${r.sop_instance_uid}`, body: bytes };
        }
      })());
    }

    async function metadata(req: FastifyRequest, reply: FastifyReply) {
      const p = req.params as Params;
      const rows = await imaging.instances(req.actor, requestMeta(req), scopeOf(p), { studyUid: p.studyUid!, seriesUid: p.seriesUid, sopInstanceUid: p.sopInstanceUid }, { metadata: true });
      const base = baseUrl(opts.publicUrl(), p);
      const body = rows.map((r) => ({
        ...r.metadata,
        '7FE00010': { vr: r.metadata['00280100']?.Value?.[0] === 8 ? 'OB' : 'OW', BulkDataURI: `${base}/studies/${r.study_uid}/series/${r.series_uid}/instances/${r.sop_instance_uid}/frames/1` },
      }));
      return reply.type('application/dicom+json').send(body);
    }

    function frameNumbers(raw: string | undefined): number[] {
      const nums = (raw ?? '').split(',').map((s) => Number(s.trim()));
      if (!nums.length || nums.some((n) => !Number.isInteger(n) || n < 1) || nums.length > 10_000) throw new AppError('VALIDATION_FAILED', 'Frames are listed as positive whole numbers separated by commas.');
      return nums;
    }

    async function frames(req: FastifyRequest, reply: FastifyReply) {
      const numbers = frameNumbers((req.params as Params).frames);
      const { rows } = await instancesFor(req);
      const row: InstanceRow = rows[0]!;
      const bytes = await imaging.read(row);
      const { frames: list, source } = withPlainErrors(() => readFrames(bytes, numbers, imaging.limits));
      const type = frameContentType(source.transferSyntax || row.transfer_syntax);
      return multipart(reply, 'application/octet-stream', (async function* () {
        for (const f of list) yield { contentType: type, body: f };
      })());
    }

    async function rendered(req: FastifyRequest, reply: FastifyReply, thumbnail: boolean) {
      req.actor;
      const opts = parseRenderOptions(req);
      if (thumbnail) opts.viewport ??= { width: 128, height: 128 };
      const p = req.params as Params;
      const { rows } = await instancesFor(req);
      const row = rows[Math.floor((rows.length - 1) / 2)]!;
      const frame = p.frames ? frameNumbers(p.frames)[0]! : thumbnail ? Math.ceil(row.number_of_frames / 2) : 1;
      const bytes = await imaging.read(row);
      const image = withPlainErrors(() => renderFrame(bytes, frame, opts, imaging.limits));
      return reply.type(opts.format === 'png' ? 'image/png' : 'image/jpeg').send(image);
    }
  };
}

/**
 * Drops a multipart preamble (RFC 2046 §5.1.1): some clients start the body with CRLF before
 * the first boundary, which the parser would refuse.
 */
async function* skipPreamble(body: Readable, boundary: string): AsyncGenerator<Buffer> {
  const marker = Buffer.from(`--${boundary}`);
  let head = Buffer.alloc(0);
  let found = false;
  for await (const chunk of body) {
    if (found) {
      yield chunk as Buffer;
      continue;
    }
    head = Buffer.concat([head, chunk as Buffer]);
    const at = head.indexOf(marker);
    if (at >= 0) {
      found = true;
      yield head.subarray(at);
    } else if (head.length > 64 * 1024) {
      throw new AppError('MALFORMED_BODY', 'The multipart body does not contain its boundary.');
    }
  }
  if (!found && head.length) yield head;
}

function withPlainErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DicomRejected) throw new AppError(/compressed/.test(err.message) ? 'NOT_ACCEPTABLE' : 'VALIDATION_FAILED', err.message);
    throw err;
  }
}
