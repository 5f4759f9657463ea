import fc from 'fast-check';
import { createSession } from '../../src/core/auth/sessions.ts';
import { SESSION_COOKIE } from '../../src/core/auth/plugin.ts';
import { importFhirBundle } from '../../src/records/fhirImport.ts';
import { aCase, anIntake, aPatient, aStaff, command, waiveOutstanding, type Person } from '../support/builders.ts';
import { aDicomInstance, stowBody } from '../support/dicom.ts';
import { aPdf, PATHOLOGY_LINES, tusUpload } from '../support/records.ts';
import { startTestApp, type TestApp } from '../support/testApp.ts';
import { normalise, type FuzzTarget, type Verdict } from './harness.ts';
import { anyJson, applyBytes, applyTree, bytesInput, compact, compactText, HOSTILE_KEYS, hostileString, jsonText, nested, showBytes, treeOp, type BytesInput } from './mutate.ts';
import { fhirPairs, qidoPairs, queryString, type Pairs, type SearchParam } from './queries.ts';
import { arbitraryFor, hostileValue, type JsonSchema } from './schemaArb.ts';
import { dicomSeeds, fhirSeeds, pdfSeeds } from './seeds.ts';

/**
 * HTTP targets against the real application on a real port (127.0.0.1 only, one request at a
 * time). Routes come from the OpenAPI document the server publishes, so a route added later is
 * fuzzed without touching this file. The property: never a 5xx, errors as problem details (an
 * OperationOutcome under /fhir), an answer within the harness's time limit.
 */

const ACTORS = ['anonymous', 'patient', 'coordinator', 'expert', 'admin'] as const;
type ActorName = (typeof ACTORS)[number];
/** Anonymous requests stop at the sign-in check, so signed-in actors get most of the cases. */
const actor = fc.constantFrom<ActorName>('anonymous', 'patient', 'patient', 'coordinator', 'coordinator', 'expert', 'expert', 'admin');

export interface FuzzWorld {
  t: TestApp;
  people: Record<Exclude<ActorName, 'anonymous'>, Person>;
  cookies: Record<ActorName, string>;
  /** Real values by path-parameter name, so requests reach past the access checks. */
  known: Record<string, string[]>;
  caseIds: string[];
  patientIds: string[];
  study: { caseId: string; studyUid: string; seriesUid: string; sopInstanceUid: string };
  /** The patient's case that uploads and STOW go to: not offered to the other targets, which may cancel cases. */
  uploadCaseId: string;
  /** What the server logged for the last 5xx: the cause, which the response does not carry. */
  lastServerError: string | null;
  close: () => Promise<void>;
}

/** Starts the app, signs in one person per role, and builds cases they can reach. */
export async function startFuzzWorld(): Promise<FuzzWorld> {
  // Hostile PDFs are cut off after one second here, within the fuzz's hang limit (the server's default allows five, for busy machines).
  const t = await startTestApp({ PDF_READ_BASE_MS: '1000' });
  const patient = await aPatient(t, 'Fuzz Patient');
  const coordinator = await aStaff(t, 'coordinator');
  const expert = await aStaff(t, 'expert');
  const admin = await aStaff(t, 'admin');
  const draft = await aCase(t, patient, { intake: {} });
  const assigned = await aCase(t, patient, { submit: true });
  await command(coordinator, assigned, 'startRecordCollection');
  await waiveOutstanding(coordinator, assigned);
  await command(coordinator, assigned, 'markReadyForReview');
  await command(coordinator, assigned, 'assignExpert', { expertId: expert.id });
  const uploads = await aCase(t, patient, { intake: {} });

  const ids = { studyUid: '2.25.7001', seriesUid: '2.25.7002', sopInstanceUid: '2.25.7003' };
  const stow = stowBody([aDicomInstance({ ...ids, rows: 8, columns: 8 })]);
  const stored = await fetch(`${t.baseUrl}/dicomweb/cases/${assigned}/studies`, { method: 'POST', headers: { 'content-type': stow.contentType, cookie: patient.client.cookieHeader }, body: new Uint8Array(stow.body) });
  if (stored.status !== 200) throw new Error(`fuzz setup: STOW answered ${stored.status} ${await stored.text()}`);
  const upload = await tusUpload(patient.client, assigned, 'pathology.pdf', await aPdf(PATHOLOGY_LINES));
  const documentId: string | undefined = upload.body?.document?.id;
  const patientIds = await Promise.all([draft, assigned].map(async (id) => (await patient.client.get(`/api/cases/${id}`)).body.patientId as string));

  const world: FuzzWorld = {
    t, people: { patient, coordinator, expert, admin },
    cookies: { anonymous: '', patient: patient.client.cookieHeader, coordinator: coordinator.client.cookieHeader, expert: expert.client.cookieHeader, admin: admin.client.cookieHeader },
    known: {
      id: [draft, assigned], caseId: [draft, assigned], documentId: documentId ? [documentId] : [], studyUid: [ids.studyUid],
      userId: [expert.id], expertId: [expert.id], itemId: ['pathology_report'],
    },
    caseIds: [draft, assigned], patientIds, study: { caseId: assigned, ...ids }, uploadCaseId: uploads, lastServerError: null,
    close: () => t.close(),
  };
  // The app logs the cause of every 5xx; with logging off that logger is a no-op object we can
  // listen on, so a 500 is reported with its real cause rather than "Something went wrong".
  const log = t.app.log as unknown as { error: (...a: unknown[]) => void };
  log.error = (obj: unknown, msg?: unknown) => {
    const err = (obj as { err?: { message?: string } })?.err;
    world.lastServerError = String(err?.message ?? (typeof obj === 'string' ? obj : msg ?? ''));
  };
  return world;
}

