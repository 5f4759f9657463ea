import { roleAllows } from '../core/auth/roles.ts';
import { recordAudit } from '../core/audit.ts';
import { openCase, withCaseTx, type CaseRow } from '../core/access.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Queryable } from '../core/db.ts';
import type { Locale } from '../core/locale.ts';
import type { Deps } from '../core/deps.ts';
import { AppError, msg } from '../core/errors.ts';
import type { AssessmentAnswers } from '../assessment/answers.ts';
import { KNOWLEDGE } from '../assessment/knowledge.ts';
import type { Intake } from '../cases/intake.ts';
import { caseChecklist } from '../records/checklist.ts';
import { composeTeam, loadMatchingConfig, TAXONOMY, type CaseNeeds, type ExpertCandidate, type MatchingConfig } from './matching.ts';
import type { AccountsService } from '../accounts/service.ts';
import { directoryBundle, directoryCsv, parseDirectoryCsv } from './directoryExchange.ts';
import type { ExpertProfileInput } from './schemas.ts';

interface ProfileRow {
  user_id: string;
  name: string;
  email: string;
  disabled_at: Date | null;
  npi: string | null;
  credentials: string;
  taxonomy_codes: string[];
  focus_codes: string[];
  procedures: ExpertCandidate['procedures'];
  institution: ExpertCandidate['institution'];
  licensure: string[];
  languages: string[];
  consult_modes: ExpertCandidate['consultModes'];
  insurance_networks: string[];
  fee_usd: number | null;
  capacity_max: number;
  accepting_cases: boolean;
  out_of_office: ExpertCandidate['outOfOffice'];
  conflicts: string[];
  past_turnaround_days: number | null;
  history_turnaround_days: number | null;
  open_cases: number;
}

/** An expert's open cases, as an SQL expression over the expert's id expression. */
const openCasesOf = (expertId: string) => `(SELECT count(*)::int FROM case_members m JOIN cases c ON c.id = m.case_id
  WHERE m.user_id = ${expertId} AND m.relation = 'expert' AND m.revoked_at IS NULL AND c.status NOT IN ('delivered', 'closed', 'cancelled'))`;
// Turnaround from history: days from assignment to signed opinion, over the expert's cases.
const TURNAROUND = `(SELECT avg(extract(epoch FROM (s.at - a.at)) / 86400)::real FROM case_members m2
  JOIN case_events a ON a.case_id = m2.case_id AND a.to_status = 'assigned'
  JOIN case_events s ON s.case_id = m2.case_id AND s.to_status = 'opinion_signed'
  WHERE m2.user_id = u.id AND m2.relation = 'expert')`;
const SELECT = `SELECT u.id AS user_id, u.name, u.email, u.disabled_at, p.*, ${openCasesOf('u.id')} AS open_cases, ${TURNAROUND} AS history_turnaround_days
  FROM users u JOIN expert_profiles p ON p.user_id = u.id WHERE u.role = 'expert'`;

/** Measured turnaround when the expert has signed opinions here; otherwise what the profile says. */
const turnaround = (r: ProfileRow) => (r.history_turnaround_days != null ? Math.round(r.history_turnaround_days * 10) / 10 : r.past_turnaround_days);

export function profileView(r: ProfileRow) {
  return {
    userId: r.user_id, name: r.name, email: r.email, active: !r.disabled_at, npi: r.npi, credentials: r.credentials,
    taxonomy: r.taxonomy_codes.map((code) => ({ code, display: TAXONOMY.codes.find((c) => c.code === code)?.display ?? code })),
    focusCodes: r.focus_codes, procedures: r.procedures, institution: r.institution, licensure: r.licensure, languages: r.languages,
    consultModes: r.consult_modes, insuranceNetworks: r.insurance_networks, feeUsd: r.fee_usd, capacityMax: r.capacity_max, acceptingCases: r.accepting_cases,
    openCases: r.open_cases, outOfOffice: r.out_of_office, conflicts: r.conflicts, pastTurnaroundDays: turnaround(r),
  };
}

const candidateOf = (r: ProfileRow): ExpertCandidate => ({
  userId: r.user_id, name: r.name, active: !r.disabled_at, taxonomyCodes: r.taxonomy_codes, focusCodes: r.focus_codes, procedures: r.procedures,
  institution: r.institution, licensure: r.licensure, languages: r.languages, consultModes: r.consult_modes, insuranceNetworks: r.insurance_networks,
  capacityMax: r.capacity_max, acceptingCases: r.accepting_cases, openCases: r.open_cases, outOfOffice: r.out_of_office, conflicts: r.conflicts, pastTurnaroundDays: turnaround(r),
});

/** The expert directory and matching experts to a case. */
/**
 * The team the case needs (the reviewer roles the assessment rules call for), with the best
 * expert proposed per role and every candidate's ranking and reasons. No access check: callers
 * check (the coordinator's request) or act for the service (auto-assignment).
 */
