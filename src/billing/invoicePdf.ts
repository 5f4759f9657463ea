import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import type { Locale } from '../core/locale.ts';
import type { InvoiceStatus, PaymentMethod } from './invoice.ts';
import type { Invoice } from './invoiceRepository.ts';

/** What the invoice PDF needs besides the invoice: who it is for and the request it bills. */
export interface InvoiceDocument {
  invoice: Invoice;
  letterhead: string;
  /** Who bills, as a claim needs it (each part when configured). */
  provider: { address?: string | undefined; npi?: string | undefined; taxId?: string | undefined };
  caseReference: string;
  patient: { name: string; birthDate: string | null };
  /** The request's diagnosis (ICD-10-CM), for the patient's insurance claim. */
  diagnosis: { code: string; description: string } | null;
  /** How to pay other than online, in the program's words. */
  howToPay: string | null;
  locale: Locale;
}

interface Words {
  tag: string;
  title: (n: string) => string;
  forPatient: (name: string, born: string | null) => string;
  request: (ref: string) => string;
  issued: (d: string) => string;
  due: (d: string) => string;
  status: Record<Exclude<InvoiceStatus, 'draft'>, string>;
  head: [string, string, string, string, string];
  subtotal: string; discount: (reason: string | null) => string; tax: (rate: string) => string; total: string; help: string; paid: string; balance: string; waived: string;
  payments: string; method: Record<PaymentMethod, string>; reference: (r: string) => string;
  claimTitle: string; claim: string; billedBy: (name: string) => string; npi: (n: string) => string; taxId: (n: string) => string; diagnosis: (code: string, text: string) => string; noCode: string;
  closed: (why: string) => string;
  questions: string; howToPay: string;
  page: (n: number, of: number) => string;
}

const WORDS: Record<Locale, Words> = {
  en: {
    tag: 'en-US',
    title: (n) => `Invoice ${n}`,
    forPatient: (name, born) => `For: ${name}${born ? `, born ${born}` : ''}`,
    request: (ref) => `Second-opinion request ${ref}`,
    issued: (d) => `Issued on ${d}`,
    due: (d) => `Due by ${d}`,
    status: { issued: 'To pay', paid: 'Paid', void: 'Void: issued in error, nothing is owed', written_off: 'Closed: what was owed was waived' },
    head: ['Service', 'Billing codes', 'Quantity', 'Price', 'Amount'],
    subtotal: 'Subtotal', discount: (r) => `Discount${r ? ` (${r})` : ''}`, tax: (rate) => `Tax (${rate})`, total: 'Total', help: 'Help with this bill (waived)', paid: 'Paid', balance: 'Balance due', waived: 'Waived (nothing more is owed)',
    payments: 'Payments received', method: { check: 'Check', transfer: 'Bank transfer', card: 'Card', cash: 'Cash', other: 'Other' }, reference: (r) => `reference ${r}`,
    claimTitle: 'For an insurance claim',
    billedBy: (name) => `Billed by ${name}`, npi: (n) => `NPI ${n}`, taxId: (n) => `Tax ID (EIN) ${n}`,
    claim: 'If you send this invoice to your health plan, these codes describe the services and the diagnosis. A service without a code has none listed by us; ask the plan how it wants it billed.',
    diagnosis: (code, text) => `Diagnosis (ICD-10-CM): ${code} ${text}`,
    noCode: 'No diagnosis code was chosen for this request.',
    closed: (why) => `Note: ${why}`,
    questions: 'Questions about this bill? Write to your coordinator under Messages in your request.', howToPay: 'How to pay',
    page: (n, of) => `Page ${n} of ${of}`,
  },
  es: {
    tag: 'es-US',
    title: (n) => `Factura ${n}`,
    forPatient: (name, born) => `Para: ${name}${born ? `, nacido(a) el ${born}` : ''}`,
    request: (ref) => `Solicitud de segunda opinión ${ref}`,
    issued: (d) => `Emitida el ${d}`,
    due: (d) => `Vence el ${d}`,
    status: { issued: 'Por pagar', paid: 'Pagada', void: 'Anulada: se emitió por error y no se debe nada', written_off: 'Cerrada: se condonó lo que se debía' },
    head: ['Servicio', 'Códigos de facturación', 'Cantidad', 'Precio', 'Importe'],
    subtotal: 'Subtotal', discount: (r) => `Descuento${r ? ` (${r})` : ''}`, tax: (rate) => `Impuesto (${rate})`, total: 'Total', help: 'Ayuda con esta factura (condonado)', paid: 'Pagado', balance: 'Saldo pendiente', waived: 'Condonado (no se debe nada más)',
    payments: 'Pagos recibidos', method: { check: 'Cheque', transfer: 'Transferencia bancaria', card: 'Tarjeta', cash: 'Efectivo', other: 'Otro' }, reference: (r) => `referencia ${r}`,
    claimTitle: 'Para un reclamo al seguro',
    billedBy: (name) => `Factura emitida por ${name}`, npi: (n) => `NPI ${n}`, taxId: (n) => `Número de identificación fiscal (EIN) ${n}`,
    claim: 'Si envía esta factura a su plan de salud, estos códigos describen los servicios y el diagnóstico. Un servicio sin código no tiene uno indicado por nosotros; pregunte al plan cómo quiere que se facture.',
    diagnosis: (code, text) => `Diagnóstico (CIE-10-MC): ${code} ${text}`,
    noCode: 'No se eligió un código de diagnóstico para esta solicitud.',
    closed: (why) => `Nota: ${why}`,
    questions: '¿Preguntas sobre esta factura? Escriba a su coordinador en Mensajes, dentro de su solicitud.', howToPay: 'Cómo pagar',
    page: (n, of) => `Página ${n} de ${of}`,
  },
};

