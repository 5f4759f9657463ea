import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import type { Locale } from '../core/locale.ts';
import { wordsIn } from '../core/i18n.ts';
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

export function invoiceDefinition(doc: InvoiceDocument): TDocumentDefinitions {
  const w = wordsIn(doc.locale);
  const tag = w('bills:locale');
  const inv = doc.invoice;
  const money = new Intl.NumberFormat(tag, { style: 'currency', currency: inv.currency });
  const cents = (n: number) => money.format(n / 100);
  const day = (iso: string) => new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso).toLocaleDateString(tag, { dateStyle: 'long', timeZone: 'UTC' });
  const status = inv.status === 'draft' ? '' : w(`bills:invoice.status.${inv.status}`);
  const born = doc.patient.birthDate ? day(doc.patient.birthDate) : null;
  const forPatient = born ? w('bills:invoice.forPatientBorn', { name: doc.patient.name, born }) : w('bills:invoice.forPatient', { name: doc.patient.name });
  const right = (text: string, bold = false) => ({ text, alignment: 'right' as const, bold });
  const totals: [string, string, boolean][] = [
    [w('bills:invoice.subtotal'), cents(inv.subtotalCents), false],
    ...(inv.discountCents ? [[inv.discountReason ? w('bills:invoice.discountWhy', { reason: inv.discountReason }) : w('bills:invoice.discount'), `- ${cents(inv.discountCents)}`, false] as [string, string, boolean]] : []),
    ...(inv.taxBasisPoints ? [[w('bills:invoice.tax', { rate: `${(inv.taxBasisPoints / 100).toLocaleString(tag)} %` }), cents(inv.taxCents), false] as [string, string, boolean]] : []),
    [w('bills:invoice.total'), cents(inv.totalCents), true],
    // Help with the bill, decided after it was issued, lessens what is owed.
    ...(inv.assistance.cents ? [[w('bills:invoice.help'), `- ${cents(inv.assistance.cents)}`, false] as [string, string, boolean]] : []),
    ...(inv.paidCents ? [[w('bills:invoice.paid'), cents(inv.paidCents), false] as [string, string, boolean]] : []),
    ...(inv.status === 'issued' ? [[w('bills:invoice.balance'), cents(inv.balanceCents), true] as [string, string, boolean]] : []),
    ...(inv.status === 'written_off' && inv.totalCents - inv.paidCents - inv.assistance.cents > 0 ? [[w('bills:invoice.waived'), cents(inv.totalCents - inv.paidCents - inv.assistance.cents), true] as [string, string, boolean]] : []),
  ];
  const content: Content[] = [
    { text: w('bills:invoice.title', { number: inv.number ?? '' }), fontSize: 18, bold: true, margin: [0, 0, 0, 4] },
    { text: status, bold: true, margin: [0, 0, 0, 8] },
    { text: [forPatient, '\n', w('bills:invoice.request', { reference: doc.caseReference }), '\n', w('bills:invoice.issued', { day: day(inv.issuedAt!) }), ' · ', w('bills:invoice.due', { day: day(inv.dueOn!) })], margin: [0, 0, 0, 12] },
    {
      table: {
        headerRows: 1, widths: ['*', 'auto', 'auto', 'auto', 'auto'],
        body: [
          [w('bills:invoice.head.service'), w('bills:invoice.head.codes'), w('bills:invoice.head.quantity'), w('bills:invoice.head.price'), w('bills:invoice.head.amount')].map((h, i) => (i >= 2 ? right(h, true) : { text: h, bold: true })),
          ...inv.lines.map((l) => [l.description, l.codes.map((c) => c.code).join(', ') || '—', right(String(l.quantity)), right(cents(l.unitCents)), right(cents(l.quantity * l.unitCents))]),
        ],
      },
      layout: 'lightHorizontalLines', margin: [0, 0, 0, 8],
    },
    { table: { widths: ['*', 'auto'], body: totals.map(([label, value, bold]) => [right(label, bold), right(value, bold)]) }, layout: 'noBorders', margin: [0, 0, 0, 12] },
  ];
  if (inv.payments.length) {
    content.push({ text: w('bills:invoice.payments'), bold: true, margin: [0, 4, 0, 4] });
    content.push({ ul: inv.payments.map((p) => `${day(p.receivedOn)}: ${cents(p.amountCents)}, ${w(`bills:invoice.method.${p.method}`)}${p.reference ? `, ${w('bills:invoice.reference', { reference: p.reference })}` : ''}`), margin: [0, 0, 0, 10] });
  }
  if (inv.closeReason && (inv.status === 'void' || inv.status === 'written_off')) content.push({ text: w('bills:invoice.closed', { why: inv.closeReason }), margin: [0, 0, 0, 10] });
  if (inv.status === 'issued' && doc.howToPay) content.push({ text: w('bills:invoice.howToPay'), bold: true, margin: [0, 4, 0, 4] }, { text: doc.howToPay, margin: [0, 0, 0, 10] });
  content.push(
    { text: w('bills:invoice.claimTitle'), bold: true, margin: [0, 6, 0, 4] },
    { text: w('bills:invoice.claim'), fontSize: 9, margin: [0, 0, 0, 4] },
    { text: [w('bills:invoice.billedBy', { name: doc.letterhead }), doc.provider.address, doc.provider.npi && w('bills:npi', { npi: doc.provider.npi }), doc.provider.taxId && w('bills:taxId', { taxId: doc.provider.taxId })].filter(Boolean).join(' · '), fontSize: 9, margin: [0, 0, 0, 4] },
    { text: doc.diagnosis ? w('bills:invoice.diagnosis', { code: doc.diagnosis.code, text: doc.diagnosis.description }) : w('bills:invoice.noCode'), fontSize: 9, margin: [0, 0, 0, 12] },
    { text: w('bills:invoice.questions'), fontSize: 9 },
  );
  return {
    info: { title: w('bills:invoice.title', { number: inv.number ?? '' }), author: doc.letterhead },
    language: doc.locale,
    pageMargins: [48, 72, 48, 56],
    header: () => ({ margin: [48, 24, 48, 0], columns: [{ text: doc.letterhead, bold: true, fontSize: 11 }, { text: `${doc.patient.name} · ${doc.caseReference}`, alignment: 'right', fontSize: 9 }] }),
    footer: (n: number, of: number) => ({ margin: [48, 20, 48, 0], text: w('bills:page', { page: n, pages: of }), alignment: 'right', fontSize: 8 }),
    content,
    defaultStyle: { fontSize: 10, lineHeight: 1.2 },
  };
}
