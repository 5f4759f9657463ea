import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { aCase, aPatient, aStaff, command, PASSWORD, type Person } from '../support/builders.ts';
import { overflowing, screenshotter, seriousA11yViolations, signIn } from './browser.ts';
import { useBrowserApp } from './browser.ts';

/**
 * Costs: an administrator raises a fee with a reason; a patient whose request was already sent
 * keeps the old price, and a patient still writing theirs sees the new one, on a phone.
 */
const app = useBrowserApp();
const shot = screenshotter('costs');
const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1366, height: 900 };

/** A new window where `who` signed in and opened the request. */
async function caseOpenedBy(who: Person, caseId: string, viewport: { width: number; height: number }) {
  const page = await app.browser.newPage({ viewport });
  await signIn(page, app.t.baseUrl, who, PASSWORD);
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.goto(`${app.t.baseUrl}/cases/${caseId}`);
  return page;
}

it('an administrator sets new fees; requests already sent keep theirs', async () => {
  const admin = await aStaff(app.t, 'admin', 'Ada Administrator');
  const sentBy = await aPatient(app.t, 'Sam Sent');
  const drafting = await aPatient(app.t, 'Dana Draft');
  // The program sets its own fees (here, the catalogue's) before taking requests.
  const start = (await admin.client.get('/api/admin/fees')).body.current;
  expect((await admin.client.put('/api/admin/fees', { basedOn: start.version, fees: start.fees, note: 'Our fees' })).status).toBe(200);
  const sent = await aCase(app.t, sentBy, { submit: true });
  const draft = await aCase(app.t, drafting, { intake: {}, consent: true });

  const page = await app.browser.newPage({ viewport: LAPTOP });
  await signIn(page, app.t.baseUrl, admin, PASSWORD);
  await page.getByRole('link', { name: 'Fees' }).click();
  const opinionFee = page.getByLabel('Fee for Written second opinion');
  await expect.poll(() => opinionFee.inputValue()).toBe('$750.00');
  await opinionFee.fill('800');
  // The catalogue's words and codes too: the video visit billed as a telehealth visit from the code set.
  await page.getByRole('button', { name: 'Words and billing codes of Video visit with the expert' }).click();
  await page.getByLabel('Add a billing code to Video visit with the expert').selectOption('98002');
  await page.getByRole('button', { name: 'Remove code 98002 from Video visit with the expert' }).waitFor();
  await page.getByLabel('Why the fees change').fill('Prices for the new year');
  await page.getByRole('button', { name: 'Save new fees' }).click();
  await page.getByText('Saved as version 3.').waitFor();
  await page.getByText(/Written second opinion: \$750\.00 → \$800\.00/).waitFor();
  await page.getByRole('button', { name: 'Words and billing codes of Video visit with the expert' }).getByText('Words and billing codes (98002)').waitFor();
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(page, 'admin-fees');
  await page.close();

  // The coordinator calls the patient's insurer and records what it said.
  const coordinator = await aStaff(app.t, 'coordinator', 'Cora Coordinator');
  await command(coordinator, sent, 'startRecordCollection');
  const desk = await caseOpenedBy(coordinator, sent, LAPTOP);
  const answers = desk.getByTestId('insurer-answers');
  await answers.getByText('Nobody has called the insurer about this request yet.').waitFor();
  await answers.getByLabel('Insurer or plan').fill('Synthetic Health Plan');
  await answers.getByLabel('What they said').selectOption('authorization_needed');
  await answers.getByLabel('Reference number of the call (optional)').fill('REF-0042');
  await answers.getByRole('button', { name: 'Record the call' }).click();
  await answers.getByText(/Synthetic Health Plan, on .*: covered once approved in advance \(prior authorization\)\. Reference number REF-0042\./).waitFor();
  await desk.getByText(/CPT 88321/).first().waitFor();
  await desk.getByText('As the patient sees it, with the billing codes each service maps to.').waitFor();
  expect(await seriousA11yViolations(desk)).toEqual([]);
  await shot(desk, 'coordinator-records-insurer-answer');
  await desk.close();

  const phone = await caseOpenedBy(sentBy, sent, PHONE);
  const kept = phone.getByTestId('cost-estimate');
  await kept.getByText('$750.00').waitFor();
  await kept.getByText(/The prices are those in force when the request was sent\./).waitFor();
  await kept.getByText(/Synthetic Health Plan, on .*: covered once approved in advance/).waitFor();
  expect(await kept.textContent()).not.toMatch(/CPT|Record the call/);
  // What going in person would add, from the patient's own numbers.
  await kept.getByRole('button', { name: 'Compare with travelling for an in-person opinion' }).click();
  await kept.getByLabel('Travel, hotel and meals').fill('600');
  await kept.getByLabel('Days away from work or home').fill('2');
  await kept.getByLabel('What a day away costs you').fill('200');
  await kept.getByText('Going in person would add about $1,000.00 on top of the fees ($600.00 travel, $400.00 time away). A review of your records from home needs none of it.').waitFor();
  expect(await seriousA11yViolations(phone)).toEqual([]);
  expect(await overflowing(phone)).toEqual([]);
  await shot(phone, 'sent-request-keeps-its-price');
  // The phone's menu opens from the burger and closes with Escape.
  const menu = phone.getByRole('button', { name: 'Menu' });
  await menu.click();
  await expect.poll(() => menu.getAttribute('aria-expanded')).toBe('true');
  await phone.keyboard.press('Escape');
  await expect.poll(() => menu.getAttribute('aria-expanded')).toBe('false');
  await phone.close();

  const other = await caseOpenedBy(drafting, draft, PHONE);
  // The draft opens in the wizard at its last step, 'Check and submit', with today's fees.
  await other.getByRole('heading', { name: 'Check and submit' }).waitFor();
  await other.getByTestId('cost-estimate').getByText('$800.00').waitFor();
  expect(await other.getByTestId('cost-estimate').textContent()).not.toMatch(/in force when the request was sent/);
  await shot(other, 'draft-sees-new-price');
});