export function invoiceDefinition(doc: InvoiceDocument): TDocumentDefinitions {
  const w = WORDS[doc.locale] ?? WORDS.en;
  const inv = doc.invoice;
  const money = new Intl.NumberFormat(w.tag, { style: 'currency', currency: inv.currency });
  const cents = (n: number) => money.format(n / 100);
  const day = (iso: string) => new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso).toLocaleDateString(w.tag, { dateStyle: 'long', timeZone: 'UTC' });
  const status = inv.status === 'draft' ? '' : w.status[inv.status];
  const right = (text: string, bold = false) => ({ text, alignment: 'right' as const, bold });
  const totals: [string, string, boolean][] = [
    [w.subtotal, cents(inv.subtotalCents), false],
    ...(inv.discountCents ? [[w.discount(inv.discountReason), `- ${cents(inv.discountCents)}`, false] as [string, string, boolean]] : []),
    ...(inv.taxBasisPoints ? [[w.tax(`${(inv.taxBasisPoints / 100).toLocaleString(w.tag)} %`), cents(inv.taxCents), false] as [string, string, boolean]] : []),
    [w.total, cents(inv.totalCents), true],
    // Help with the bill, decided after it was issued, lessens what is owed.
    ...(inv.assistance.cents ? [[w.help, `- ${cents(inv.assistance.cents)}`, false] as [string, string, boolean]] : []),
    ...(inv.paidCents ? [[w.paid, cents(inv.paidCents), false] as [string, string, boolean]] : []),
    ...(inv.status === 'issued' ? [[w.balance, cents(inv.balanceCents), true] as [string, string, boolean]] : []),
    ...(inv.status === 'written_off' && inv.totalCents - inv.paidCents - inv.assistance.cents > 0 ? [[w.waived, cents(inv.totalCents - inv.paidCents - inv.assistance.cents), true] as [string, string, boolean]] : []),
  ];
  const content: Content[] = [
    { text: w.title(inv.number ?? ''), fontSize: 18, bold: true, margin: [0, 0, 0, 4] },
    { text: status, bold: true, margin: [0, 0, 0, 8] },
    { text: [w.forPatient(doc.patient.name, doc.patient.birthDate ? day(doc.patient.birthDate) : null), '\n', w.request(doc.caseReference), '\n', w.issued(day(inv.issuedAt!)), ' · ', w.due(day(inv.dueOn!))], margin: [0, 0, 0, 12] },
    {
      table: {
        headerRows: 1, widths: ['*', 'auto', 'auto', 'auto', 'auto'],
        body: [
          w.head.map((h, i) => (i >= 2 ? right(h, true) : { text: h, bold: true })),
          ...inv.lines.map((l) => [l.description, l.codes.map((c) => c.code).join(', ') || '—', right(String(l.quantity)), right(cents(l.unitCents)), right(cents(l.quantity * l.unitCents))]),
        ],
      },
      layout: 'lightHorizontalLines', margin: [0, 0, 0, 8],
    },
    { table: { widths: ['*', 'auto'], body: totals.map(([label, value, bold]) => [right(label, bold), right(value, bold)]) }, layout: 'noBorders', margin: [0, 0, 0, 12] },
  ];
  if (inv.payments.length) {
    content.push({ text: w.payments, bold: true, margin: [0, 4, 0, 4] });
    content.push({ ul: inv.payments.map((p) => `${day(p.receivedOn)}: ${cents(p.amountCents)}, ${w.method[p.method]}${p.reference ? `, ${w.reference(p.reference)}` : ''}`), margin: [0, 0, 0, 10] });
  }
  if (inv.closeReason && (inv.status === 'void' || inv.status === 'written_off')) content.push({ text: w.closed(inv.closeReason), margin: [0, 0, 0, 10] });
  if (inv.status === 'issued' && doc.howToPay) content.push({ text: w.howToPay, bold: true, margin: [0, 4, 0, 4] }, { text: doc.howToPay, margin: [0, 0, 0, 10] });
  content.push(
    { text: w.claimTitle, bold: true, margin: [0, 6, 0, 4] },
    { text: w.claim, fontSize: 9, margin: [0, 0, 0, 4] },
    { text: [w.billedBy(doc.letterhead), doc.provider.address, doc.provider.npi && w.npi(doc.provider.npi), doc.provider.taxId && w.taxId(doc.provider.taxId)].filter(Boolean).join(' · '), fontSize: 9, margin: [0, 0, 0, 4] },
    { text: doc.diagnosis ? w.diagnosis(doc.diagnosis.code, doc.diagnosis.description) : w.noCode, fontSize: 9, margin: [0, 0, 0, 12] },
    { text: w.questions, fontSize: 9 },
  );
  return {
    info: { title: w.title(inv.number ?? ''), author: doc.letterhead },
    language: doc.locale,
    pageMargins: [48, 72, 48, 56],
    header: () => ({ margin: [48, 24, 48, 0], columns: [{ text: doc.letterhead, bold: true, fontSize: 11 }, { text: `${doc.patient.name} · ${doc.caseReference}`, alignment: 'right', fontSize: 9 }] }),
    footer: (n: number, of: number) => ({ margin: [48, 20, 48, 0], text: w.page(n, of), alignment: 'right', fontSize: 8 }),
    content,
    defaultStyle: { fontSize: 10, lineHeight: 1.2 },
  };
}