interface Sent { status: number; contentType: string; text: string; location: string | null }

/** One request as an actor; after a 401 (a fuzzed logout, a reset MFA step) the actor gets a new session. */
async function send(w: FuzzWorld, actor: ActorName, method: string, url: string, init: { headers?: Record<string, string>; body?: string | Uint8Array } = {}): Promise<Sent> {
  w.lastServerError = null;
  const headers: Record<string, string> = { ...init.headers };
  if (w.cookies[actor]) headers.cookie = w.cookies[actor];
  const res = await fetch(`${w.t.baseUrl}${url}`, { method, headers, body: init.body as BodyInit | undefined, signal: AbortSignal.timeout(14_000), redirect: 'manual' });
  // An event stream stays open by design: its answer is judged by status and headers alone.
  const streaming = res.ok && (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
  const text = streaming ? (await res.body?.cancel(), '') : await res.text();
  if (res.status === 401 && actor !== 'anonymous') await renewSession(w, actor);
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, location: res.headers.get('location') };
}

/** A fresh session straight in the database: signing in again through the API would be slow and rate limited. */
async function renewSession(w: FuzzWorld, actor: Exclude<ActorName, 'anonymous'>) {
  const token = await createSession(w.t.db, w.people[actor].id, 'ok', { idleMs: w.t.config.sessionIdleMs, absoluteMs: w.t.config.sessionAbsoluteMs }, { ip: '127.0.0.1', userAgent: 'fuzz' }, w.t.now());
  w.cookies[actor] = `${SESSION_COOKIE}=${token}`;
}

/**
 * The property for one response: no 5xx; an error is problem details (an OperationOutcome under
 * /fhir). STOW-RS answers refusals in its own DICOM JSON (PS3.18 10.5.3), which is allowed there.
 */
export function judgeResponse(w: FuzzWorld, route: string, url: string, r: Sent, method = route.split(' ')[0]): Verdict | null {
  if (r.status >= 500) {
    const cause = w.lastServerError ?? r.text.slice(0, 160);
    return { kind: 'crash', key: `${route} → ${r.status} ${normalise(cause)}`, message: `${route} → ${r.status}: ${cause.split('\n')[0]!.slice(0, 200)}` };
  }
  if (r.status < 400) return null;
  const type = r.contentType.split(';')[0]!.trim();
  if (method === 'HEAD') return null; // A HEAD answer has no body to judge.
  if (/^POST \/dicomweb.*\/studies/.test(route) && type === 'application/dicom+json') return null;
  let body: { resourceType?: unknown; status?: unknown; title?: unknown } | undefined;
  try {
    body = JSON.parse(r.text);
  } catch {
    body = undefined;
  }
  const ok = url.startsWith('/fhir/')
    ? type === 'application/fhir+json' && body?.resourceType === 'OperationOutcome'
    : type === 'application/problem+json' && body?.status === r.status && typeof body?.title === 'string';
  if (ok) return null;
  // Grouped by what came back, not by route: one cause (a 431 before routing) shows up everywhere.
  const code = typeof (body as { code?: unknown } | undefined)?.code === 'string' ? (body as { code: string }).code : normalise(r.text.slice(0, 80));
  return { kind: 'contract', key: `${r.status} ${type || 'no content type'} ${code}`, message: `${route} → ${r.status} as ${r.contentType || 'no content type'}: ${compactText(r.text, 140)}` };
}

