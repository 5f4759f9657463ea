import crypto from 'node:crypto';

/**
 * The documents a patient signs before a request is submitted. Versioned: a new version is a new
 * entry, old ones stay so every signature can be shown with the exact text that was signed.
 * The HIPAA authorization carries the core elements and statements of 45 CFR 164.508(c).
 */
export type ConsentKind = 'service_consent' | 'hipaa_authorization';

export interface ConsentDocument {
  kind: ConsentKind;
  version: string;
  title: string;
  effectiveOn: string;
  text: string;
}

export const CONSENT_DOCUMENTS: ConsentDocument[] = [
  {
    kind: 'service_consent',
    version: '2026-11',
    title: 'Consent to a remote second-opinion review',
    effectiveOn: '2026-11-25',
    text: [
      'I ask Consilium and the expert physicians it works with to review my medical records, pathology and imaging and to give a written second opinion.',
      'I understand that the experts review records and, if I ask for it, meet me by video. They do not examine me in person and do not take over my care. My own doctors stay responsible for my treatment.',
      'I understand that an opinion depends on the records I and my doctors provide. Missing records can delay or limit the opinion.',
      'I will not stop or delay any treatment my doctors call urgent while I wait for the opinion.',
      'I may withdraw this request at any time before the opinion is signed.',
      'The opinion is information to discuss with my doctors. It is not a promise of any result.',
    ].join('\n\n'),
  },
  {
    kind: 'hipaa_authorization',
    version: '2026-11',
    title: 'Authorization to use and disclose health information (HIPAA)',
    effectiveOn: '2026-11-25',
    text: [
      'Information to be used or disclosed: my medical records that relate to the condition named in this request, including pathology reports, slides and blocks, imaging studies and reports, operative notes, treatment history, laboratory results and genetic or molecular test results.',
      'Who may disclose it: my treating physicians, hospitals, laboratories and imaging centers, and Consilium.',
      'Who may receive it: Consilium, its coordinators, and the expert physicians and tumor boards assigned to my request; and my referring physician, who will receive the opinion.',
      'Purpose: to obtain and deliver a medical second opinion at my request.',
      'Expiration: this authorization ends one year after the date I sign it, or when my request is closed, whichever comes first.',
      'Right to revoke: I may revoke this authorization at any time by telling Consilium in writing. Revoking does not undo disclosures already made in reliance on it.',
      'Conditioning: my treatment, payment, enrollment or eligibility for benefits elsewhere does not depend on my signing. Consilium cannot provide a second opinion without it, because the opinion is based on these records.',
      'Redisclosure: information disclosed under this authorization may be redisclosed by the recipient and may then no longer be protected by federal privacy rules.',
      'If I sign as the patient’s personal representative, I state my relationship to the patient and my authority to act for them.',
    ].join('\n\n'),
  },
];

export const CONSENT_LABELS: Record<ConsentKind, string> = {
  service_consent: 'consent to the review',
  hipaa_authorization: 'HIPAA authorization',
};

/** The version in force for each document kind. */
export function currentDocument(kind: ConsentKind): ConsentDocument {
  const docs = CONSENT_DOCUMENTS.filter((d) => d.kind === kind).sort((a, b) => b.effectiveOn.localeCompare(a.effectiveOn));
  return docs[0]!;
}

/** SHA-256 of a document's text, kept with each signature as proof of what was shown. */
export function documentHash(doc: ConsentDocument): string {
  return crypto.createHash('sha256').update(doc.text).digest('hex');
}
