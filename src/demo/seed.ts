import { toTrial, type RegistryTrial } from '../trials/registry.ts';
import { storeTrialCopy } from '../trials/service.ts';
import fs from 'node:fs';
import { plainFile } from '../records/received.ts';
import os from 'node:os';
import path from 'node:path';
import { findUserByEmail, insertUser } from '../accounts/repository.ts';
import { services, type Services } from '../capabilities.ts';
import type { Intake } from '../cases/intake.ts';
import type { CaseStatus } from '../cases/lifecycle.ts';
import { addMember } from '../cases/repository.ts';
import { currentDocument } from '../consent/documents.ts';
import { loadMasterKeys } from '../core/blobs.ts';
import { hashPassword } from '../core/auth/passwords.ts';
import type { Role } from '../core/auth/roles.ts';
import type { Config } from '../core/config.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Db } from '../core/db.ts';
import { secretBox } from '../core/secrets.ts';
import { ExpertProfileInput } from '../experts/schemas.ts';
import { OpinionContent } from '../opinions/schemas.ts';
import { ctArchive, demoSlide, reportPdf, type DemoFile, type DemoPatient } from './records.ts';

/** The demo password of every demo account (listed in the README; demo mode only). */
export const DEMO_PASSWORD = 'Consilium-demo-1';
/**
 * Demo accounts have no authenticator, so signing an opinion asks for the password and takes any
 * six digits as the code (the form still asks for one). Outside demo mode every staff account has
 * an authenticator before it can do anything, and the code is checked.
 */
export const DEMO_SIGNING_CODE = '000000';

export const DEMO_USERS = [
  { key: 'admin', email: 'admin@demo.consilium.test', name: 'Ada Admin', role: 'admin' },
  { key: 'coordinator', email: 'coordinator@demo.consilium.test', name: 'Casey Coordinator', role: 'coordinator' },
  { key: 'pathologist', email: 'pathologist@demo.consilium.test', name: 'Dr. Priya Path', role: 'expert' },
  { key: 'oncologist', email: 'oncologist@demo.consilium.test', name: 'Dr. Omar Onco', role: 'expert' },
  { key: 'chair', email: 'chair@demo.consilium.test', name: 'Dr. Bea Board', role: 'board_chair' },
  { key: 'referrer', email: 'referrer@demo.consilium.test', name: 'Dr. Rita Referrer', role: 'referring_physician' },
  { key: 'patient', email: 'patient@demo.consilium.test', name: 'Alex Example', role: 'patient' },
  { key: 'caregiver', email: 'caregiver@demo.consilium.test', name: 'Sam Example', role: 'patient' },
  { key: 'interpreter', email: 'interpreter@demo.consilium.test', name: 'Inés Interpreter', role: 'interpreter', interprets: ['es'] },
] as const satisfies readonly { key: string; email: string; name: string; role: Role; interprets?: readonly string[] }[];
type DemoKey = (typeof DEMO_USERS)[number]['key'];
type ExpertKey = 'pathologist' | 'oncologist';

const META: RequestMeta = { ip: null, userAgent: 'consilium-demo' };
const LAB = 'Demo Regional Hospital';

/** One demo request: a synthetic patient, their intake, how far it has gone, and who works on it. */
interface Scenario {
  patient: DemoPatient & { state: string };
  /** The account that owns it: the demo patient, or (default) a new synthetic patient account. */
  owner?: 'patient';
  /** The referring physician opened it and sent it in for the patient. */
  byReferrer?: boolean;
  code: string;
  condition: string;
  situations: number[];
  surgery?: string;
  fast?: boolean;
  treatments?: NonNullable<Intake['treatment']>['treatments'];
  questions: string[];
  /** Where it stands now. */
  to: CaseStatus;
  /** Files uploaded once records collection has started (by the owner, or the referrer). */
  files?: (p: DemoPatient) => Promise<DemoFile[]>;
  /** The reviewers: the first is assigned by the coordinator, the others are offered the case and accept. */
  team?: ExpertKey[];
  /** Ready for review, with this expert's offer still open. */
  offerTo?: ExpertKey;
  /** What each reviewer writes (signed when the case goes past review, a draft before). */
  opinion?: Partial<Record<ExpertKey, OpinionContent>>;
  /** Why it is on hold or cancelled. */
  reason?: string;
}