/** encodeURIComponent, but a lone surrogate goes out as the invalid UTF-8 a careless client sends. */
const encodePath = (s: string) => queryString([['', s]]).slice(1);

const pathJunk = fc.constantFrom('..', '%2e%2e', '.', '%00', 'a%2Fb', '%', '%zz', ' ', '-1', '0', '1e21', 'null', 'undefined', '__proto__', 'constructor', 'x'.repeat(5000));

// The OpenAPI target ------------------------------------------------------------------------------

interface Operation {
  key: string;
  method: string;
  template: string;
  pathParams: { name: string; schema: JsonSchema }[];
  queryParams: { name: string; schema: JsonSchema }[];
  body: JsonSchema | null;
}

type OpenApi = { paths: Record<string, Record<string, { parameters?: { in: string; name: string; schema?: JsonSchema }[]; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>; components?: { schemas?: Record<string, JsonSchema> } };

/** Every operation the server documents, read from GET /api/openapi.json. */
export async function operations(w: FuzzWorld): Promise<{ ops: Operation[]; doc: OpenApi }> {
  const doc = (await (await fetch(`${w.t.baseUrl}/api/openapi.json`)).json()) as OpenApi;
  const ops: Operation[] = [];
  for (const [template, byMethod] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(byMethod)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = op.parameters ?? [];
      ops.push({
        key: `${method.toUpperCase()} ${template}`, method: method.toUpperCase(), template,
        pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        body: op.requestBody ? op.requestBody.content?.['application/json']?.schema ?? {} : null,
      });
    }
  }
  return { ops, doc };
}

type Body = { contentType?: string; text: string };
type OpInput = { op: number; actor: ActorName; path: Record<string, string>; query: Pairs; body: Body | null };

function bodyArbitrary(schema: JsonSchema | null, method: string, resolve: (ref: string) => JsonSchema): fc.Arbitrary<Body | null> {
  const raw = fc.oneof(
    fc.constantFrom('', 'null', '[]', '{', '{"a":1,}', '"\\ud800"', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '1e999', '\u0000', '\ufeff{}'),
    nested.map((n) => n.text()),
  ).map((text) => ({ contentType: 'application/json', text }));
  const wrongType = fc.tuple(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/jsonx', 'application/merge-patch+json', ''), anyJson)
    .map(([contentType, v]) => ({ contentType: contentType || undefined, text: jsonText(v) }));
  if (!schema) {
    if (method === 'GET') return fc.constant(null);
    return fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: anyJson.map((v) => ({ contentType: 'application/json', text: jsonText(v) })) }, { weight: 1, arbitrary: raw });
  }
  const valid = arbitraryFor(schema, resolve).map((v) => ({ contentType: 'application/json', text: jsonText(v) }));
  return fc.oneof({ weight: 12, arbitrary: valid }, { weight: 2, arbitrary: raw }, { weight: 1, arbitrary: wrongType }, { weight: 1, arbitrary: fc.constant(null) });
}

function queryArbitrary(params: Operation['queryParams'], resolve: (ref: string) => JsonSchema): fc.Arbitrary<Pairs> {
  const asText = (v: unknown) => (typeof v === 'string' ? v : jsonText(v).replace(/^"|"$/g, ''));
  const declared = params.map((p) => fc.option(arbitraryFor(p.schema, resolve).map((v) => [[p.name, asText(v)]] as Pairs), { freq: 2 }));
  const extra = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.constantFrom(...params.map((p) => p.name), 'page')), fc.oneof(hostileString, fc.string({ maxLength: 6 }))), { maxLength: 2 });
  return fc.tuple(fc.tuple(...declared), fc.oneof({ weight: 6, arbitrary: fc.constant([] as Pairs) }, { weight: 1, arbitrary: extra }))
    .map(([d, e]) => [...d.filter((x): x is Pairs => x !== null).flat(), ...e]);
}

function pathArbitrary(p: Operation['pathParams'][number], w: FuzzWorld, resolve: (ref: string) => JsonSchema): fc.Arbitrary<string> {
  const known = w.known[p.name] ?? [];
  const fromSchema = arbitraryFor(p.schema, resolve, 1_000_000).map((v) => (typeof v === 'string' ? v : jsonText(v)));
  return fc.oneof(
    { weight: known.length ? 6 : 0, arbitrary: known.length ? fc.constantFrom(...known) : fc.constant('') },
    { weight: 3, arbitrary: fromSchema },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.oneof(pathJunk, hostileString) },
  );
}

