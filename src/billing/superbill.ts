import type { Invoice } from './invoiceRepository.ts';

/**
 * A superbill: the statement a patient sends to their health plan to claim back what they paid
 * for care the program billed them for directly. It carries what a professional claim needs
 * (DOMAIN.md §8, §10): who billed (name, NPI, tax id) and who rendered the service, the patient
 * and their plan's numbers, the diagnoses (ICD-10-CM), and per service its date, place of
 * service, CPT code with modifiers, units and charge. Pure: built from the invoice and the facts
 * the service gathered; the PDF and FHIR `Claim` are two views of it.
 */
export type PlaceOfService = '02' | '10';

/** Place-of-service codes of CMS's set for telehealth (DOMAIN.md §10). */
export const PLACE_OF_SERVICE: Record<PlaceOfService, string> = {
  '02': 'Telehealth provided other than in patient’s home',
  '10': 'Telehealth provided in patient’s home',
};

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
  /** Days the services were given: the first report issued, the last video visit held. */
  serviceDays: { opinion: string | null; visit: string | null };
  placeOfService: PlaceOfService;
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
  lines: SuperbillLine[];
  chargesCents: number;
  /** What the patient was asked to pay after discount and tax, what they paid, and what is still owed. */
  totalCents: number;
  paidCents: number;
  balanceCents: number;
}

/** Superbills are for bills that stand: issued, paid or waived; not drafts or bills cancelled as issued in error. */
export const superbillAvailable = (inv: Pick<Invoice, 'status'>) => inv.status === 'issued' || inv.status === 'paid' || inv.status === 'written_off';

export function superbillOf(f: SuperbillFacts): Superbill {
  const inv = f.invoice;
  const fallback = (inv.issuedAt ?? inv.createdAt).slice(0, 10);
  const lines = inv.lines.map((l, i): SuperbillLine => {
    const synchronous = SYNCHRONOUS_SERVICES.has(l.serviceId);
    return {
      sequence: i + 1,
      serviceId: l.serviceId,
      description: l.description,
      serviceDate: (synchronous ? f.serviceDays.visit : f.serviceDays.opinion) ?? fallback,
      placeOfService: f.placeOfService,
      codes: l.codes,
      modifiers: synchronous ? [TELEHEALTH_MODIFIER] : [],
      diagnosisPointers: f.diagnosis ? [1] : [],
      units: l.quantity,
      chargeCents: l.quantity * l.unitCents,
    };
  });
  return { facts: f, lines, chargesCents: lines.reduce((n, l) => n + l.chargeCents, 0), totalCents: inv.totalCents, paidCents: inv.paidCents, balanceCents: inv.balanceCents };
}
