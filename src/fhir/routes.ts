import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { recordAudit, recordCaseReads } from '../core/audit.ts';
import { caseGrantSql, grantPartsSql, openCase, withCaseTx, type CaseRow } from '../core/access.ts';
import { roleAllows } from '../core/auth/roles.ts';
import type { Deps } from '../core/deps.ts';
import type { Queryable } from '../core/db.ts';
import { mergedWalksSql, oneOf } from '../core/walks.ts';
import { cheapCount, exactWhenShort, RecentEstimates } from '../core/counting.ts';
import { AppError, notFound, type ProblemDetails } from '../core/errors.ts';
import { requestMeta } from '../core/http.ts';
import { capabilityStatement } from './capability.ts';
import { caseInvoices, invoiceById } from '../billing/invoiceRepository.ts';
import { superbillFor } from '../billing/superbillFacts.ts';
import { superbillAvailable } from '../billing/superbill.ts';
import { ownsMoneyMatters } from '../billing/invoices.ts';
import { COVERED_PLAN_TYPES, toFhirAuditEvent, toFhirClaim, toFhirConsent, toFhirCoverage, toFhirInvoice, toFhirPatient, toFhirServiceRequest, type AuditRow, type CaseForFhir, type ConsentRow, type CoverageRow, type PatientRow } from './mappers.ts';
import { asUuid, countParam, dateConditions, offsetParam, params, referenceId } from './search.ts';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** A problem as a FHIR OperationOutcome, for errors under /fhir/R4. */
export function operationOutcomeFor(p: ProblemDetails): OperationOutcome {
  const code = p.status === 404 ? 'not-found' : p.status === 401 ? 'login' : p.status === 403 ? 'forbidden' : p.status === 429 ? 'throttled' : p.status >= 500 ? 'exception' : 'invalid';
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text: p.detail ?? p.title }, diagnostics: p.code }] };
}

export function bundle(req: FastifyRequest, base: string, resources: Resource[], total: number, count: number, offset: number): Bundle {
  const self = `${base}${req.url.replace(/^\/fhir\/R4/, '')}`;
  const url = new URL(self);
  url.searchParams.set('_offset', String(offset + count));
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total,
    link: [{ relation: 'self', url: self }, ...(offset + count < total && count > 0 ? [{ relation: 'next', url: url.toString() }] : [])],
    entry: resources.map((resource) => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'match' as const } })),
  };
}

/** The cases belonging to every one of `patients` (several patient parameters narrow, as in FHIR). */
async function casesOfAllPatients(tx: Queryable, patients: string[]): Promise<string[]> {
  const distinct = [...new Set(patients)];
  // A case has one patient: two different patients have none in common.
  if (distinct.length > 1) return [];
  return (await tx.query<{ id: string }>('SELECT id FROM cases WHERE patient_id = $1 ORDER BY id', [distinct[0]])).map((r) => r.id);
}

const CASE_COLS = 'c.id, c.reference, c.status, c.urgency, c.patient_id, c.intake, c.submitted_at, c.created_at, c.updated_at';

/**
 * FHIR R4: CapabilityStatement, and read/search of Patient, ServiceRequest, Consent, Coverage,
 * Invoice and AuditEvent under the same access check as the REST API. A resource outside the caller's grants
 * answers 404 exactly like one that does not exist.
 */
