import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import type { Locale } from '../core/locale.ts';
import type { Superbill } from './superbill.ts';
import { wordsIn } from '../core/i18n.ts';

/** The service table's columns, in order (catalogue `bills:superbill.head`). */
const HEAD = ['date', 'place', 'code', 'modifier', 'diagnosis', 'service', 'units', 'charge'] as const;

export function superbillDefinition(bill: Superbill, letterhead: string, caseReference: string, locale: Locale): TDocumentDefinitions {
  const w = wordsIn(locale);
  const tag = w('bills:locale');
  const f = bill.facts;
  const inv = f.invoice;
  const money = new Intl.NumberFormat(tag, { style: 'currency', currency: inv.currency });
  const cents = (n: number) => money.format(n / 100);
  const day = (iso: string) => new Date(`${iso.slice(0, 10)}T00:00:00Z`).toLocaleDateString(tag, { dateStyle: 'medium', timeZone: 'UTC' });
  const right = (text: string, bold = false) => ({ text, alignment: 'right' as const, bold });
  const ids = (npi: string | null | undefined, taxId?: string) => [w('bills:npi', { npi: npi || w('bills:superbill.notSet') }), taxId && w('bills:taxId', { taxId })].filter(Boolean).join(' · ');
  const places = [...new Set(bill.lines.map((l) => l.placeOfService))];
  const content: Content[] = [
    { text: w('bills:superbill.title'), fontSize: 16, bold: true, margin: [0, 0, 0, 4] },
    { text: w('bills:superbill.invoice', { number: inv.number ?? '', day: day(inv.issuedAt ?? inv.createdAt) }), margin: [0, 0, 0, 6] },
    { text: w('bills:superbill.intro'), fontSize: 9, margin: [0, 0, 0, 10] },
    {
      columns: [
        { width: '*', stack: [{ text: w('bills:superbill.billedBy'), bold: true }, f.biller.name, ...(f.biller.address ? [f.biller.address] : []), ids(f.biller.npi, f.biller.taxId ?? undefined)] },
        { width: '*', stack: [{ text: w('bills:superbill.renderedBy'), bold: true }, ...(f.rendering.length ? f.rendering.map((r) => `${r.name} · ${ids(r.npi)}`) : [w('bills:superbill.notSet')])] },
      ],
      columnGap: 16, fontSize: 9, margin: [0, 0, 0, 10],
    },
    {
      stack: [
        { text: w('bills:superbill.patient'), bold: true },
        `${f.patient.name}${f.patient.birthDate ? `, ${w('bills:superbill.born', { day: day(f.patient.birthDate) })}` : ''}`,
        ...(f.patient.planName || f.patient.memberId ? [[f.patient.planName && w('bills:superbill.plan', { plan: f.patient.planName }), f.patient.memberId && w('bills:superbill.member', { member: f.patient.memberId }), f.patient.groupNumber && w('bills:superbill.group', { group: f.patient.groupNumber })].filter(Boolean).join(' · ')] : [w('bills:superbill.noPlan')]),
      ],
      fontSize: 9, margin: [0, 0, 0, 10],
    },
    { text: w('bills:superbill.diagnoses'), bold: true, fontSize: 9 },
    { text: f.diagnosis ? `1. ${f.diagnosis.code} ${f.diagnosis.description}` : w('bills:superbill.noDiagnosis'), fontSize: 9, margin: [0, 0, 0, 10] },
    {
      table: {
        headerRows: 1, widths: ['auto', 'auto', 'auto', 'auto', 'auto', '*', 'auto', 'auto'],
        body: [
          HEAD.map((h) => w(`bills:superbill.head.${h}`)).map((h, i) => (i >= 6 ? right(h, true) : { text: h, bold: true })),
          ...bill.lines.map((l) => [day(l.serviceDate), l.placeOfService, l.codes.map((c) => c.code).join(', ') || w('bills:superbill.noCode'), l.modifiers.join(', ') || '—', l.diagnosisPointers.join(', ') || '—', l.description, right(String(l.units)), right(cents(l.chargeCents))]),
        ],
      },
      layout: 'lightHorizontalLines', fontSize: 9, margin: [0, 0, 0, 4],
    },
    { text: places.map((code) => w('bills:superbill.pos', { code, name: w(`bills:superbill.place.${code}`) })).join(' · '), fontSize: 8, margin: [0, 0, 0, 8] },
    ...(bill.notYetGiven.length ? [{ text: w('bills:superbill.notYet', { services: bill.notYetGiven.join(', ') }), fontSize: 8, margin: [0, 0, 0, 8] } as Content] : []),
    {
      table: {
        widths: ['*', 'auto'],
        body: [[w('bills:superbill.charges'), cents(bill.chargesCents)], [w('bills:superbill.total'), cents(bill.askedCents)], ...(bill.waivedCents ? [[w('bills:superbill.waived'), cents(bill.waivedCents)]] : []), [w('bills:superbill.paid'), cents(bill.paidCents)], [w('bills:superbill.balance'), cents(bill.balanceCents)]]
          .map(([a, b], i, all) => [right(a!, i === all.length - 1), right(b!, i === all.length - 1)]),
      },
      layout: 'noBorders', margin: [0, 0, 0, 12],
    },
  ];
  return {
    info: { title: w('bills:superbill.title'), author: letterhead },
    language: locale,
    pageMargins: [48, 72, 48, 56],
    header: () => ({ margin: [48, 24, 48, 0], columns: [{ text: letterhead, bold: true, fontSize: 11 }, { text: `${f.patient.name} · ${caseReference}`, alignment: 'right', fontSize: 9 }] }),
    footer: (n: number, of: number) => ({ margin: [48, 20, 48, 0], text: w('bills:page', { page: n, pages: of }), alignment: 'right', fontSize: 8 }),
    content,
    defaultStyle: { fontSize: 10, lineHeight: 1.2 },
  };
}