const PATHOLOGY = (p: DemoPatient, site: string, diagnosis: string, stains: string) => reportPdf('pathology-report.pdf', LAB, 'SURGICAL PATHOLOGY REPORT', p, [
  `Specimen: ${site}, core needle biopsy.`, 'GROSS DESCRIPTION: Three tan cores of tissue, 1.2 to 1.6 cm.',
  'MICROSCOPIC DESCRIPTION: Infiltrating atypical glands in a fibrous stroma.', `FINAL DIAGNOSIS: ${diagnosis}.`,
  `Immunohistochemistry: ${stains}.`, 'Pathologist: Dr. Synthetic Example (demo record, no real patient).',
]);
const CT_REPORT = (p: DemoPatient, findings: string) => reportPdf('ct-chest-report.pdf', LAB, 'RADIOLOGY REPORT: CT CHEST WITH CONTRAST', p, [
  'TECHNIQUE: Axial CT of the chest with intravenous contrast, 2.5 mm slices.', 'COMPARISON: None.',
  `FINDINGS: ${findings}`, 'No pleural effusion. No enlarged mediastinal or hilar lymph nodes.',
  'IMPRESSION: Findings as above. Radiologist: Dr. Demo Reader (demo record, no real patient).',
]);
const MOLECULAR = (p: DemoPatient, results: string[]) => reportPdf('molecular-report.pdf', 'Demo Genomics Laboratory', 'Comprehensive genomic profiling report (next-generation sequencing)', p, [
  'Specimen: lung biopsy. Tumor content 40%.', ...results, 'Tumor mutational burden: 4 mutations per megabase. Microsatellite stable.',
]);
const PFT = (p: DemoPatient, fev1: { litres: string; percent: number }, dlco: number) => reportPdf('pulmonary-function-report.pdf', LAB, 'PULMONARY FUNCTION TEST REPORT', p, [
  'Spirometry, lung volumes and diffusing capacity. Acceptable and repeatable efforts.',
  `FEV1 ${fev1.litres} L (${fev1.percent}% predicted)`, 'FEV1/FVC 71%', `DLCO 18.9 mL/min/mmHg (${dlco}% predicted)`,
  'Interpretation: no obstruction; diffusing capacity mildly reduced. Technologist: Demo Example (demo record, no real patient).',
]);
const CT = (p: DemoPatient, date: string) => ctArchive('ct-chest-cd.zip', p, { date, description: 'CT CHEST WITH CONTRAST', accession: `DEMO${date.replaceAll('-', '')}` });

