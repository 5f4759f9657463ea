import { findUserByEmail, insertUser } from '../accounts/repository.ts';
import { casesService } from '../cases/service.ts';
import type { Intake } from '../cases/intake.ts';
import type { CaseCommand } from '../cases/lifecycle.ts';
import { currentDocument } from '../consent/documents.ts';
import { hashPassword } from '../core/auth/passwords.ts';
import type { Role } from '../core/auth/roles.ts';
import { loadConfig } from '../core/config.ts';
import { SYSTEM_META, type Actor } from '../core/context.ts';
import type { CaseRow } from '../core/access.ts';
import type { Db } from '../core/db.ts';
import { caseChecklist } from '../records/checklist.ts';

/** The demo password of every demo account (listed in the README; demo mode only). */
export const DEMO_PASSWORD = 'Consilium-demo-1';

export const DEMO_USERS: { email: string; name: string; role: Role }[] = [
  { email: 'admin@demo.consilium.test', name: 'Ada Admin', role: 'admin' },
  { email: 'coordinator@demo.consilium.test', name: 'Casey Coordinator', role: 'coordinator' },
  { email: 'pathologist@demo.consilium.test', name: 'Dr. Priya Path', role: 'expert' },
  { email: 'oncologist@demo.consilium.test', name: 'Dr. Omar Onco', role: 'expert' },
  { email: 'chair@demo.consilium.test', name: 'Dr. Bea Board', role: 'board_chair' },
  { email: 'referrer@demo.consilium.test', name: 'Dr. Rita Referrer', role: 'referring_physician' },
  { email: 'patient@demo.consilium.test', name: 'Alex Example', role: 'patient' },
  { email: 'caregiver@demo.consilium.test', name: 'Sam Example', role: 'patient' },
];

// Synthetic patients, one per demo case: names, dates and stories are invented.
const DEMO_CASES: { given: string; family: string; born: string; code: string; condition: string; situations: number[]; surgery?: string; fast?: boolean; path: CaseCommand[] }[] = [
  { given: 'Alex', family: 'Example', born: '1961-04-12', code: 'C34.11', condition: 'Lung adenocarcinoma, right upper lobe', situations: [1, 2], surgery: 'Right upper lobectomy', path: ['submit'] },
  { given: 'Alex', family: 'Example', born: '1961-04-12', code: 'J84.112', condition: 'Suspected idiopathic pulmonary fibrosis', situations: [1, 4], path: [] },
  { given: 'Jordan', family: 'Sample', born: '1974-09-30', code: 'C49.9', condition: 'Soft-tissue sarcoma of the thigh', situations: [4], fast: true, path: ['submit'] },
  { given: 'Morgan', family: 'Testcase', born: '1958-01-05', code: 'C25.9', condition: 'Pancreatic cancer, Whipple procedure proposed', situations: [2], surgery: 'Pancreaticoduodenectomy (Whipple)', path: ['submit', 'startRecordCollection'] },
  { given: 'Riley', family: 'Fictional', born: '1969-06-17', code: 'C50.912', condition: 'Breast cancer, left, HER2 status unclear', situations: [1, 5], path: ['submit', 'startRecordCollection', 'markReadyForReview'] },
  { given: 'Taylor', family: 'Madeup', born: '1950-11-23', code: 'J44.9', condition: 'COPD getting worse despite inhalers', situations: [3], path: ['submit'] },
  { given: 'Casey', family: 'Notreal', born: '1966-02-14', code: 'C91.40', condition: 'Hairy cell leukemia', situations: [4], path: ['submit', 'startRecordCollection', 'markReadyForReview', 'assignExpert'] },
  { given: 'Drew', family: 'Synthetic', born: '1955-08-08', code: 'C18.9', condition: 'Colon cancer progressing on chemotherapy', situations: [3], fast: true, path: ['submit', 'startRecordCollection', 'markReadyForReview', 'assignExpert', 'startReview'] },
  { given: 'Jamie', family: 'Placeholder', born: '1972-12-01', code: 'I27.0', condition: 'Pulmonary arterial hypertension', situations: [4], path: ['submit', 'startRecordCollection', 'hold'] },
  { given: 'Avery', family: 'Invented', born: '1980-03-03', code: 'C71.9', condition: 'Brain tumour, glioma suspected', situations: [1, 4], fast: true, path: ['submit', 'cancel'] },
  { given: 'Quinn', family: 'Dummy', born: '1947-07-07', code: 'C61', condition: 'Prostate cancer, surgery or radiation?', situations: [5], path: [] },
  { given: 'Rowan', family: 'Mock', born: '1963-10-10', code: 'C34.90', condition: 'Lung cancer, treatment not working', situations: [3], path: ['submit', 'startRecordCollection', 'markReadyForReview', 'assignExpert', 'startReview'] },
];