/**
 * The intake sections' body schema is open (`{}`; the service validates per section), so random
 * JSON never gets past it: these bodies start from the builders' valid section and mutate it.
 */
function intakeArbitrary(op: Operation, w: FuzzWorld, resolve: (ref: string) => JsonSchema): fc.Arbitrary<Omit<OpInput, 'op'>> | null {
  if (!op.template.endsWith('/intake/{section}')) return null;
  const intake = anIntake() as unknown as Record<string, unknown>;
  const id = pathArbitrary(op.pathParams.find((p) => p.name === 'id')!, w, resolve);
  return fc.record({ actor, id, section: fc.constantFrom(...Object.keys(intake)), tree: fc.array(treeOp, { maxLength: 3 }) })
    .map(({ actor, id, section, tree }) => ({ actor, path: { id, section }, query: [], body: { contentType: 'application/json', text: jsonText(applyTree(intake[section], tree).doc) } }));
}

async function openApiTarget(w: FuzzWorld): Promise<FuzzTarget<OpInput>> {
  const { ops, doc } = await operations(w);
  const resolve = (ref: string) => doc.components?.schemas?.[ref.replace('#/components/schemas/', '')] ?? {};
  // Operations that take a body have more to get wrong: they get more of the cases.
  const arbitrary = fc.oneof(...ops.map((op, i) => ({ weight: op.body ? 3 : 1, arbitrary: (intakeArbitrary(op, w, resolve) ?? fc.record({
    actor,
    path: fc.record(Object.fromEntries(op.pathParams.map((p) => [p.name, pathArbitrary(p, w, resolve)]))) as fc.Arbitrary<Record<string, string>>,
    query: queryArbitrary(op.queryParams, resolve),
    body: bodyArbitrary(op.body, op.method, resolve),
  })).map((rest) => ({ op: i, ...rest })) })));
  const urlOf = (i: OpInput) => {
    const op = ops[i.op]!;
    const path = op.template.replace(/\{(\w+)\}/g, (_, name: string) => encodePath(i.path[name] ?? ''));
    return i.query.length ? `${path}?${queryString(i.query)}` : path;
  };
  return {
    name: 'http-openapi',
    arbitrary,
    exercise: async (i) => {
      const op = ops[i.op]!;
      const url = urlOf(i);
      const r = await send(w, i.actor, op.method, url, i.body ? { headers: i.body.contentType ? { 'content-type': i.body.contentType } : {}, body: i.body.text } : {});
      return judgeResponse(w, op.key, url, r);
    },
    show: (i) => `${i.actor} ${ops[i.op]!.method} ${compactText(urlOf(i), 300)}${i.body ? ` ${i.body.contentType ?? '(no content type)'} ${compactText(i.body.text, 300)}` : ''}`,
    where: (i) => ops[i.op]!.key,
  };
}

// FHIR search and read ----------------------------------------------------------------------------

type FhirInput = { actor: ActorName; resource: string; id: string | null; query: Pairs };

async function fhirTarget(w: FuzzWorld): Promise<FuzzTarget<FhirInput>> {
  const { ops } = await operations(w);
  const fhirPaths = ops.filter((o) => o.method === 'GET' && o.template.startsWith('/fhir/R4/'));
  const searchable = fhirPaths.map((o) => /^\/fhir\/R4\/(\w+)$/.exec(o.template)?.[1]).filter((r): r is string => Boolean(r) && r !== 'metadata');
  const readable = fhirPaths.map((o) => /^\/fhir\/R4\/(\w+)\/\{id\}$/.exec(o.template)?.[1]).filter((r): r is string => Boolean(r));
  // Which parameters each resource takes comes from the server's own CapabilityStatement.
  const capability = await (await fetch(`${w.t.baseUrl}/fhir/R4/metadata`)).json() as { rest: { resource: { type: string; searchParam?: SearchParam[] }[] }[] };
  const declared = (type: string) => capability.rest[0]?.resource.find((r) => r.type === type)?.searchParam ?? [];
  const ids = [...w.caseIds, ...w.patientIds];
  const id = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: fc.uuid() }, { weight: 1, arbitrary: fc.oneof(pathJunk, hostileString) });
  const search = fc.oneof(...searchable.map((resource) => fc.record({ actor, resource: fc.constant(resource), id: fc.constant(null), query: fhirPairs(ids, declared(resource)) })));
  const read = fc.record({ actor, resource: fc.constantFrom(...readable), id, query: fc.constant([] as Pairs) });
  const urlOf = (i: FhirInput) => `/fhir/R4/${i.resource}${i.id !== null ? `/${encodePath(i.id)}` : ''}${i.query.length ? `?${queryString(i.query)}` : ''}`;
  return {
    name: 'http-fhir',
    arbitrary: fc.oneof({ weight: 4, arbitrary: search }, { weight: 1, arbitrary: read }),
    exercise: async (i) => {
      const url = urlOf(i);
      return judgeResponse(w, `GET /fhir/R4/${i.resource}${i.id !== null ? '/{id}' : ''}`, url, await send(w, i.actor, 'GET', url));
    },
    show: (i) => `${i.actor} GET ${compactText(urlOf(i))}`,
    where: (i) => `GET /fhir/R4/${i.resource}`,
  };
}

