import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { queryCases, type CaseListFilter } from '../src/cases/repository.ts';
import { sealAuditTrail } from '../src/core/audit.ts';
import { loadServiceLevels, onTrackFrom } from '../src/cases/sla.ts';
import type { Actor } from '../src/core/context.ts';
import type { Queryable } from '../src/core/db.ts';
import { DEMO_PASSWORD, seedDemo } from '../src/demo/seed.ts';
import { Client } from '../test/support/client.ts';
import { startTestApp, startTestAppOnKeptDb, type TestApp } from '../test/support/testApp.ts';
import type { BenchResult } from './harness.ts';
import { growToScale } from './scaleSeed.ts';

/**
 * The product at a large program's size, on PostgreSQL: the demo grown to `cases` requests and
 * `auditEvents` audit events, then `clients` concurrent signed-in clients (a separate process)
 * on each request people make most, one after another, each beside the bare route (`/healthz`,
 * same server, same load) measured just before it: first as fast as the clients can go (what
 * the server can do at most), then with the clients pacing themselves as people do. Prints p50/p95/p99; writes the plans of the
 * queue's queries (EXPLAIN ANALYZE) beside the results.
 */
export interface ScaleOptions {
  cases: number;
  auditEvents: number;
  clients: number;
  seconds: number;
  /** Flat-out rounds per request (the median is reported). */
  rounds: number;
  /** Keep the seeded database (named after its size) and reuse it on the next run. */
  keep: boolean;
}

interface Load {
  requests: number;
  errors: number;
  firstError: string;
  p50: number;
  p95: number;
  p99: number;
  rps: number;
}

