import crypto from 'node:crypto';
import { DEFAULT_LOCALE, type Locale } from '../core/locale.ts';

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
  /** The same document in other languages, same version: a person signs the text they read. */
  translations?: { [L in Exclude<Locale, 'en'>]?: { title: string; text: string } };
}

/** A document as read in one language, with the language it is in (English where no translation exists). */
export type ConsentText = Omit<ConsentDocument, 'translations'> & { language: Locale };

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
    translations: {
      es: {
        title: 'Consentimiento para una revisión de segunda opinión a distancia',
        text: [
          'Pido a Consilium y a los médicos especialistas con los que trabaja que revisen mis documentos médicos, mi patología y mis estudios de imagen, y que me den una segunda opinión por escrito.',
          'Entiendo que los especialistas revisan documentos y, si yo lo pido, se reúnen conmigo por video. No me examinan en persona y no se hacen cargo de mi atención. Mis propios médicos siguen a cargo de mi tratamiento.',
          'Entiendo que la opinión depende de los documentos que mis médicos y yo entreguemos. Si faltan documentos, la opinión puede tardar más o quedar limitada.',
          'No dejaré ni retrasaré ningún tratamiento que mis médicos digan que es urgente mientras espero la opinión.',
          'Puedo retirar esta solicitud en cualquier momento antes de que se firme la opinión.',
          'La opinión es información para hablar con mis médicos. No es una promesa de ningún resultado.',
        ].join('\n\n'),
      },
    },
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
    translations: {
      es: {
        title: 'Autorización para usar y divulgar información de salud (HIPAA)',
        text: [
          'Información que se puede usar o divulgar: mis documentos médicos relacionados con la enfermedad nombrada en esta solicitud, incluidos informes de patología, laminillas y bloques de tejido, estudios de imagen y sus informes, notas de cirugía, historial de tratamiento, resultados de laboratorio y resultados de pruebas genéticas o moleculares.',
          'Quién puede divulgarla: mis médicos tratantes, hospitales, laboratorios y centros de imagen, y Consilium.',
          'Quién puede recibirla: Consilium, sus coordinadores y los médicos especialistas y comités de tumores asignados a mi solicitud; y mi médico remitente, que recibirá la opinión.',
          'Propósito: obtener y entregar una segunda opinión médica a petición mía.',
          'Vencimiento: esta autorización termina un año después de la fecha en que la firmo, o cuando se cierre mi solicitud, lo que ocurra primero.',
          'Derecho a revocarla: puedo revocar esta autorización en cualquier momento si se lo digo a Consilium por escrito. Revocarla no deshace las divulgaciones ya hechas con base en ella.',
          'Condiciones: mi tratamiento, mis pagos, mi inscripción o mi derecho a beneficios en otros lugares no dependen de que la firme. Consilium no puede dar una segunda opinión sin ella, porque la opinión se basa en estos documentos.',
          'Nueva divulgación: la persona que reciba información bajo esta autorización puede volver a divulgarla, y entonces puede que las reglas federales de privacidad ya no la protejan.',
          'Si firmo como representante personal del paciente, declaro mi relación con el paciente y mi autoridad para actuar en su nombre.',
        ].join('\n\n'),
      },
    },
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

/** A document in `locale`, or in English when it has no translation into it (the answer says which). */
export function documentIn(doc: ConsentDocument, locale: Locale): ConsentText {
  const { translations, ...english } = doc;
  const t = locale === DEFAULT_LOCALE ? undefined : translations?.[locale as Exclude<Locale, 'en'>];
  return t ? { ...english, ...t, language: locale } : { ...english, language: DEFAULT_LOCALE };
}

/** SHA-256 of a document's text as shown, kept with each signature as proof of what was signed. */
export function documentHash(doc: Pick<ConsentDocument, 'text'>): string {
  return crypto.createHash('sha256').update(doc.text).digest('hex');
}
