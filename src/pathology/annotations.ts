import { openCase, withCaseTx } from '../core/access.ts';
import { recordAudit } from '../core/audit.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Db } from '../core/db.ts';
import { AppError } from '../core/errors.ts';
import { isPatientSide, type CaseRelation } from '../cases/lifecycle.ts';
import type { DicomJson } from '../imaging/part10.ts';
import { annotationObject, vendorSlideImage, WSI_IMAGE_SOP_CLASS, type AnnotatedImage } from './annotationObject.ts';
import { wsiInstanceInfo } from './dicomSlide.ts';

export type SlideAnnotationKind = 'length' | 'area' | 'arrow';

interface AnnotationRow {
  id: string;
  slide_id: string;
  number: number;
  kind: SlideAnnotationKind;
  points: [number, number][];
  value: number | null;
  unit: string | null;
  note: string | null;
  created_by: string;
  author: string;
  created_at: Date;
}

export interface NewSlideAnnotation {
  kind: SlideAnnotationKind;
  points: [number, number][];
  note?: string | null;
}

const view = (r: AnnotationRow) => ({
  id: r.id, slideId: r.slide_id, number: r.number, kind: r.kind, points: r.points, value: r.value, unit: r.unit, note: r.note,
  author: r.author, authorId: r.created_by, createdAt: r.created_at.toISOString(),
});
export type SlideAnnotationView = ReturnType<typeof view>;

/** A length between two image points, in µm at the slide's scale (computed here, not taken from the client). */
export function lengthMicrons(points: [number, number][], mpp: number): number {
  const [[x1, y1], [x2, y2]] = points as [[number, number], [number, number]];
  return Math.hypot(x2 - x1, y2 - y1) * mpp;
}

/** The area inside an outline of image points (shoelace formula), in µm² at the slide's scale on each axis. */
export function areaSquareMicrons(points: [number, number][], mppX: number, mppY: number): number {
  let twice = 0;
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    const [x2, y2] = points[(i + 1) % points.length]!;
    twice += x1 * y2 - x2 * y1;
  }
  return (Math.abs(twice) / 2) * mppX * mppY;
}

/** True when two edges of a closed outline cross (its area would mean nothing); edges that share a corner do not count. */
export function outlineCrossesItself(points: [number, number][]): boolean {
  const n = points.length;
  const side = (a: [number, number], b: [number, number], c: [number, number]) => Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
  for (let i = 0; i < n; i++) {
    const [p1, p2] = [points[i]!, points[(i + 1) % n]!];
    for (let j = i + 1; j < n; j++) {
      if (j === i + 1 || (i === 0 && j === n - 1)) continue; // neighbours share a corner
      const [q1, q2] = [points[j]!, points[(j + 1) % n]!];
      if (side(p1, p2, q1) * side(p1, p2, q2) < 0 && side(q1, q2, p1) * side(q1, q2, p2) < 0) return true;
    }
  }
  return false;
}

/** What an annotation measures, in the slide's own scale; an arrow measures nothing. */
function measured(a: NewSlideAnnotation, mppX: number | null, mppY: number | null): { value: number | null; unit: string | null } {
  if (a.kind === 'arrow') return { value: null, unit: null };
  if (!mppX || !mppY) throw new AppError('CONFLICT', 'This slide records no scale, so lengths and areas on it cannot be given in µm.');
  if (a.kind === 'length') return { value: lengthMicrons(a.points, (mppX + mppY) / 2), unit: 'µm' };
  if (outlineCrossesItself(a.points)) throw new AppError('VALIDATION_FAILED', 'An area’s outline must not cross itself: draw around the area once.');
  const area = areaSquareMicrons(a.points, mppX, mppY);
  if (!(area > 0)) throw new AppError('VALIDATION_FAILED', 'An area needs an outline that encloses something: at least three points not on one line.');
  return { value: area, unit: 'µm²' };
}

const SELECT = `SELECT a.*, u.name AS author FROM slide_annotations a JOIN users u ON u.id = a.created_by`;

/**
 * The patient's side sees the reviewers' measurements once the opinion has been delivered: before
 * that they are work in progress (with notes that are findings), as a draft opinion is.
 */
const shownTo = (opened: { row: { status: string }; relations: readonly CaseRelation[] }) =>
  !isPatientSide(opened.relations) || ['delivered', 'closed'].includes(opened.row.status);

