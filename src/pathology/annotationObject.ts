import crypto from 'node:crypto';
import { dcmjs } from '../imaging/dcmjs.ts';
import type { SlideAnnotationKind } from './annotations.ts';

/**
 * A slide's measurements as a DICOM Microscopy Bulk Simple Annotations object (PS3.3 A.88, module
 * C.37.1), the form DICOM slide viewers (Slim, dicom-microscopy-viewer, QuPath) read annotations
 * of a whole-slide image in.
 */

export const ANN_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.91.1';
export const WSI_IMAGE_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.77.1.6';
/** Implicit VR little endian: dcmjs cannot name the OL VR the point index list has, and here no VR is written at all. */
const IMPLICIT_LITTLE = '1.2.840.10008.1.2';

/** The image the annotations are drawn on, as DICOM knows it. */
export interface AnnotatedImage {
  studyUid: string;
  seriesUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
  frameOfReferenceUid: string;
}

export interface ExportedAnnotation {
  number: number;
  kind: SlideAnnotationKind;
  /** Full-resolution pixels, x right and y down from the image's top left corner. */
  points: [number, number][];
  /** µm for a length, µm² for an area. */
  value: number | null;
  note: string | null;
}

export interface AnnotationObjectInput {
  slideId: string;
  /** Stands for the patient, as in the de-identified image export: the file names no one. */
  caseReference: string;
  image: AnnotatedImage;
  annotations: ExportedAnnotation[];
  /** When the newest of the annotations was made: the object's content date. */
  contentAt: Date;
}

/** `2.25.` and a UUID as one decimal integer (PS3.5 B.2): a UID without a registered root. */
export function uidOfUuid(uuid: string): string {
  return `2.25.${BigInt(`0x${uuid.replaceAll('-', '')}`).toString()}`;
}

/** A name-based UUID (RFC 9562 version 5) under another UUID, so one slide id yields several stable UIDs. */
export function nameBasedUid(namespace: string, name: string): string {
  const hash = crypto.createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name).digest().subarray(0, 16);
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  return uidOfUuid(hash.toString('hex'));
}

/**
 * The UIDs a slide from a vendor file (SVS, NDPI, TIFF) goes by in DICOM, made from its id so that
 * every export of it names the same study, series, image and frame of reference. No instance of
 * that image exists; a viewer opens the annotations over the slide it was given by hand.
 */
export function vendorSlideImage(slideId: string): AnnotatedImage {
  return {
    studyUid: uidOfUuid(slideId),
    seriesUid: nameBasedUid(slideId, 'slide series'),
    sopClassUid: WSI_IMAGE_SOP_CLASS,
    sopInstanceUid: nameBasedUid(slideId, 'slide image'),
    frameOfReferenceUid: nameBasedUid(slideId, 'frame of reference'),
  };
}

const code = (value: string, scheme: string, meaning: string) => ({ CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning });
// The annotations mark places a reviewer chose, not a kind of tissue: IDC's manual regions of
// interest are coded so (CID 7150 category, CID 8135 type), and the group label tells them apart.
const CATEGORY = code('309825002', 'SCT', 'Spatial and Relational Concept');
const PROPERTY = code('111099', 'DCM', 'Selected region');

interface GroupKind { kind: SlideAnnotationKind; label: string; graphicType: 'POLYLINE' | 'POLYGON'; measurement?: { name: ReturnType<typeof code>; unit: ReturnType<typeof code> } }
const GROUPS: GroupKind[] = [
  { kind: 'length', label: 'Lengths', graphicType: 'POLYLINE', measurement: { name: code('410668003', 'SCT', 'Length'), unit: code('um', 'UCUM', 'micrometer') } },
  { kind: 'area', label: 'Areas', graphicType: 'POLYGON', measurement: { name: code('42798000', 'SCT', 'Area'), unit: code('um2', 'UCUM', 'square micrometer') } },
  // An arrow is a line whose head is its second point; it measures nothing.
  { kind: 'arrow', label: 'Arrows', graphicType: 'POLYLINE' },
];

/**
 * Our points are OpenSeadragon image coordinates: continuous, (0, 0) at the top left corner of the
 * top left pixel and (width, height) at the bottom right corner of the last. The module's 2D
 * coordinates are pixels of the Total Pixel Matrix "as defined in C.10.4", the sub-pixel image
 * coordinates of presentation states, with the same origin (the first pixel's centre is 0.5\0.5;
 * highdicom and dicom-microscopy-viewer read them so). So they are written as they are: no shift.
 */
const dicomPoint = ([x, y]: [number, number]): [number, number] => [x, y];

/**
 * The DICOM file (Part 10) of a slide's measurements: one annotation group per kind (lengths and
 * arrows as POLYLINE, areas as POLYGON, whose first point is not repeated at the end as it is in
 * GeoJSON), float32 points, a 1-based index of each annotation's first coordinate, and the µm and
 * µm² values as the groups' measurements. The module has no text per annotation, so each group's
 * description lists the numbers the annotations have on the slide, in order, with their notes: an
 * arrow is meant by its note. Nothing varies between two exports of the same measurements, and
 * the SOP Instance UID is made from that content: the same file is the same instance, and a
 * measurement added or removed makes a new one (a UID never names two contents).
 * Expects at least one annotation: the module requires a group.
 */