// Synthetic patients and their requests, one per state of the lifecycle and more: names, dates,
// findings and opinions are invented for the demo.
const SCENARIOS: Scenario[] = [
  {
    patient: { given: 'Alex', family: 'Example', born: '1961-04-12', sex: 'unknown', state: 'MN' }, owner: 'patient',
    code: 'C34.11', condition: 'Lung adenocarcinoma, right upper lobe', situations: [1, 2], surgery: 'Right upper lobectomy',
    questions: ['Is the diagnosis right?', 'Is surgery the best option for me?', 'Do I need more tests before surgery?'],
    to: 'delivered', team: ['oncologist', 'pathologist'],
    files: async (p) => [
      await PATHOLOGY(p, 'right upper lobe', 'Invasive adenocarcinoma of the lung, acinar predominant', 'TTF-1 positive, napsin A positive'),
      await CT_REPORT(p, 'A 2.4 cm solid nodule in the right upper lobe.'),
      await MOLECULAR(p, ['EGFR: no mutation detected. ALK fusion: not detected. ROS1 fusion: not detected.', 'PD-L1 (22C3) tumor proportion score 30%.']),
      await PFT(p, { litres: '2.41', percent: 78 }, 72),
      await CT(p, '2026-09-14'),
    ],
    opinion: {
      pathologist: {
        reviewerRole: 'Pathologist',
        diagnosisReview: { originalDiagnosis: 'Invasive adenocarcinoma of the right upper lobe', reviewedDiagnosis: 'Invasive adenocarcinoma, acinar predominant, right upper lobe', concordance: 'concordant', rationale: 'The biopsy shows the same tumor type; TTF-1 and napsin A support a lung origin.' },
        biomarkers: [{ name: 'EGFR', status: 'done' }, { name: 'ALK', status: 'done' }, { name: 'PD-L1', status: 'done' }],
        answers: [{ question: 'Is the diagnosis right?', answer: 'Yes. Looking again at your biopsy, we agree it is a lung cancer called adenocarcinoma.' }],
      },
      oncologist: {
        reviewerRole: 'Medical oncologist',
        staging: { basis: 'clinical', t: '1c', n: '0', m: '0', edition: 'AJCC 8th edition' },
        treatment: { stance: 'agree', options: [{ option: 'Right upper lobectomy with lymph node sampling', rationale: 'The tumor is small and has not spread to lymph nodes on CT.' }] },
        surgery: { necessary: 'yes', neoadjuvantFirst: false, approach: 'vats', highVolumeAdvice: 'Choose a hospital that does at least 40 lung cancer operations a year, with a surgeon who does at least 15 (Leapfrog standard; check the current year).' },
        lungFunction: { input: { fev1Percent: 78, dlcoPercent: 72, resected: ['rightUpper'] } },
        answers: [
          { question: 'Is surgery the best option for me?', answer: 'Yes. Surgery gives the best chance of cure for a small lung cancer like yours.' },
          { question: 'Do I need more tests before surgery?', answer: 'Your gene tests are done. Your lung tests show you can safely lose the upper lobe.' },
        ],
        priorities: { fit: 'fits', explanation: 'You want to keep working; keyhole surgery means a shorter recovery.' },
        patientSummary: 'We agree with your diagnosis and your plan. The cancer is small and has not spread. Surgery to take out the top part of your right lung is the best choice. Ask your surgeon if it can be done with small cuts.',
        physicianSection: 'Concordant diagnosis of acinar-predominant adenocarcinoma, cT1c N0 M0. EGFR and ALK negative, PD-L1 TPS 30%. Predicted postoperative FEV1 and DLCO above 60%: low risk. We support VATS right upper lobectomy with systematic nodal sampling at a high-volume center.',
      },
    },
  },
  {
    patient: { given: 'Alex', family: 'Example', born: '1961-04-12', sex: 'unknown', state: 'MN' }, owner: 'patient',
    code: 'J84.112', condition: 'Suspected idiopathic pulmonary fibrosis', situations: [1, 4], questions: ['Is this really pulmonary fibrosis?'], to: 'draft',
  },
  {
    patient: { given: 'Jordan', family: 'Sample', born: '1974-09-30', sex: 'male', state: 'OH' }, byReferrer: true,
    code: 'C49.9', condition: 'Soft-tissue sarcoma of the thigh', situations: [4], fast: true,
    questions: ['Which kind of sarcoma is it?', 'Should radiation come before surgery?'], to: 'collecting_records',
    files: async (p) => [await PATHOLOGY(p, 'left thigh mass', 'Spindle cell sarcoma, high grade; subtype to be determined', 'Desmin negative, S100 negative')],
  },
  {
    patient: { given: 'Morgan', family: 'Testcase', born: '1958-01-05', sex: 'female', state: 'CA' },
    code: 'C25.9', condition: 'Pancreatic cancer, Whipple procedure proposed', situations: [2], surgery: 'Pancreaticoduodenectomy (Whipple)',
    questions: ['Is the Whipple operation right for me?'], to: 'submitted',
  },
  {
    patient: { given: 'Riley', family: 'Fictional', born: '1969-06-17', sex: 'female', state: 'NY' },
    code: 'C50.912', condition: 'Breast cancer, left, HER2 status unclear', situations: [1, 5],
    questions: ['Is my cancer HER2-positive?'], to: 'ready_for_review', offerTo: 'pathologist',
    files: async (p) => [await PATHOLOGY(p, 'left breast, 2 o’clock', 'Invasive ductal carcinoma, grade 2', 'ER positive, PR positive, HER2 equivocal (2+) by IHC; ISH pending')],
  },
  {
    patient: { given: 'Taylor', family: 'Madeup', born: '1950-11-23', sex: 'male', state: 'MN' },
    code: 'J44.9', condition: 'COPD getting worse despite inhalers', situations: [3],
    treatments: [{ description: 'Inhaled long-acting bronchodilators', startedOn: '2025-03-01', response: 'not_working' }],
    questions: ['Are there other treatments I can try?'], to: 'on_hold', reason: 'Waiting for the patient to confirm insurance',
  },
  {
    patient: { given: 'Casey', family: 'Notreal', born: '1966-02-14', sex: 'female', state: 'OH' },
    code: 'C91.40', condition: 'Hairy cell leukemia', situations: [4], questions: ['Which treatment should I start with?'], to: 'assigned', team: ['oncologist'],
  },
  {
    patient: { given: 'Rowan', family: 'Mock', born: '1963-10-10', sex: 'male', state: 'NY' },
    code: 'C34.90', condition: 'Lung cancer, treatment not working', situations: [3],
    treatments: [{ description: 'Carboplatin and pemetrexed', startedOn: '2026-03-01', response: 'not_working' }],
    questions: ['Was the first diagnosis right?', 'Should the tumor be tested again?'], to: 'in_review', team: ['pathologist'],
    files: async (p) => [
      await PATHOLOGY(p, 'left lower lobe', 'Non-small cell carcinoma, favor adenocarcinoma', 'TTF-1 focally positive, p40 negative'),
      await CT_REPORT(p, 'A 3.8 cm mass in the left lower lobe, larger than before treatment.'),
      await CT(p, '2026-10-02'),
    ],
    opinion: {
      pathologist: {
        reviewerRole: 'Pathologist',
        diagnosisReview: { originalDiagnosis: 'Non-small cell carcinoma, favor adenocarcinoma', reviewedDiagnosis: 'Adenocarcinoma of the lung (review in progress)', concordance: 'minor_discordance', rationale: 'Draft: the stains support adenocarcinoma; more tissue may be needed for gene testing.' },
        answers: [
          { question: 'Was the first diagnosis right?', answer: 'Mostly yes. The stains point to adenocarcinoma, one type of lung cancer.' },
          { question: 'Should the tumor be tested again?', answer: 'Yes. New gene tests on the tumor may show a treatment that fits it better.' },
        ],
        patientSummary: 'The first diagnosis was mostly right. Your cancer is an adenocarcinoma. New gene tests on the tumor are worth doing, because they may point to a better treatment.',
      },
    },
  },
  {
    patient: { given: 'Drew', family: 'Synthetic', born: '1955-08-08', sex: 'male', state: 'CA' },
    code: 'C34.31', condition: 'Lung cancer, left lower lobe, surgery or radiation?', situations: [2, 5], surgery: 'Left lower lobectomy', fast: true,
    questions: ['Is surgery or radiation better for me?'], to: 'board', team: ['oncologist'],
    files: async (p) => [await CT(p, '2026-10-20')],
    opinion: { oncologist: { reviewerRole: 'Medical oncologist', treatment: { stance: 'alternative', options: [{ option: 'Stereotactic radiotherapy', rationale: 'Draft for the tumor board: lung function is borderline for surgery.' }] } } },
  },
  {
    patient: { given: 'Quinn', family: 'Dummy', born: '1947-07-07', sex: 'male', state: 'MN' },
    code: 'C61', condition: 'Prostate cancer, surgery or radiation?', situations: [5], questions: ['Is surgery or radiation better for me?'], to: 'opinion_signed', team: ['oncologist'],
    opinion: {
      oncologist: {
        reviewerRole: 'Medical oncologist',
        treatment: { stance: 'agree', options: [{ option: 'Radiation therapy with short hormone therapy', rationale: 'Works as well as surgery here, with less risk for you.' }] },
        answers: [{ question: 'Is surgery or radiation better for me?', answer: 'Both work well. Radiation fits better with what you told us matters to you.' }],
        priorities: { fit: 'fits', explanation: 'You want to avoid a hospital stay.' },
        patientSummary: 'Both surgery and radiation can treat your cancer well. Radiation fits what matters to you. Talk about it with your doctor.',
      },
    },
  },
  {
    patient: { given: 'Jamie', family: 'Placeholder', born: '1972-12-01', sex: 'female', state: 'OH' },
    code: 'C43.9', condition: 'Melanoma, treatment after surgery?', situations: [5], questions: ['Do I need more treatment after surgery?'], to: 'closed', team: ['oncologist'],
    opinion: {
      oncologist: {
        reviewerRole: 'Medical oncologist',
        biomarkers: [{ name: 'BRAF V600', status: 'done' }],
        treatment: { stance: 'agree', options: [{ option: 'Follow-up scans without more treatment', rationale: 'The melanoma was removed completely and has not spread.' }] },
        answers: [{ question: 'Do I need more treatment after surgery?', answer: 'No. Regular checkups and scans are the right plan.' }],
        patientSummary: 'Your surgery removed the melanoma. You do not need more treatment now. Keep your checkups.',
      },
    },
  },
  {
    patient: { given: 'Avery', family: 'Invented', born: '1980-03-03', sex: 'other', state: 'CA' },
    code: 'C71.9', condition: 'Brain tumour, glioma suspected', situations: [1, 4], fast: true,
    questions: ['What kind of tumor is it?'], to: 'cancelled', reason: 'I chose to be seen at my local center',
  },
];

