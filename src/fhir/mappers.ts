import type { AuditEvent, ChargeItem, Claim, Consent, Coverage, Invoice as FhirInvoice, Money, Patient, ServiceRequest } from '@medplum/fhirtypes';
import { PLACE_OF_SERVICE, type Superbill } from '../billing/superbill.ts';
import type { Invoice } from '../billing/invoiceRepository.ts';
import type { CaseStatus } from '../cases/lifecycle.ts';
import type { Intake } from '../cases/intake.ts';
import { findIcd10 } from '../catalog/icd10.ts';
import { languageName } from '../core/languages.ts';

/**
 * Pure mappings from our rows to FHIR R4 resources. Each resource served under /fhir/R4 comes
 * from one of these, and the tests validate their output with @medplum/core's validator.
 */

export const CASE_REFERENCE_SYSTEM = 'urn:consilium:case-reference';
export const USER_SYSTEM = 'urn:consilium:user';
const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
const iso = (d: Date | string) => new Date(d).toISOString();
const isoDate = (d: Date | string) => (typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10));

export interface PatientRow {
  id: string;
  given_name: string | null;
  family_name: string | null;
  birth_date: Date | string | null;
  sex: string | null;
  state: string | null;
  country: string | null;
  preferred_language: string | null;
  phone: string | null;
  email: string | null;
  updated_at: Date;
}

export function toFhirPatient(p: PatientRow): Patient {
  const gender = (['female', 'male', 'other', 'unknown'] as const).find((g) => g === p.sex);
  return {
    resourceType: 'Patient',
    id: p.id,
    meta: { lastUpdated: iso(p.updated_at) },
    active: true,
    ...(p.family_name || p.given_name ? { name: [{ use: 'official', family: p.family_name ?? undefined, given: p.given_name ? [p.given_name] : undefined }] } : {}),
    ...(gender ? { gender } : {}),
    ...(p.birth_date ? { birthDate: isoDate(p.birth_date) } : {}),
    ...(p.phone || p.email ? { telecom: [...(p.phone ? [{ system: 'phone' as const, value: p.phone }] : []), ...(p.email ? [{ system: 'email' as const, value: p.email }] : [])] } : {}),
    ...(p.country ? { address: [{ state: p.state ?? undefined, country: p.country }] } : {}),
    ...(p.preferred_language ? { communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: p.preferred_language, display: languageName(p.preferred_language) }] }, preferred: true }] } : {}),
  };
}

const SERVICE_REQUEST_STATUS: Record<CaseStatus, ServiceRequest['status']> = {
  draft: 'draft', submitted: 'active', collecting_records: 'active', ready_for_review: 'active', assigned: 'active', in_review: 'active',
  board: 'active', opinion_signed: 'active', delivered: 'completed', closed: 'completed', cancelled: 'revoked', on_hold: 'on-hold',
};