export async function scaleBenchmark(opts: ScaleOptions): Promise<BenchResult[]> {
  process.env.TEST_DB = 'postgres';
  const t = opts.keep ? await startTestAppOnKeptDb(`consilium_scale_${Math.round(opts.cases / 1000)}k`, { DEMO: 'true' }) : await startTestApp({ DEMO: 'true' });
  try {
    await seedDemo(t.db, t.config);
    const growth = await growToScale(t.db, { ...opts, coordinatorDesk: true });
    console.log(`scale: ${growth.cases} cases, ${growth.auditEvents} audit events (seeded in ${growth.seconds.cases.toFixed(0)} s, audit ${growth.seconds.audit.toFixed(0)} s, sealed in ${growth.seconds.seal.toFixed(0)} s)`);
    const people = await signIn(t);
    const { scenarios, deep } = await scenariosFor(t, people);
    // Warm: every pooled connection has planned each request once, as on a server that has been up a while.
    for (const s of scenarios) await Promise.all(Array.from({ length: 20 }, () => s.client.get(s.path)));
    await sealAuditTrail(t.db, { wait: true });
    const results: BenchResult[] = [];
    for (const s of scenarios) {
      const alone = await unloaded(s.client, s.path);
      if (opts.clients === 0) {
        // Unloaded only (`--clients=0`): how the plans grow with the data, as at a million cases.
        results.push({ name: `${s.name} (alone, median)`, backend: `postgres, ${Math.round(growth.cases / 1000)}k cases`, unit: 'ms', ours: alone, reference: alone, referenceName: 'itself', ratio: 1, detail: { unloadedMedianMs: round(alone) } });
        console.log(`  ${s.name}: alone ${alone.toFixed(1)} ms`);
        continue;
      }
      const rssBefore = process.memoryUsage().rss;
      // The people at a pace people keep (each a request every half second or so), then as fast
      // as they can go beside the bare route under the same load.
      const paced = await load(t, s.path, s.client, { ...opts, rate: opts.clients * 2 });
      // The bare route at the same pace just after: the floor the machine sets for a paced p99.
      const pacedBare = await load(t, '/healthz', people.coordinator, { ...opts, rate: opts.clients * 2 });
      if (paced.errors) throw new Error(`${s.name}: ${paced.errors} errors (${paced.firstError})`);
      // Flat out, in rounds of the bare route then the request, each figure the median of the
      // rounds': one round's p99 is a few dozen requests, and a passing burst of the database's
      // own work (autovacuum, a checkpoint) moves it by half.
      const bares: Load[] = [];
      const rounds: Load[] = [];
      for (let r = 0; r < opts.rounds; r++) {
        bares.push(await load(t, '/healthz', people.coordinator, opts));
        const run = await load(t, s.path, s.client, opts);
        if (run.errors) throw new Error(`${s.name}: ${run.errors} errors (${run.firstError})`);
        rounds.push(run);
        // The trail sealed before the next round: a burst's backlog is not the next one's load.
        await sealAuditTrail(t.db, { wait: true });
      }
      const bare = medianLoad(bares);
      const ours = medianLoad(rounds);
      results.push({
        name: `${s.name} (p99, ${opts.clients} clients)`, backend: `postgres, ${Math.round(growth.cases / 1000)}k cases`, unit: 'ms',
        ours: ours.p99, reference: bare.p99, referenceName: 'GET /healthz, same load', ratio: bare.p99 / ours.p99,
        detail: { rounds: opts.rounds, p50: round(ours.p50), p95: round(ours.p95), p99: round(ours.p99), rps: round(ours.rps), pacedP50: round(paced.p50), pacedP99: round(paced.p99), pacedRps: round(paced.rps), pacedBareP99: round(pacedBare.p99), unloadedMedianMs: round(alone), bareP99: round(bare.p99), rssGrowthMb: round((process.memoryUsage().rss - rssBefore) / 2 ** 20) },
      });
      console.log(`  ${s.name}: p50 ${ours.p50.toFixed(1)} ms, p99 ${ours.p99.toFixed(1)} ms, ${ours.rps.toFixed(0)} req/s; paced ${paced.rps.toFixed(0)} req/s: p50 ${paced.p50.toFixed(1)} ms, p99 ${paced.p99.toFixed(1)} ms (bare ${pacedBare.p99.toFixed(1)} ms); alone ${alone.toFixed(1)} ms; bare p99 ${bare.p99.toFixed(1)} ms`);
    }
    writePlans(await queuePlans(t, people.coordinatorActor, deep), growth.cases);
    return results;
  } finally {
    await t.close();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Each figure of several runs' the median of that figure (an odd number of runs). */
function medianLoad(runs: Load[]): Load {
  const median = (pick: (l: Load) => number) => runs.map(pick).sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
  return { requests: median((l) => l.requests), errors: 0, firstError: '', p50: median((l) => l.p50), p95: median((l) => l.p95), p99: median((l) => l.p99), rps: median((l) => l.rps) };
}

interface People {
  coordinator: Client;
  coordinatorActor: Actor;
  patient: Client;
  expert: Client;
  admin: Client;
}

async function signIn(t: TestApp): Promise<People> {
  const as = async (email: string) => {
    const c = new Client(t.baseUrl);
    const r = await c.post('/api/auth/login', { email, password: DEMO_PASSWORD });
    if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${r.text}`);
    return c;
  };
  // A copy's patient with several requests is rare; any one of them stands for the patient list.
  const [patient] = await t.db.query<{ email: string }>(`SELECT email FROM users WHERE email LIKE 'patient-%@scale.consilium.test' LIMIT 1`);
  const [expert] = await t.db.query<{ email: string }>(`SELECT u.email FROM users u WHERE u.email LIKE 'expert-%@scale.consilium.test'
    ORDER BY (SELECT count(*) FROM case_members m WHERE m.user_id = u.id AND m.revoked_at IS NULL) DESC LIMIT 1`);
  const coordinator = await as('coordinator@demo.consilium.test');
  const me = (await coordinator.get('/api/auth/me')).body.user;
  return {
    coordinator, coordinatorActor: { userId: me.id, role: me.role, name: me.name, email: me.email },
    patient: await as(patient!.email), expert: await as(expert!.email), admin: await as('admin@demo.consilium.test'),
  };
}

const OPEN_STATUSES = ['submitted', 'collecting_records', 'ready_for_review', 'assigned', 'in_review', 'board', 'opinion_signed', 'delivered', 'on_hold'];

interface Scenario {
  name: string;
  client: Client;
  path: string;
}

async function scenariosFor(t: TestApp, p: People): Promise<{ scenarios: Scenario[]; deep: number }> {
  const [sample] = await t.db.query<{ id: string; reference: string; family: string; given: string; patient_id: string }>(
    `SELECT c.id, c.reference, pt.family_name AS family, pt.given_name AS given, c.patient_id FROM cases c JOIN patients pt ON pt.id = c.patient_id
     WHERE c.reference LIKE 'C-%' AND c.status = 'in_review' AND c.coordinator_id = $1 ORDER BY c.created_at DESC LIMIT 1`, [p.coordinatorActor.userId]);
  const c = p.coordinator;
  // A deep page of the coordinator's whole list (four fifths of the way in, at most page 200), and
  // the cursor a coordinator holds after paging there.
  const { total } = (await c.get('/api/cases?sort=urgency&pageSize=25')).body as { total: number };
  const deep = Math.max(2, Math.min(200, Math.floor((total * 0.8) / 25)));
  let cursor = '';
  for (let i = 0; i < deep - 1; i++) cursor = (await c.get(`/api/cases?sort=urgency&pageSize=25${cursor ? `&cursor=${cursor}` : ''}`)).body.nextCursor;
  const scenarios = [
    { name: 'queue, first page, by urgency', client: c, path: '/api/cases?sort=urgency&pageSize=25' },
    { name: `queue, page ${deep} (page number)`, client: c, path: `/api/cases?sort=urgency&pageSize=25&page=${deep}` },
    { name: `queue, page ${deep + 1} (cursor)`, client: c, path: `/api/cases?sort=urgency&pageSize=25&cursor=${cursor}` },
    { name: 'queue, status = ready for review', client: c, path: '/api/cases?status=ready_for_review&sort=urgency' },
    { name: 'queue, several statuses', client: c, path: '/api/cases?status=assigned&status=in_review&status=board&sort=oldest' },
    { name: 'queue, expedited only', client: c, path: '/api/cases?urgency=expedited&sort=oldest' },
    { name: 'queue, due soon (at risk)', client: c, path: '/api/cases?sla=at_risk' },
    { name: 'queue, overdue', client: c, path: '/api/cases?sla=breached' },
    { name: 'queue, older than 30 days', client: c, path: '/api/cases?minAgeDays=30&sort=newest' },
    { name: 'queue, search by name', client: c, path: `/api/cases?q=${encodeURIComponent(sample!.family.toLowerCase())}` },
    { name: 'queue, search by reference', client: c, path: `/api/cases?q=${sample!.reference}` },
    { name: 'queue, search by condition', client: c, path: '/api/cases?q=adenocarcinoma' },
    // As the web app asks: its queue lists the open statuses unless the coordinator picks others.
    { name: 'queue, search by condition, open cases', client: c, path: `/api/cases?q=adenocarcinoma&${OPEN_STATUSES.map((s) => `status=${s}`).join('&')}` },
    { name: 'queue, search by whole name, open cases', client: c, path: `/api/cases?q=${encodeURIComponent(`${sample!.given} ${sample!.family}`.toLowerCase())}&${OPEN_STATUSES.map((s) => `status=${s}`).join('&')}` },
    { name: 'one case', client: c, path: `/api/cases/${sample!.id}` },
    { name: 'patient’s own list', client: p.patient, path: '/api/cases' },
    { name: 'expert inbox', client: p.expert, path: '/api/experts/me/inbox' },
    { name: 'FHIR ServiceRequest, active', client: c, path: '/fhir/R4/ServiceRequest?status=active&_count=20' },
    { name: 'FHIR ServiceRequest, every status', client: c, path: '/fhir/R4/ServiceRequest?_count=20' },
    { name: 'FHIR Patient by family name', client: c, path: `/fhir/R4/Patient?family=${encodeURIComponent(sample!.family)}&_count=20` },
    { name: 'FHIR AuditEvent of one patient', client: p.admin, path: `/fhir/R4/AuditEvent?patient=Patient/${sample!.patient_id}&_count=20` },
    { name: 'audit log, newest', client: p.admin, path: '/api/admin/audit?pageSize=50' },
    { name: 'audit log, one case', client: p.admin, path: `/api/admin/audit?caseReference=${sample!.reference}&pageSize=50` },
    { name: 'audit log, by action', client: p.admin, path: '/api/admin/audit?action=document.&pageSize=50' },
  ];
  return { scenarios, deep };
}

/** Runs the load generator in its own process against one path. */
function load(t: TestApp, pathname: string, client: Client, opts: ScaleOptions & { rate?: number }): Promise<Load> {
  const spec = { url: `${t.baseUrl}${pathname}`, cookie: client.cookieHeader, concurrency: opts.clients, seconds: opts.seconds, rate: opts.rate };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(import.meta.dirname, 'load.ts'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Load) : reject(new Error(`load generator exited with ${code}`))));
  });
}

/** The median of a few requests sent one at a time: what one person waits on a quiet server. */
async function unloaded(client: Client, pathname: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const start = performance.now();
    const r = await client.get(pathname);
    if (r.status !== 200) throw new Error(`${pathname}: ${r.status} ${r.text.slice(0, 200)}`);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[7]!;
}

/** EXPLAIN ANALYZE of every statement the queue runs, for a few of its shapes. */
async function queuePlans(t: TestApp, actor: Actor, deep: number): Promise<string> {
  const levels = loadServiceLevels();
  const now = new Date();
  const shapes: [string, Partial<CaseListFilter>][] = [
    ['first page by urgency', { sort: 'urgency' }], [`page ${deep}`, { sort: 'urgency', page: deep }], ['one status', { status: ['ready_for_review'], sort: 'urgency' }],
    ['several statuses', { status: ['assigned', 'in_review', 'board'], sort: 'oldest' }], ['at risk', { sla: 'at_risk', sort: 'oldest' }],
    ['overdue', { sla: 'breached', sort: 'oldest' }], ['search by name', { q: 'okafor', sort: 'oldest' }], ['search by condition', { q: 'adenocarcinoma', sort: 'oldest' }],
  ];
  let text = '';
  for (const [name, shape] of shapes) {
    const explaining: Queryable = {
      query: async <T>(sql: string, params?: unknown[]) => {
        if (/^\s*EXPLAIN/i.test(sql)) return t.db.query<T>(sql, params);
        const plan = await t.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${sql}`, params);
        text += `-- ${name}\n${sql.replace(/\s+/g, ' ').trim()}\n${plan.map((r) => r['QUERY PLAN']).join('\n')}\n\n`;
        return t.db.query<T>(sql, params);
      },
      exec: (sql: string) => t.db.exec(sql),
    } as Queryable;
    await queryCases(explaining, actor, { sort: 'oldest', page: 1, pageSize: 25, ...shape }, { now, onTrackFrom: onTrackFrom(levels, now) });
  }
  return text;
}

function writePlans(text: string, cases: number) {
  const dir = path.resolve(import.meta.dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `scale-plans-${Math.round(cases / 1000)}k.txt`);
  fs.writeFileSync(file, text);
  console.log(`Query plans written to ${file}`);
}