function intakeOf(s: Scenario): Intake {
  const p = s.patient;
  return {
    patient: { givenName: p.given, familyName: p.family, birthDate: p.born, sex: p.sex, country: 'US', state: p.state, preferredLanguage: 'en' },
    condition: { description: s.condition, icd10Code: s.code, newDiagnosis: s.situations.includes(1) },
    situations: { situations: s.situations },
    plan: { proposedPlan: s.surgery ? 'An operation, as the surgeon proposed' : 'Continue current treatment', surgeryProposed: !!s.surgery, ...(s.surgery ? { surgeryDescription: s.surgery } : {}), treatmentStartsSoon: !!s.fast, rapidWorsening: false },
    treatment: { treatments: s.treatments ?? [] },
    questions: { questions: s.questions },
    priorities: { ranked: ['longevity', 'function', 'time_at_home'], inOwnWords: 'I want to keep working as long as I can.' },
  };
}

// How far along the lifecycle each state is; on hold and cancelled branch off early.
const ORDER: CaseStatus[] = ['draft', 'submitted', 'collecting_records', 'ready_for_review', 'assigned', 'in_review', 'board', 'opinion_signed', 'delivered', 'closed'];
const reaches = (s: Scenario, status: CaseStatus) => {
  const to = s.to === 'on_hold' ? 'collecting_records' : s.to === 'cancelled' ? 'submitted' : s.to;
  return ORDER.indexOf(to) >= ORDER.indexOf(status);
};

