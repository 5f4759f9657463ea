import { parse } from 'csv-parse/sync';
import { toCsv } from '../core/csv.ts';
import { languageName } from '../core/languages.ts';
import type { Bundle, Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { TAXONOMY } from './matching.ts';
import { ExpertProfileInput } from './schemas.ts';

/**
 * The directory in and out: CSV (one row per expert, lists separated by ";") and FHIR R4
 * Practitioner / PractitionerRole / Organization. Parsing reports each bad row with its line
 * number and the reason, so the good rows can be imported and the bad ones fixed.
 */
export const CSV_COLUMNS = [
  'email', 'name', 'npi', 'credentials', 'taxonomy_codes', 'focus_codes', 'licensure', 'languages', 'consult_modes', 'insurance_networks',
  'capacity_max', 'fee_usd', 'institution_name', 'academic', 'tumor_boards', 'trials_open',
] as const;

export interface DirectoryRow {
  email: string;
  name: string;
  profile: ExpertProfileInput;
}

export interface RowError {
  line: number;
  message: string;
}

const list = (s: string | undefined) => (s ?? '').split(';').map((x) => x.trim()).filter(Boolean);
const yes = (s: string | undefined) => /^(yes|true|1|y)$/i.test((s ?? '').trim());

export function parseDirectoryCsv(text: string): { rows: (DirectoryRow & { line: number })[]; errors: RowError[] } {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true, relax_column_count: true });
  } catch (err) {
    return { rows: [], errors: [{ line: 0, message: `The file is not valid CSV: ${(err as Error).message}` }] };
  }
  const missing = CSV_COLUMNS.filter((c) => records.length && !(c in records[0]!));
  if (missing.length) return { rows: [], errors: [{ line: 1, message: `Missing columns: ${missing.join(', ')}.` }] };
  const rows: (DirectoryRow & { line: number })[] = [];
  const errors: RowError[] = [];
  records.forEach((r, i) => {
    const line = i + 2;
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(r.email ?? '')) return errors.push({ line, message: 'email: not a valid address.' });
    if (!r.name) return errors.push({ line, message: 'name: required.' });
    const parsed = ExpertProfileInput.safeParse({
      npi: r.npi || undefined, credentials: r.credentials ?? '', taxonomyCodes: list(r.taxonomy_codes), focusCodes: list(r.focus_codes),
      licensure: list(r.licensure), languages: list(r.languages), consultModes: list(r.consult_modes), insuranceNetworks: list(r.insurance_networks),
      capacityMax: Number(r.capacity_max), feeUsd: r.fee_usd ? Number(r.fee_usd) : null,
      institution: { name: r.institution_name ?? '', academic: yes(r.academic), tumorBoards: yes(r.tumor_boards), trialsOpen: yes(r.trials_open) },
    });
    if (!parsed.success) return errors.push({ line, message: parsed.error.issues.map((x) => `${x.path.join('.') || 'row'}: ${x.message}`).join('; ') });
    rows.push({ line, email: r.email!.toLowerCase(), name: r.name, profile: parsed.data });
  });
  return { rows, errors };
}

export interface ExportableExpert {
  userId: string;
  email: string;
  name: string;
  npi: string | null;
  credentials: string;
  taxonomy: { code: string; display: string }[];
  focusCodes: string[];
  licensure: string[];
  languages: string[];
  consultModes: string[];
  insuranceNetworks: string[];
  capacityMax: number;
  feeUsd: number | null;
  institution: { name: string; academic: boolean; tumorBoards: boolean; trialsOpen: boolean };
}

export function directoryCsv(experts: ExportableExpert[]): string {
  return toCsv([[...CSV_COLUMNS], ...experts.map((e) => [
    e.email, e.name, e.npi ?? '', e.credentials, e.taxonomy.map((t) => t.code).join(';'), e.focusCodes.join(';'), e.licensure.join(';'), e.languages.join(';'),
    e.consultModes.join(';'), e.insuranceNetworks.join(';'), e.capacityMax, e.feeUsd ?? '', e.institution.name, e.institution.academic ? 'yes' : 'no',
    e.institution.tumorBoards ? 'yes' : 'no', e.institution.trialsOpen ? 'yes' : 'no',
  ])]);
}

const orgId = (name: string) => `org-${Buffer.from(name).toString('hex').slice(0, 40) || 'none'}`;

/** One expert as FHIR R4 Practitioner and PractitionerRole (NPI, languages, licences, NUCC specialties). */
export function practitionerResources(e: ExportableExpert): { practitioner: Practitioner; role: PractitionerRole } {
  return {
    practitioner: {
      resourceType: 'Practitioner', id: e.userId, active: true,
      identifier: e.npi ? [{ system: 'http://hl7.org/fhir/sid/us-npi', value: e.npi }] : undefined,
      name: [{ text: e.name, suffix: e.credentials ? [e.credentials] : undefined }],
      telecom: [{ system: 'email', value: e.email }],
      communication: e.languages.map((l) => ({ coding: [{ system: 'urn:ietf:bcp:47', code: l, display: languageName(l) }] })),
      qualification: e.licensure.map((l) => ({ code: { text: `Licensed in ${l}` } })),
    },
    role: {
      resourceType: 'PractitionerRole', id: `role-${e.userId}`, active: true,
      practitioner: { reference: `Practitioner/${e.userId}`, display: e.name },
      organization: e.institution.name ? { reference: `Organization/${orgId(e.institution.name)}`, display: e.institution.name } : undefined,
      specialty: e.taxonomy.map((t) => ({ coding: [{ system: 'http://nucc.org/provider-taxonomy', code: t.code, display: t.display }] })),
    },
  };
}

/** The directory as a FHIR R4 collection Bundle. */
export function directoryBundle(experts: ExportableExpert[], baseUrl: string): Bundle {
  const orgs = new Map<string, Organization>();
  const entries: Bundle['entry'] = [];
  for (const e of experts) {
    if (e.institution.name && !orgs.has(e.institution.name)) orgs.set(e.institution.name, { resourceType: 'Organization', id: orgId(e.institution.name), active: true, name: e.institution.name });
    const { practitioner, role } = practitionerResources(e);
    entries.push({ fullUrl: `${baseUrl}/Practitioner/${e.userId}`, resource: practitioner }, { fullUrl: `${baseUrl}/PractitionerRole/role-${e.userId}`, resource: role });
  }
  for (const o of orgs.values()) entries.push({ fullUrl: `${baseUrl}/Organization/${o.id}`, resource: o });
  return { resourceType: 'Bundle', type: 'collection', entry: entries, meta: { tag: [{ system: 'urn:consilium', code: 'expert-directory', display: TAXONOMY.version }] } };
}