export function fhirRoutes(deps: Deps) {
  const { db, config } = deps;
  // Read per request: the public URL may be settled only once the server listens.
  const baseUrl = () => `${config.publicUrl}/fhir/R4`;
  const recentTotals = new RecentEstimates();
  return async (app: FastifyInstance) => {
    const send = <T>(reply: import('fastify').FastifyReply, body: T) => reply.type(FHIR_JSON).send(body);

    app.get('/metadata', { config: { access: 'public' } }, async (_req, reply) => send(reply, capabilityStatement(baseUrl())));

    /** Bundle.total as `_total` asks: cheap by default (estimated above a thousand), or counted exactly. */
    async function searchTotal(tx: Queryable, fromWhere: string, values: unknown[], req: FastifyRequest): Promise<number> {
      if ((req.query as Record<string, unknown>)._total === 'accurate') {
        const [c] = await tx.query<{ total: number }>(`SELECT count(*)::int AS total ${fromWhere}`, values);
        return c?.total ?? 0;
      }
      return (await cheapCount(tx, fromWhere, values, undefined, { recent: recentTotals })).total;
    }

    /** Runs a search over the cases the actor may read: `where` refers to `cases c`. */
    async function searchCases<T>(req: FastifyRequest, tx: Queryable, sql: (grant: string, bind: (v: unknown) => string, grantParts: readonly string[] | null) => { from: string; where: string[]; order: string; cols: string; branches?: string[] }, count: number, offset: number, permission: 'case.read' | 'case.billing.read' = 'case.read') {
      const actor = req.actor;
      if (!roleAllows(actor.role, permission)) throw new AppError('FORBIDDEN');
      const values: unknown[] = [actor.userId];
      const bind = (v: unknown) => {
        values.push(v);
        return `$${values.length}`;
      };
      const q = sql(caseGrantSql(actor, 1), bind, grantPartsSql(actor, 1));
      const where = q.where.length ? `WHERE ${q.where.join(' AND ')}` : '';
      const total = await searchTotal(tx, `${q.from} ${where}`, values, req);
      const rows = await tx.query<T>(q.branches
        ? `SELECT ${q.cols} FROM (${mergedWalksSql({ select: 'c.id, c.queued_at', from: q.from, alias: 'c', where: q.where, branches: q.branches, orderBy: q.order, limit: count, offset })}) page JOIN cases c ON c.id = page.id ORDER BY ${q.order}`
        : `SELECT ${q.cols} ${q.from} ${where} ORDER BY ${q.order} LIMIT ${count} OFFSET ${offset}`, values);
      return { rows, total: exactWhenShort(total, rows.length, count, offset), actor };
    }

    // Patient ----------------------------------------------------------------------------------
    app.get('/Patient/:id', { config: { access: { case: 'case.read' } } }, async (req, reply) => {
      const actor = req.actor;
      const { id } = req.params as { id: string };
      const patient = await withCaseTx(db, async (tx) => {
        const [row] = referenceId(id, 'Patient') ? await tx.query<{ id: string }>('SELECT id FROM cases WHERE patient_id = $1', [id]) : [];
        if (!row) throw notFound('This patient');
        await openCase(tx, actor, row.id, 'case.read', requestMeta(req), { auditAction: 'fhir.Patient.read' });
        return (await tx.query<PatientRow>('SELECT * FROM patients WHERE id = $1', [id]))[0]!;
      });
      return send(reply, toFhirPatient(patient));
    });
    app.get('/Patient', { config: { access: { permission: 'case.read' } } }, async (req, reply) => {
      const p = params(req.query, ['_id', 'name', 'family', 'given', 'birthdate', '_count', '_offset']);
      const count = countParam(p._count?.[0]);
      const offset = offsetParam(p._offset?.[0]);
      const result = await db.reading(async (tx) => {
        const r = await searchCases<PatientRow & { case_id: string }>(req, tx, (grant, bind) => {
          const where = [grant];
          if (p._id) where.push(`pt.id = ANY(${bind(p._id.flatMap((v) => v.split(',')).map(asUuid))}::uuid[])`);
          for (const n of p.name ?? []) where.push(`(lower(pt.given_name) LIKE ${bind(`${n.toLowerCase()}%`)} OR lower(pt.family_name) LIKE ${bind(`${n.toLowerCase()}%`)})`);
          for (const n of p.family ?? []) where.push(`lower(pt.family_name) LIKE ${bind(`${n.toLowerCase()}%`)}`);
          for (const n of p.given ?? []) where.push(`lower(pt.given_name) LIKE ${bind(`${n.toLowerCase()}%`)}`);
          where.push(...dateConditions(p.birthdate ?? [], 'pt.birth_date', bind));
          return { from: 'FROM patients pt JOIN cases c ON c.patient_id = pt.id', where, order: 'pt.family_name, pt.id', cols: 'pt.*, c.id AS case_id' };
        }, count, offset);
        await recordCaseReads(tx, { actor: r.actor, meta: requestMeta(req), action: 'fhir.Patient.search', entityType: 'Patient' }, r.rows.map((row) => row.case_id));
        return r;
      });
      return send(reply, bundle(req, baseUrl(), result.rows.map(toFhirPatient), result.total, count, offset));
    });

    // ServiceRequest ---------------------------------------------------------------------------
    app.get('/ServiceRequest/:id', { config: { access: { case: 'case.read' } } }, async (req, reply) => {
      const actor = req.actor;
      const { id } = req.params as { id: string };
      const c = await withCaseTx(db, async (tx) => (await openCase(tx, actor, id, 'case.read', requestMeta(req), { auditAction: 'fhir.ServiceRequest.read' })).row);
      return send(reply, toFhirServiceRequest(c as unknown as CaseForFhir));
    });
    app.get('/ServiceRequest', { config: { access: { permission: 'case.read' } } }, async (req, reply) => {
      const p = params(req.query, ['_id', 'patient', 'subject', 'status', 'authored', 'date', 'identifier', '_count', '_offset']);
      const count = countParam(p._count?.[0]);
      const offset = offsetParam(p._offset?.[0]);
      const result = await db.reading(async (tx) => {
        const r = await searchCases<CaseForFhir>(req, tx, (grant, bind, grantParts) => {
          const where = [grant];
          // A coordinator's own cases and the unclaimed pool, each walked on its own index (as the
          // queue is): one walk of both would pass every other coordinator's cases.
          let branches: string[] | undefined = grantParts ? [...grantParts] : undefined;
          if (p._id) where.push(`c.id = ANY(${bind(p._id.flatMap((v) => v.split(',')).map(asUuid))}::uuid[])`);
          for (const ref of [...(p.patient ?? []), ...(p.subject ?? [])]) where.push(`c.patient_id = ${bind(asUuid(referenceId(ref, 'Patient')))}::uuid`);
          for (const v of p.identifier ?? []) where.push(`c.reference = ${bind(v.includes('|') ? v.split('|')[1] : v)}`);
          if (p.status) {
            const statuses = p.status.flatMap((s) => s.split(','));
            const map: Record<string, string[]> = { draft: ['draft'], active: ['submitted', 'collecting_records', 'ready_for_review', 'assigned', 'in_review', 'board', 'opinion_signed'], completed: ['delivered', 'closed'], revoked: ['cancelled'], 'on-hold': ['on_hold'] };
            const wanted = [...new Set(statuses.flatMap((s) => map[s] ?? []))];
            // One index walk per case status, merged: "active" spans seven of them.
            const statusIs = oneOf('c.status', bind(wanted), 'text', wanted.length);
            where.push(statusIs.any);
            branches = statusIs.branches;
          }
          // Authored: when the request was sent (a draft's: when it was started), as the queue's age.
          where.push(...dateConditions([...(p.authored ?? []), ...(p.date ?? [])], 'c.queued_at', bind));
          return { from: 'FROM cases c', where, order: 'c.queued_at, c.id', cols: CASE_COLS, branches };
        }, count, offset);
        await recordCaseReads(tx, { actor: r.actor, meta: requestMeta(req), action: 'fhir.ServiceRequest.search', entityType: 'Case' }, r.rows.map((row) => row.id));
        return r;
      });
      return send(reply, bundle(req, baseUrl(), result.rows.map(toFhirServiceRequest), result.total, count, offset));
    });

    // Consent ----------------------------------------------------------------------------------
    const CONSENT_SQL = 'SELECT s.id, s.case_id, c.patient_id, s.document, s.version, s.typed_name, s.signer_relation, s.signed_at, s.language';
    app.get('/Consent/:id', { config: { access: { case: 'case.read' } } }, async (req, reply) => {
      const actor = req.actor;
      const { id } = req.params as { id: string };
      const row = await withCaseTx(db, async (tx) => {
        const [s] = referenceId(id, 'Consent') ? await tx.query<ConsentRow>(`${CONSENT_SQL} FROM consent_signatures s JOIN cases c ON c.id = s.case_id WHERE s.id = $1`, [id]) : [];
        if (!s) throw notFound('This consent');
        await openCase(tx, actor, s.case_id, 'case.read', requestMeta(req), { auditAction: 'fhir.Consent.read' });
        return s;
      });
      return send(reply, toFhirConsent(row));
    });
    app.get('/Consent', { config: { access: { permission: 'case.read' } } }, async (req, reply) => {
      const p = params(req.query, ['patient', 'date', 'status', '_count', '_offset']);
      const count = countParam(p._count?.[0]);
      const offset = offsetParam(p._offset?.[0]);
      const result = await db.reading(async (tx) => {
        const r = await searchCases<ConsentRow>(req, tx, (grant, bind) => {
          const where = [grant];
          for (const ref of p.patient ?? []) where.push(`c.patient_id = ${bind(asUuid(referenceId(ref, 'Patient')))}::uuid`);
          if (p.status && !p.status.flatMap((s) => s.split(',')).includes('active')) where.push('FALSE');
          where.push(...dateConditions(p.date ?? [], 's.signed_at', bind));
          return { from: 'FROM consent_signatures s JOIN cases c ON c.id = s.case_id', where, order: 's.signed_at, s.id', cols: CONSENT_SQL.replace(/^SELECT /, '') };
        }, count, offset);
        await recordCaseReads(tx, { actor: r.actor, meta: requestMeta(req), action: 'fhir.Consent.search', entityType: 'Consent' }, r.rows.map((row) => row.case_id));
        return r;
      });
      return send(reply, bundle(req, baseUrl(), result.rows.map(toFhirConsent), result.total, count, offset));
    });

    // Coverage ---------------------------------------------------------------------------------
    // The plan and the card's numbers are billing information: the patient side and the coordinator.
    const COVERAGE_COLS = 'c.id, c.patient_id, c.intake, c.updated_at';
    const HAS_COVERAGE = `(c.intake->'patient'->>'planType' = ANY('{${COVERED_PLAN_TYPES.join(',')}}'::text[]) OR (coalesce(c.intake->'patient'->>'planType', '') <> 'none' AND (c.intake->'patient' ? 'insurancePlan' OR c.intake->'patient' ? 'insuranceMemberId')))`;
    app.get('/Coverage/:id', { config: { access: { case: 'case.billing.read' } } }, async (req, reply) => {
      const actor = req.actor;
      const { id } = req.params as { id: string };
      const coverage = await withCaseTx(db, async (tx) => {
        const [row] = referenceId(id, 'Coverage') ? await tx.query<CoverageRow>(`SELECT ${COVERAGE_COLS} FROM cases c WHERE c.id = $1`, [id]) : [];
        if (!row) throw notFound('This coverage');
        await openCase(tx, actor, row.id, 'case.billing.read', requestMeta(req), { auditAction: 'fhir.Coverage.read' });
        const resource = toFhirCoverage(row);
        if (!resource) throw notFound('This coverage');
        return resource;
      });
      return send(reply, coverage);
    });
    app.get('/Coverage', { config: { access: { permission: 'case.billing.read' } } }, async (req, reply) => {
      const p = params(req.query, ['patient', 'beneficiary', '_count', '_offset']);
      const count = countParam(p._count?.[0]);
      const offset = offsetParam(p._offset?.[0]);
      const result = await db.reading(async (tx) => {
        const r = await searchCases<CoverageRow>(req, tx, (grant, bind) => {
          const where = [grant, HAS_COVERAGE];
          for (const ref of [...(p.patient ?? []), ...(p.beneficiary ?? [])]) where.push(`c.patient_id = ${bind(asUuid(referenceId(ref, 'Patient')))}::uuid`);
          return { from: 'FROM cases c', where, order: 'c.created_at, c.id', cols: COVERAGE_COLS };
        }, count, offset, 'case.billing.read');
        await recordCaseReads(tx, { actor: r.actor, meta: requestMeta(req), action: 'fhir.Coverage.search', entityType: 'Coverage' }, r.rows.map((row) => row.id));
        return r;
      });
      return send(reply, bundle(req, baseUrl(), result.rows.flatMap((row) => toFhirCoverage(row) ?? []), result.total, count, offset));
    });

    // Invoice ----------------------------------------------------------------------------------
    // Bills: the patient side reads those issued; the coordinator, drafts too.
    const FHIR_STATUS_OF: Record<string, string[]> = { draft: ['draft'], issued: ['issued'], balanced: ['paid', 'written_off'], cancelled: ['void'] };
    async function invoicesAsFhir(tx: Queryable, actor: Parameters<typeof roleAllows>[0], rows: { id: string; case_id: string; patient_id: string }[]) {
      const byCase = new Map<string, Awaited<ReturnType<typeof caseInvoices>>>();
      for (const r of rows) if (!byCase.has(r.case_id)) byCase.set(r.case_id, await caseInvoices(tx, r.case_id, roleAllows(actor, 'case.billing.manage')));
      return rows.flatMap((r) => {
        const inv = byCase.get(r.case_id)!.find((i) => i.id === r.id);
        return inv ? [toFhirInvoice(inv, r.patient_id, r.case_id, ownsMoneyMatters({ role: actor }))] : [];
      });
    }
    app.get('/Invoice/:id', { config: { access: { case: 'case.billing.read' } } }, async (req, reply) => {
      const actor = req.actor;
      const { id } = req.params as { id: string };
      const invoice = await withCaseTx(db, async (tx) => {
        const [row] = referenceId(id, 'Invoice') ? await tx.query<{ id: string; case_id: string; patient_id: string }>('SELECT i.id, i.case_id, c.patient_id FROM invoices i JOIN cases c ON c.id = i.case_id WHERE i.id = $1', [id]) : [];
        if (!row) throw notFound('This invoice');
        await openCase(tx, actor, row.case_id, 'case.billing.read', requestMeta(req), { auditAction: 'fhir.Invoice.read' });
        const [found] = await invoicesAsFhir(tx, actor.role, [row]);
        if (!found) throw notFound('This invoice');
        return found;
      });
      return send(reply, invoice);
    });
    app.get('/Invoice', { config: { access: { permission: 'case.billing.read' } } }, async (req, reply) => {
      const p = params(req.query, ['patient', 'subject', 'status', '_count', '_offset']);
      const count = countParam(p._count?.[0]);
      const offset = offsetParam(p._offset?.[0]);
      const result = await db.reading(async (tx) => {
        const r = await searchCases<{ id: string; case_id: string; patient_id: string }>(req, tx, (grant, bind) => {
          const where = [grant];
          if (!roleAllows(req.actor.role, 'case.billing.manage')) where.push(`i.status <> 'draft'`);
          for (const ref of [...(p.patient ?? []), ...(p.subject ?? [])]) where.push(`c.patient_id = ${bind(asUuid(referenceId(ref, 'Patient')))}::uuid`);
          for (const s of p.status ?? []) where.push(`i.status = ANY(${bind(s.split(',').flatMap((x) => FHIR_STATUS_OF[x] ?? []))}::text[])`);
          return { from: 'FROM invoices i JOIN cases c ON c.id = i.case_id', where, order: 'i.created_at, i.id', cols: 'i.id, i.case_id, c.patient_id' };
        }, count, offset, 'case.billing.read');
        await recordCaseReads(tx, { actor: r.actor, meta: requestMeta(req), action: 'fhir.Invoice.search', entityType: 'Invoice' }, r.rows.map((row) => row.case_id));
        return { ...r, resources: await invoicesAsFhir(tx, r.actor.role, r.rows) };
      });
      return send(reply, bundle(req, baseUrl(), result.resources, result.total, count, offset));
    });

    // Claim ------------------------------------------------------------------------------------
    // A bill that stands, as the superbill's claim to the patient's health plan: only where the
    // request names a plan (a claim is made against a coverage), for the patient side and the coordinator.
    // A bill that asks something (paid on, or owing), for services given (a report issued, a visit held): as the superbill decides, so totals match.
    const CLAIMABLE = `i.status IN ('issued', 'paid', 'written_off') AND ${HAS_COVERAGE}
      AND (i.status = 'issued' OR EXISTS (SELECT 1 FROM invoice_payments p WHERE p.invoice_id = i.id))
      AND (EXISTS (SELECT 1 FROM opinion_reports r WHERE r.case_id = c.id) OR EXISTS (SELECT 1 FROM visits v WHERE v.case_id = c.id AND v.status = 'ended'))`;
    async function claimsAsFhir(tx: Queryable, rows: { id: string; case_id: string; patient_id: string }[]) {
      const claims = [];
      for (const r of rows) {
        const [caseRow] = await tx.query<CaseRow>('SELECT * FROM cases WHERE id = $1', [r.case_id]);
        const invoice = await invoiceById(tx, r.case_id, r.id);
        if (!caseRow || !invoice || !superbillAvailable(invoice)) continue;
        const bill = await superbillFor(tx, config, caseRow, invoice);
        // A claim is for services given: a bill issued before any was given has none yet.
        if (bill.lines.length) claims.push(toFhirClaim(bill, r.patient_id, r.case_id));
      }
      return claims;
    }
    app.get('/Claim/:id', { config: { access: { case: 'case.billing.read' } } }, async (req, reply) => {
      const actor = req.actor;
      const { id } = req.params as { id: string };
      const claim = await withCaseTx(db, async (tx) => {
        const [row] = referenceId(id, 'Claim') ? await tx.query<{ id: string; case_id: string; patient_id: string; claimable: boolean }>(
          `SELECT i.id, i.case_id, c.patient_id, (${CLAIMABLE}) AS claimable FROM invoices i JOIN cases c ON c.id = i.case_id WHERE i.id = $1`, [id]) : [];
        if (!row) throw notFound('This claim');
        await openCase(tx, actor, row.case_id, 'case.billing.read', requestMeta(req), { auditAction: 'fhir.Claim.read' });
        const [claim] = row.claimable ? await claimsAsFhir(tx, [row]) : [];
        if (!claim) throw notFound('This claim');
        return claim;
      });
      return send(reply, claim);
    });
    app.get('/Claim', { config: { access: { permission: 'case.billing.read' } } }, async (req, reply) => {
      const p = params(req.query, ['patient', '_count', '_offset']);
      const count = countParam(p._count?.[0]);
      const offset = offsetParam(p._offset?.[0]);
      const result = await db.reading(async (tx) => {
        const r = await searchCases<{ id: string; case_id: string; patient_id: string }>(req, tx, (grant, bind) => {
          const where = [grant, CLAIMABLE];
          for (const ref of p.patient ?? []) where.push(`c.patient_id = ${bind(asUuid(referenceId(ref, 'Patient')))}::uuid`);
          return { from: 'FROM invoices i JOIN cases c ON c.id = i.case_id', where, order: 'i.created_at, i.id', cols: 'i.id, i.case_id, c.patient_id' };
        }, count, offset, 'case.billing.read');
        await recordCaseReads(tx, { actor: r.actor, meta: requestMeta(req), action: 'fhir.Claim.search', entityType: 'Claim' }, r.rows.map((row) => row.case_id));
        return { ...r, resources: await claimsAsFhir(tx, r.rows) };
      });
      return send(reply, bundle(req, baseUrl(), result.resources, result.total, count, offset));
    });

    // AuditEvent -------------------------------------------------------------------------------
    // Staff addresses are for administrators only, as in the REST access log.
    const forViewer = (row: AuditRow, isAdmin: boolean): AuditRow => (isAdmin ? row : { ...row, ip: null });
    const AUDIT_SQL = `a.id, a.at, a.actor_id, u.name AS actor_name, a.actor_role, a.action, a.entity_type, a.entity_id, a.case_id, c.patient_id, a.ip, a.outcome`;
    const AUDIT_FROM = 'FROM audit_events a LEFT JOIN users u ON u.id = a.actor_id LEFT JOIN cases c ON c.id = a.case_id';
    app.get('/AuditEvent', { config: { access: 'signed-in' } }, async (req, reply) => {
      const actor = req.actor;
      const p = params(req.query, ['entity', 'patient', 'date', 'agent', 'outcome', '_count', '_offset']);
      const count = countParam(p._count?.[0]);
      const offset = offsetParam(p._offset?.[0]);
      const isAdmin = roleAllows(actor.role, 'audit.read');
      if (!isAdmin && !roleAllows(actor.role, 'case.accessLog.read')) throw new AppError('FORBIDDEN', 'Audit events are for administrators, and for patients and coordinators about their own cases.');
      const values: unknown[] = [];
      const bind = (v: unknown) => {
        values.push(v);
        return `$${values.length}`;
      };
      // Non-admins see only events about cases they hold a grant on.
      const where = [isAdmin ? 'TRUE' : `a.case_id IS NOT NULL AND ${caseGrantSql(actor, values.push(actor.userId))}`];
      const patients: string[] = [];
      for (const e of p.entity ?? []) {
        const sr = referenceId(e, 'ServiceRequest');
        const pt = e.startsWith('Patient/') ? referenceId(e, 'Patient') : null;
        if (pt) patients.push(asUuid(pt));
        else where.push(sr ? `a.case_id = ${bind(asUuid(sr))}::uuid` : `a.entity_id = ${bind(e.split('/').pop())}`);
      }
      for (const ref of p.patient ?? []) patients.push(asUuid(referenceId(ref, 'Patient')));
      for (const ag of p.agent ?? []) where.push(`a.actor_id = ${bind(asUuid(ag.split('|').pop() ?? null))}::uuid`);
      if (p.outcome) where.push(`a.outcome = ANY(${bind(p.outcome.flatMap((o) => o.split(',')).map((o) => ({ '0': 'success', '4': 'denied', '8': 'failure' })[o] ?? o))}::text[])`);
      where.push(...dateConditions(p.date ?? [], 'a.at', bind));
      const result = await db.reading(async (tx) => {
        // A patient's events, through their cases: one index walk per case, newest first, not the whole trail.
        const branches: string[] = [];
        if (patients.length) {
          const ids = await casesOfAllPatients(tx, patients);
          const caseIs = oneOf('a.case_id', bind(ids), 'uuid', ids.length);
          where.push(caseIs.any);
          branches.push(...caseIs.branches);
        }
        const total = await searchTotal(tx, `${AUDIT_FROM} WHERE ${where.join(' AND ')}`, values, req);
        const page = mergedWalksSql({ select: 'a.seq', from: AUDIT_FROM, alias: 'a', where, branches, orderBy: 'a.seq DESC', limit: count, offset });
        const rows = await tx.query<AuditRow>(`SELECT ${AUDIT_SQL} FROM (${page}) page JOIN audit_events a ON a.seq = page.seq
          LEFT JOIN users u ON u.id = a.actor_id LEFT JOIN cases c ON c.id = a.case_id ORDER BY a.seq DESC`, values);
        await recordCaseReads(tx, { actor, meta: requestMeta(req), action: 'fhir.AuditEvent.search', entityType: 'AuditEvent' }, rows.flatMap((row) => (row.case_id ? [row.case_id] : [])));
        return { rows, total: exactWhenShort(total, rows.length, count, offset) };
      });
      return send(reply, bundle(req, baseUrl(), result.rows.map((row) => toFhirAuditEvent(forViewer(row, isAdmin))), result.total, count, offset));
    });
    app.get('/AuditEvent/:id', { config: { access: 'signed-in' } }, async (req, reply) => {
      const actor = req.actor;
      const { id } = req.params as { id: string };
      const row = await withCaseTx(db, async (tx) => {
        const [a] = referenceId(id, 'AuditEvent') ? await tx.query<AuditRow>(`SELECT ${AUDIT_SQL} ${AUDIT_FROM} WHERE a.id = $1`, [id]) : [];
        if (!a) throw notFound('This audit event');
        if (!roleAllows(actor.role, 'audit.read')) {
          if (!a.case_id) throw notFound('This audit event');
          await openCase(tx, actor, a.case_id, 'case.accessLog.read', requestMeta(req));
        }
        await recordAudit(tx, { actor, meta: requestMeta(req), action: 'fhir.AuditEvent.read', entityType: 'AuditEvent', entityId: id, caseId: a.case_id });
        return a;
      });
      return send(reply, toFhirAuditEvent(forViewer(row, roleAllows(actor.role, 'audit.read'))));
    });
  };
}
