import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aPatient, aStaff, command, type Person } from '../../test/support/builders.ts';
import { tusUpload } from '../../test/support/records.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
let otherCoordinator: Person;
let expert: Person;
let stranger: Person;
let caseId: string;

beforeAll(async () => {
  t = await startTestApp({ JOBS_POLL_MS: '100' });
  patient = await aPatient(t, 'Robin Writer');
  coordinator = await aStaff(t, 'coordinator', 'Cora Reply');
  otherCoordinator = await aStaff(t, 'coordinator', 'Other Desk');
  expert = await aStaff(t, 'expert', 'Dr. Not Yet');
  stranger = await aPatient(t, 'Some One Else');
  caseId = await aCase(t, patient, { submit: true });
  await command(coordinator, caseId, 'startRecordCollection');
});
afterAll(() => t.close());

describe('the message centre', () => {
  it('lets the patient write to the care team with a record attached; the coordinator sees it unread, reads and answers', async () => {
    const upload = await tusUpload(patient.client, caseId, 'letter.txt', Buffer.from('A synthetic letter from the family doctor.\n'));
    const documentId = (upload.body as { document: { id: string } }).document.id;
    await expect.poll(async () => (await patient.client.get(`/api/cases/${caseId}/documents/${documentId}`)).body.status, { timeout: 10_000 }).not.toBe('processing');
    const started = await patient.client.post(`/api/cases/${caseId}/threads`, { subject: 'About my scan', body: 'Do you have everything you need?', documentId });
    expect(started.status).toBe(201);

    // The coordinator's queue says so on the case's row; nobody else's count moves.
    const unreadIn = async (p: Person) => (await p.client.get('/api/cases?pageSize=100')).body.items.find((c: { id: string }) => c.id === caseId)?.unreadMessages;
    expect(await unreadIn(coordinator)).toBe(1);
    expect(await unreadIn(patient)).toBe(0);
    const list = await coordinator.client.get(`/api/cases/${caseId}/threads`);
    expect(list.body).toEqual([expect.objectContaining({ subject: 'About my scan', kind: 'care_team', messages: 1, unread: 1 })]);
    const thread = await coordinator.client.get(`/api/cases/${caseId}/threads/${started.body.threadId}`);
    expect(thread.body.messages).toEqual([expect.objectContaining({ body: 'Do you have everything you need?', author: 'Robin Writer', mine: false, documentId, documentName: 'letter.txt' })]);
    expect((await coordinator.client.get(`/api/cases/${caseId}/threads`)).body[0].unread).toBe(0);
    expect(await unreadIn(coordinator)).toBe(0);

    expect((await coordinator.client.post(`/api/cases/${caseId}/threads/${started.body.threadId}/messages`, { body: 'Yes, thank you.' })).status).toBe(201);
    expect(await unreadIn(patient)).toBe(1);
    expect((await patient.client.get(`/api/cases/${caseId}/threads`)).body[0]).toMatchObject({ messages: 2, unread: 1 });

    // A notice for each side, by mail without health data.
    await expect.poll(async () => (await t.db.query(`SELECT 1 FROM notifications WHERE user_id = $1 AND kind = 'message.posted'`, [coordinator.id])).length, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await t.db.query(`SELECT 1 FROM notifications WHERE user_id = $1 AND kind = 'message.posted'`, [patient.id])).length, { timeout: 10_000 }).toBeGreaterThan(0);
    const mails = await t.db.query<{ body_text: string }>(`SELECT body_text FROM mail_outbox WHERE kind LIKE 'message%' OR subject LIKE 'New message%'`);
    for (const m of mails) expect(m.body_text).not.toMatch(/scan|everything you need|thank you/i);
  });

  it('keeps everyone else out, and changes nothing for them', async () => {
    for (const who of [stranger, otherCoordinator, expert]) {
      expect((await who.client.get(`/api/cases/${caseId}/threads`)).status).toBe(404);
      expect((await who.client.post(`/api/cases/${caseId}/threads`, { subject: 'Hello there', body: 'Hi' })).status).toBe(404);
    }
    const [denied] = await t.db.query(`SELECT 1 FROM audit_events WHERE case_id = $1 AND actor_id = $2 AND outcome = 'denied'`, [caseId, expert.id]);
    expect(denied).toBeTruthy();
    expect((await patient.client.get(`/api/cases/${caseId}/threads`)).body).toHaveLength(1);
  });

  it('refuses a record of another case, an empty message, and a conversation that does not exist', async () => {
    const other = await aCase(t, stranger, { submit: true });
    const upload = await tusUpload(stranger.client, other, 'mine.txt', Buffer.from('Another family, another letter.\n'));
    const foreign = (upload.body as { document: { id: string } }).document.id;
    await expect.poll(async () => (await stranger.client.get(`/api/cases/${other}/documents/${foreign}`)).body.status, { timeout: 10_000 }).not.toBe('processing');
    expect((await patient.client.post(`/api/cases/${caseId}/threads`, { subject: 'Look at this', body: 'Here', documentId: foreign })).status).toBe(400);
    expect((await patient.client.post(`/api/cases/${caseId}/threads`, { subject: 'Empty', body: '   ' })).status).toBe(400);
    expect((await patient.client.get(`/api/cases/${caseId}/threads/${crypto.randomUUID()}`)).status).toBe(404);
  });
});