/**
 * Loads synthetic users of every role and a dozen requests, one in every state of the lifecycle,
 * through the same services the API uses, so demo data obeys every guard: records are uploaded,
 * read and indexed, opinions written, signed and issued as PDF, offers made and accepted.
 * Idempotent (a second run finds the demo accounts and does nothing); refused in production.
 */
export async function seedDemo(db: Db, config: Config): Promise<{ created: boolean; users: number; cases: number }> {
  if (config.env === 'production' || process.env.NODE_ENV === 'production') throw new Error('Demo data is refused when NODE_ENV=production.');
  if (await findUserByEmail(db, DEMO_USERS[0].email)) return { created: false, users: 0, cases: 0 };
  const keys = loadMasterKeys(config.blobKeys, config.dataDir, false);
  const s = services({ config, db, now: () => new Date(), secrets: secretBox(keys), masterKeys: keys });
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const people = {} as Record<DemoKey, Actor>;
  await db.transaction(async (tx) => {
    for (const u of DEMO_USERS) {
      const row = await insertUser(tx, { email: u.email, name: u.name, role: u.role, passwordHash, verified: true, ...('interprets' in u ? { interprets: [...u.interprets] } : {}) });
      people[u.key] = { userId: row.id, role: u.role, name: u.name, email: u.email };
    }
  });
  await expertProfiles(s, people);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-demo-'));
  let users = DEMO_USERS.length;
  try {
    for (const scenario of SCENARIOS) {
      let owner = people.patient;
      if (scenario.owner !== 'patient') {
        const p = scenario.patient;
        const email = `${p.given}.${p.family}@demo.consilium.test`.toLowerCase();
        const row = await db.transaction((tx) => insertUser(tx, { email, name: `${p.given} ${p.family}`, role: 'patient', passwordHash, verified: true }));
        owner = { userId: row.id, role: 'patient', name: row.name, email };
        users++;
      }
      await playScenario(db, s, people, owner, scenario, tmp);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  await storeTrialCopy(db, demoTrials());
  return { created: true, users, cases: SCENARIOS.length };
}

/**
 * The demo's copy of the trial registry: the synthetic studies under ./trials, shaped as the
 * registry's answers, so reviewers see suggestions without a connection to ClinicalTrials.gov.
 */
export function demoTrials(): RegistryTrial[] {
  const dir = path.join(import.meta.dirname, 'trials');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json'))
    .flatMap((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { studies: unknown[] }).studies.map(toTrial))
    .filter((t): t is RegistryTrial => t !== null);
}

/**
 * A synthetic biopsy slide for the demo's case in review (the pathologist's), uploaded by the
 * coordinator once the demo data is there; its tiles are made by the job worker like any slide.
 * Run after start (making the slide takes a few seconds), only where the slide tools are
 * installed, and once. True when a slide was added.
 */
export async function seedDemoSlide(db: Db, config: Config): Promise<boolean> {
  const [target] = await db.query<{ id: string }>(
    `SELECT c.id FROM cases c JOIN case_members m ON m.case_id = c.id AND m.relation = 'patient' JOIN users u ON u.id = m.user_id
     WHERE u.email = 'rowan.mock@demo.consilium.test' AND c.status = 'in_review' AND NOT EXISTS (SELECT 1 FROM slides s WHERE s.case_id = c.id)`);
  const [coordinator] = await db.query<{ id: string; name: string }>('SELECT id, name FROM users WHERE email = $1', [DEMO_USERS[1].email]);
  if (!target || !coordinator) return false;
  // Named as a scanner's file is: a plain tiled TIFF is taken for a picture unless its name says slide.
  const file = demoSlide('biopsy-slide-A1.svs');
  if (!file) return false;
  const keys = loadMasterKeys(config.blobKeys, config.dataDir, false);
  const s = services({ config, db, now: () => new Date(), secrets: secretBox(keys), masterKeys: keys });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-demo-'));
  try {
    const where = path.join(tmp, file.filename);
    fs.writeFileSync(where, file.bytes);
    await s.records.ingest({ userId: coordinator.id, role: 'coordinator', name: coordinator.name, email: DEMO_USERS[1].email }, META, { caseId: target.id, content: await plainFile(where), filename: file.filename });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return true;
}

/** Directory profiles for the demo experts, saved by the admin (synthetic; the NPI only passes the check-digit test). */
async function expertProfiles(s: Services, people: Record<DemoKey, Actor>) {
  const institution = { name: 'Demo University Cancer Center', academic: true, tumorBoards: true, trialsOpen: true };
  const common = { npi: '1234567893', credentials: 'MD', institution, licensure: ['US-OH', 'US-MN', 'US-CA', 'US-NY'], languages: ['en', 'es'], consultModes: ['records_review', 'video'], insuranceNetworks: ['Demo Health Plan'], capacityMax: 12 };
  await s.experts.saveProfile(people.admin, people.pathologist.userId, ExpertProfileInput.parse({ ...common, taxonomyCodes: ['207ZP0101X'], focusCodes: ['C34', 'C50', 'C49', 'J84'], feeUsd: 600 }), META);
  await s.experts.saveProfile(people.admin, people.oncologist.userId, ExpertProfileInput.parse({ ...common, taxonomyCodes: ['207RX0202X'], focusCodes: ['C34', 'C18', 'C25', 'C50', 'C61', 'C43', 'C91'], feeUsd: 750 }), META);
  // Weekday hours for video visits, so a demo patient can book one.
  const weekdays = { timeZone: 'America/New_York', weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, from: '09:00', to: '17:00' })), daysOff: [] };
  for (const expert of [people.pathologist, people.oncologist]) await s.visits.saveHours(expert, META, weekdays);
}

