import crypto from 'node:crypto';
import { sealAuditTrail } from '../src/core/audit.ts';
import { referenceOf } from '../src/cases/repository.ts';
import type { Db } from '../src/core/db.ts';

/**
 * Grows the demo data to `cases` requests and `auditEvents` audit events, in SQL on the server:
 * each new case is a copy of one demo case (its state, intake, members, timeline, documents,
 * consents, offers, opinions and follow-up messages) with its own patient, its own patient
 * account, reviewers from a pool of experts, a coordinator from the program's desk of them, and its
 * dates moved back in time. Requests arrive evenly over three years; those of the last month are
 * still in flight (open, or delivered and in their follow-up window), older ones are finished
 * (closed, cancelled). So the open caseload is a
 * month's intake whatever the size of the history: about 1,500 requests at 100,000 cases, 15,000
 * at a million. Synthetic names only.
 */

// How a month's requests spread over the states: most finished, a few in each open state.
const STATE_WEIGHTS: Record<string, number> = {
  closed: 40, delivered: 18, cancelled: 5, draft: 3, submitted: 4, collecting_records: 8, ready_for_review: 4,
  assigned: 4, in_review: 6, board: 2, opinion_signed: 2, on_hold: 4,
};
// Delivered cases close when their follow-up window ends, so they are as recent as open ones.
const FINISHED = ['closed', 'cancelled'];
// How long the program has run, by default: requests arrive evenly over it.
const HISTORY_DAYS = 1095;
const IN_FLIGHT_DAYS = 30;
const GIVEN = ['Avery', 'Blake', 'Carmen', 'Dana', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kira', 'Luis', 'Mei', 'Noor', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tara'];
const FAMILY = ['Abbott', 'Brennan', 'Castillo', 'Dubois', 'Eriksen', 'Fujita', 'Gallo', 'Haddad', 'Ivanova', 'Jensen', 'Kowalski', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quint', 'Rossi', 'Sato', 'Tanaka',
  'Umarov', 'Varga', 'Weber', 'Xu', 'Yilmaz', 'Zielinski', 'Almeida', 'Becker', 'Costa', 'Dimitrov'];

/** Columns that name a person, per table: mapped to the copy's patient or to a pool expert. */
const PEOPLE_COLUMNS: Record<string, string[]> = {
  cases: ['created_by', 'coordinator_id', 'lead_expert_id'],
  case_members: ['user_id', 'added_by'],
  case_events: ['actor_id'],
  documents: ['uploaded_by'],
  consent_signatures: ['signer_id'],
  expert_offers: ['expert_id', 'offered_by'],
  opinion_parts: ['author_id'],
  opinion_reports: ['issued_by'],
  case_threads: ['created_by'],
  case_messages: ['author_id'],
};

export interface GrowthReport {
  cases: number;
  auditEvents: number;
  seconds: { cases: number; audit: number; seal: number };
}

export interface GrowthTarget {
  cases: number;
  auditEvents: number;
  historyDays?: number;
  /**
   * Deal the coordinated copies out to a desk of coordinators (one for every 150 requests of a
   * month's intake, the demo's own among them), as at a program of this size; otherwise the demo
   * coordinator keeps every case they coordinate (long lists for one person to page through).
   */
  coordinatorDesk?: boolean;
}