export interface CaseForFhir {
  id: string;
  reference: string;
  status: CaseStatus;
  urgency: 'standard' | 'expedited';
  patient_id: string;
  intake: Intake;
  submitted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** The second-opinion request: its status follows the case's lifecycle state. */
export function toFhirServiceRequest(c: CaseForFhir): ServiceRequest {
  const cond = c.intake.condition;
  const code = cond?.icd10Code ? findIcd10(cond.icd10Code) : undefined;
  const notes = [...(c.intake.plan ? [`Proposed plan: ${c.intake.plan.proposedPlan}`] : []), ...(c.intake.questions?.questions ?? []).map((q) => `Patient question: ${q}`)];
  return {
    resourceType: 'ServiceRequest',
    id: c.id,
    meta: { lastUpdated: iso(c.updated_at) },
    identifier: [{ system: CASE_REFERENCE_SYSTEM, value: c.reference }],
    status: SERVICE_REQUEST_STATUS[c.status],
    intent: 'order',
    priority: c.urgency === 'expedited' ? 'urgent' : 'routine',
    code: { text: 'Medical second opinion' },
    subject: { reference: `Patient/${c.patient_id}` },
    authoredOn: iso(c.submitted_at ?? c.created_at),
    ...(cond ? { reasonCode: [{ ...(code ? { coding: [{ system: ICD10CM, code: code.code, display: code.display }] } : {}), text: cond.description }] } : {}),
    ...(notes.length ? { note: notes.map((text) => ({ text })) } : {}),
  };
}

export interface ConsentRow {
  id: string;
  case_id: string;
  patient_id: string;
  document: 'service_consent' | 'hipaa_authorization';
  version: string;
  typed_name: string;
  signer_relation: string;
  signed_at: Date;
  /** The language of the text signed. */
  language?: string;
}

/** A signed consent or HIPAA authorization, pointing at the exact document version signed. */
export function toFhirConsent(s: ConsentRow): Consent {
  const hipaa = s.document === 'hipaa_authorization';
  return {
    resourceType: 'Consent',
    id: s.id,
    meta: { lastUpdated: iso(s.signed_at) },
    ...(s.language ? { language: s.language } : {}),
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: hipaa ? 'patient-privacy' : 'treatment' }] },
    category: [{ coding: hipaa ? [{ system: 'http://loinc.org', code: '64292-6', display: 'Release of information consent' }] : [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${s.patient_id}` },
    dateTime: iso(s.signed_at),
    performer: [{ display: `${s.typed_name} (${s.signer_relation === 'proxy' ? 'caregiver acting for the patient' : 'patient'})` }],
    policy: [{ uri: `urn:consilium:consent-document:${s.document}:${s.version}` }],
    provision: { type: 'permit' },
    sourceReference: { reference: `ServiceRequest/${s.case_id}` },
  };
}

export interface CoverageRow {
  id: string;
  patient_id: string;
  intake: Intake;
  updated_at: Date | string;
}

const COVERAGE_KINDS = { medicare: 'Medicare', medicaid: 'Medicaid', commercial: 'Private health insurance', international: 'Insurance outside the United States' } as const;

/** Plan types that are a payer (no insurance is self-pay, which is not a coverage here). */
export const COVERED_PLAN_TYPES = Object.keys(COVERAGE_KINDS);

/**
 * The health coverage the patient gave in the request, as FHIR Coverage (one per request, with
 * the request's id): the plan as the payer's name, the card's member ID and group number. Null
 * when the request names no plan.
 */
export function toFhirCoverage(c: CoverageRow): Coverage | null {
  const p = c.intake.patient;
  const kind = p?.planType && p.planType in COVERAGE_KINDS ? COVERAGE_KINDS[p.planType as keyof typeof COVERAGE_KINDS] : null;
  if (!p || p.planType === 'none' || (!kind && !p.insurancePlan && !p.insuranceMemberId)) return null;
  return {
    resourceType: 'Coverage',
    id: c.id,
    meta: { lastUpdated: iso(c.updated_at) },
    status: 'active',
    ...(kind ? { type: { text: kind } } : {}),
    ...(p.insuranceMemberId ? {
      identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MB', display: 'Member Number' }] }, value: p.insuranceMemberId }],
      subscriberId: p.insuranceMemberId,
    } : {}),
    beneficiary: { reference: `Patient/${c.patient_id}` },
    // The plan as the patient named it; the payer is not an organisation we keep.
    payor: [{ display: p.insurancePlan ?? kind ?? 'Health plan (name not given)' }],
    ...(p.insuranceGroupNumber ? { class: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'group', display: 'Group' }] }, value: p.insuranceGroupNumber }] } : {}),
  };
}

export const INVOICE_NUMBER_SYSTEM = 'urn:consilium:invoice-number';
const FHIR_INVOICE_STATUS = { draft: 'draft', issued: 'issued', paid: 'balanced', written_off: 'balanced', void: 'cancelled' } as const;

/**
 * A bill as FHIR Invoice: each line a contained ChargeItem (the service, its billing codes, the
 * quantity) priced on the line, the discount and tax as total price components, the net and
 * gross totals, the due date as payment terms, and what was paid or waived as notes.
 */
/** `own`: the reader may see why what was owed was waived (the patient side's patients and the coordinator). */
export function toFhirInvoice(inv: Invoice, patientId: string, caseId: string, own: boolean): FhirInvoice {
  // ISO 4217, as the fee schedule keeps it.
  const money = (cents: number): Money => ({ value: cents / 100, currency: inv.currency as Money['currency'] });
  const charges: ChargeItem[] = inv.lines.map((l, i) => ({
    resourceType: 'ChargeItem', id: `line-${i + 1}`,
    status: inv.status === 'draft' ? 'billable' : inv.status === 'void' ? 'entered-in-error' : 'billed',
    code: { ...(l.codes.length ? { coding: l.codes.map((c) => ({ system: c.system, code: c.code, display: c.display })) } : {}), text: l.description },
    subject: { reference: `Patient/${patientId}` },
    quantity: { value: l.quantity },
    ...(inv.issuedAt ? { enteredDate: inv.issuedAt } : {}),
  }));
  const notes = [
    ...(inv.paidCents ? [`Paid ${(inv.paidCents / 100).toFixed(2)} ${inv.currency}.`] : []),
    ...(inv.status === 'written_off' ? [own ? `The balance was waived: ${inv.closeReason ?? ''}`.trim() : 'The balance was waived.'] : []),
  ];
  return {
    resourceType: 'Invoice',
    id: inv.id,
    meta: { lastUpdated: [inv.closedAt, inv.assistance.decidedAt, inv.issuedAt, inv.createdAt, ...inv.payments.map((p) => p.at)].filter((d): d is string => !!d).sort().at(-1)! },
    ...(inv.number ? { identifier: [{ system: INVOICE_NUMBER_SYSTEM, value: inv.number }] } : {}),
    status: FHIR_INVOICE_STATUS[inv.status],
    ...(inv.status === 'void' && inv.closeReason ? { cancelledReason: inv.closeReason } : {}),
    subject: { reference: `Patient/${patientId}` },
    ...(inv.issuedAt ? { date: inv.issuedAt } : {}),
    contained: charges,
    lineItem: inv.lines.map((l, i) => ({
      sequence: i + 1,
      chargeItemReference: { reference: `#line-${i + 1}` },
      priceComponent: [{ type: 'base' as const, factor: l.quantity, amount: money(l.quantity * l.unitCents) }],
    })),
    totalPriceComponent: [
      ...(inv.discountCents ? [{ type: 'discount' as const, amount: money(inv.discountCents) }] : []),
      ...(inv.taxCents ? [{ type: 'tax' as const, factor: inv.taxBasisPoints / 10_000, amount: money(inv.taxCents) }] : []),
      // Help with the bill, after it was issued: what the patient owes less than the total.
      ...(inv.assistance.cents ? [{ type: 'deduction' as const, code: { text: 'Financial assistance' }, amount: money(inv.assistance.cents) }] : []),
    ],
    totalNet: money(inv.subtotalCents - inv.discountCents),
    totalGross: money(inv.totalCents),
    ...(inv.dueOn ? { paymentTerms: `Due by ${inv.dueOn}` } : {}),
    ...(notes.length ? { note: notes.map((text) => ({ text })) } : {}),
    extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/workflow-supportingInfo', valueReference: { reference: `ServiceRequest/${caseId}` } }],
  };
}