// DICOMweb QIDO and WADO ------------------------------------------------------------------------

type DicomwebInput = { actor: ActorName; scope: string | null; resource: string; query: Pairs; accept: string | null };

/** Header values that fetch can send: it refuses NUL, CR, LF and anything beyond Latin-1. */
const headerSafe = (s: string) => s.replace(/[^\t\x20-\x7e]/g, '?');

function dicomwebTarget(w: FuzzWorld): FuzzTarget<DicomwebInput> {
  const { studyUid: S, seriesUid: SE, sopInstanceUid: I } = w.study;
  const uid = (real: string) => fc.oneof({ weight: 4, arbitrary: fc.constant(real) }, { weight: 1, arbitrary: fc.constantFrom('1.2.3', '0', '.', '9'.repeat(64), '1..2') });
  const resource = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('/studies', '/series', '/instances') },
    { weight: 3, arbitrary: fc.tuple(uid(S), fc.constantFrom('/series', '/instances', '/metadata', '')).map(([s, r]) => `/studies/${s}${r}`) },
    { weight: 2, arbitrary: fc.tuple(uid(S), uid(SE), fc.constantFrom('/instances', '/metadata', '/thumbnail', '')).map(([s, se, r]) => `/studies/${s}/series/${se}${r}`) },
    { weight: 3, arbitrary: fc.tuple(uid(S), uid(SE), uid(I), fc.oneof(
      fc.constantFrom('', '/metadata', '/rendered', '/thumbnail'),
      fc.oneof(fc.constantFrom('1', '1,1', '0', '-1', '2', '1e21', '', ',', '1,,2', ' 1', '99999', Array.from({ length: 10_001 }, () => '1').join(',')), hostileString).map((f) => `/frames/${encodePath(f)}`),
      fc.constantFrom('1', '2', 'x').map((f) => `/frames/${f}/rendered`),
    )).map(([s, se, i, r]) => `/studies/${s}/series/${se}/instances/${i}${r}`) },
  );
  const render = fc.array(fc.tuple(fc.constantFrom('window', 'viewport', 'quality'), fc.oneof(fc.constantFrom('40,400', '40,0', '40,-1', 'a,b', '1e308,1e308', '64,64', '0,0', '5000,5000', '1,1', '50', '0', '-5', 'NaN', ''), hostileString)), { maxLength: 3 });
  const scope = fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: fc.constantFrom(...w.caseIds) }, { weight: 1, arbitrary: fc.uuid() }, { weight: 1, arbitrary: pathJunk });
  const accept = fc.option(fc.oneof(
    fc.constantFrom('application/dicom+json', 'multipart/related; type="application/dicom"', 'multipart/related; type=application/dicom; transfer-syntax=*', 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50', 'image/png', 'image/jpeg', 'image/png, image/jpeg', '*/*', 'text/html', 'multipart/related; type="application/octet-stream"'),
    hostileString.map(headerSafe),
  ), { freq: 3 });
  const urlOf = (i: DicomwebInput) => `/dicomweb${i.scope !== null ? `/cases/${encodePath(i.scope)}` : ''}${i.resource}${i.query.length ? `?${queryString(i.query)}` : ''}`;
  const routeOf = (i: DicomwebInput) => `GET /dicomweb${i.scope !== null ? '/cases/{caseId}' : ''}${i.resource.replace(/\/(studies|series|instances)\/[^/]+/g, '/$1/{uid}').replace(/\/frames\/[^/]+/, '/frames/{frames}')}`;
  return {
    name: 'http-dicomweb',
    arbitrary: fc.record({ actor, scope, resource, query: fc.tuple(qidoPairs, render).map(([a, b]) => [...a, ...b]), accept }),
    exercise: async (i) => {
      const url = urlOf(i);
      return judgeResponse(w, routeOf(i), url, await send(w, i.actor, 'GET', url, { headers: i.accept !== null ? { accept: i.accept } : {} }));
    },
    show: (i) => `${i.actor} GET ${compactText(urlOf(i))}${i.accept !== null ? ` accept: ${compactText(i.accept, 100)}` : ''}`,
    where: routeOf,
  };
}

// tus uploads -------------------------------------------------------------------------------------

type TusInput = {
  actor: ActorName;
  /** `upload` sends a mutated file with correct tus headers, so it reaches the ingest checks. */
  mode: 'create' | 'patch' | 'upload' | 'head' | 'delete' | 'options';
  /** Which upload a PATCH, HEAD or DELETE goes to: one just created, or a made-up id. */
  target: 'own' | 'random' | 'junk';
  junkId: string;
  headers: [string, string | null][];
  metadata: string | null;
  file: { bytes: BytesInput; name: string } | null;
};

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function tusTarget(w: FuzzWorld): Promise<FuzzTarget<TusInput>> {
  const pdf = await pdfSeeds();
  const dicom = dicomSeeds();
  const files = { names: ['pdf', 'dicom', 'fhir', 'text'], bytes: [pdf.bytes[0]!, dicom.bytes[0]!, Buffer.from(JSON.stringify(fhirSeeds()[0])), Buffer.from('A plain letter about an appointment.\n')] };
  const number = fc.oneof(fc.nat({ max: 5000 }).map(String), fc.constantFrom('0', '-1', '1e21', '9007199254740993', '99999999999999999999999', 'NaN', 'Infinity', '', ' 10', '10.5', '0x10', '+5', '1,2'), hostileString.map(headerSafe));
  const metaValue = fc.oneof(fc.constantFrom(w.uploadCaseId, ...w.caseIds), fc.uuid(), fc.constantFrom('report.pdf', 'IM000001', 'record.json', 'a.txt', 'dir/../../x.pdf', 'application/pdf'), hostileString);
  const metaPair = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom('caseId', 'filename', 'name', 'relativePath', 'filetype'), metaValue).map(([k, v]) => `${k} ${b64(v)}`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...HOSTILE_KEYS), metaValue).map(([k, v]) => `${headerSafe(k)} ${b64(v)}`) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom('caseId', 'caseId !!!', 'filename ====', ' ', ',', 'a b c'), hostileString.map(headerSafe)) },
  );
  const validMeta = fc.tuple(fc.constantFrom(w.uploadCaseId, ...w.caseIds), fc.constantFrom('report.pdf', 'IM000001', 'record.json', 'letter.txt', 'scan.dcm')).map(([c, f]) => `caseId ${b64(c)},filename ${b64(f)}`);
  const metadata = fc.option(fc.oneof({ weight: 3, arbitrary: validMeta }, { weight: 2, arbitrary: fc.array(metaPair, { minLength: 1, maxLength: 4 }).map((p) => p.join(',')) }), { freq: 8 });
  const header = (name: string, values: fc.Arbitrary<string>) => fc.option(values, { freq: 6 }).map((v) => [name, v] as [string, string | null]);
  const headers = fc.tuple(
    header('tus-resumable', fc.oneof({ weight: 8, arbitrary: fc.constant('1.0.0') }, { weight: 1, arbitrary: fc.constantFrom('0.2.2', '', '1.0.0, 1.0.0', 'x') })),
    header('upload-length', number),
    fc.option(number, { freq: 1, nil: null }).map((v) => ['upload-defer-length', v] as [string, string | null]),
    header('upload-offset', number),
    header('content-type', fc.constantFrom('application/offset+octet-stream', 'application/octet-stream', 'text/plain', 'application/json')),
    fc.option(fc.constantFrom('HEAD', 'PATCH', 'DELETE', 'GET', 'x'), { freq: 1, nil: null }).map((v) => ['x-http-method-override', v] as [string, string | null]),
  );
  const file = fc.option(fc.record({ bytes: bytesInput(files.bytes.length), name: fc.constantFrom('report.pdf', 'IM000001', 'record.json', 'letter.txt', 'x.png') }), { freq: 3 });
  const arbitrary = fc.record({
    actor, mode: fc.constantFrom('create', 'patch', 'patch', 'upload', 'upload', 'head', 'delete', 'options') as fc.Arbitrary<TusInput['mode']>,
    target: fc.constantFrom('own', 'own', 'random', 'junk') as fc.Arbitrary<TusInput['target']>, junkId: fc.oneof(pathJunk, hostileString), headers: headers.map((h) => h.filter(([, v]) => v !== null)), metadata, file,
  });

  return {
    name: 'http-tus',
    arbitrary,
    exercise: async (i) => {
      const body = i.file ? applyBytes(files.bytes, i.file.bytes) : undefined;
      const hs: Record<string, string> = Object.fromEntries(i.headers.filter((h): h is [string, string] => h[1] !== null));
      if (i.mode === 'create') {
        if (i.metadata !== null) hs['upload-metadata'] = i.metadata;
        const r = await send(w, i.actor, 'POST', '/api/uploads', { headers: hs, body: body && new Uint8Array(body) });
        return judgeResponse(w, 'POST /api/uploads', '/api/uploads', r);
      }
      if (i.mode === 'upload') {
        const file = body ?? Buffer.from(files.bytes[0]!);
        const name = i.file?.name ?? 'report.pdf';
        const created = await send(w, 'patient', 'POST', '/api/uploads', { headers: { 'tus-resumable': '1.0.0', 'upload-length': String(file.length), 'upload-metadata': `caseId ${b64(w.uploadCaseId)},filename ${b64(name)}` } });
        if (created.status !== 201 || !created.location) return judgeResponse(w, 'POST /api/uploads (setup)', '/api/uploads', created);
        const url = new URL(created.location, w.t.baseUrl).pathname;
        const r = await send(w, 'patient', 'PATCH', url, { headers: { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: new Uint8Array(file) });
        return judgeResponse(w, 'PATCH /api/uploads/{id} (whole file)', url, r);
      }
      let url = `/api/uploads/${i.target === 'random' ? '0123456789abcdef0123456789abcdef' : encodePath(i.junkId)}`;
      if (i.target === 'own') {
        // A real upload to continue, started by the case's patient; the fuzzed request may come from anyone.
        const length = body?.length || 10;
        const name = i.file?.name ?? 'report.pdf';
        const created = await send(w, 'patient', 'POST', '/api/uploads', { headers: { 'tus-resumable': '1.0.0', 'upload-length': String(length), 'upload-metadata': `caseId ${b64(w.uploadCaseId)},filename ${b64(name)}` } });
        if (created.status !== 201) return judgeResponse(w, 'POST /api/uploads (setup)', '/api/uploads', created);
        if (created.location) url = new URL(created.location, w.t.baseUrl).pathname;
        if (!i.headers.some(([k]) => k === 'upload-offset')) hs['upload-offset'] = '0';
      }
      const r = await send(w, i.actor, i.mode.toUpperCase(), url, { headers: hs, body: i.mode === 'patch' && body ? new Uint8Array(body) : undefined });
      return judgeResponse(w, `${i.mode.toUpperCase()} /api/uploads/{id}`, url, r);
    },
    show: (i) => `${i.mode === 'upload' ? 'patient' : i.actor} ${i.mode} ${i.target === 'junk' ? `id ${compact(i.junkId, 60)}` : i.target} headers=${compact(i.headers, 200)} metadata=${compact(i.metadata, 160)}${i.file ? ` file ${i.file.name}: ${showBytes(i.file.bytes, files.bytes, files.names)}` : ''}`,
    where: (i) => `${i.mode.toUpperCase()} /api/uploads`,
  };
}

