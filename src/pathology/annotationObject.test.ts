import dcmjs from 'dcmjs';
import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { ANN_SOP_CLASS, annotationObject, nameBasedUid, uidOfUuid, vendorSlideImage, type AnnotationObjectInput } from './annotationObject.ts';

const slideId = '3f2b8c1e-9d4a-4e6b-8f0a-1c2d3e4f5a6b';
const input: AnnotationObjectInput = {
  slideId,
  caseReference: 'CS-1042',
  image: vendorSlideImage(slideId),
  contentAt: new Date('2026-03-04T05:06:07.890Z'),
  annotations: [
    { number: 1, kind: 'length', points: [[100, 100], [500, 400]], value: 125, note: 'Tumour depth' },
    { number: 2, kind: 'area', points: [[100, 100], [500, 100], [500, 400], [100, 400]], value: 7500, note: 'Tumour bed' },
    { number: 3, kind: 'arrow', points: [[10, 10], [200, 200]], value: null, note: 'Perineural invasion' },
    { number: 4, kind: 'area', points: [[0, 0], [30.5, 0], [0, 40]], value: 38.125, note: null },
  ],
};

type Dataset = Record<string, any>;
function read(bytes: Buffer): Dataset {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const { dict, meta } = dcmjs.data.DicomMessage.readFile(ab);
  return { ...dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict), meta: dcmjs.data.DicomMetaDictionary.naturalizeDataset(meta) };
}
const floats = (b: ArrayBuffer | ArrayBuffer[]) => Array.from(new Float32Array(Array.isArray(b) ? b[0]! : b));
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('the Microscopy Bulk Simple Annotations object of a slide', () => {
  const bytes = annotationObject(input);
  const ds = read(bytes);

  it('is a Part 10 file of the bulk annotations SOP class, in 2D pixel coordinates of the whole image', () => {
    expect(bytes.subarray(128, 132).toString('latin1')).toBe('DICM');
    expect(ds.SOPClassUID).toBe(ANN_SOP_CLASS);
    expect(ds.meta.MediaStorageSOPClassUID).toBe(ANN_SOP_CLASS);
    expect(ds.meta.MediaStorageSOPInstanceUID).toBe(ds.SOPInstanceUID);
    expect(ds.Modality).toBe('ANN');
    expect(ds.AnnotationCoordinateType).toBe('2D');
    expect(ds.PixelOriginInterpretation).toBe('VOLUME');
    expect(ds.ContentDate).toBe('20260304');
    expect(ds.ContentTime).toBe('050607');
  });

  it('names the patient by the case reference only, and the slide by stable UIDs made from its id', () => {
    expect(ds.PatientName).toEqual([{ Alphabetic: 'CS-1042' }]);
    expect(ds.PatientID).toBe('CS-1042');
    expect(ds.StudyInstanceUID).toBe(uidOfUuid(slideId));
    expect(ds.StudyInstanceUID).toBe(`2.25.${BigInt('0x3f2b8c1e9d4a4e6b8f0a1c2d3e4f5a6b')}`);
    expect(ds.FrameOfReferenceUID).toBe(input.image.frameOfReferenceUid);
    expect(asArray(ds.ReferencedImageSequence)[0]).toMatchObject({ ReferencedSOPInstanceUID: input.image.sopInstanceUid, ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.77.1.6' });
    expect(asArray(ds.ReferencedSeriesSequence)[0].SeriesInstanceUID).toBe(input.image.seriesUid);
    const uids = [ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID, ds.FrameOfReferenceUID, input.image.seriesUid, input.image.sopInstanceUid];
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid).toMatch(/^2\.25\.[1-9][0-9]{0,38}$/);
    // Exporting again gives the same file; another measurement makes another instance of the same series.
    expect(annotationObject(input).equals(bytes)).toBe(true);
    const more = read(annotationObject({ ...input, annotations: input.annotations.slice(0, 3) }));
    expect(more.SOPInstanceUID).not.toBe(ds.SOPInstanceUID);
    expect([more.StudyInstanceUID, more.SeriesInstanceUID, more.FrameOfReferenceUID]).toEqual([ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID]);
    expect(nameBasedUid(slideId, 'x')).toBe(nameBasedUid(slideId, 'x'));
  });

  it('groups lengths and arrows as polylines and areas as polygons, points as float32 where they were drawn', () => {
    const groups = asArray(ds.AnnotationGroupSequence);
    expect(groups.map((g) => [g.AnnotationGroupNumber, g.AnnotationGroupLabel, g.GraphicType, g.NumberOfAnnotations])).toEqual([
      [1, 'Lengths', 'POLYLINE', 1], [2, 'Areas', 'POLYGON', 2], [3, 'Arrows', 'POLYLINE', 1],
    ]);
    for (const g of groups) {
      expect(asArray(g.AnnotationPropertyCategoryCodeSequence)[0]).toMatchObject({ CodeValue: '309825002', CodingSchemeDesignator: 'SCT' });
      expect(asArray(g.AnnotationPropertyTypeCodeSequence)[0]).toMatchObject({ CodeValue: '111099', CodingSchemeDesignator: 'DCM' });
      expect(g.AnnotationGroupGenerationType).toBe('MANUAL');
    }
    const [lengths, areas, arrows] = groups;
    expect(floats(lengths.PointCoordinatesData)).toEqual([100, 100, 500, 400]);
    expect(asArray(lengths.LongPrimitivePointIndexList)).toEqual([1]);
    // A polygon's first point is not repeated at its end; the second area starts at the 9th value.
    expect(floats(areas.PointCoordinatesData)).toEqual([100, 100, 500, 100, 500, 400, 100, 400, 0, 0, 30.5, 0, 0, 40]);
    expect(asArray(areas.LongPrimitivePointIndexList)).toEqual([1, 9]);
    expect(floats(arrows.PointCoordinatesData)).toEqual([10, 10, 200, 200]);
    expect(arrows.AnnotationGroupDescription).toContain('3: Perineural invasion');
    expect(areas.AnnotationGroupDescription).toContain('Numbers on the slide, in order: 2, 4.');
  });

  it('carries the lengths in µm and the areas in µm², coded in UCUM; arrows measure nothing', () => {
    const [lengths, areas, arrows] = asArray(ds.AnnotationGroupSequence);
    const measured = (g: Dataset) => {
      const m = asArray(g.MeasurementsSequence)[0];
      return { name: asArray(m.ConceptNameCodeSequence)[0].CodeMeaning, unit: asArray(m.MeasurementUnitsCodeSequence)[0].CodeValue, values: floats(asArray(m.MeasurementValuesSequence)[0].FloatingPointValues) };
    };
    expect(measured(lengths)).toEqual({ name: 'Length', unit: 'um', values: [125] });
    expect(measured(areas)).toEqual({ name: 'Area', unit: 'um2', values: [7500, 38.125] });
    expect(arrows.MeasurementsSequence).toBeUndefined();
  });

  it('is read the same by another parser, its index list as 32-bit integers and its text as UTF-8', () => {
    const parsed = dicomParser.parseDicom(new Uint8Array(bytes));
    expect(parsed.string('x00020010')).toBe('1.2.840.10008.1.2');
    const areas = parsed.elements.x006a0002!.items![1]!.dataSet!;
    expect(areas.elements.x00660040!.length).toBe(8);
    expect([areas.uint32('x00660040', 0), areas.uint32('x00660040', 1)]).toEqual([1, 9]);
    const arrows = parsed.elements.x006a0002!.items![2]!.dataSet!;
    const note = arrows.elements.x006a0006!;
    expect(Buffer.from(parsed.byteArray.subarray(note.dataOffset, note.dataOffset + note.length)).toString('utf8')).toContain('Perineural invasion');
  });
});
