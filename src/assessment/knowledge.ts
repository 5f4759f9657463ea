import fs from 'node:fs';
import { z } from 'zod';
import { DEFAULT_LOCALE, type Locale } from '../core/locale.ts';
import { factsUsed, PredicateSchema, type Predicate } from './predicate.ts';

/**
 * The clinical knowledge behind the assessment: a condition catalogue, operations, specialties,
 * biomarker panels and the rules, each in a versioned JSON file under ./data with a source and
 * a review date per entry. Everything is validated when the module loads, including every
 * cross-reference, so a bad edit stops the server at start-up instead of misleading a patient.
 */
const Id = z.string().regex(/^[a-z0-9_.@-]+$/);
const Day = z.iso.date();
const Version = z.iso.date();
const SourceIds = z.array(Id).min(1);
/**
 * An entry's words in another language, beside the English (see localized.ts). Each language
 * we speak besides English has its key here; any field may be missing (English is shown).
 */
const translated = <S extends z.ZodRawShape>(shape: S) => ({ es: z.strictObject(shape).partial().optional() });
const Words = z.string().min(2);

const SourceSchema = z.strictObject({ id: Id, title: z.string().min(5), detail: z.string().min(5), url: z.url().optional(), year: z.number().int().optional(), verify: z.string().optional(), reviewedOn: Day, ...translated({ title: Words, detail: Words, verify: Words }) });
const SpecialtySchema = z.strictObject({ id: Id, label: z.string().min(3), plain: z.string().min(5), ...translated({ label: Words, plain: Words }) });
const OperationSchema = z.strictObject({ id: Id, label: z.string().min(3), major: z.boolean(), lungResection: z.boolean(), surgeon: Id.optional(), volumeStandard: Id.optional(), ...translated({ label: Words }) });
const VolumeStandardSchema = z.strictObject({ id: Id, procedure: z.string(), hospitalMin: z.number().int().positive(), surgeonMin: z.number().int().positive(), sources: SourceIds, ...translated({ procedure: Words }) });
// `aliases` say this test was done; `mentions` name its gene without saying which test (a tumour
// panel that lists BRCA2 did not test the germline): they make it "check the report", unless the
// report plainly says one of the `context` words (hereditary, tumour) outside a disclaimer.
const PanelTestSchema = z.strictObject({ name: z.string().min(2), aliases: z.array(z.string().min(2)).min(1), mentions: z.array(z.string().min(2)).optional(), context: z.array(z.string().min(3)).optional(), stage: z.enum(['advanced', 'early']).optional(), note: z.string().optional(), optional: z.boolean().optional(), ngs: z.boolean().optional(), ...translated({ name: Words, note: Words }) });
const PanelSchema = z.strictObject({ id: Id, label: z.string(), note: z.string().optional(), sources: SourceIds, tests: z.array(PanelTestSchema).min(1), ...translated({ label: Words, note: Words }) });
const ConditionSchema = z.strictObject({
  id: Id, label: z.string(), plain: z.string(), kind: z.enum(['cancer', 'lung']),
  codes: z.array(z.string().regex(/^[A-Z][0-9A-Z.]*$/)).min(1), keywords: z.array(z.string().min(2)), tags: z.array(Id),
  serious: z.boolean(), rareOrComplex: z.boolean(), aggressive: z.boolean(), specialties: z.array(Id).min(1), records: z.array(Id),
  panels: z.array(z.strictObject({ panel: Id, stage: z.enum(['advanced', 'early', 'any']) })), sources: SourceIds, reviewedOn: Day,
  ...translated({ label: Words, plain: Words, keywords: z.array(Words) }),
});
const RuleBase = { id: Id, when: PredicateSchema, sources: SourceIds, reviewedOn: Day };
const TextRule = z.strictObject({ ...RuleBase, text: z.string().min(10), ...translated({ text: Words }) });
const SituationRule = z.strictObject({ ...RuleBase, text: z.string().min(10), situation: z.number().int().min(1).max(5), weight: z.number().int().min(1).max(3), ...translated({ text: Words }) });
const ReviewerRule = z.strictObject({ ...RuleBase, text: z.string().min(10), specialties: z.array(Id).min(1), ...translated({ text: Words }) });
const ChecklistItem = z.strictObject({
  ...RuleBase, label: z.string().min(3), from: z.string().min(3), why: z.string().min(5),
  /** Who gathers it: the patient (only they know it) or the service, which requests it from doctors and hospitals. */
  gatheredBy: z.enum(['patient', 'service']),
  ...translated({ label: Words, from: Words, why: Words }),
});
const Sourced = z.strictObject({ text: z.string().min(10), sources: SourceIds, ...translated({ text: Words }) });