export async function teamFor(tx: Queryable, row: CaseRow, consultMode: 'records_review' | 'video', now: Date, matching: MatchingConfig, locale: Locale = 'en') {
  const { assessment } = await caseChecklist(tx, row);
  const intake = row.intake as Intake;
  const carried = row.assessment_answers as AssessmentAnswers | null;
  const op = KNOWLEDGE.operations.find((o) => o.id === carried?.surgery?.operation);
  const standard = op?.volumeStandard ? KNOWLEDGE.volumeStandards.find((v) => v.id === op.volumeStandard) : undefined;
  const p = intake.patient;
  const base: Omit<CaseNeeds, 'specialty'> = {
    icd10Code: intake.condition?.icd10Code ?? null,
    patientLocation: p ? (p.country === 'US' && p.state ? `US-${p.state}` : p.country) : null,
    consultMode,
    language: p?.preferredLanguage?.slice(0, 2) ?? null,
    insurance: p?.insurancePlan ?? null,
    operation: op && standard && op.surgeon ? { id: op.id, surgeonMin: standard.surgeonMin, role: op.surgeon } : null,
    rareOrComplex: KNOWLEDGE.conditions.find((c) => c.id === assessment.condition.id)?.rareOrComplex ?? false,
    treatingInstitutions: intake.plan?.treatingInstitution ? [intake.plan.treatingInstitution] : [],
    today: now.toISOString().slice(0, 10),
    locale,
  };
  const experts = (await tx.query<ProfileRow>(SELECT)).map(candidateOf);
  const roles = assessment.reviewers.map((r) => r.specialty);
  const team = composeTeam(experts, roles, base, matching);
  return {
    conditionId: assessment.condition.id,
    needs: { ...base, roles },
    weights: matching.weights,
    team: team.map((t) => ({
      role: t.role,
      roleLabel: KNOWLEDGE.specialties.find((s) => s.id === t.role)?.label ?? t.role,
      proposed: t.proposed,
      candidates: t.ranking.slice(0, 20),
    })),
  };
}