/** Takes one request as far as its scenario says, each step by the person who would take it. */
async function playScenario(db: Db, s: Services, people: Record<DemoKey, Actor>, owner: Actor, sc: Scenario, tmp: string) {
  const coordinator = people.coordinator;
  const opener = sc.byReferrer ? people.referrer : owner;
  const { id } = await s.cases.createCase(opener, META);
  const intake = intakeOf(sc);
  const sections = sc.to === 'draft' ? (['patient', 'condition', 'situations'] as const) : (Object.keys(intake) as (keyof Intake)[]);
  for (const section of sections) await s.cases.saveIntakeSection(opener, id, section, intake[section], META);
  if (sc.byReferrer) {
    // Nothing in the product yet lets a referrer bring the patient onto the request, so the demo
    // links the patient's account the way acceptance would; the patient then consents as usual.
    await db.transaction((tx) => addMember(tx, id, owner.userId, 'patient', opener.userId));
  }
  if (owner.userId === people.patient.userId && sc.to === 'delivered') await inviteCaregiver(db, s, owner, people.caregiver, id);
  if (!reaches(sc, 'submitted')) return;

  for (const kind of ['service_consent', 'hipaa_authorization'] as const) {
    await s.cases.signConsent(owner, id, { document: kind, version: currentDocument(kind).version, typedName: owner.name }, META);
  }
  await s.cases.transition(opener, id, 'submit', {}, META);
  if (sc.to === 'cancelled') {
    await s.cases.transition(owner, id, 'cancel', { reason: sc.reason }, META);
    return;
  }
  if (!reaches(sc, 'collecting_records')) return;

  await s.cases.transition(coordinator, id, 'startRecordCollection', {}, META);
  for (const file of (await sc.files?.(sc.patient)) ?? []) await upload(s, opener, id, file, tmp);
  if (sc.byReferrer) await chaseRecords(s, coordinator, id);
  if (sc.to === 'on_hold') {
    await s.cases.transition(coordinator, id, 'hold', { reason: sc.reason }, META);
    return;
  }
  if (!reaches(sc, 'ready_for_review')) return;

  const { items } = await s.records.checklist(coordinator, id, META);
  for (const item of items.filter((i) => !i.have && !i.waiver)) await s.records.waive(coordinator, id, item.id, 'The expert agreed to work from the records on file.', META);
  await s.cases.transition(coordinator, id, 'markReadyForReview', {}, META);
  if (sc.offerTo) await s.offers.offer(coordinator, id, { expertId: people[sc.offerTo].userId, role: 'pathology' }, META);
  if (!reaches(sc, 'assigned')) return;

  const [first, ...others] = sc.team ?? [];
  if (first === 'pathologist') await offerAndAccept(s, coordinator, people.pathologist, id, 'pathology');
  else if (first) await s.cases.transition(coordinator, id, 'assignExpert', { expertId: people[first].userId }, META);
  for (const other of others) await offerAndAccept(s, coordinator, people[other], id, other === 'pathologist' ? 'pathology' : 'medical_oncology');
  if (!reaches(sc, 'in_review')) return;

  const lead = people[first!];
  await s.cases.transition(lead, id, 'startReview', {}, META);
  const team = sc.team!.map((k) => ({ key: k, actor: people[k] }));
  for (const { key, actor } of team) if (sc.opinion?.[key]) await s.opinions.saveDraft(actor, META, id, OpinionContent.parse(sc.opinion[key]), 'replace');
  if (sc.to === 'board') {
    // The lead reviewer asks for the board, the coordinator confirms it, the chair puts the case
    // on next week's session and invites the case's reviewers: the same steps as in the app.
    await s.boards.request(lead, META, id, 'Surgery or radiation: the multidisciplinary board should decide.');
    await s.cases.transition(lead, id, 'referToBoard', { reason: 'Surgery or radiation: the multidisciplinary board decides.' }, META);
    const { suggestion } = await s.boards.caseBoard(coordinator, META, id);
    await s.boards.confirm(coordinator, META, id, suggestion.boardType);
    const nextWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const [session] = await s.boards.createSessions(people.chair, META, { boardType: suggestion.boardType, startsAtLocal: `${nextWeek}T17:00`, timeZone: 'America/New_York', durationMinutes: 60 });
    await s.boards.addToAgenda(people.chair, META, session!.id, id, 20);
    for (const { actor } of team) await s.boards.invite(people.chair, META, session!.id, actor.userId, 'Case reviewer');
    if (!sc.team!.includes('pathologist')) await s.boards.invite(people.chair, META, session!.id, people.pathologist.userId, 'Pathology');
    return;
  }
  if (!reaches(sc, 'opinion_signed')) return;

  const creds = { password: DEMO_PASSWORD, code: DEMO_SIGNING_CODE };
  for (const { actor } of team) await s.opinions.signPart(actor, META, id, creds);
  await s.opinions.issueReport(lead, META, id, creds);
  if (!reaches(sc, 'delivered')) return;

  await s.opinions.deliver(coordinator, META, id);
  if (sc.to === 'delivered') {
    await s.opinions.postFollowup(owner, META, id, 'Can the operation wait until after my daughter’s wedding in three weeks?');
    await s.opinions.postFollowup(lead, META, id, 'A few weeks is fine for a tumor this small. Please agree the date with your surgeon.');
  }
  if (!reaches(sc, 'closed')) return;
  await s.cases.transition(coordinator, id, 'close', {}, META);
}