it('a coordinator bills a request; the patient reads the bill on a phone, asks for help, and the coordinator waives what is owed', async () => {
  const patient = await aPatient(app.t, 'Bea Billed');
  const coordinator = await aStaff(app.t, 'coordinator', 'Cole Coordinator');
  const id = await aCase(app.t, patient, { submit: true });
  await command(coordinator, id, 'startRecordCollection');

  const desk = await caseOpenedBy(coordinator, id, LAPTOP);
  const bills = desk.getByTestId('invoices');
  await bills.getByText('No bill yet for this request.').waitFor();
  await bills.getByRole('button', { name: 'Draft a bill from the estimate' }).click();
  const draft = bills.getByTestId('invoice-draft');
  await draft.getByText('Written second opinion').waitFor();
  await draft.getByLabel('Discount', { exact: true }).fill('50');
  await draft.getByLabel('Reason for the discount').fill('Returning patient');
  await draft.getByLabel('Add a service…').selectOption('video_visit');
  // A price typed with its cents is kept as typed.
  await draft.getByLabel('Price: Pathology review of your slides').fill('380.00');
  await draft.getByText(/^Total: /).waitFor();
  await draft.getByRole('button', { name: 'Issue the bill' }).click();
  // Issuing asks first: it cannot be undone.
  await draft.getByText(/^Send this bill of \$[\d,]+\.\d\d to the patient\?/).waitFor();
  await draft.getByRole('button', { name: 'Yes' }).click();
  const bill = bills.getByTestId('invoice');
  await bill.getByText(/^Bill INV-\d{4}-\d{6}$/).waitFor();
  await bill.getByText('To pay', { exact: true }).waitFor();
  await bill.getByText('Discount: Returning patient').waitFor();
  await bill.getByRole('row', { name: /Pathology review of your slides \$380\.00/ }).waitFor();
  // A first payment by check.
  const settle = bill.getByTestId('invoice-settle');
  // More than is owed is said so, not quietly reduced.
  await settle.getByLabel('Amount').fill('99999');
  await settle.getByText(/^More than is owed/).waitFor();
  expect(await settle.getByRole('button', { name: /^Record / }).isDisabled()).toBe(true);
  await settle.getByLabel('Amount').fill('100.50');
  await settle.getByLabel('Check number or transfer reference').fill('Check 1042');
  await settle.getByRole('button', { name: 'Record $100.50' }).click();
  await bill.getByText(/: \$100\.50 by check \(Check 1042\)$/).waitFor();
  expect(await seriousA11yViolations(desk)).toEqual([]);
  await shot(desk, 'coordinator-issues-a-bill');

  const phone = await caseOpenedBy(patient, id, PHONE);
  await phone.getByText('This request has a bill: what you owe is on the bill below, not in this estimate.').waitFor();
  const mine = phone.getByTestId('invoice');
  await mine.getByText(/^Still to pay: \$[\d,]+\.\d\d, by /).waitFor();
  // Not online here: the patient is told how to pay.
  await mine.getByTestId('how-to-pay').getByText('To pay, write to your coordinator in Messages: they will tell you how.').waitFor();
  expect(await mine.textContent()).not.toMatch(/Record|Waive|Cancel the bill|CPT/);
  const pdfHref = await mine.getByRole('link', { name: /Download this bill \(PDF\)/ }).getAttribute('href');
  const pdf = await phone.request.get(`${app.t.baseUrl}${pdfHref}`);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  await mine.getByRole('button', { name: 'Is this bill hard to pay? Ask for help' }).click();
  await mine.getByLabel('What makes this bill hard to pay?').fill('My hours at work were cut and I cannot pay it all now.');
  // The household and its income range, for the program's help policy (2025 guideline: $26,650 for three).
  await mine.getByLabel('How many people live in your household? (optional)').selectOption('3');
  await mine.getByRole('radio', { name: 'Up to $53,300 a year' }).check();
  await mine.getByText('$53,301 to $106,600 a year').waitFor();
  await mine.getByRole('button', { name: 'Send to my coordinator' }).click();
  await mine.getByText(/^You asked for help with this bill on .*\. Your coordinator will answer you\.$/).waitFor();
  expect(await seriousA11yViolations(phone)).toEqual([]);
  expect(await overflowing(phone)).toEqual([]);
  await shot(phone, 'patient-reads-the-bill-and-asks-for-help');

  await desk.reload();
  await desk.getByText('“My hours at work were cut and I cannot pay it all now.”').waitFor();
  const decide = desk.getByTestId('decide-help');
  await decide.getByText('Household: 3 people. Income: Up to $53,300 a year.').waitFor();
  await decide.getByText('The program’s help policy suggests waiving 100 % of what is owed.').waitFor();
  expect(await decide.getByLabel('Share of what is owed to waive').inputValue()).toBe('100 %');
  await decide.getByLabel('Reason').fill('Hardship waiver approved');
  await decide.getByRole('button', { name: 'Decide' }).click();
  await decide.getByText(/^Waive \$[\d,]+\.\d\d\? \$0\.00 will be left to pay\.$/).waitFor();
  await shot(desk, 'coordinator-decides-help');
  await decide.getByRole('button', { name: 'Yes' }).click();
  await desk.getByTestId('invoice').getByText('Waived', { exact: true }).waitFor();
  await desk.close();

  await phone.reload();
  await phone.getByTestId('help-decided').getByText(/^Help with this bill: 100 % of what was owed was waived \(\$[\d,]+\.\d\d\)\.$/).waitFor();
  await phone.getByTestId('help-decided').getByText('Reason: Hardship waiver approved').waitFor();
  await phone.getByTestId('invoice').getByText(/^Waived: \$[\d,]+\.\d\d\. Nothing more is owed\.$/).waitFor();
  await shot(phone, 'patient-sees-the-bill-waived');
  await phone.close();

  // The administrators' view of the money: in aggregate, by month and service line, and as CSV.
  const admin = await aStaff(app.t, 'admin', 'Abe Accounts');
  const office = await app.browser.newPage({ viewport: LAPTOP });
  await signIn(office, app.t.baseUrl, admin, PASSWORD);
  await office.getByRole('link', { name: 'Billing report' }).click();
  await office.getByRole('heading', { name: 'Billing report' }).waitFor();
  const report = office.getByTestId('billing-report');
  const lung = report.getByRole('row', { name: /Thoracic oncology/ });
  await lung.waitFor();
  expect(await lung.textContent()).toMatch(/\$100\.50\$[\d,]+\.\d\d\$0\.00\$0\.00$/);
  const csv = await office.request.get(`${app.t.baseUrl}${await office.getByRole('link', { name: 'Download as CSV' }).getAttribute('href')}`);
  expect(await csv.text()).toMatch(/^month,service_line,service_line_name,currency,bills,cancelled,billed,paid,waived,outstanding,overpaid\n/);
  expect(await seriousA11yViolations(office)).toEqual([]);
  await shot(office, 'admin-billing-report');
  await office.close();
});

