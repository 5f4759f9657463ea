import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import type { Locale } from '../core/locale.ts';
import { PLACE_OF_SERVICE, type Superbill } from './superbill.ts';

interface Words {
  tag: string;
  title: string;
  intro: string;
  invoice: (n: string, issued: string) => string;
  billedBy: string; renderedBy: string; npi: (n: string) => string; taxId: (n: string) => string; notSet: string;
  patient: string; born: (d: string) => string; plan: (p: string) => string; member: (m: string) => string; group: (g: string) => string; noPlan: string;
  diagnoses: string; noDiagnosis: string;
  head: [string, string, string, string, string, string, string, string];
  pos: (code: string) => string;
  charges: string; total: string; waived: string; paid: string; balance: string; notYet: (services: string) => string;
  noCode: string;
  page: (n: number, of: number) => string;
}

const POS_ES: Record<string, string> = {
  '02': 'telesalud fuera del hogar del paciente', '10': 'telesalud en el hogar del paciente', '11': 'consultorio', '19': 'hospital ambulatorio fuera del campus', '22': 'hospital ambulatorio en el campus',
};

const WORDS: Record<Locale, Words> = {
  en: {
    tag: 'en-US',
    title: 'Superbill: a statement for your health plan',
    intro: 'Send this statement with your health plan’s claim form if you paid for these services yourself and want your plan to pay you back. Your plan decides what it pays.',
    invoice: (n, issued) => `For invoice ${n}, issued on ${issued}`,
    billedBy: 'Billed by', renderedBy: 'Services given by', npi: (n) => `NPI ${n}`, taxId: (n) => `Tax ID (EIN) ${n}`, notSet: 'not given',
    patient: 'Patient', born: (d) => `born ${d}`, plan: (p) => `Health plan: ${p}`, member: (m) => `Member ID: ${m}`, group: (g) => `Group number: ${g}`, noPlan: 'No health plan was named on the request.',
    diagnoses: 'Diagnosis (ICD-10-CM)', noDiagnosis: 'No diagnosis code was chosen for this request.',
    head: ['Date', 'Place', 'Code', 'Modifier', 'Diagnosis', 'Service', 'Units', 'Charge'],
    pos: (code) => `Place of service ${code}: ${PLACE_OF_SERVICE[code as keyof typeof PLACE_OF_SERVICE] ?? ''}`,
    charges: 'Total charges for the services listed', total: 'What the bill asked of you (after any discount, tax and help)', waived: 'Waived by the program', paid: 'Paid by you', balance: 'Still owed',
    notYet: (services) => `Not listed, as not given yet: ${services}. Ask for a new statement once they are.`,
    noCode: 'no code',
    page: (n, of) => `Page ${n} of ${of}`,
  },
  es: {
    tag: 'es-US',
    title: 'Superbill: estado de cuenta para su plan de salud',
    intro: 'Envíe este estado de cuenta con el formulario de reclamo de su plan de salud si usted pagó estos servicios y quiere que su plan le devuelva el dinero. Su plan decide lo que paga.',
    invoice: (n, issued) => `De la factura ${n}, emitida el ${issued}`,
    billedBy: 'Facturado por', renderedBy: 'Servicios dados por', npi: (n) => `NPI ${n}`, taxId: (n) => `Número de identificación fiscal (EIN) ${n}`, notSet: 'no indicado',
    patient: 'Paciente', born: (d) => `nacido(a) el ${d}`, plan: (p) => `Plan de salud: ${p}`, member: (m) => `Número de afiliado: ${m}`, group: (g) => `Número de grupo: ${g}`, noPlan: 'La solicitud no nombra un plan de salud.',
    diagnoses: 'Diagnóstico (CIE-10-MC)', noDiagnosis: 'No se eligió un código de diagnóstico para esta solicitud.',
    head: ['Fecha', 'Lugar', 'Código', 'Modificador', 'Diagnóstico', 'Servicio', 'Unidades', 'Cargo'],
    pos: (code) => `Lugar del servicio ${code}: ${POS_ES[code] ?? ''}`,
    charges: 'Total de cargos de los servicios indicados', total: 'Lo que la factura le pidió (después de descuentos, impuestos y ayuda)', waived: 'Condonado por el programa', paid: 'Pagado por usted', balance: 'Saldo pendiente',
    notYet: (services) => `No se indican porque todavía no se dieron: ${services}. Pida un nuevo estado de cuenta cuando se den.`,
    noCode: 'sin código',
    page: (n, of) => `Página ${n} de ${of}`,
  },
};

