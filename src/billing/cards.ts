import { Readable } from 'node:stream';
import { openCase, withCaseRead, withCaseTx } from '../core/access.ts';
import type { BlobStore } from '../core/blobs.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Queryable } from '../core/db.ts';
import type { Deps } from '../core/deps.ts';
import { AppError } from '../core/errors.ts';
import { enqueueJob } from '../jobs.ts';
import type { OcrEngine } from '../records/ocr.ts';
import { sniff } from '../records/sniff.ts';
import { cardIds } from './cardText.ts';
import { PatientSection } from '../cases/intake.ts';
import { emit } from '../events/emit.ts';

export const CARD_SIDES = ['front', 'back'] as const;
export type CardSide = (typeof CARD_SIDES)[number];
export const CARD_READINGS = ['waiting', 'read', 'nothing_found', 'failed', 'off'] as const;
export type CardReading = (typeof CARD_READINGS)[number];
/** A phone's photo of a card is a few megabytes; this leaves room without taking whole records here. */
/** What a card photo must be, as the refusal says it. */
export const PHOTO_ONLY = 'Send a photo of the card as a JPEG or PNG picture.';
export const CARD_MAX_BYTES = 15 * 1024 * 1024;

export interface CoverageCard {
  side: CardSide;
  contentType: 'jpeg' | 'png';
  size: number;
  uploadedAt: string;
  uploadedByName: string | null;
  /** Whether the member ID and group number were read from the photo (`off`: no text recognition here). */
  reading: CardReading;
  memberId: string | null;
  groupNumber: string | null;
}

interface CardRow {
  side: CardSide; content_type: 'jpeg' | 'png'; size: string | number; uploaded_at: Date | string; uploaded_by_name: string | null;
  reading: CardReading; read_member_id: string | null; read_group_number: string | null; blob_sha256: string;
}

const view = (r: CardRow): CoverageCard => ({
  side: r.side, contentType: r.content_type, size: Number(r.size), uploadedAt: new Date(r.uploaded_at).toISOString(), uploadedByName: r.uploaded_by_name,
  reading: r.reading, memberId: r.read_member_id, groupNumber: r.read_group_number,
});

const cardRows = (q: Queryable, caseId: string) => q.query<CardRow>(
  `SELECT k.*, u.name AS uploaded_by_name FROM coverage_cards k LEFT JOIN users u ON u.id = k.uploaded_by WHERE k.case_id = $1 ORDER BY k.side DESC`, [caseId]);

/**
 * Photos of the insurance card, front and back. They are kept apart from the case's records, so
 * that only the patient side and the coordinator ever reach them (the reviewers see records,
 * never coverage), and they pass through the records' checks: the type from the content, the
 * encrypted blob store, the same text recognition as photos of reports.
 */
