import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Server as TusServer, type Locker } from '@tus/server';
import { NodeRequest, sendNodeResponse } from 'srvx/node';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Db } from '../core/db.ts';
import { AppError, msg, problem, type ErrorCode } from '../core/errors.ts';
import { closeIfBodyUnread, errorResponses, PageQuery, pageOf, requestMeta } from '../core/http.ts';
import { findUnsafeText } from '../core/security.ts';
import { DOCUMENT_TYPE_IDS } from './classify.ts';
import type { RecordsService } from './service.ts';
import type { UploadStore } from './uploadStore.ts';

const Params = z.object({ id: z.uuid() });
const DocParams = z.object({ id: z.uuid(), documentId: z.uuid() });
const ItemParams = z.object({ id: z.uuid(), itemId: z.string().regex(/^[a-z0-9][a-z0-9_]{1,59}$/) });

const DocumentView = z.object({
  id: z.uuid(), caseId: z.uuid(), filename: z.string().nullable().describe('The file’s name; null on the patient’s side for a file someone else added'), relativePath: z.string().nullable(), size: z.number(), sha256: z.string(),
  contentType: z.string(), contentLabel: z.string(), category: z.string(), documentType: z.string().nullable(), documentTypeLabel: z.string(),
  typeConfidence: z.number().nullable(), typeEvidence: z.array(z.string()), typeSource: z.string().nullable(), status: z.string(), statusDetail: z.string().nullable(),
  testsReported: z.array(z.string()),
  flags: z.array(z.object({ kind: z.string(), message: z.string() })).describe('What a coordinator should check; for the patient’s side a patient_mismatch message names nobody (the staff’s quotes the name on the file)'),
  uploadedBy: z.string().nullable(), uploadedById: z.uuid(), createdAt: z.string(),
}).meta({ id: 'Document' });
const ClinicalEntry = z.object({
  id: z.uuid(), documentId: z.uuid(), kind: z.string(), code: z.string().nullable(), codeSystem: z.string().nullable(), display: z.string().nullable(),
  value: z.string().nullable(), unit: z.string().nullable(), effective: z.string().nullable(), status: z.string().nullable(),
}).meta({ id: 'ClinicalEntry' });
export const ChecklistView = z.object({
  items: z.array(z.object({
    id: z.string(), label: z.string(), from: z.string(), why: z.string(), gatheredBy: z.enum(['patient', 'service']).meta({ description: 'Who gathers it: the patient, or the service from doctors and hospitals' }),
    sources: z.array(z.string()), have: z.boolean(), documents: z.array(z.string()),
    waiver: z.object({ reason: z.string(), waivedBy: z.string(), waivedAt: z.string() }).nullable(),
  })),
  outstanding: z.array(z.string()),
  complete: z.boolean(),
}).meta({ id: 'RecordsChecklist' });

/** tus "Upload-Metadata": comma-separated "key base64value" pairs. */
export function parseUploadMetadata(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (header ?? '').split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (key) out[key] = value ? Buffer.from(value, 'base64').toString('utf8') : '';
  }
  return out;
}