function demoIntake(c: (typeof DEMO_CASES)[number]): Intake {
  return {
    patient: { givenName: c.given, familyName: c.family, birthDate: c.born, sex: 'unknown', country: 'US', state: 'MN', preferredLanguage: 'en' },
    condition: { description: c.condition, icd10Code: c.code, newDiagnosis: c.situations.includes(1) },
    situations: { situations: c.situations },
    plan: { proposedPlan: c.surgery ? `Surgery: ${c.surgery}` : 'Continue current treatment', surgeryProposed: !!c.surgery, ...(c.surgery ? { surgeryDescription: c.surgery } : {}), treatmentStartsSoon: !!c.fast, rapidWorsening: false },
    treatment: { treatments: c.situations.includes(3) ? [{ description: 'First-line treatment', startedOn: '2026-03-01', response: 'not_working' }] : [] },
    questions: { questions: ['Is the diagnosis right?', 'What are my options?'] },
    priorities: { ranked: ['longevity', 'function', 'time_at_home'], inOwnWords: 'I want to keep working as long as I can.' },
  };
}

/**
 * Loads synthetic users of every role and a dozen cases in different states, through the same
 * services the API uses, so demo data obeys every guard. Idempotent; refused in production.
 */
export async function seedDemo(db: Db): Promise<{ created: boolean; users: number; cases: number }> {
  if (process.env.NODE_ENV === 'production') throw new Error('Demo data is refused when NODE_ENV=production.');
  if (await findUserByEmail(db, DEMO_USERS[0]!.email)) return { created: false, users: 0, cases: 0 };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const actors: Record<string, Actor> = {};
  await db.transaction(async (tx) => {
    for (const u of DEMO_USERS) {
      const row = await insertUser(tx, { ...u, passwordHash, verified: true });
      actors[u.email.split('@')[0]!] = { userId: row.id, role: u.role, name: u.name, email: u.email };
    }
  });
  // Directory profiles for the demo experts (synthetic; the NPIs only pass the check-digit test).
  const institution = { name: 'Demo University Cancer Center', academic: true, tumorBoards: true, trialsOpen: true };
  const profiles: [string, string, string[]][] = [['pathologist', '207ZP0101X', ['C34', 'C50', 'C49', 'J84']], ['oncologist', '207RX0202X', ['C34', 'C18', 'C25', 'C50']]];
  for (const [who, code, focus] of profiles) {
    await db.query(`INSERT INTO expert_profiles (user_id, npi, credentials, taxonomy_codes, focus_codes, institution, licensure, languages, consult_modes, capacity_max, past_turnaround_days)
      VALUES ($1, '1234567893', 'MD', $2, $3, $4, '{US-OH,US-MN,US-CA,US-NY}', '{en,es}', '{records_review,video}', 12, 4)`, [actors[who]!.userId, [code], focus, JSON.stringify(institution)]);
  }
  const cases = casesService({ db, config: loadConfig({ ...process.env, DEMO: 'true' }), now: () => new Date() });
  const meta = SYSTEM_META;
  const coordinator = actors.coordinator!;
  const expert = actors.oncologist!;
  let n = 0;
  for (const c of DEMO_CASES) {
    let owner = actors.patient!;
    if (c.given !== 'Alex') {
      const email = `${c.given.toLowerCase()}.${c.family.toLowerCase()}@demo.consilium.test`;
      const row = await db.transaction((tx) => insertUser(tx, { email, name: `${c.given} ${c.family}`, role: 'patient', passwordHash, verified: true }));
      owner = { userId: row.id, role: 'patient', name: row.name, email };
    }
    const created = await cases.createCase(owner, meta);
    const intake = demoIntake(c);
    for (const [section, data] of Object.entries(intake)) await cases.saveIntakeSection(owner, created.id, section as keyof Intake, data, meta);
    if (c.path.length) {
      for (const kind of ['service_consent', 'hipaa_authorization'] as const) {
        await cases.signConsent(owner, created.id, { document: kind, version: currentDocument(kind).version, typedName: owner.name }, meta);
      }
    }
    for (const command of c.path) {
      if (command === 'markReadyForReview') await waiveDemoChecklist(db, created.id, coordinator.userId);
      const actor = command === 'submit' ? owner : command === 'startReview' || command === 'signOpinion' ? expert : coordinator;
      const reason = command === 'hold' ? 'Waiting for the patient to confirm insurance' : command === 'cancel' ? 'Patient chose to be seen locally' : undefined;
      await cases.transition(actor, created.id, command, { reason, expertId: command === 'assignExpert' ? expert.userId : undefined }, meta);
    }
    if (n === 0) {
      // The demo caregiver acts for the first demo patient.
      await db.query(`INSERT INTO case_members (case_id, user_id, relation, added_by, relationship) VALUES ($1,$2,'proxy',$3,'Spouse')`, [created.id, actors.caregiver!.userId, owner.userId]);
    }
    n++;
  }
  return { created: true, users: DEMO_USERS.length + DEMO_CASES.length - 2, cases: n };
}

/** Demo cases carry no files, so their checklists are waived (saying so) to let them move on. */
async function waiveDemoChecklist(db: Db, caseId: string, coordinatorId: string) {
  const [row] = await db.query<CaseRow>('SELECT * FROM cases WHERE id = $1', [caseId]);
  const checklist = await caseChecklist(db, row!);
  for (const item of checklist.items.filter((i) => !i.have)) {
    await db.query('INSERT INTO checklist_waivers (case_id, item_id, reason, waived_by) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING',
      [caseId, item.id, 'Demo data: no files are part of the demo case.', coordinatorId]);
  }
}