export function annotationObject(input: AnnotationObjectInput): Buffer {
  const { image } = input;
  const fingerprint = crypto.createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 32);
  const sopInstanceUid = nameBasedUid(fingerprint, 'annotations');
  const at = input.contentAt.toISOString();
  const date = at.slice(0, 10).replaceAll('-', '');
  const time = at.slice(11, 19).replaceAll(':', '');

  const groups = GROUPS.map((g) => ({ ...g, items: input.annotations.filter((a) => a.kind === g.kind).sort((a, b) => a.number - b.number) }))
    .filter((g) => g.items.length > 0)
    .map((g, i) => {
      const coordinates = new Float32Array(g.items.reduce((n, a) => n + a.points.length * 2, 0));
      const firsts: number[] = [];
      let at = 0;
      for (const a of g.items) {
        firsts.push(at + 1);
        for (const p of a.points.map(dicomPoint)) {
          coordinates[at++] = p[0];
          coordinates[at++] = p[1];
        }
      }
      const notes = g.items.filter((a) => a.note).map((a) => `${a.number}: ${a.note}`);
      return {
        AnnotationGroupNumber: i + 1,
        AnnotationGroupUID: nameBasedUid(fingerprint, `group ${g.kind}`),
        AnnotationGroupLabel: g.label,
        AnnotationGroupDescription: [`Numbers on the slide, in order: ${g.items.map((a) => a.number).join(', ')}.`, ...(notes.length ? ['Notes:', ...notes] : [])].join('\n'),
        AnnotationGroupGenerationType: 'MANUAL',
        AnnotationPropertyCategoryCodeSequence: [CATEGORY],
        AnnotationPropertyTypeCodeSequence: [PROPERTY],
        GraphicType: g.graphicType,
        NumberOfAnnotations: g.items.length,
        AnnotationAppliesToAllOpticalPaths: 'YES',
        PointCoordinatesData: coordinates.buffer,
        LongPrimitivePointIndexList: firsts,
        ...(g.measurement ? {
          MeasurementsSequence: [{
            ConceptNameCodeSequence: [g.measurement.name],
            MeasurementUnitsCodeSequence: [g.measurement.unit],
            MeasurementValuesSequence: [{ FloatingPointValues: new Float32Array(g.items.map((a) => a.value ?? Number.NaN)).buffer }],
          }],
        } : {}),
      };
    });

  const dataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: ANN_SOP_CLASS,
    SOPInstanceUID: sopInstanceUid,
    // Patient: the case's reference stands for the patient, as in the de-identified image export.
    PatientName: input.caseReference,
    PatientID: input.caseReference,
    PatientBirthDate: '',
    PatientSex: '',
    // Study: the slide's own, so a viewer lists the annotations with it.
    StudyInstanceUID: image.studyUid,
    StudyDate: '',
    StudyTime: '',
    ReferringPhysicianName: '',
    StudyID: '',
    AccessionNumber: '',
    // Series: one of its own (an annotation is not an image), the same for every export of the slide.
    Modality: 'ANN',
    SeriesInstanceUID: nameBasedUid(input.slideId, 'annotation series'),
    SeriesNumber: '900',
    SeriesDescription: 'Slide measurements',
    FrameOfReferenceUID: image.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    Manufacturer: 'Consilium',
    ManufacturerModelName: 'Consilium',
    DeviceSerialNumber: 'consilium',
    SoftwareVersions: 'consilium',
    InstanceNumber: '1',
    ContentLabel: 'MEASUREMENTS',
    ContentDescription: 'Measurements and arrows drawn by the reviewers',
    ContentCreatorName: '',
    ContentDate: date,
    ContentTime: time,
    AnnotationCoordinateType: '2D',
    PixelOriginInterpretation: 'VOLUME',
    ReferencedImageSequence: [{ ReferencedSOPClassUID: image.sopClassUid, ReferencedSOPInstanceUID: image.sopInstanceUid }],
    ReferencedSeriesSequence: [{ SeriesInstanceUID: image.seriesUid, ReferencedInstanceSequence: [{ ReferencedSOPClassUID: image.sopClassUid, ReferencedSOPInstanceUID: image.sopInstanceUid }] }],
    AnnotationGroupSequence: groups,
  };
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: ANN_SOP_CLASS,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: IMPLICIT_LITTLE,
    ImplementationClassUID: nameBasedUid('00000000-0000-0000-0000-000000000000', 'consilium'),
    ImplementationVersionName: 'CONSILIUM',
    _vrMap: { FileMetaInformationVersion: 'OB' },
  };
  const { DicomDict, DicomMetaDictionary } = dcmjs().data;
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return Buffer.from(dict.write());
}