/** tus protocol messages are short and fixed ("Upload-Offset conflict"): safe to pass on in plain words. */
function tusMessage(text: string, status: number): string {
  if (status === 412) return 'Send the Tus-Resumable: 1.0.0 header (this is a tus upload endpoint).';
  if (status === 413) return 'The file is larger than this server accepts.';
  if (/^[\w\s.,:'-]{1,120}$/.test(text)) return text;
  return 'The upload request is not valid.';
}

/**
 * The records API: resumable uploads (tus) under /api/uploads, and documents, checklist and
 * imported clinical data under each case. Every upload request is authorised before the tus
 * server sees it: creating one needs write access to the case, continuing one needs to be the
 * person who started it and to still have that access.
 */
export function recordsRoutes(opts: { records: RecordsService; db: Db; uploads: UploadStore; locker?: Locker; maxUploadBytes: number }) {
  const { records, db } = opts;
  const context = new WeakMap<IncomingMessage, { actor: Actor; meta: RequestMeta }>();
  const ctxOf = (req: { runtime?: { node?: { req: unknown } } }) => {
    const c = context.get(req.runtime?.node?.req as IncomingMessage);
    if (!c) throw { status_code: 401, body: JSON.stringify(problem('UNAUTHENTICATED')) };
    return c;
  };
  const failure = (err: unknown) => {
    if (err instanceof AppError) return { status_code: err.status, body: JSON.stringify(problem(err.code as ErrorCode, err.message, err.extra)) };
    throw err;
  };

  const tus = new TusServer({
    path: '/api/uploads',
    datastore: opts.uploads.datastore,
    // Unset: tus's own lock, which holds within this process only (see uploadLocks.ts).
    ...(opts.locker ? { locker: opts.locker } : {}),
    maxSize: opts.maxUploadBytes,
    // Upload URLs come from PUBLIC_URL: a client's Host or X-Forwarded-* never shapes them.
    respectForwardedHeaders: false,
    // A path, not a full address: the browser resumes on the host it came to (a server reached by
    // its IP address or through a proxy would otherwise send the rest of the upload elsewhere).
    generateUrl: (_req, { id }) => `/api/uploads/${id}`,
    allowedOrigins: () => false,
    namingFunction: () => crypto.randomBytes(16).toString('hex'),
    onUploadCreate: async (req, upload) => {
      const { actor } = ctxOf(req as never);
      const m = upload.metadata ?? {};
      await db.query('INSERT INTO uploads (id, case_id, user_id, filename, relative_path, declared_type, size) VALUES ($1,$2,$3,$4,$5,$6,$7)',
        [upload.id, m.caseId, actor.userId, (m.filename ?? m.name ?? 'file').slice(0, 255), m.relativePath?.slice(0, 1000) ?? null, m.filetype?.slice(0, 100) ?? null, upload.size ?? null]);
      return {};
    },
    onUploadFinish: async (req, upload) => {
      const { actor, meta } = ctxOf(req as never);
      const [u] = await db.query<{ case_id: string; filename: string; relative_path: string | null }>('SELECT case_id, filename, relative_path FROM uploads WHERE id = $1', [upload.id]);
      let copy: Awaited<ReturnType<UploadStore['received']>> | undefined;
      try {
        // Read from whichever store holds the upload (the bucket, when it may have come in through several instances).
        copy = await opts.uploads.received(upload.id);
        const result = await records.ingest(actor, meta, { caseId: u!.case_id, content: copy, filename: u!.filename, relativePath: u!.relative_path });
        await db.query(`UPDATE uploads SET document_id = $2, outcome = $3, finished_at = now() WHERE id = $1`, [upload.id, result.document.id, result.duplicate ? 'duplicate' : 'stored']);
        return { status_code: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };
      } catch (err) {
        await db.query(`UPDATE uploads SET outcome = $2, finished_at = now() WHERE id = $1`, [upload.id, `refused: ${String((err as Error).message).slice(0, 300)}`]);
        throw failure(err);
      } finally {
        // The upload's bytes now live (encrypted) in the blob store, or were refused.
        await copy?.release();
        await opts.uploads.discard(upload.id);
      }
    },
  });

  /** Who may touch which upload: checked before tus handles the request. */
  async function authorise(req: FastifyRequest, actor: Actor) {
    const method = req.method.toUpperCase();
    const id = req.url.split('?')[0]!.replace(/^\/api\/uploads\/?/, '');
    // tus treats every POST as a new upload, whatever the path: validate each one as such.
    if (method === 'POST') {
      if (id) throw new AppError('NOT_FOUND', 'Start a new upload at /api/uploads.');
      const m = parseUploadMetadata(req.headers['upload-metadata'] as string | undefined);
      if (findUnsafeText(m)) throw new AppError('VALIDATION_FAILED', 'The file name or another upload detail contains characters that are not allowed.');
      if (!m.caseId || !/^[0-9a-f-]{36}$/i.test(m.caseId)) throw new AppError('VALIDATION_FAILED', 'Say which case the file belongs to (Upload-Metadata caseId).');
      if (!m.filename && !m.name) throw new AppError('VALIDATION_FAILED', 'Give the file name (Upload-Metadata filename).');
      const length = Number(req.headers['upload-length']);
      if (Number.isFinite(length) && length > opts.maxUploadBytes) throw new AppError('PAYLOAD_TOO_LARGE', msg`Files may be at most ${Math.round(opts.maxUploadBytes / 1024 ** 2)} MB.`);
      if (length === 0) throw new AppError('VALIDATION_FAILED', 'The file is empty (0 bytes).');
      await records.authoriseUpload(actor, m.caseId, requestMeta(req));
      return;
    }
    if (!/^[0-9a-f]{32}$/.test(id)) throw new AppError('NOT_FOUND', 'There is no such upload.');
    // An upload is kept encrypted while it comes in; what was sent is read back as its document.
    if (method === 'GET') throw new AppError('NOT_FOUND', 'An upload cannot be downloaded; open its document once it is stored.');
    const [u] = await db.query<{ user_id: string; case_id: string }>('SELECT user_id, case_id FROM uploads WHERE id = $1', [id]);
    if (!u || u.user_id !== actor.userId) throw new AppError('NOT_FOUND', 'There is no such upload.');
    await records.authoriseUpload(actor, u.case_id, requestMeta(req));
  }

  return async function routes(fastify: FastifyInstance) {
    // The tus server reads the request body itself.
    fastify.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));
    const handleTus = async (req: FastifyRequest, reply: import('fastify').FastifyReply) => {
      if (req.method !== 'OPTIONS') {
        const actor = req.actor;
        await authorise(req, actor);
        context.set(req.raw, { actor, meta: requestMeta(req) });
      }
      reply.hijack();
      const response = await tus.handleWeb(new NodeRequest({ req: req.raw, res: reply.raw }));
      closeIfBodyUnread(req.raw, reply.raw); // as the app's onSend hook does; this route bypasses it
      await sendNodeResponse(reply.raw, response.status >= 400 ? await asProblem(response, req) : response);
    };

    /**
     * tus answers errors in plain text, and an unexpected one with its internal message: every
     * failure becomes problem details, and one the client did not cause is logged, not shown.
     */
    async function asProblem(response: Response, req: FastifyRequest): Promise<Response> {
      if (response.headers.get('content-type')?.includes('json')) return response;
      const text = (await response.text()).trim();
      const status = response.status;
      const headers = new Headers(response.headers);
      headers.set('content-type', 'application/problem+json');
      headers.delete('content-length');
      // Our own refusals (from the upload hooks) are problem details already.
      if (text.startsWith('{"type":"urn:consilium:problem:')) return new Response(text, { status, headers });
      const p = status >= 500
        ? problem('INTERNAL', 'The upload could not be stored. Please try again.')
        : problem(status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 404 || status === 410 ? 'NOT_FOUND' : status === 409 ? 'CONFLICT' : 'VALIDATION_FAILED', tusMessage(text, status));
      if (status >= 500) req.log.error({ upload: { status, message: text.slice(0, 200) } }, 'upload failed');
      else req.log.info({ upload: { status, code: p.code } }, 'upload refused');
      return new Response(JSON.stringify({ ...p, status }), { status, headers });
    }
    fastify.all('/api/uploads', { config: { access: { case: 'case.records.write' } }, schema: { hide: true } }, handleTus);
    fastify.all('/api/uploads/*', { config: { access: { case: 'case.records.write' } }, schema: { hide: true } }, handleTus);

    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['records'];
    app.get('/api/cases/:id/documents', {
      config: { access: { case: 'case.records.read' } },
      schema: { tags, summary: 'Documents on a case: filter by category or status, paged', params: Params, querystring: z.strictObject({ category: z.enum(['document', 'imaging', 'digital_slide', 'structured']).optional(), except: z.enum(['document', 'imaging', 'digital_slide', 'structured']).optional().meta({ description: 'Leave out one category (e.g. image files, shown as studies instead)' }), status: z.enum(['processing', 'ready', 'needs_review', 'failed']).optional(), ...PageQuery }), response: { 200: pageOf(DocumentView), ...errorResponses } },
    }, async (req) => records.listDocuments(req.actor, req.params.id, requestMeta(req), req.query));
    app.get('/api/cases/:id/documents/:documentId', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'One document', params: DocParams, response: { 200: DocumentView, ...errorResponses } } },
      async (req) => records.getDocument(req.actor, req.params.id, req.params.documentId, requestMeta(req)));
    app.get('/api/cases/:id/documents/:documentId/content', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'The document itself (decrypted, streamed); ?inline=true to show a PDF or image in the page', params: DocParams, querystring: z.strictObject({ inline: z.enum(['true', 'false']).optional() }) } }, async (req, reply) => {
      const c = await records.content(req.actor, req.params.id, req.params.documentId, requestMeta(req));
      const viewable = ['pdf', 'jpeg', 'png', 'text'].includes(c.contentType);
      if (req.query.inline === 'true' && viewable) {
        // Shown inside our own page (the review workspace), never framed by another site.
        reply.header('x-frame-options', 'SAMEORIGIN').header('content-security-policy', "frame-ancestors 'self'");
        return reply.type(c.contentType === 'pdf' ? 'application/pdf' : c.contentType === 'text' ? 'text/plain; charset=utf-8' : `image/${c.contentType}`).header('content-length', c.size)
          .header('content-disposition', `inline; filename="${c.filename.replace(/[^\w.\- ]/g, '_')}"`).send(c.stream);
      }
      const types: Record<string, string> = { pdf: 'application/pdf', dicom: 'application/dicom', zip: 'application/zip', jpeg: 'image/jpeg', png: 'image/png', tiff: 'image/tiff', fhir_json: 'application/fhir+json', ccda_xml: 'application/xml', text: 'text/plain; charset=utf-8', wsi: 'image/tiff' };
      // A MIRAX slide is kept as the zip of its .mrxs file and folder that was sent.
      const type = c.contentType === 'wsi' && c.filename.toLowerCase().endsWith('.zip') ? 'application/zip' : types[c.contentType];
      return reply.type(type ?? 'application/octet-stream').header('content-length', c.size)
        .header('content-disposition', `attachment; filename="${c.filename.replace(/[^\w.\- ]/g, '_')}"`).send(c.stream);
    });
    app.get('/api/cases/:id/documents/:documentId/text', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'The text read from a document (PDF text, imported or OCR)', params: DocParams, response: { 200: z.object({ text: z.string().nullable(), status: z.string() }), ...errorResponses } } },
      async (req) => records.documentText(req.actor, req.params.id, req.params.documentId, requestMeta(req)));
    app.patch('/api/cases/:id/documents/:documentId', { config: { access: { case: 'case.records.curate' } }, schema: { tags, summary: 'Correct the document type (coordinator)', params: DocParams, body: z.strictObject({ documentType: z.enum(DOCUMENT_TYPE_IDS as unknown as [string, ...string[]]) }), response: { 200: DocumentView, ...errorResponses } } },
      async (req) => records.correctType(req.actor, req.params.id, req.params.documentId, req.body.documentType, requestMeta(req)));
    app.get('/api/cases/:id/checklist', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'The records checklist: what is on file, missing or waived', params: Params, response: { 200: ChecklistView, ...errorResponses } } },
      async (req) => records.checklist(req.actor, req.params.id, requestMeta(req)));
    app.put('/api/cases/:id/checklist/:itemId/waiver', { config: { access: { case: 'case.records.curate' } }, schema: { tags, summary: 'Waive a checklist item, with a reason (coordinator)', params: ItemParams, body: z.strictObject({ reason: z.string().trim().min(5, 'Say why this record is not needed.').max(1000) }), response: { 200: ChecklistView, ...errorResponses } } },
      async (req) => records.waive(req.actor, req.params.id, req.params.itemId, req.body.reason, requestMeta(req)));
    app.delete('/api/cases/:id/checklist/:itemId/waiver', { config: { access: { case: 'case.records.curate' } }, schema: { tags, summary: 'Withdraw a waiver (coordinator)', params: ItemParams, response: { 200: ChecklistView, ...errorResponses } } },
      async (req) => records.unwaive(req.actor, req.params.id, req.params.itemId, requestMeta(req)));
    app.get('/api/cases/:id/clinical', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'Imported clinical data: conditions, labs, procedures, medications', params: Params, querystring: z.strictObject({ kind: z.enum(['condition', 'observation', 'diagnostic_report', 'procedure', 'medication', 'patient']).optional() }), response: { 200: z.array(ClinicalEntry), ...errorResponses } } },
      async (req) => records.clinical(req.actor, req.params.id, req.query.kind, requestMeta(req)));
  };
}