it('a patient adds a photo of the insurance card on a phone and uses the numbers read from it; the coordinator sees the card', async () => {
  const patient = await aPatient(app.t, 'Cam Card');
  const card = path.join(import.meta.dirname, '../fixtures/ocr/insurance-card-front.png');
  const draft = await aCase(app.t, patient);
  const phone = await caseOpenedBy(patient, draft, PHONE);
  await phone.getByRole('heading', { name: 'About the patient' }).waitFor();
  await phone.getByLabel('What kind of health coverage do you have? (optional)').selectOption('commercial');
  const photos = phone.getByTestId('insurance-card');
  await photos.getByText('Photos of your insurance card (optional)').waitFor();
  // Something that is not a photo is refused before it is sent.
  let chooser = phone.waitForEvent('filechooser');
  await photos.getByRole('button', { name: 'Add a photo of the front of the card' }).click();
  await (await chooser).setFiles({ name: 'card.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4') });
  await photos.getByText('Choose a photo saved as JPEG or PNG. Most phones save photos this way.').waitFor();
  chooser = phone.waitForEvent('filechooser');
  await photos.getByRole('button', { name: 'Add a photo of the front of the card' }).click();
  await (await chooser).setFiles(card);
  await photos.getByRole('img', { name: 'Photo of the front of the insurance card' }).waitFor();
  await photos.getByText('We read member ID XWZ900123456 and group number 0077123 on the card.').waitFor({ timeout: 20_000 });
  await photos.getByRole('button', { name: 'Use these numbers' }).click();
  await expect.poll(() => phone.getByLabel('Member ID on the insurance card (optional)').inputValue()).toBe('XWZ900123456');
  expect(await phone.getByLabel('Group number on the card (optional)').inputValue()).toBe('0077123');
  await photos.getByText('We filled in the numbers above. Check them against your card, then save.').waitFor();
  expect(await seriousA11yViolations(phone)).toEqual([]);
  expect(await overflowing(phone)).toEqual([]);
  await shot(phone, 'patient-card-photo-read');
  await phone.close();

  // On a request already sent, the coordinator sees the photo and what was read from it.
  const coordinator = await aStaff(app.t, 'coordinator', 'Cody Coordinator');
  const sent = await aCase(app.t, patient, { submit: true });
  const put = await fetch(`${app.t.baseUrl}/api/cases/${sent}/coverage/cards/front`, { method: 'PUT', headers: { cookie: patient.client.cookieHeader, 'content-type': 'image/png' }, body: new Uint8Array(fs.readFileSync(card)) });
  expect(put.status).toBe(200);
  await command(coordinator, sent, 'startRecordCollection');
  const desk = await caseOpenedBy(coordinator, sent, LAPTOP);
  const seen = desk.getByTestId('insurance-card');
  await seen.getByRole('img', { name: 'Photo of the front of the insurance card' }).waitFor();
  await seen.getByText('We read member ID XWZ900123456 and group number 0077123 on the card.').waitFor({ timeout: 20_000 });
  await seen.getByText('Read by a computer from the photo: check them against the card.').waitFor();
  // The request was sent without the numbers: the coordinator puts them on it, for its coverage and superbill.
  await seen.getByRole('button', { name: 'Put these numbers on the request' }).click();
  await seen.getByText('The numbers are on the request now.').waitFor();
  await desk.getByText(/XWZ900123456/).first().waitFor();
  expect(await seriousA11yViolations(desk)).toEqual([]);
  await shot(desk, 'coordinator-sees-card');
  await desk.close();
});