// STOW-RS multipart -----------------------------------------------------------------------------

type StowInput = {
  actor: ActorName;
  scope: 'case' | 'none' | 'random';
  studyUid: string | null;
  boundary: string;
  contentType: 'related' | 'quoted' | 'no-boundary' | 'form-data' | 'dicom' | 'none';
  preamble: string;
  parts: { headers: string; bytes: BytesInput }[];
  ending: 'close' | 'none' | 'junk' | 'no-crlf';
};

function stowTarget(w: FuzzWorld): FuzzTarget<StowInput> {
  const seeds = dicomSeeds();
  const boundary = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('fuzzboundary', 'b', '----=_Part_0', 'x'.repeat(70), 'x'.repeat(200)) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9'()+_,./:=? -]{1,70}$/) },
    { weight: 1, arbitrary: hostileString.map(headerSafe).filter((b) => b.length > 0) },
  );
  const partHeaders = fc.oneof(
    { weight: 6, arbitrary: fc.constant('Content-Type: application/dicom') },
    { weight: 1, arbitrary: fc.constantFrom('', 'Content-Type: application/dicom+xml', 'Content-Type: text/plain', 'Content-Type: application/dicom\r\nContent-Length: 99999999', 'Content-Disposition: form-data; name="__proto__"', 'Content-Type', ': x', 'Content-Type: application/dicom; transfer-syntax=1.2.840.10008.1.2.1') },
    { weight: 1, arbitrary: hostileString.map((h) => `X-Fuzz: ${h}`) },
  );
  const arbitrary = fc.record({
    actor: fc.oneof({ weight: 4, arbitrary: fc.constant('patient' as const) }, { weight: 2, arbitrary: fc.constantFrom(...ACTORS) }),
    scope: fc.constantFrom('case', 'case', 'case', 'none', 'random') as fc.Arbitrary<StowInput['scope']>,
    studyUid: fc.option(fc.constantFrom('2.25.1001', '1.2.3'), { freq: 4 }),
    boundary,
    contentType: fc.oneof({ weight: 8, arbitrary: fc.constant('related' as const) }, { weight: 2, arbitrary: fc.constantFrom('quoted', 'no-boundary', 'form-data', 'dicom', 'none') as fc.Arbitrary<StowInput['contentType']> }),
    preamble: fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('\r\n', 'preamble text\r\n', '--', 'x'.repeat(70_000)) }),
    parts: fc.array(fc.record({ headers: partHeaders, bytes: bytesInput(seeds.bytes.length, [Buffer.concat([Buffer.alloc(128), Buffer.from('DICM')])]) }), { maxLength: 3 }),
    ending: fc.oneof({ weight: 6, arbitrary: fc.constant('close' as const) }, { weight: 1, arbitrary: fc.constantFrom('none', 'junk', 'no-crlf') as fc.Arbitrary<StowInput['ending']> }),
  });
  const urlOf = (i: StowInput) => `/dicomweb${i.scope === 'case' ? `/cases/${w.uploadCaseId}` : i.scope === 'random' ? '/cases/00000000-0000-4000-8000-000000000000' : ''}/studies${i.studyUid ? `/${i.studyUid}` : ''}`;
  const contentTypeOf = (i: StowInput) => ({
    related: `multipart/related; type="application/dicom"; boundary=${i.boundary}`,
    quoted: `multipart/related; type="application/dicom"; boundary="${i.boundary}"`,
    'no-boundary': 'multipart/related; type="application/dicom"',
    'form-data': `multipart/form-data; boundary=${i.boundary}`,
    dicom: 'application/dicom',
    none: '',
  })[i.contentType];
  const bodyOf = (i: StowInput) => {
    const chunks: Buffer[] = [Buffer.from(i.preamble)];
    for (const p of i.parts) chunks.push(Buffer.from(`--${i.boundary}\r\n${p.headers}\r\n\r\n`), applyBytes(seeds.bytes, p.bytes), Buffer.from('\r\n'));
    chunks.push(Buffer.from({ close: `--${i.boundary}--\r\n`, none: '', junk: `--${i.boundary}junk`, 'no-crlf': `--${i.boundary}--` }[i.ending]));
    return Buffer.concat(chunks);
  };
  const routeOf = (i: StowInput) => `POST /dicomweb${i.scope === 'none' ? '' : '/cases/{caseId}'}/studies${i.studyUid ? '/{studyUid}' : ''}`;
  return {
    name: 'http-stow',
    arbitrary,
    exercise: async (i) => {
      const url = urlOf(i);
      const ct = contentTypeOf(i);
      return judgeResponse(w, routeOf(i), url, await send(w, i.actor, 'POST', url, { headers: ct ? { 'content-type': ct } : {}, body: new Uint8Array(bodyOf(i)) }));
    },
    show: (i) => `${i.actor} POST ${urlOf(i)} content-type: ${compactText(contentTypeOf(i), 160)}; preamble ${compact(i.preamble, 40)}; ${i.parts.length} part(s): ${i.parts.map((p) => `[${compact(p.headers, 80)}] ${showBytes(p.bytes, seeds.bytes, seeds.names)}`).join(' | ')}; ending ${i.ending}`,
    where: routeOf,
  };
}

/** Every HTTP target, over one started world. */
export async function httpTargets(w: FuzzWorld): Promise<FuzzTarget<any>[]> {
  // The first FHIR import loads the R4 definitions (seconds): not a hang of the upload route.
  importFhirBundle(JSON.stringify(fhirSeeds()[0]));
  return [await openApiTarget(w), await fhirTarget(w), dicomwebTarget(w), await tusTarget(w), stowTarget(w)];
}
