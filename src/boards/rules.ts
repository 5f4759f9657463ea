import fs from 'node:fs';
import { z } from 'zod';
import { TAXONOMY } from '../experts/matching.ts';
import { entryIn, type Locale } from '../core/locale.ts';

/**
 * Which cases go to a multidisciplinary board, which board, and whether a session has its
 * quorum: rules and rosters as data (./data/boards.json, each with sources and a review date),
 * evaluated by pure functions over facts the service gathers.
 */
const Id = z.string().regex(/^[a-z0-9_.-]+$/);
const Day = z.iso.date();
const Source = z.strictObject({ id: Id, title: z.string().min(5), es: z.strictObject({ title: z.string().min(5) }).optional(), detail: z.string().min(5), year: z.number().int().optional(), reviewedOn: Day });
const Seat = z.strictObject({ seat: z.string().min(3), es: z.strictObject({ seat: z.string().min(3) }).optional(), anyOf: z.array(Id).min(1) });
const BoardType = z.strictObject({ id: Id, label: z.string().min(3), es: z.strictObject({ label: z.string().min(3) }).optional(), conditionTags: z.array(Id), roster: z.array(Seat).min(2), sources: z.array(Id).min(1), reviewedOn: Day });
export const PROPOSAL_FACTS = ['rareOrComplex', 'interstitialLungDisease', 'reviewersDisagree', 'multimodality', 'requested'] as const;
const ProposalRule = z.strictObject({ id: Id, when: z.enum(PROPOSAL_FACTS), text: z.string().min(10), es: z.strictObject({ text: z.string().min(10) }).optional(), sources: z.array(Id).min(1), reviewedOn: Day });
const BoardsFile = z.strictObject({
  version: Day,
  sources: z.array(Source).min(1),
  boardTypes: z.array(BoardType).min(1),
  proposalRules: z.array(ProposalRule).min(1),
  treatmentWords: z.strictObject({ surgery: z.array(z.string().min(3)), radiation: z.array(z.string().min(3)), systemic: z.array(z.string().min(3)) }),
});
export type BoardType = z.infer<typeof BoardType>;
export type BoardsKnowledge = z.infer<typeof BoardsFile>;

/** Loads and cross-checks the board data; a bad edit stops the server at start-up. */
export function loadBoards(raw: unknown): BoardsKnowledge {
  const k = BoardsFile.parse(raw);
  const sources = new Set(k.sources.map((s) => s.id));
  for (const item of [...k.boardTypes, ...k.proposalRules]) {
    for (const s of item.sources) if (!sources.has(s)) throw new Error(`boards.json: ${item.id} cites unknown source ${s}`);
  }
  for (const t of k.boardTypes) for (const seat of t.roster) for (const sp of seat.anyOf) {
    if (!TAXONOMY.specialties[sp]) throw new Error(`boards.json: ${t.id} seat ${seat.seat} names unknown specialty ${sp}`);
  }
  if (!k.boardTypes.some((t) => t.conditionTags.length === 0)) throw new Error('boards.json: one board type must take any other case (no condition tags)');
  return k;
}

export const BOARDS = loadBoards(JSON.parse(fs.readFileSync(new URL('./data/boards.json', import.meta.url), 'utf8')));
export const boardTypeById = (id: string) => BOARDS.boardTypes.find((t) => t.id === id);
export const BOARD_TYPE_IDS = BOARDS.boardTypes.map((t) => t.id) as [string, ...string[]];

/** The board for a condition's tags: the first type that names one of them, else the general one. */
export function boardTypeFor(conditionTags: readonly string[], k: BoardsKnowledge = BOARDS): BoardType {
  return k.boardTypes.find((t) => t.conditionTags.some((tag) => conditionTags.includes(tag))) ?? k.boardTypes.find((t) => t.conditionTags.length === 0)!;
}

export interface ProposalFacts {
  condition: { label: string; kind: 'cancer' | 'lung'; rareOrComplex: boolean; tags: string[] } | null;
  /** Disagreements between signed reviewer parts, in words. */
  disagreements: string[];
  /** Free text of the proposed plan and the treatments so far. */
  treatmentTexts: string[];
  surgeryProposed: boolean;
  request: { by: string; note: string } | null;
}

/** A rule that fired: its reason in words, and the values filled in (kept, so the reason can be said in another language). */
export interface FiredRule { id: string; reason: string; values?: Record<string, string>; sources: { id: string; title: string; reviewedOn: string }[]; reviewedOn: string }
export interface BoardProposal { propose: boolean; boardType: BoardType; fired: FiredRule[] }

const words = (s: string) => ` ${s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim()} `;

/** Which of surgery, radiation and drug therapy the plan and history name, with the words found. */
export function modalitiesNamed(texts: readonly string[], surgeryProposed: boolean, k: BoardsKnowledge = BOARDS) {
  const all = words(texts.join(' '));
  const hit = (list: string[]) => list.find((w) => all.includes(words(w)));
  const surgery = surgeryProposed ? 'surgery proposed' : hit(k.treatmentWords.surgery);
  const radiation = hit(k.treatmentWords.radiation);
  const systemic = hit(k.treatmentWords.systemic);
  return { surgery, radiation, systemic };
}