export async function growToScale(db: Db, target: GrowthTarget): Promise<GrowthReport> {
  const historyDays = target.historyDays ?? HISTORY_DAYS;
  if (!(historyDays >= 1)) throw new Error(`historyDays must be a day or more, not ${historyDays}`);
  const t0 = Date.now();
  const [{ n: existing } = { n: 0 }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases');
  const wanted = Math.max(0, target.cases - existing);
  if (wanted > 0) await copyCases(db, wanted, historyDays, target.coordinatorDesk ?? false);
  const t1 = Date.now();
  await addAuditEvents(db, target.auditEvents, historyDays);
  const t2 = Date.now();
  await sealAuditTrail(db, { wait: true, batchSize: 20_000 });
  const t3 = Date.now();
  // A settled database, as autovacuum keeps one: statistics, and the visibility map that lets a
  // walk read an index alone.
  await db.exec('VACUUM ANALYZE');
  const [{ n: cases } = { n: 0 }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases');
  const [{ n: auditEvents } = { n: 0 }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
  return { cases, auditEvents, seconds: { cases: (t1 - t0) / 1000, audit: (t2 - t1) / 1000, seal: (t3 - t2) / 1000 } };
}

/** How many requests arrive in a program's last month (those still in flight among them), and how long it has run. */
interface Intake {
  historyDays: number;
  recentDays: number;
  monthly: number;
}

async function copyCases(db: Db, wanted: number, historyDays: number, coordinatorDesk: boolean) {
  const recentDays = Math.min(IN_FLIGHT_DAYS, historyDays);
  const intake = { historyDays, recentDays, monthly: (wanted * recentDays) / historyDays };
  await planCopies(db, wanted, intake);
  const person = await copyPeople(db, intake, coordinatorDesk);
  for (const table of ['cases', 'case_members', 'case_events', 'documents', 'consent_signatures', 'expert_offers', 'opinion_parts', 'opinion_reports', 'case_threads', 'case_messages']) await copyRows(db, table, person);
  await db.exec('DROP TABLE bench_copies');
}

/** One row per new case: which demo case it copies, its new ids, and how far back its dates move. */
async function planCopies(db: Db, wanted: number, { historyDays, recentDays, monthly }: Intake) {
  const templates = await db.query<{ id: string; status: string }>('SELECT id, status FROM cases ORDER BY created_at');
  const weight = (t: { status: string }) => STATE_WEIGHTS[t.status] ?? 1;
  const finished = (t: { status: string }) => FINISHED.includes(t.status);
  const sum = (ts: typeof templates) => ts.reduce((s, t) => s + weight(t), 0);
  // The last month's intake: in flight in the states' proportions, the rest of it finished
  // within the month too; every older request finished, over the rest of the history.
  const inFlight = (monthly * sum(templates.filter((t) => !finished(t)))) / sum(templates);
  const share = (t: { status: string }, among: typeof templates, n: number) => Math.round((n * weight(t)) / sum(among));
  const plan = templates.map((t) => finished(t)
    ? { id: t.id, copies: share(t, templates.filter(finished), wanted - inFlight), recent: share(t, templates.filter(finished), monthly - inFlight) }
    : { id: t.id, copies: share(t, templates.filter((x) => !finished(x)), inFlight), recent: share(t, templates.filter((x) => !finished(x)), inFlight) });
  await db.exec(`CREATE TABLE bench_copies (template_id uuid, template_owner uuid, template_patient uuid, new_id uuid, patient_id uuid, owner_id uuid, n int, shift interval, condition_from uuid, reference_n bigint DEFAULT nextval('case_reference_seq'))`);
  const conditions = templates.map((t) => t.id);
  await db.query(
    `INSERT INTO bench_copies
     SELECT t.id, (SELECT m.user_id FROM case_members m WHERE m.case_id = t.id AND m.relation = 'patient' LIMIT 1), t.patient_id,
            gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), g,
            -- Every date moves back by the same amount, so that the copy was created between an
            -- hour and a month ago (the first \`recent\` copies) or before that, over the rest of
            -- the history (new = old - shift).
            (t.created_at - now()) + interval '1 hour' + (CASE WHEN g <= p.recent THEN random() * interval '${recentDays} days'
              ELSE interval '${recentDays} days' + random() * interval '${Math.max(0, historyDays - recentDays)} days' END),
            -- Whatever state a case is in, its condition is any of the program's: finished cases
            -- are not all of one diagnosis.
            ($2::uuid[])[1 + floor(random() * array_length($2::uuid[], 1))::int]
     FROM jsonb_to_recordset($1::jsonb) AS p(id uuid, copies int, recent int) JOIN cases t ON t.id = p.id, generate_series(1, p.copies) g`,
    [JSON.stringify(plan), conditions]);
}

/**
 * The copies' patients (records and accounts) and a pool of experts (one per twenty requests of a
 * month's intake, so each has a caseload of realistic size: a dozen or two requests in flight, a
 * few hundred over the years). Returns the SQL that maps a person column of a demo row to the
 * copy's: its patient, the pool expert standing in for a demo expert, or the same person.
 */
async function copyPeople(db: Db, { monthly }: Intake, coordinatorDesk: boolean): Promise<(column: string) => string> {
  const [{ hash } = { hash: '' }] = await db.query<{ hash: string }>(`SELECT password_hash AS hash FROM users WHERE role = 'patient' LIMIT 1`);
  await db.query(
    `INSERT INTO patients (id, given_name, family_name, birth_date, sex, state, country, preferred_language, phone, email)
     SELECT c.patient_id, ($1::text[])[1 + c.n % array_length($1::text[], 1)], ($2::text[])[1 + (c.n / 7) % array_length($2::text[], 1)],
            p.birth_date, p.sex, p.state, p.country, p.preferred_language, NULL, 'patient-' || c.n || '-' || left(c.new_id::text, 8) || '@scale.consilium.test'
     FROM bench_copies c JOIN patients p ON p.id = c.template_patient`, [GIVEN, FAMILY]);
  await db.query(
    `INSERT INTO users (id, email, name, role, password_hash, email_verified_at)
     SELECT c.owner_id, p.email, p.given_name || ' ' || p.family_name, 'patient', $1, now() FROM bench_copies c JOIN patients p ON p.id = c.patient_id`, [hash]);
  const pool = Array.from({ length: Math.max(2, Math.ceil(monthly / 20)) }, () => crypto.randomUUID());
  await db.query(
    `INSERT INTO users (id, email, name, role, password_hash, email_verified_at)
     SELECT id, 'expert-' || k || '@scale.consilium.test', 'Dr. Pool Expert ' || k, 'expert', $2, now() FROM unnest($1::uuid[]) WITH ORDINALITY AS p(id, k)`, [pool, hash]);
  const experts = await db.query<{ id: string }>(`SELECT id FROM users WHERE role = 'expert' AND email NOT LIKE '%@scale.consilium.test' ORDER BY id`);
  const poolArray = `'{${pool.join(',')}}'::uuid[]`;
  const rank = (col: string) => `CASE ${col} ${experts.map((e, k) => `WHEN '${e.id}' THEN ${k}`).join(' ')} END`;
  const desk = coordinatorDesk ? await deskOfCoordinators(db, monthly, hash) : null;
  return (col) => `CASE WHEN ${col} = c.template_owner THEN c.owner_id WHEN ${rank(col)} IS NOT NULL THEN (${poolArray})[1 + (c.n * 2 + ${rank(col)}) % ${pool.length}]
    ${desk?.whenCoordinator(col) ?? ''} ELSE ${col} END`;
}

/**
 * The coordinators' desk: one coordinator for every 150 requests of a month's intake (the demo's
 * own among them), the copies' coordinated cases dealt out in turn, so the demo coordinator's
 * queue is one coordinator's among several (their own cases and the unclaimed pool).
 */
async function deskOfCoordinators(db: Db, monthly: number, hash: string): Promise<{ whenCoordinator: (col: string) => string }> {
  const demo = await db.query<{ id: string }>(`SELECT id FROM users WHERE role = 'coordinator' AND email NOT LIKE '%@scale.consilium.test' ORDER BY id`);
  const added = Array.from({ length: Math.max(0, Math.ceil(monthly / 150) - demo.length) }, () => crypto.randomUUID());
  await db.query(
    `INSERT INTO users (id, email, name, role, password_hash, email_verified_at)
     SELECT id, 'coordinator-' || k || '@scale.consilium.test', 'Pool Coordinator ' || k, 'coordinator', $2, now() FROM unnest($1::uuid[]) WITH ORDINALITY AS p(id, k)`, [added, hash]);
  const desk = [...demo.map((d) => d.id), ...added];
  const deskArray = `'{${desk.join(',')}}'::uuid[]`;
  return { whenCoordinator: (col) => (demo.length ? `WHEN ${col} IN (${demo.map((d) => `'${d.id}'`).join(', ')}) THEN (${deskArray})[1 + c.n % ${desk.length}]` : '') };
}

/** Copies a table's rows of the demo cases onto every copy, column by column. */
async function copyRows(db: Db, table: string, person: (column: string) => string) {
  const columns = await db.query<{ column_name: string; data_type: string; column_default: string | null; is_generated: string }>(
    `SELECT column_name, data_type, column_default, is_generated FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`, [table]);
  const people = PEOPLE_COLUMNS[table] ?? [];
  const targets: string[] = [];
  const values: string[] = [];
  for (const col of columns) {
    const name = col.column_name;
    if (col.is_generated === 'ALWAYS' || (name === 'id' && col.column_default?.startsWith('nextval'))) continue;
    targets.push(name);
    if (table === 'cases') {
      const own: Record<string, string> = {
        id: 'c.new_id', patient_id: 'c.patient_id',
        reference: referenceOf('c.reference_n'),
      };
      if (own[name]) {
        values.push(own[name]);
        continue;
      }
    }
    if (table === 'cases' && name === 'intake') {
      values.push(`CASE WHEN (SELECT f.intake->'condition' FROM cases f WHERE f.id = c.condition_from) IS NULL THEN x.intake
        ELSE jsonb_set(x.intake, '{condition}', (SELECT f.intake->'condition' FROM cases f WHERE f.id = c.condition_from)) END`);
      continue;
    }
    // A thread's copy gets an id its messages' copies can name: derived from the template and the new case.
    if (table === 'case_threads' && name === 'id') values.push('md5(x.id::text || c.new_id::text)::uuid');
    else if (table === 'case_messages' && name === 'thread_id') values.push('md5(x.thread_id::text || c.new_id::text)::uuid');
    else if (table === 'case_messages' && name === 'document_id') values.push('NULL');
    else if (name === 'id') values.push('gen_random_uuid()');
    else if (name === 'case_id') values.push('c.new_id');
    else if (people.includes(name)) values.push(person(`x.${name}`));
    else if (col.data_type === 'timestamp with time zone') values.push(`x.${name} - c.shift`);
    else values.push(`x.${name}`);
  }
  const key = table === 'cases' ? 'x.id' : 'x.case_id';
  // Caregivers stay with the demo case they belong to.
  const where = table === 'case_members' ? `WHERE x.relation <> 'proxy'` : '';
  await db.exec(`INSERT INTO ${table} (${targets.join(', ')}) SELECT ${values.join(', ')} FROM ${table} x JOIN bench_copies c ON ${key} = c.template_id ${where}`);
}

/** Audit events over three years: reads, lists and changes by the cases' people, in chunks. */
async function addAuditEvents(db: Db, wanted: number, historyDays: number) {
  const [{ n: existing } = { n: 0 }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
  const actions = ['case.read', 'case.list', 'document.read', 'case.intake.write', 'imaging.instance.read', 'opinion.read', 'expert.inbox.read', 'case.accessLog.read'];
  await db.exec(`CREATE TABLE bench_case_ids AS SELECT row_number() OVER () AS k, c.id, m.user_id FROM cases c LEFT JOIN LATERAL (SELECT user_id FROM case_members WHERE case_id = c.id LIMIT 1) m ON true`);
  const [{ n: caseCount } = { n: 1 }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_case_ids');
  const chunk = 200_000;
  for (let done = existing; done < wanted; done += chunk) {
    const n = Math.min(chunk, wanted - done);
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO audit_events (id, at, actor_id, actor_role, action, entity_type, entity_id, case_id, ip, user_agent, outcome, detail)
           SELECT gen_random_uuid(), now() - (g::float / $2) * interval '${historyDays} days', b.user_id, 'patient', ($3::text[])[1 + g % array_length($3::text[], 1)], 'Case', b.id::text, b.id,
                  '10.0.' || (g % 250) || '.' || (g % 200), 'Mozilla/5.0 (bench)', CASE WHEN g % 97 = 0 THEN 'denied' ELSE 'success' END, '{}'::jsonb
           FROM generate_series(1, $1) g JOIN bench_case_ids b ON b.k = 1 + (g * 7919) % $4
           ORDER BY g DESC`,
        [n, wanted, actions, caseCount]);
    });
  }
  await db.exec('DROP TABLE bench_case_ids');
}
