import { wordsIn } from '../core/i18n.ts';
import type { Invoice } from './invoiceRepository.ts';
import type { ServicesGiven } from './repository.ts';

/**
 * A superbill: the statement a patient sends to their health plan to claim back what they paid
 * for care the program billed them for directly. It carries what a professional claim needs
 * (DOMAIN.md §8, §10): who billed (name, NPI, tax id) and who rendered the service, the patient
 * and their plan's numbers, the diagnoses (ICD-10-CM), and per service its date, place of
 * service, CPT code with modifiers, units and charge. Pure: built from the invoice and the facts
 * the service gathered; the PDF and FHIR `Claim` are two views of it.
 */
export type TelehealthPlace = '02' | '10';
export type ReviewPlace = '11' | '19' | '22';
export type PlaceOfService = TelehealthPlace | ReviewPlace;

/** Place-of-service codes of CMS's set: telehealth (DOMAIN.md §10) for visits, and where the program reviews records; their names as CMS writes them are the catalogue's English. */
const english = wordsIn('en');
export const PLACE_OF_SERVICE = Object.fromEntries((['02', '10', '11', '19', '22'] as const).map((code) => [code, english(`bills:superbill.place.${code}`)])) as Record<PlaceOfService, string>;

/** Modifier 95: a synchronous audio-video telehealth service (DOMAIN.md §10). Only services that are one carry it. */
const SYNCHRONOUS_SERVICES = new Set(['video_visit']);
export const TELEHEALTH_MODIFIER = '95';

export interface SuperbillFacts {
  invoice: Invoice;
  biller: { name: string; address?: string | undefined; npi?: string | undefined; taxId?: string | undefined };
  /** The experts who signed the opinion, with their NPI when their profile has one. */
  rendering: { name: string; npi: string | null }[];
  patient: { name: string; birthDate: string | null; planName: string | null; memberId: string | null; groupNumber: string | null };
  diagnosis: { code: string; description: string } | null;
  /** Which services were given, and when: the review with the first report, the visit when held. */
  given: ServicesGiven;
  /** Where services are given: the video visit is telehealth; the review of records is done where the program is. */
  places: { telehealth: TelehealthPlace; review: ReviewPlace };
}

export interface SuperbillLine {
  sequence: number;
  serviceId: string;
  description: string;
  serviceDate: string;
  placeOfService: PlaceOfService;
  codes: { system: string; code: string; display: string }[];
  modifiers: string[];
  /** Pointers into the diagnoses (1-based), as claim forms list them. */
  diagnosisPointers: number[];
  units: number;
  chargeCents: number;
}

export interface Superbill {
  facts: SuperbillFacts;
  /** The services given so far: a statement lists what happened, not what was billed ahead. */
  lines: SuperbillLine[];
  /** Services on the bill not given yet (left out). */
  notYetGiven: string[];
  chargesCents: number;
  /** What the bill asked of the patient after discount, tax and help; what they paid; what is still owed. */
  askedCents: number;
  /** What the program waived after the bill was issued (help with the bill, or writing it off). */
  waivedCents: number;
  paidCents: number;
  balanceCents: number;
}

/** The bill's lines whose service was given: the visit once held, the rest once the first report is issued. */
export function givenLines(inv: Pick<Invoice, 'lines'>, given: ServicesGiven) {
  return inv.lines.map((l, i) => ({ line: l, index: i, day: SYNCHRONOUS_SERVICES.has(l.serviceId) ? given.visit : given.opinion })).filter((x): x is typeof x & { day: string } => x.day !== null);
}

/**
 * Superbills are for bills that stand (issued, paid or waived; not drafts or bills cancelled as
 * issued in error) on which something was paid or is owed: a bill waived whole asks nothing back.
 */
export const superbillAvailable = (inv: Pick<Invoice, 'status' | 'paidCents' | 'balanceCents'>) =>
  (inv.status === 'issued' || inv.status === 'paid' || inv.status === 'written_off') && (inv.paidCents > 0 || inv.balanceCents > 0);

export function superbillOf(f: SuperbillFacts): Superbill {
  const inv = f.invoice;
  const given = givenLines(inv, f.given);
  const lines = given.map(({ line: l, day }, i): SuperbillLine => {
    const synchronous = SYNCHRONOUS_SERVICES.has(l.serviceId);
    return {
      sequence: i + 1,
      serviceId: l.serviceId,
      description: l.description,
      serviceDate: day,
      placeOfService: synchronous ? f.places.telehealth : f.places.review,
      codes: l.codes,
      // A modifier qualifies a code: a line without one has nothing to modify.
      modifiers: synchronous && l.codes.length ? [TELEHEALTH_MODIFIER] : [],
      diagnosisPointers: f.diagnosis ? [1] : [],
      units: l.quantity,
      chargeCents: l.quantity * l.unitCents,
    };
  });
  const notYetGiven = inv.lines.filter((_, i) => !given.some((g) => g.index === i)).map((l) => l.description);
  // Written off: what was paid is what it came to (never more than the total: more was money to refund).
  const asked = inv.status === 'written_off' ? Math.min(inv.paidCents, inv.totalCents) : inv.totalCents - inv.assistance.cents;
  return {
    facts: f, lines, notYetGiven, chargesCents: lines.reduce((n, l) => n + l.chargeCents, 0),
    askedCents: asked, waivedCents: inv.totalCents - asked, paidCents: inv.paidCents, balanceCents: inv.balanceCents,
  };
}