/**
 * Measurements on slides, saved with the case like the radiology ones: reviewers and
 * coordinators make them; everyone who may see the slide sees them. Each call checks role and
 * case access and is audited.
 */
export function slideAnnotations(db: Db) {
  async function slideScale(tx: Parameters<typeof openCase>[0], caseId: string, slideId: string) {
    const [slide] = await tx.query<{ width: number; height: number; mpp_x: number | null; mpp_y: number | null }>(
      `SELECT width, height, mpp_x, mpp_y FROM slides WHERE id = $1 AND case_id = $2 AND status = 'ready'`, [slideId, caseId]);
    if (!slide) throw new AppError('NOT_FOUND', 'There is no such slide ready on this request.');
    return slide;
  }

  /**
   * The image a slide's annotations are drawn on, in DICOM's terms: for a DICOM slide, its
   * full-resolution level (the instance its tiles were joined from, whose total pixel matrix our
   * points are in) with its study, series and frame of reference; for a vendor file, UIDs made
   * from the slide's id.
   */
  async function annotatedImage(tx: Parameters<typeof openCase>[0], slideId: string): Promise<AnnotatedImage> {
    const instances = await tx.query<{ metadata: DicomJson; study_uid: string; series_uid: string; sop_instance_uid: string; sop_class_uid: string }>(
      `SELECT i.metadata, st.study_uid, se.series_uid, i.sop_instance_uid, i.sop_class_uid
       FROM slides s JOIN dicom_series se ON se.id = s.series_id JOIN dicom_studies st ON st.id = se.study_id JOIN dicom_instances i ON i.series_id = se.id
       WHERE s.id = $1`, [slideId]);
    const top = instances.map((i) => ({ ...i, info: wsiInstanceInfo(i.metadata) }))
      .filter((i) => i.info.flavor === 'volume' || (i.info.flavor === null && i.info.frames > 1))
      .sort((a, b) => b.info.totalColumns - a.info.totalColumns)[0];
    if (!top) return vendorSlideImage(slideId);
    const frameOfReference = String((top.metadata['00200052']?.Value as unknown[] | undefined)?.[0] ?? '');
    return {
      studyUid: top.study_uid, seriesUid: top.series_uid, sopClassUid: top.sop_class_uid || WSI_IMAGE_SOP_CLASS, sopInstanceUid: top.sop_instance_uid,
      // Required of a whole-slide image; one without it gets the slide's own, as a vendor file does.
      frameOfReferenceUid: frameOfReference || vendorSlideImage(slideId).frameOfReferenceUid,
    };
  }

  return {
    async list(actor: Actor, meta: RequestMeta, caseId: string, slideId: string): Promise<SlideAnnotationView[]> {
      return withCaseTx(db, async (tx) => {
        const opened = await openCase(tx, actor, caseId, 'case.records.read', meta, { auditAction: 'pathology.annotations.read' });
        if (!shownTo(opened)) return [];
        return (await tx.query<AnnotationRow>(`${SELECT} WHERE a.case_id = $1 AND a.slide_id = $2 AND a.deleted_at IS NULL ORDER BY a.number`, [caseId, slideId])).map(view);
      });
    },

    async add(actor: Actor, meta: RequestMeta, caseId: string, slideId: string, a: NewSlideAnnotation): Promise<SlideAnnotationView> {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.imaging.annotate', meta);
        const slide = await slideScale(tx, caseId, slideId);
        if (a.points.some(([x, y]) => x < 0 || y < 0 || x > slide.width || y > slide.height)) throw new AppError('VALIDATION_FAILED', 'A point of the measurement is outside the slide.');
        const { value, unit } = measured(a, slide.mpp_x, slide.mpp_y);
        // Numbers are per slide and never reused (a removed annotation keeps its number).
        await tx.query('SELECT id FROM slides WHERE id = $1 FOR UPDATE', [slideId]);
        const [next] = await tx.query<{ n: number }>('SELECT coalesce(max(number), 0)::int + 1 AS n FROM slide_annotations WHERE slide_id = $1', [slideId]);
        const [row] = await tx.query<{ id: string }>(
          `INSERT INTO slide_annotations (case_id, slide_id, number, kind, points, value, unit, note, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
          [caseId, slideId, next!.n, a.kind, JSON.stringify(a.points), value, unit, a.note ?? null, actor.userId]);
        await recordAudit(tx, { actor, meta, action: 'pathology.annotation.create', entityType: 'SlideAnnotation', entityId: row!.id, caseId, detail: { kind: a.kind } });
        return view((await tx.query<AnnotationRow>(`${SELECT} WHERE a.id = $1`, [row!.id]))[0]!);
      });
    },

    async remove(actor: Actor, meta: RequestMeta, caseId: string, slideId: string, id: string): Promise<void> {
      await withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.imaging.annotate', meta);
        const rows = await tx.query('UPDATE slide_annotations SET deleted_at = now() WHERE id = $1 AND case_id = $2 AND slide_id = $3 AND created_by = $4 AND deleted_at IS NULL RETURNING id', [id, caseId, slideId, actor.userId]);
        if (!rows.length) throw new AppError('NOT_FOUND', 'This annotation was not found, or it is someone else’s.');
        await recordAudit(tx, { actor, meta, action: 'pathology.annotation.delete', entityType: 'SlideAnnotation', entityId: id, caseId });
      });
    },

    /** The slide's annotations as GeoJSON (coordinates in full-resolution image pixels, y down). */
    async geojson(actor: Actor, meta: RequestMeta, caseId: string, slideId: string) {
      return withCaseTx(db, async (tx) => {
        const opened = await openCase(tx, actor, caseId, 'case.records.read', meta, { auditAction: 'pathology.annotations.export' });
        const slide = await slideScale(tx, caseId, slideId);
        const rows = !shownTo(opened) ? [] : await tx.query<AnnotationRow>(`${SELECT} WHERE a.case_id = $1 AND a.slide_id = $2 AND a.deleted_at IS NULL ORDER BY a.number`, [caseId, slideId]);
        return {
          type: 'FeatureCollection' as const,
          // Not geographic: x and y are pixels of the slide at full resolution (QuPath reads it so).
          properties: { imageWidth: slide.width, imageHeight: slide.height, micronsPerPixel: slide.mpp_x && slide.mpp_y ? (slide.mpp_x + slide.mpp_y) / 2 : null },
          features: rows.map((r) => ({
            type: 'Feature' as const, id: r.number,
            // An area is a closed ring (its first point repeated last); a length or an arrow is a line (an arrow's head at its end).
            geometry: r.kind === 'area' ? { type: 'Polygon' as const, coordinates: [[...r.points, r.points[0]!]] } : { type: 'LineString' as const, coordinates: r.points },
            properties: { number: r.number, kind: r.kind, value: r.value, unit: r.unit, note: r.note, author: r.author, createdAt: r.created_at.toISOString() },
          })),
        };
      });
    },

    /**
     * The slide's annotations as a DICOM Microscopy Bulk Simple Annotations file (see
     * annotationObject.ts). The module needs at least one annotation, so a slide without any (or
     * one whose annotations the patient's side may not see yet: the same answer) has no file.
     */
    async dicom(actor: Actor, meta: RequestMeta, caseId: string, slideId: string): Promise<Buffer> {
      return withCaseTx(db, async (tx) => {
        const opened = await openCase(tx, actor, caseId, 'case.records.read', meta);
        await slideScale(tx, caseId, slideId);
        const rows = !shownTo(opened) ? [] : await tx.query<AnnotationRow>(`${SELECT} WHERE a.case_id = $1 AND a.slide_id = $2 AND a.deleted_at IS NULL ORDER BY a.number`, [caseId, slideId]);
        if (!rows.length) throw new AppError('CONFLICT', 'There are no measurements on this slide to export.');
        await recordAudit(tx, { actor, meta, action: 'pathology.annotations.exportDicom', entityType: 'Slide', entityId: slideId, caseId, detail: { count: rows.length } });
        return annotationObject({
          slideId, caseReference: opened.row.reference, image: await annotatedImage(tx, slideId),
          annotations: rows.map((r) => ({ number: r.number, kind: r.kind, points: r.points, value: r.value, note: r.note })),
          contentAt: new Date(Math.max(...rows.map((r) => r.created_at.getTime()))),
        });
      });
    },
  };
}
export type SlideAnnotations = ReturnType<typeof slideAnnotations>;