export function superbillDefinition(bill: Superbill, letterhead: string, caseReference: string, locale: Locale): TDocumentDefinitions {
  const w = WORDS[locale] ?? WORDS.en;
  const f = bill.facts;
  const inv = f.invoice;
  const money = new Intl.NumberFormat(w.tag, { style: 'currency', currency: inv.currency });
  const cents = (n: number) => money.format(n / 100);
  const day = (iso: string) => new Date(`${iso.slice(0, 10)}T00:00:00Z`).toLocaleDateString(w.tag, { dateStyle: 'medium', timeZone: 'UTC' });
  const right = (text: string, bold = false) => ({ text, alignment: 'right' as const, bold });
  const ids = (npi: string | null | undefined, taxId?: string) => [npi ? w.npi(npi) : `${w.npi(w.notSet)}`, taxId && w.taxId(taxId)].filter(Boolean).join(' · ');
  const places = [...new Set(bill.lines.map((l) => l.placeOfService))];
  const content: Content[] = [
    { text: w.title, fontSize: 16, bold: true, margin: [0, 0, 0, 4] },
    { text: w.invoice(inv.number ?? '', day(inv.issuedAt ?? inv.createdAt)), margin: [0, 0, 0, 6] },
    { text: w.intro, fontSize: 9, margin: [0, 0, 0, 10] },
    {
      columns: [
        { width: '*', stack: [{ text: w.billedBy, bold: true }, f.biller.name, ...(f.biller.address ? [f.biller.address] : []), ids(f.biller.npi, f.biller.taxId ?? undefined)] },
        { width: '*', stack: [{ text: w.renderedBy, bold: true }, ...(f.rendering.length ? f.rendering.map((r) => `${r.name} · ${ids(r.npi)}`) : [w.notSet])] },
      ],
      columnGap: 16, fontSize: 9, margin: [0, 0, 0, 10],
    },
    {
      stack: [
        { text: w.patient, bold: true },
        `${f.patient.name}${f.patient.birthDate ? `, ${w.born(day(f.patient.birthDate))}` : ''}`,
        ...(f.patient.planName || f.patient.memberId ? [[f.patient.planName && w.plan(f.patient.planName), f.patient.memberId && w.member(f.patient.memberId), f.patient.groupNumber && w.group(f.patient.groupNumber)].filter(Boolean).join(' · ')] : [w.noPlan]),
      ],
      fontSize: 9, margin: [0, 0, 0, 10],
    },
    { text: w.diagnoses, bold: true, fontSize: 9 },
    { text: f.diagnosis ? `1. ${f.diagnosis.code} ${f.diagnosis.description}` : w.noDiagnosis, fontSize: 9, margin: [0, 0, 0, 10] },
    {
      table: {
        headerRows: 1, widths: ['auto', 'auto', 'auto', 'auto', 'auto', '*', 'auto', 'auto'],
        body: [
          w.head.map((h, i) => (i >= 6 ? right(h, true) : { text: h, bold: true })),
          ...bill.lines.map((l) => [day(l.serviceDate), l.placeOfService, l.codes.map((c) => c.code).join(', ') || w.noCode, l.modifiers.join(', ') || '—', l.diagnosisPointers.join(', ') || '—', l.description, right(String(l.units)), right(cents(l.chargeCents))]),
        ],
      },
      layout: 'lightHorizontalLines', fontSize: 9, margin: [0, 0, 0, 4],
    },
    { text: places.map(w.pos).join(' · '), fontSize: 8, margin: [0, 0, 0, 8] },
    ...(bill.notYetGiven.length ? [{ text: w.notYet(bill.notYetGiven.join(', ')), fontSize: 8, margin: [0, 0, 0, 8] } as Content] : []),
    {
      table: {
        widths: ['*', 'auto'],
        body: [[w.charges, cents(bill.chargesCents)], [w.total, cents(bill.askedCents)], ...(bill.waivedCents ? [[w.waived, cents(bill.waivedCents)]] : []), [w.paid, cents(bill.paidCents)], [w.balance, cents(bill.balanceCents)]]
          .map(([a, b], i, all) => [right(a!, i === all.length - 1), right(b!, i === all.length - 1)]),
      },
      layout: 'noBorders', margin: [0, 0, 0, 12],
    },
  ];
  return {
    info: { title: w.title, author: letterhead },
    language: locale,
    pageMargins: [48, 72, 48, 56],
    header: () => ({ margin: [48, 24, 48, 0], columns: [{ text: letterhead, bold: true, fontSize: 11 }, { text: `${f.patient.name} · ${caseReference}`, alignment: 'right', fontSize: 9 }] }),
    footer: (n: number, of: number) => ({ margin: [48, 20, 48, 0], text: w.page(n, of), alignment: 'right', fontSize: 8 }),
    content,
    defaultStyle: { fontSize: 10, lineHeight: 1.2 },
  };
}