export function coverageCards(deps: Deps & { blobs: BlobStore; ocr?: OcrEngine }) {
  const { db, blobs } = deps;

  async function list(actor: Actor, meta: RequestMeta, caseId: string): Promise<CoverageCard[]> {
    return withCaseRead(db, async (q) => {
      await openCase(q, actor, caseId, 'case.billing.read', meta, { auditAction: 'coverage.card.list' });
      return (await cardRows(q, caseId)).map(view);
    });
  }

  async function put(actor: Actor, meta: RequestMeta, caseId: string, side: CardSide, bytes: Buffer): Promise<CoverageCard[]> {
    // Access first, so nobody learns what the photo check would say about a case that is not theirs.
    await withCaseRead(db, (q) => openCase(q, actor, caseId, 'case.billing.card', meta));
    if (bytes.length === 0) throw new AppError('VALIDATION_FAILED', 'The photo is empty. Please choose it again.');
    const sniffed = sniff(bytes.subarray(0, 16), 'card');
    if (sniffed?.contentType !== 'jpeg' && sniffed?.contentType !== 'png') throw new AppError('VALIDATION_FAILED', PHOTO_ONLY);
    const blob = await blobs.put(db, Readable.from([bytes]), CARD_MAX_BYTES);
    return withCaseTx(db, async (tx) => {
      await openCase(tx, actor, caseId, 'case.billing.card', meta, { auditAction: 'coverage.card.upload', forUpdate: true });
      const reading: CardReading = deps.ocr ? 'waiting' : 'off';
      await tx.query(
        `INSERT INTO coverage_cards (case_id, side, blob_sha256, content_type, size, uploaded_by, reading) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (case_id, side) DO UPDATE SET blob_sha256 = EXCLUDED.blob_sha256, content_type = EXCLUDED.content_type, size = EXCLUDED.size,
           uploaded_by = EXCLUDED.uploaded_by, uploaded_at = now(), reading = EXCLUDED.reading, read_member_id = NULL, read_group_number = NULL`,
        [caseId, side, blob.sha256, sniffed.contentType, bytes.length, actor.userId, reading]);
      if (deps.ocr) await enqueueJob(tx, 'coverage.readCard', { caseId, side, sha256: blob.sha256 });
      return (await cardRows(tx, caseId)).map(view);
    });
  }

  async function image(actor: Actor, meta: RequestMeta, caseId: string, side: CardSide): Promise<{ contentType: 'jpeg' | 'png'; bytes: Buffer }> {
    return withCaseRead(db, async (q) => {
      await openCase(q, actor, caseId, 'case.billing.read', meta, { auditAction: 'coverage.card.read' });
      const [row] = await q.query<CardRow>('SELECT * FROM coverage_cards WHERE case_id = $1 AND side = $2', [caseId, side]);
      if (!row) throw new AppError('NOT_FOUND', 'There is no photo of this side of the card.');
      return { contentType: row.content_type, bytes: await blobs.read(q, row.blob_sha256) };
    });
  }

  async function remove(actor: Actor, meta: RequestMeta, caseId: string, side: CardSide): Promise<CoverageCard[]> {
    return withCaseTx(db, async (tx) => {
      await openCase(tx, actor, caseId, 'case.billing.card', meta, { auditAction: 'coverage.card.remove', forUpdate: true });
      const gone = await tx.query('DELETE FROM coverage_cards WHERE case_id = $1 AND side = $2 RETURNING side', [caseId, side]);
      if (!gone.length) throw new AppError('NOT_FOUND', 'There is no photo of this side of the card.');
      // The photo's blob is left for storage housekeeping, which removes blobs nothing holds.
      return (await cardRows(tx, caseId)).map(view);
    });
  }

  /**
   * A person confirms the numbers read from the card: they become the request's member ID and
   * group number (on a sent request too, where the intake is otherwise closed), for its
   * Coverage, bills and superbills. Only numbers read from a photo, and only as read.
   */
  async function useRead(actor: Actor, meta: RequestMeta, caseId: string): Promise<{ memberId: string | null; groupNumber: string | null }> {
    return withCaseTx(db, async (tx) => {
      const { row } = await openCase(tx, actor, caseId, 'case.billing.card', meta, { auditAction: 'coverage.card.apply', forUpdate: true });
      if (row.status === 'closed' || row.status === 'cancelled') throw new AppError('CONFLICT', 'This request has ended: its insurance details are kept as they were.');
      // Each number from whichever side shows it (the front first): cards print them on either.
      const read = (await cardRows(tx, caseId)).filter((c) => c.reading === 'read');
      const memberId = read.find((c) => c.read_member_id)?.read_member_id;
      const groupNumber = read.find((c) => c.read_group_number)?.read_group_number;
      if (!memberId && !groupNumber) throw new AppError('CONFLICT', 'No numbers were read from a photo of the card.');
      const patient = (row.intake as { patient?: Record<string, unknown> } | null)?.patient ?? {};
      const next = { ...patient, ...(memberId ? { insuranceMemberId: memberId } : {}), ...(groupNumber ? { insuranceGroupNumber: groupNumber } : {}) };
      const fits = (field: 'insuranceMemberId' | 'insuranceGroupNumber') => PatientSection.shape[field].safeParse(next[field]).success;
      if (!fits('insuranceMemberId') || !fits('insuranceGroupNumber')) throw new AppError('VALIDATION_FAILED', 'The numbers read from the card cannot be used as they are: type them in instead.');
      await tx.query(`UPDATE cases SET intake = jsonb_set(coalesce(intake, '{}'::jsonb), '{patient}', $2::jsonb), updated_at = now() WHERE id = $1`, [caseId, JSON.stringify(next)]);
      await emit(tx, { caseId, actorId: actor.userId, type: 'coverage.numbers', detail: {} });
      return { memberId: (next.insuranceMemberId as string | undefined) ?? null, groupNumber: (next.insuranceGroupNumber as string | undefined) ?? null };
    });
  }

  /** The job: reads the photo's text and keeps the ids found, unless the photo was replaced meanwhile. */
  async function read(caseId: string, side: CardSide, sha256: string): Promise<void> {
    const [row] = await db.query<CardRow>('SELECT * FROM coverage_cards WHERE case_id = $1 AND side = $2 AND blob_sha256 = $3', [caseId, side, sha256]);
    if (!row) return;
    if (!deps.ocr) {
      // Text recognition was switched off after the photo came: nothing will read it.
      await db.query(`UPDATE coverage_cards SET reading = 'off' WHERE case_id = $1 AND side = $2 AND blob_sha256 = $3 AND reading = 'waiting'`, [caseId, side, sha256]);
      return;
    }
    // The stored photo is read outside the engine's try: a storage failure is retried as any job's, not taken for an unreadable photo.
    const bytes = await blobs.read(db, sha256);
    let found: ReturnType<typeof cardIds> | null = null;
    try {
      found = cardIds((await deps.ocr(bytes, row.content_type)).text);
    } catch {
      // A photo the engine cannot read: the patient types the numbers, as without text recognition.
    }
    const reading: CardReading = !found ? 'failed' : found.memberId || found.groupNumber ? 'read' : 'nothing_found';
    await db.query(
      `UPDATE coverage_cards SET reading = $4, read_member_id = $5, read_group_number = $6 WHERE case_id = $1 AND side = $2 AND blob_sha256 = $3`,
      [caseId, side, sha256, reading, found?.memberId ?? null, found?.groupNumber ?? null]);
  }

  return { list, put, image, remove, read, useRead };
}
export type CoverageCards = ReturnType<typeof coverageCards>;
