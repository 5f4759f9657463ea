import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import { renderPdf } from '../core/pdf.ts';
import { phantomPixels } from './phantom.ts';
import { dcmjs } from '../imaging/dcmjs.ts';

/**
 * Synthetic records for the demo cases: report PDFs (made with pdfmake) and a CT series on a
 * "CD" (a zip of DICOM Part 10 files, made with dcmjs). Every name, date and finding is invented.
 */
export interface DemoPatient {
  given: string;
  family: string;
  /** YYYY-MM-DD */
  born: string;
  sex: 'female' | 'male' | 'other' | 'unknown';
}

export interface DemoFile {
  filename: string;
  bytes: Buffer;
}

/** A one-page report PDF: a letterhead, a title, the patient line and the report's lines. */
export async function reportPdf(filename: string, facility: string, title: string, p: DemoPatient, lines: string[]): Promise<DemoFile> {
  const bytes = await renderPdf({
    info: { title, author: facility },
    content: [
      { text: facility, fontSize: 9, color: '#555555' },
      { text: title, fontSize: 15, bold: true, margin: [0, 6, 0, 4] },
      { text: `Patient: ${p.family.toUpperCase()}, ${p.given}   Born: ${p.born}   Synthetic demo record`, fontSize: 9, margin: [0, 0, 0, 10] },
      ...lines.map((text) => ({ text, margin: [0, 0, 0, 6] as [number, number, number, number] })),
    ],
  });
  return { filename, bytes };
}

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';

/** A UID under the 2.25 root (derived from a random UUID), as PS3.5 B.2 allows without a registered root. */
const newUid = () => `2.25.${BigInt(`0x${crypto.randomUUID().replaceAll('-', '')}`).toString()}`;
const dicomDate = (iso: string) => iso.replaceAll('-', '');
const DICOM_SEX = { female: 'F', male: 'M', other: 'O', unknown: 'O' } as const;

/** One CT slice as a Part 10 file (explicit VR little endian), the phantom as its pixels. */
function ctSlice(p: DemoPatient, ids: { study: string; series: string; instance: string }, n: number, size: number, study: { date: string; description: string; accession: string }): Buffer {
  const position = String(-(n * 2.5));
  const dataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: CT_IMAGE_STORAGE, SOPInstanceUID: ids.instance,
    StudyDate: dicomDate(study.date), StudyTime: '093000', AccessionNumber: study.accession, Modality: 'CT',
    ReferringPhysicianName: 'Example^Demo', StudyDescription: study.description, SeriesDescription: 'Axial 2.5 mm',
    PatientName: `${p.family}^${p.given}`, PatientID: `DEMO-${p.family.toUpperCase()}`, PatientBirthDate: dicomDate(p.born), PatientSex: DICOM_SEX[p.sex],
    BodyPartExamined: 'CHEST', SliceThickness: '2.5',
    StudyInstanceUID: ids.study, SeriesInstanceUID: ids.series, StudyID: '1', SeriesNumber: '2', InstanceNumber: String(n),
    ImagePositionPatient: ['-200', '-200', position], ImageOrientationPatient: ['1', '0', '0', '0', '1', '0'],
    FrameOfReferenceUID: `${ids.study}.1`, SliceLocation: position,
    SamplesPerPixel: 1, PhotometricInterpretation: 'MONOCHROME2', Rows: size, Columns: size, PixelSpacing: [String(400 / size), String(400 / size)],
    BitsAllocated: 16, BitsStored: 16, HighBit: 15, PixelRepresentation: 0,
    WindowCenter: '-600', WindowWidth: '1500', RescaleIntercept: '-1024', RescaleSlope: '1',
    PixelData: phantomPixels(size, size, n * 2).buffer, _vrMap: { PixelData: 'OW' },
  };
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer, MediaStorageSOPClassUID: CT_IMAGE_STORAGE, MediaStorageSOPInstanceUID: ids.instance,
    TransferSyntaxUID: EXPLICIT_LITTLE, ImplementationClassUID: '2.25.1234567890', ImplementationVersionName: 'CONSILIUM_DEMO',
    _vrMap: { FileMetaInformationVersion: 'OB' },
  };
  const { DicomDict, DicomMetaDictionary } = dcmjs().data;
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return Buffer.from(dict.write());
}

/** A chest CT series as a patient gets it from the hospital: a zip of DICOM files. */
export async function ctArchive(filename: string, p: DemoPatient, study: { date: string; description: string; accession: string }, slices = 24, size = 256): Promise<DemoFile> {
  const ids = { study: newUid(), series: newUid() };
  const zip = new yazl.ZipFile();
  for (let n = 1; n <= slices; n++) {
    zip.addBuffer(ctSlice(p, { ...ids, instance: newUid() }, n, size, study), `DICOM/IMG${String(n).padStart(4, '0')}`);
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return { filename, bytes: Buffer.concat(chunks) };
}

/**
 * A synthetic stained slide (pink "tissue" with purple "nuclei" on white, from libvips' Perlin
 * noise) as a tiled pyramidal TIFF with its scale, for the slide viewer's demo. Null when libvips
 * is not installed: the demo then has no slide, as a server without it shows none.
 */
export function demoSlide(filename: string, width = 2048, height = 1536, micronsPerPixel = 0.5): DemoFile | null {
  // Made once per machine and kept (a few seconds of work): the demo is seeded on every start.
  const kept = path.join(os.tmpdir(), `consilium-demo-slide-${width}x${height}-${micronsPerPixel}.tif`);
  if (fs.existsSync(kept)) return { filename, bytes: fs.readFileSync(kept) };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-demo-slide-'));
  const at = (name: string) => path.join(dir, name);
  const vips = (...args: string[]) => execFileSync('vips', args, { stdio: 'ignore' });
  try {
    // One byte per pixel throughout (128 is Perlin's zero), so the few steps stay quick.
    vips('perlin', at('coarse.v'), String(width), String(height), '--cell-size', '512', '--uchar');
    vips('perlin', at('fine.v'), String(width), String(height), '--cell-size', '24', '--uchar');
    vips('add', at('coarse.v'), at('fine.v'), at('sum.v'));
    vips('relational_const', at('sum.v'), at('tissue.v'), 'more', '262');
    vips('relational_const', at('fine.v'), at('nuclei.v'), 'more', '185');
    vips('black', at('black.v'), String(width), String(height), '--bands', '3');
    vips('linear', at('black.v'), at('white.v'), '1', '245', '--uchar');
    vips('linear', at('black.v'), at('pink.v'), '1 1 1', '236 170 205', '--uchar');
    vips('linear', at('black.v'), at('purple.v'), '1 1 1', '110 60 150', '--uchar');
    vips('ifthenelse', at('nuclei.v'), at('purple.v'), at('pink.v'), at('stained.v'));
    vips('ifthenelse', at('tissue.v'), at('stained.v'), at('white.v'), at('slide.v'));
    const perMm = String(1000 / micronsPerPixel);
    vips('tiffsave', at('slide.v'), at('slide.tif'), '--tile', '--pyramid', '--compression', 'jpeg', '--Q', '85', '--tile-width', '256', '--tile-height', '256', '--xres', perMm, '--yres', perMm);
    const bytes = fs.readFileSync(at('slide.tif'));
    fs.writeFileSync(`${kept}.part`, bytes);
    fs.renameSync(`${kept}.part`, kept);
    return { filename, bytes };
  } catch {
    return null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