export function expertsService(deps: Deps, accounts: Pick<AccountsService, 'createStaffUser'>) {
  const { db, config } = deps;
  const matching = loadMatchingConfig(deps.config.matchingWeightsFile);

  async function save(tx: Queryable, userId: string, p: ExpertProfileInput) {
    const [open] = await tx.query<{ n: number }>(`SELECT ${openCasesOf('$1')} AS n`, [userId]);
    if ((open?.n ?? 0) > p.capacityMax) throw new AppError('VALIDATION_FAILED', msg`The capacity (${p.capacityMax}) is below the ${open!.n} cases already open.`, { errors: [{ path: '/capacityMax', message: 'Below the current load.' }] });
    await tx.query(
      `INSERT INTO expert_profiles (user_id, npi, credentials, taxonomy_codes, focus_codes, procedures, institution, licensure, languages, consult_modes, insurance_networks, fee_usd, capacity_max, out_of_office, conflicts, accepting_cases, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16, now())
       ON CONFLICT (user_id) DO UPDATE SET npi = EXCLUDED.npi, credentials = EXCLUDED.credentials, taxonomy_codes = EXCLUDED.taxonomy_codes, focus_codes = EXCLUDED.focus_codes,
         procedures = EXCLUDED.procedures, institution = EXCLUDED.institution, licensure = EXCLUDED.licensure, languages = EXCLUDED.languages, consult_modes = EXCLUDED.consult_modes,
         insurance_networks = EXCLUDED.insurance_networks, fee_usd = EXCLUDED.fee_usd, capacity_max = EXCLUDED.capacity_max, out_of_office = EXCLUDED.out_of_office, conflicts = EXCLUDED.conflicts, accepting_cases = EXCLUDED.accepting_cases, updated_at = now()`,
      [userId, p.npi ?? null, p.credentials, p.taxonomyCodes, p.focusCodes, JSON.stringify(p.procedures), JSON.stringify(p.institution), p.licensure, p.languages, p.consultModes, p.insuranceNetworks, p.feeUsd, p.capacityMax, JSON.stringify(p.outOfOffice), p.conflicts, p.acceptingCases]);
    const [row] = await tx.query<ProfileRow>(`${SELECT} AND u.id = $1`, [userId]);
    return profileView(row!);
  }

  async function saveProfile(actor: Actor, userId: string, p: ExpertProfileInput, meta: RequestMeta) {
    const own = actor.role === 'expert' && actor.userId === userId;
    if (!own && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Experts edit their own profile; admins edit any.');
    return db.transaction(async (tx) => {
      const [u] = await tx.query<{ role: string }>('SELECT role FROM users WHERE id = $1', [userId]);
      if (u?.role !== 'expert') throw new AppError('NOT_FOUND', 'There is no expert with this id.');
      const view = await save(tx, userId, p);
      await recordAudit(tx, { actor, meta, action: 'expert.profile.save', entityType: 'ExpertProfile', entityId: userId });
      return view;
    });
  }

  return {
    async myProfile(actor: Actor) {
      if (actor.role !== 'expert') throw new AppError('FORBIDDEN', 'Only experts have a directory profile.');
      const [row] = await db.query<ProfileRow>(`${SELECT} AND u.id = $1`, [actor.userId]);
      return row ? profileView(row) : null;
    },

    saveProfile,

    /** Imports the directory from CSV: good rows are saved (new experts get an account and a set-password mail), bad rows reported by line. */
    async importCsv(actor: Actor, text: string, meta: RequestMeta) {
      if (actor.role !== 'admin') throw new AppError('FORBIDDEN');
      const { rows, errors } = parseDirectoryCsv(text);
      let created = 0;
      let saved = 0;
      for (const row of rows) {
        try {
          let [user] = await db.query<{ id: string; role: string }>('SELECT id, role FROM users WHERE lower(email) = $1', [row.email]);
          if (user && user.role !== 'expert') throw new AppError('CONFLICT', msg`${row.email} belongs to an account that is not an expert.`);
          if (!user) {
            const u = await accounts.createStaffUser(actor, { email: row.email, name: row.name, role: 'expert' }, meta);
            user = { id: u.id, role: 'expert' };
            created++;
          }
          await saveProfile(actor, user.id, row.profile, meta);
          saved++;
        } catch (err) {
          errors.push({ line: row.line, message: (err as Error).message });
        }
      }
      return { saved, created, errors: errors.sort((a, b) => a.line - b.line) };
    },

    async export(actor: Actor, format: 'csv' | 'fhir', meta: RequestMeta) {
      if (actor.role !== 'admin') throw new AppError('FORBIDDEN');
      const rows = (await db.query<ProfileRow>(`${SELECT} ORDER BY u.name`)).map(profileView);
      await db.transaction((tx) => recordAudit(tx, { actor, meta, action: 'expert.directory.export', entityType: 'ExpertProfile', detail: { format, count: rows.length } }));
      return format === 'csv' ? directoryCsv(rows) : directoryBundle(rows, `${config.publicUrl}/fhir/R4`);
    },

    /** One expert's directory entry (the FHIR Practitioner and PractitionerRole routes), for those who search the directory. */
    async one(actor: Actor, userId: string) {
      if (!roleAllows(actor.role, 'experts.list')) throw new AppError('FORBIDDEN');
      const [row] = /^[0-9a-f-]{36}$/i.test(userId) ? await db.query<ProfileRow>(`${SELECT} AND u.id = $1`, [userId]) : [];
      if (!row) throw new AppError('NOT_FOUND', 'This practitioner was not found.');
      return profileView(row);
    },

    async search(actor: Actor, f: { q?: string; taxonomy?: string; licensedIn?: string; language?: string; page: number; pageSize: number }) {
      if (!roleAllows(actor.role, 'experts.list')) throw new AppError('FORBIDDEN');
      const where: string[] = [];
      const params: unknown[] = [];
      const bind = (v: unknown) => `$${params.push(v)}`;
      if (f.q) where.push(`(lower(u.name) LIKE ${bind(`%${f.q.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`)} OR lower(p.institution->>'name') LIKE $${params.length} OR p.npi = ${bind(f.q)})`);
      if (f.taxonomy) where.push(`${bind(f.taxonomy)} = ANY(p.taxonomy_codes)`);
      if (f.licensedIn) where.push(`${bind(f.licensedIn)} = ANY(p.licensure)`);
      if (f.language) where.push(`${bind(f.language)} = ANY(p.languages)`);
      const sql = `${SELECT}${where.length ? ` AND ${where.join(' AND ')}` : ''}`;
      const [count] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) x`, params);
      const rows = await db.query<ProfileRow>(`${sql} ORDER BY u.name LIMIT ${f.pageSize} OFFSET ${(f.page - 1) * f.pageSize}`, params);
      return { items: rows.map(profileView), total: count?.n ?? 0, page: f.page, pageSize: f.pageSize };
    },

    /**
     * The team the case needs (the reviewer roles the assessment rules call for), with the best
     * expert proposed per role and every candidate's ranking and reasons.
     */
    async matchCase(actor: Actor, caseId: string, consultMode: 'records_review' | 'video', meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.experts.match', meta, { auditAction: 'case.matches.read' });
        return teamFor(tx, row, consultMode, deps.now(), matching, meta.locale);
      });
    },
  };
}

export type ExpertsService = ReturnType<typeof expertsService>;