/** Uploads a file as the person would, then does the background work at once: reading a PDF, indexing images. */
async function upload(s: Services, actor: Actor, caseId: string, file: DemoFile, tmp: string) {
  const where = path.join(tmp, `${caseId}-${file.filename}`);
  fs.writeFileSync(where, file.bytes);
  const { document } = await s.records.ingest(actor, META, { caseId, content: await plainFile(where), filename: file.filename });
  fs.rmSync(where);
  if (document.status === 'processing') await s.records.extract(document.id);
  if (document.category === 'imaging') await s.imaging.indexDocument(document.id);
}

/** The coordinator asks the hospital for the rest of the records and tracks the slides. */
async function chaseRecords(s: Services, coordinator: Actor, caseId: string) {
  await s.material.createRoi(coordinator, caseId, { facilityName: LAB, facilityAddress: '100 Example Avenue, Columbus, OH 43210', items: ['imaging_files', 'imaging_reports', 'pathology_slides'] }, META);
  await s.material.requestSpecimen(coordinator, caseId, { kind: 'slides', label: 'Thigh biopsy slides (H&E and stains)', expectedCount: 6, sourceFacility: LAB }, META);
}

async function offerAndAccept(s: Services, coordinator: Actor, expert: Actor, caseId: string, role: string) {
  const offer = await s.offers.offer(coordinator, caseId, { expertId: expert.userId, role }, META);
  await s.offers.accept(expert, offer.id, META);
}

/** The patient invites the demo caregiver, who opens the link from the invitation mail and accepts. */
async function inviteCaregiver(db: Db, s: Services, patient: Actor, caregiver: Actor, caseId: string) {
  await s.cases.inviteProxy(patient, caseId, { email: caregiver.email, relationship: 'Spouse' }, META);
  const [mail] = await db.query<{ body_text: string }>(`SELECT body_text FROM mail_outbox WHERE lower(to_address) = lower($1) AND kind = 'proxy_invitation' ORDER BY created_at DESC LIMIT 1`, [caregiver.email]);
  const token = mail?.body_text.match(/\/invitations\/([A-Za-z0-9_-]+)/)?.[1];
  if (!token) throw new Error('demo: the caregiver invitation was not mailed');
  await s.cases.acceptInvitation(caregiver, token, META);
}