/** Evaluates the proposal rules: whether to propose a board, which one, and each reason with its sources. */
export function proposeBoard(f: ProposalFacts, k: BoardsKnowledge = BOARDS): BoardProposal {
  const m = modalitiesNamed(f.treatmentTexts, f.surgeryProposed, k);
  const holds: Record<(typeof PROPOSAL_FACTS)[number], Record<string, string> | null> = {
    rareOrComplex: f.condition?.rareOrComplex ? { condition: f.condition.label } : null,
    interstitialLungDisease: f.condition?.tags.includes('ild') ? {} : null,
    reviewersDisagree: f.disagreements.length ? { disagreements: f.disagreements.join(' ') } : null,
    multimodality: m.surgery && m.radiation && m.systemic ? { found: [m.surgery, m.radiation, m.systemic].join(', ') } : null,
    requested: f.request ? { requester: f.request.by, note: f.request.note } : null,
  };
  const fired: FiredRule[] = [];
  for (const rule of k.proposalRules) {
    const values = holds[rule.when];
    if (!values) continue;
    fired.push({
      id: rule.id,
      reason: fillTemplate(rule.text, values),
      values,
      sources: rule.sources.map((id) => k.sources.find((s) => s.id === id)!).map((s) => ({ id: s.id, title: s.title, reviewedOn: s.reviewedOn })),
      reviewedOn: rule.reviewedOn,
    });
  }
  return { propose: fired.length > 0, boardType: boardTypeFor(f.condition?.tags ?? [], k), fired };
}

const fillTemplate = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');

/** The values a reason was filled with, read back from its words (reasons kept before values were). */
function valuesOf(template: string, reason: string): Record<string, string> | null {
  const names: string[] = [];
  const pattern = template.split(/\{(\w+)\}/).map((part, i) => (i % 2 ? (names.push(part), '([\\s\\S]*)') : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  const m = new RegExp(`^${pattern}$`).exec(reason);
  return m ? Object.fromEntries(names.map((n, i) => [n, m[i + 1]!])) : null;
}

/**
 * A fired rule's reason in the reader's language: the rule's translation filled with the same
 * values (a condition by its name in that language). English, or a rule without a translation, as kept.
 */
export function firedIn(f: FiredRule, locale: Locale, conditionName: (english: string) => string = (c) => c, k: BoardsKnowledge = BOARDS): FiredRule {
  const rule = k.proposalRules.find((r) => r.id === f.id);
  if (!rule || locale === 'en') return f;
  const template = entryIn(rule, locale).text;
  const values = f.values ?? valuesOf(rule.text, f.reason);
  if (template === rule.text || !values) return f;
  // Our own names for sources are translated too; a published document keeps its title.
  const sources = f.sources.map((s) => ({ ...s, title: entryIn(k.sources.find((x) => x.id === s.id) ?? s, locale).title }));
  return { ...f, sources, reason: fillTemplate(template, values.condition ? { ...values, condition: conditionName(values.condition) } : values) };
}

/** A board's name in the reader's language. */
export const boardLabelIn = (type: BoardType, locale: Locale) => entryIn(type, locale).label;
/** A seat at the board ("Pathology") in the reader's language, as recorded at a meeting. */
export function seatIn(seat: string, locale: Locale, k: BoardsKnowledge = BOARDS): string {
  const found = k.boardTypes.flatMap((t) => t.roster).find((r) => r.seat === seat);
  return found ? entryIn(found, locale).seat : seat;
}

export interface SeatHolder { userId: string; name: string; taxonomyCodes: string[] }
export interface Quorum { complete: boolean; seats: { seat: string; filledBy: string[] }[]; missing: string[] }

/** Whether the people given fill every seat of the board type's roster, and which seats are empty. */
export function quorum(type: BoardType, people: readonly SeatHolder[]): Quorum {
  const seats = type.roster.map((seat) => {
    const codes = new Set(seat.anyOf.flatMap((sp) => TAXONOMY.specialties[sp] ?? []));
    return { seat: seat.seat, filledBy: people.filter((p) => p.taxonomyCodes.some((c) => codes.has(c))).map((p) => p.name) };
  });
  const missing = seats.filter((s) => s.filledBy.length === 0).map((s) => s.seat);
  return { complete: missing.length === 0, seats, missing };
}

/** The roster seats a person can fill on a board type, by their specialties (taxonomy codes). */
export function seatsFor(type: BoardType, taxonomyCodes: readonly string[]): string[] {
  return type.roster.filter((seat) => seat.anyOf.some((sp) => (TAXONOMY.specialties[sp] ?? []).some((c) => taxonomyCodes.includes(c)))).map((seat) => seat.seat);
}