const RulesSchema = z.strictObject({
  version: Version,
  situationTitles: z.record(z.enum(['1', '2', '3', '4', '5']), z.string()),
  situations: z.array(SituationRule),
  urgency: z.strictObject({ rules: z.array(TextRule), standard: Sourced, reminder: Sourced }),
  reviewers: z.array(ReviewerRule),
  center: z.array(TextRule),
  checklist: z.array(ChecklistItem),
  questions: z.array(TextRule),
  coverage: z.array(TextRule),
  noneApply: Sourced,
  unknownCondition: Sourced,
  disclaimer: Sourced,
  ...translated({ situationTitles: z.record(z.enum(['1', '2', '3', '4', '5']), Words) }),
});

const read = (name: string) => JSON.parse(fs.readFileSync(new URL(`./data/${name}`, import.meta.url), 'utf8'));

/** Loads and checks the knowledge files; throws a message naming the file and the entry at fault. */
export function loadKnowledge() {
  const sources = z.strictObject({ version: Version, sources: z.array(SourceSchema) }).parse(read('sources.json'));
  const specialties = z.strictObject({ version: Version, specialties: z.array(SpecialtySchema) }).parse(read('specialties.json'));
  const operations = z.strictObject({ version: Version, operations: z.array(OperationSchema), volumeStandards: z.array(VolumeStandardSchema) }).parse(read('operations.json'));
  const biomarkers = z.strictObject({ version: Version, panels: z.array(PanelSchema) }).parse(read('biomarkers.json'));
  const conditions = z.strictObject({ version: Version, conditions: z.array(ConditionSchema) }).parse(read('conditions.json'));
  const rules = RulesSchema.parse(read('rules.json'));
  const k = {
    version: [sources.version, specialties.version, operations.version, biomarkers.version, conditions.version, rules.version].sort().at(-1)!,
    sources: sources.sources, specialties: specialties.specialties, operations: operations.operations, volumeStandards: operations.volumeStandards,
    panels: biomarkers.panels, conditions: conditions.conditions, rules,
    /** The language of the texts: English as loaded, another in a copy from `knowledgeIn`. */
    locale: DEFAULT_LOCALE as Locale,
  };
  checkReferences(k);
  return k;
}

/** The whole knowledge base as clinicians read it at /assess/rules (and the API answers). */
export const KnowledgeView = z.object({
  version: z.string(), sources: z.array(SourceSchema), specialties: z.array(SpecialtySchema), operations: z.array(OperationSchema),
  volumeStandards: z.array(VolumeStandardSchema), panels: z.array(PanelSchema), conditions: z.array(ConditionSchema), rules: RulesSchema,
}).meta({ id: 'KnowledgeBase' });

export type Knowledge = ReturnType<typeof loadKnowledge>;
export type Condition = Knowledge['conditions'][number];
export type Operation = Knowledge['operations'][number];