const NPI_SYSTEM = 'http://hl7.org/fhir/sid/us-npi';
/** The IRS employer identification number, as US Core identifies organisations by it. */
const EIN_SYSTEM = 'urn:oid:2.16.840.1.113883.4.4';
const CPT_SYSTEM = 'http://www.ama-assn.org/go/cpt';
const POS_SYSTEM = 'https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set';

/**
 * A superbill as a FHIR `Claim` (professional, use `claim`) the patient or a claims tool can send
 * to the health plan: the program as billing provider (a contained Organization with its NPI and
 * tax id), the experts as care team, the plan as the request's `Coverage`, the ICD-10-CM
 * diagnosis, and per service its CPT code, modifiers, date, place of service, units and charge.
 */
export function toFhirClaim(bill: Superbill, patientId: string, caseId: string): Claim {
  const f = bill.facts;
  const inv = f.invoice;
  const money = (cents: number): Money => ({ value: cents / 100, currency: inv.currency as Money['currency'] });
  const ids = (npi: string | null | undefined, ein?: string) => [...(npi ? [{ system: NPI_SYSTEM, value: npi }] : []), ...(ein ? [{ system: EIN_SYSTEM, value: ein }] : [])];
  const biller = ids(f.biller.npi, f.biller.taxId);
  return {
    resourceType: 'Claim',
    id: inv.id,
    meta: { lastUpdated: inv.closedAt ?? inv.issuedAt ?? inv.createdAt },
    contained: [
      { resourceType: 'Organization', id: 'biller', name: f.biller.name, ...(biller.length ? { identifier: biller } : {}), ...(f.biller.address ? { address: [{ text: f.biller.address }] } : {}) },
      ...f.rendering.map((r, i) => ({ resourceType: 'Practitioner' as const, id: `rendering-${i + 1}`, name: [{ text: r.name }], ...(r.npi ? { identifier: ids(r.npi) } : {}) })),
    ],
    ...(inv.number ? { identifier: [{ system: INVOICE_NUMBER_SYSTEM, value: inv.number }] } : {}),
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional', display: 'Professional' }] },
    use: 'claim',
    patient: { reference: `Patient/${patientId}` },
    created: inv.issuedAt ?? inv.createdAt,
    provider: { reference: '#biller' },
    priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
    referral: { reference: `ServiceRequest/${caseId}` },
    ...(f.rendering.length ? { careTeam: f.rendering.map((_, i) => ({ sequence: i + 1, provider: { reference: `#rendering-${i + 1}` }, role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claimcareteamrole', code: 'primary' }] } })) } : {}),
    ...(f.diagnosis ? { diagnosis: [{ sequence: 1, diagnosisCodeableConcept: { coding: [{ system: ICD10CM, code: f.diagnosis.code, display: f.diagnosis.description }] } }] } : {}),
    insurance: [{ sequence: 1, focal: true, coverage: { reference: `Coverage/${caseId}` } }],
    item: bill.lines.map((l) => ({
      sequence: l.sequence,
      ...(f.rendering.length ? { careTeamSequence: [1] } : {}),
      ...(l.diagnosisPointers.length ? { diagnosisSequence: l.diagnosisPointers } : {}),
      productOrService: { ...(l.codes.length ? { coding: l.codes.map((c) => ({ system: c.system, code: c.code, display: c.display })) } : {}), text: l.description },
      ...(l.modifiers.length ? { modifier: l.modifiers.map((m) => ({ coding: [{ system: CPT_SYSTEM, code: m }] })) } : {}),
      servicedDate: l.serviceDate,
      locationCodeableConcept: { coding: [{ system: POS_SYSTEM, code: l.placeOfService, display: PLACE_OF_SERVICE[l.placeOfService] }] },
      quantity: { value: l.units },
      unitPrice: money(l.units ? l.chargeCents / l.units : 0),
      net: money(l.chargeCents),
    })),
    total: money(bill.chargesCents),
  };
}

export interface AuditRow {
  id: string;
  at: Date | string;
  actor_id: string | null;
  actor_name: string | null;
  actor_role: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  case_id: string | null;
  patient_id: string | null;
  ip: string | null;
  outcome: 'success' | 'denied' | 'failure';
}

const actionCode = (action: string): AuditEvent['action'] =>
  /\.(create|register|invite)$/.test(action) ? 'C'
    : /\.(read|list|search)$/.test(action) ? 'R'
      : /\.(revoke|delete)$/.test(action) ? 'D'
        : /^user\.(login|logout|verify|mfa)/.test(action) ? 'E' : 'U';

/** One audit event; the case appears as its ServiceRequest and its Patient. */
export function toFhirAuditEvent(a: AuditRow): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: a.id,
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: 'urn:consilium:audit-action', code: a.action }],
    action: actionCode(a.action),
    recorded: iso(a.at),
    outcome: a.outcome === 'success' ? '0' : a.outcome === 'denied' ? '4' : '8',
    agent: [{
      requestor: true,
      ...(a.actor_id ? { who: { identifier: { system: USER_SYSTEM, value: a.actor_id }, display: a.actor_name ?? undefined } } : {}),
      ...(a.actor_role ? { role: [{ text: a.actor_role }] } : {}),
      ...(a.ip ? { network: { address: a.ip, type: '2' as const } } : {}),
    }],
    source: { observer: { display: 'Consilium' } },
    entity: [
      ...(a.case_id ? [{ what: { reference: `ServiceRequest/${a.case_id}` } }] : []),
      ...(a.patient_id ? [{ what: { reference: `Patient/${a.patient_id}` } }] : []),
      ...(!a.case_id && a.entity_id ? [{ what: { identifier: { system: `urn:consilium:${a.entity_type}`, value: a.entity_id } } }] : []),
    ],
  };
}
