import type { Intake } from '../cases/intake.ts';
import { findIcd10 } from '../catalog/icd10.ts';
import type { CaseRow } from '../core/access.ts';
import type { Config } from '../core/config.ts';
import type { Queryable } from '../core/db.ts';
import type { Invoice } from './invoiceRepository.ts';
import { superbillOf, type Superbill } from './superbill.ts';
import { billingContext } from './repository.ts';

const dayOf = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString().slice(0, 10) : null);

/** Who a request's bills are for (name, birth date) and the diagnosis (ICD-10-CM) they are billed under, as a bill and a superbill print them. */
export async function billedPatient(q: Queryable, row: CaseRow): Promise<{ patient: { name: string; birthDate: string | null }; diagnosis: { code: string; description: string } | null }> {
  const [pt] = await q.query<{ given_name: string | null; family_name: string | null; birth_date: Date | string | null }>('SELECT given_name, family_name, birth_date FROM patients WHERE id = $1', [row.patient_id]);
  const intake = (row.intake ?? {}) as Partial<Intake>;
  const code = intake.condition?.icd10Code ? findIcd10(intake.condition.icd10Code) : null;
  return {
    patient: { name: [pt?.given_name, pt?.family_name].filter(Boolean).join(' '), birthDate: dayOf(pt?.birth_date) },
    diagnosis: code ? { code: code.code, description: code.display } : null,
  };
}

/** Everything a superbill states besides the invoice, read for one request. */
export async function superbillFor(q: Queryable, config: Pick<Config, 'reportLetterhead' | 'billingProvider'>, row: CaseRow, invoice: Invoice): Promise<Superbill> {
  const { patient, diagnosis } = await billedPatient(q, row);
  // Whoever issued a version of the report, first issued first: the experts who gave the opinion.
  const rendering = await q.query<{ name: string; npi: string | null }>(
    `SELECT u.name, p.npi FROM (SELECT issued_by, min(issued_at) AS first FROM opinion_reports WHERE case_id = $1 GROUP BY issued_by) r
       JOIN users u ON u.id = r.issued_by LEFT JOIN expert_profiles p ON p.user_id = r.issued_by ORDER BY r.first`, [row.id]);
  const { given } = await billingContext(q, row.id);
  const p = (row.intake as Partial<Intake> | null)?.patient;
  const insured = p?.planType !== 'none';
  return superbillOf({
    invoice,
    biller: { name: config.reportLetterhead, address: config.billingProvider.address, npi: config.billingProvider.npi, taxId: config.billingProvider.taxId },
    rendering,
    patient: {
      ...patient,
      planName: insured ? p?.insurancePlan ?? null : null, memberId: insured ? p?.insuranceMemberId ?? null : null, groupNumber: insured ? p?.insuranceGroupNumber ?? null : null,
    },
    diagnosis,
    given,
    places: { telehealth: config.billingProvider.placeOfService, review: config.billingProvider.reviewPlaceOfService },
  });
}