/** The facts rules may use (facts.ts computes exactly these). */
export const FACT_NAMES = [
  'condition.kind', 'condition.id', 'condition.tags', 'condition.serious', 'condition.rareOrComplex', 'condition.aggressive', 'condition.hasPanel',
  'diagnosis.status', 'spread', 'surgery.recommended', 'surgery.operation', 'surgery.major', 'surgery.lungResection', 'surgery.approach', 'surgery.hasVolumeStandard', 'lungFunction.next',
  'treatment.received', 'treatment.any', 'treatment.working', 'treatment.sideEffects', 'course.progressing', 'course.rapidDecline', 'timing',
  'feelings.explained', 'feelings.alternatives', 'feelings.fitsPriorities', 'feelings.wantsConfirmation', 'priorities.any', 'records.have',
  'situations', 'situations.any', 'urgency',
] as const;

function checkReferences(k: Omit<Knowledge, never>) {
  const problems: string[] = [];
  const unique = (what: string, ids: string[]) => {
    const seen = new Set<string>();
    for (const id of ids) (seen.has(id) ? problems.push(`${what} "${id}" is listed twice`) : seen.add(id));
    return seen;
  };
  const sourceIds = unique('source', k.sources.map((s) => s.id));
  const specialtyIds = unique('specialty', k.specialties.map((s) => s.id));
  const panelIds = unique('panel', k.panels.map((p) => p.id));
  const volumeIds = unique('volume standard', k.volumeStandards.map((v) => v.id));
  const itemIds = unique('checklist item', k.rules.checklist.map((c) => c.id));
  unique('operation', k.operations.map((o) => o.id));
  unique('condition', k.conditions.map((c) => c.id));
  const allRules = [...k.rules.situations, ...k.rules.urgency.rules, ...k.rules.reviewers, ...k.rules.center, ...k.rules.checklist, ...k.rules.questions, ...k.rules.coverage];
  unique('rule', allRules.map((r) => r.id));
  const cite = (where: string, ids: string[]) => ids.forEach((s) => sourceIds.has(s) || problems.push(`${where} cites unknown source "${s}"`));
  const facts = new Set<string>(FACT_NAMES);
  for (const r of allRules) {
    cite(`rule ${r.id}`, r.sources);
    for (const f of factsUsed(r.when as Predicate)) if (!facts.has(f)) problems.push(`rule ${r.id} uses unknown fact "${f}"`);
  }
  for (const r of k.rules.reviewers) for (const s of r.specialties) if (!s.startsWith('@') && !specialtyIds.has(s)) problems.push(`rule ${r.id} names unknown specialty "${s}"`);
  for (const s of [k.rules.urgency.standard, k.rules.urgency.reminder, k.rules.noneApply, k.rules.unknownCondition, k.rules.disclaimer]) cite('rules text', s.sources);
  for (const c of k.conditions) {
    cite(`condition ${c.id}`, c.sources);
    c.specialties.forEach((s) => specialtyIds.has(s) || problems.push(`condition ${c.id} names unknown specialty "${s}"`));
    c.records.forEach((r) => itemIds.has(r) || problems.push(`condition ${c.id} names unknown checklist item "${r}"`));
    c.panels.forEach((p) => panelIds.has(p.panel) || problems.push(`condition ${c.id} names unknown panel "${p.panel}"`));
  }
  for (const o of k.operations) {
    if (o.surgeon && !specialtyIds.has(o.surgeon)) problems.push(`operation ${o.id} names unknown specialty "${o.surgeon}"`);
    if (o.volumeStandard && !volumeIds.has(o.volumeStandard)) problems.push(`operation ${o.id} names unknown volume standard "${o.volumeStandard}"`);
  }
  for (const p of k.panels) cite(`panel ${p.id}`, p.sources);
  for (const v of k.volumeStandards) cite(`volume standard ${v.id}`, v.sources);
  if (problems.length) throw new Error(`The assessment knowledge files are inconsistent:\n  ${problems.join('\n  ')}`);
}

export const KNOWLEDGE: Knowledge = loadKnowledge();
