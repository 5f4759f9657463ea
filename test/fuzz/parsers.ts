import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { AppError } from '../../src/core/errors.ts';
import { dateConditions, countParam, params as fhirParams, referenceId } from '../../src/fhir/search.ts';
import { cdFiles } from '../../src/imaging/cdArchive.ts';
import { readFrames, renderFrame } from '../../src/imaging/frames.ts';
import { DicomRejected, NATIVE_SYNTAXES, parseInstance } from '../../src/imaging/part10.ts';
import { buildQidoQuery, type QidoLevel } from '../../src/imaging/qido.ts';
import { importCcda } from '../../src/records/ccdaImport.ts';
import { importFhirBundle } from '../../src/records/fhirImport.ts';
import { extractPdfText, pdfBudgetMs, PdfUnreadable } from '../../src/records/pdfText.ts';
import { parseUploadMetadata } from '../../src/records/routes.ts';
import { contradiction, sniff, SNIFF_BYTES } from '../../src/records/sniff.ts';
import { extractMiraxSlide } from '../../src/records/miraxZip.ts';
import { checkZip, DEFAULT_ZIP_LIMITS, ZipRejected } from '../../src/records/zipCheck.ts';
import { miraxPictures } from '../../src/pathology/slideReader.ts';
import { aMiraxZip, writeMiraxSlide } from '../support/slides.ts';
import { crashOf, type FuzzTarget, type Verdict } from './harness.ts';
import { applyBytes, applyText, applyTree, bytesInput, compact, hostileString, jsonText, showBytes, showText, textInput, treeOp, type BytesInput, type TextInput, type TreeOp } from './mutate.ts';
import { fhirPairs, qidoPairs, queryObject, type Pairs } from './queries.ts';
import { dicomSeeds, fhirSeeds, pdfSeeds, zipSeeds, ccdaSeeds } from './seeds.ts';

/**
 * In-process targets: every parser of untrusted input, called directly. The property: the
 * function returns, or throws its module's own refusal (or an AppError), and nothing else.
 */

type ErrorClass = abstract new (...args: never[]) => Error;

/** Runs `fn`; a throw of one of `refusals` (or an AppError) is a clean answer, anything else a crash. */
async function refusing(fn: () => unknown, ...refusals: ErrorClass[]): Promise<Verdict | null> {
  try {
    await fn();
    return null;
  } catch (err) {
    if (err instanceof AppError || refusals.some((c) => err instanceof c)) return null;
    return crashOf(err);
  }
}

function bytesTarget(name: string, seeds: { names: string[]; bytes: Uint8Array[] }, prefixes: Uint8Array[], exercise: (b: Buffer) => Promise<Verdict | null>): FuzzTarget<BytesInput> {
  return {
    name,
    arbitrary: bytesInput(seeds.bytes.length, prefixes),
    exercise: (input) => exercise(applyBytes(seeds.bytes, input)),
    show: (input) => showBytes(input, seeds.bytes, seeds.names),
    warmup: async () => {
      for (const b of seeds.bytes) await exercise(Buffer.from(b));
    },
  };
}

const DICM = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM')]);

function dicomTarget(): FuzzTarget<BytesInput> {
  const seeds = dicomSeeds();
  return bytesTarget('dicom-part10', seeds, [DICM], (b) => refusing(() => {
    // What the server does with an accepted instance: index it, serve frames, render previews.
    const p = parseInstance(b, { maxInflatedBytes: 16 * 1024 ** 2 });
    readFrames(b, [1], { maxInflatedBytes: 16 * 1024 ** 2 });
    if (NATIVE_SYNTAXES.has(p.transferSyntax)) renderFrame(b, 1, { format: 'png', viewport: { width: 32, height: 32 } });
  }, DicomRejected));
}

async function pdfTarget(): Promise<FuzzTarget<BytesInput>> {
  return bytesTarget('pdf-text', await pdfSeeds(), [Buffer.from('%PDF-1.7\n')], (b) => refusing(() => extractPdfText(new Uint8Array(b), pdfBudgetMs(b.length, 1000)), PdfUnreadable));
}

const FILENAMES = ['report.pdf', 'IM000001', 'scan.dcm', 'cd.zip', 'photo.JPG', 'record.json', 'note.xml', 'a.txt', 'slide.svs', 'x.ndpi', '.pdf', 'a.', 'a.b.c.tiff', ''];

function sniffTarget(): FuzzTarget<{ bytes: BytesInput; filename: string }> {
  const seeds = { names: ['dicom', 'fhir', 'text', 'png'], bytes: [dicomSeeds().bytes[0]!, Buffer.from(JSON.stringify(fhirSeeds()[0])), Buffer.from('Plain text letter.\n'), Buffer.from('89504e470d0a1a0a0000', 'hex')] };
  const exercise = async ({ bytes, filename }: { bytes: BytesInput; filename: string }) => refusing(() => {
    const head = applyBytes(seeds.bytes, bytes).subarray(0, SNIFF_BYTES);
    const found = sniff(head, filename);
    if (found) contradiction(filename, found.contentType);
  });
  return {
    name: 'sniff',
    arbitrary: fc.record({ bytes: bytesInput(seeds.bytes.length, [DICM, Buffer.from('%PDF-'), Buffer.from('PK\x03\x04'), Buffer.from('{"resourceType":')]), filename: fc.oneof(fc.constantFrom(...FILENAMES), hostileString, fc.string()) }),
    exercise,
    show: (i) => `${showBytes(i.bytes, seeds.bytes, seeds.names)} named ${compact(i.filename, 80)}`,
  };
}

const tmp = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-fuzz-')), name);

async function zipTargets(): Promise<FuzzTarget<BytesInput>[]> {
  const seeds = await zipSeeds();
  const file = tmp('input.zip');
  const zipPrefix = Buffer.from('PK\x03\x04');
  const check = bytesTarget('zip-check', seeds, [zipPrefix], async (b) => {
    fs.writeFileSync(file, b);
    return refusing(() => checkZip(file), ZipRejected);
  });
  // A zip that passed the check is stored; reading it as a CD later must not fail.
  const cd = bytesTarget('zip-cd-archive', seeds, [zipPrefix], async (b) => {
    fs.writeFileSync(file, b);
    try {
      await checkZip(file);
    } catch {
      return null;
    }
    return refusing(async () => {
      for await (const _ of cdFiles(file, 4 * 1024 ** 2)) { /* read every entry */ }
    });
  });
  return [check, cd];
}

const FHIR_FRAGMENTS = ['{', '}', '[', ']', '"resourceType":"Bundle",', '"entry":[{"resource":{"resourceType":"Patient"}}],', '"__proto__":{"resourceType":"Patient"},', '"constructor":1,', '\\u0000', '\\ud800', '1e999', '-0', 'null', ',', '"'];

type FhirInput = { tree: TreeOp[]; seed: number } | { text: TextInput };

function fhirTarget(): FuzzTarget<FhirInput> {
  const docs = fhirSeeds();
  const texts = docs.map((d) => JSON.stringify(d));
  const names = docs.map((d, i) => `${(d as { type: string }).type}-${i}`);
  const render = (i: FhirInput) => ('tree' in i ? jsonText(applyTree(docs[i.seed], i.tree).doc) : applyText(texts, i.text));
  return {
    name: 'fhir-bundle',
    arbitrary: fc.oneof(
      { weight: 3, arbitrary: fc.record({ seed: fc.nat({ max: docs.length - 1 }), tree: fc.array(treeOp, { minLength: 1, maxLength: 3 }) }) },
      { weight: 1, arbitrary: textInput(texts.length, FHIR_FRAGMENTS, [['[', ']'], ['{"a":', '}'], ['{"resourceType":"Bundle","entry":[{"resource":', '}]}']]).map((text) => ({ text })) },
    ),
    exercise: async (i) => refusing(() => importFhirBundle(render(i))),
    show: (i) => ('tree' in i ? `seed ${names[i.seed]}: ${applyTree(docs[i.seed], i.tree).where.join('; ')}` : showText(i.text, texts, names)),
    warmup: async () => {
      importFhirBundle(texts[0]!);
    },
  };
}

const XML_FRAGMENTS = [
  '<!DOCTYPE x [<!ENTITY a "b">]>', '&a;', '&#0;', '&#xD800;', '&#1114112;', '&amp', '<?xml version="1.0"?>', '</ClinicalDocument>', '<ClinicalDocument xmlns="urn:hl7-org:v3">',
  '<section><templateId root="2.16.840.1.113883.10.20.22.2.5.1"/><entry><act><entryRelationship><observation><value code="x"/></observation></entryRelationship></act></entry></section>',
  '<section><templateId root="constructor"/><entry/></section>', '<section><templateId root="toString"/><entry/></section>', '<templateId root="__proto__"/>',
  '<effectiveTime value="2026"/>', '<effectiveTime><low value="99999999"/></effectiveTime>', '<x __proto__="1" constructor="2"/>', '<__proto__>1</__proto__>', '<constructor/>', '<toString>x</toString>',
  '<![CDATA[<ClinicalDocument>]]>', '<!-- -- -->', '<a:b xmlns:a="x">', '<name><given>A</given><given/><family>B</family></name>', '<birthTime value="1"/>', '<title><b>x</b></title>', '<', '>', '"', '/>',
];

function ccdaTarget(): FuzzTarget<TextInput> {
  const seeds = ccdaSeeds();
  return {
    name: 'ccda-import',
    arbitrary: textInput(seeds.texts.length, XML_FRAGMENTS, [['<component>', '</component>'], ['<section>', '</section>'], ['<a>', '</a>'], ['<entry><act><entryRelationship>', '</entryRelationship></act></entry>']]),
    exercise: async (i) => refusing(() => importCcda(applyText(seeds.texts, i))),
    show: (i) => showText(i, seeds.texts, seeds.names),
  };
}

function qidoTarget(): FuzzTarget<{ level: QidoLevel; pairs: Pairs }> {
  return {
    name: 'qido-query',
    arbitrary: fc.record({ level: fc.constantFrom('study' as const, 'series' as const, 'instance' as const), pairs: qidoPairs }),
    exercise: async ({ level, pairs }) => refusing(() => buildQidoQuery(level, queryObject(pairs), 3)),
    show: ({ level, pairs }) => `${level} ${compact(pairs, 300)}`,
  };
}

function fhirSearchTarget(): FuzzTarget<Pairs> {
  const declared = [['_id', 'token'], ['patient', 'reference'], ['subject', 'reference'], ['date', 'date'], ['birthdate', 'date'], ['_count', 'number'], ['name', 'string']].map(([name, type]) => ({ name: name!, type: type! }));
  const supported = [...declared.map((d) => d.name), '_offset'];
  return {
    name: 'fhir-search-params',
    arbitrary: fhirPairs([], declared),
    exercise: async (pairs) => refusing(() => {
      const p = fhirParams(queryObject(pairs), supported);
      countParam(p._count?.[0]);
      for (const v of [...(p.patient ?? []), ...(p.subject ?? []), ...(p._id ?? [])]) referenceId(v, 'Patient');
      let n = 0;
      dateConditions([...(p.date ?? []), ...(p.birthdate ?? [])], 'x', () => `$${++n}`);
    }),
    show: (pairs) => compact(pairs, 300),
  };
}

function tusMetadataTarget(): FuzzTarget<string> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const pair = fc.oneof(
    fc.tuple(fc.constantFrom('caseId', 'filename', 'name', 'relativePath', 'filetype', '__proto__', 'constructor', ''), fc.oneof(hostileString, fc.string()).map(b64)).map(([k, v]) => `${k} ${v}`),
    fc.oneof(hostileString, fc.constantFrom('k', 'k ', ' k v', 'k v w', 'k !!!', 'k ====', ',,,')),
  );
  return {
    name: 'tus-metadata',
    arbitrary: fc.array(pair, { maxLength: 6 }).map((p) => p.join(',')),
    exercise: async (header) => refusing(() => parseUploadMetadata(header)),
    show: (h) => compact(h, 300),
  };
}

/** Every in-process target. */
/**
 * A MIRAX slide arrives as a zip that is unpacked for OpenSlide, and its Index.dat is read here
 * for the label and macro photos: unpacking returns or refuses, and the photos are found or left out.
 */
async function miraxTargets(): Promise<FuzzTarget<BytesInput>[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-fuzz-mirax-'));
  const mrxs = writeMiraxSlide(dir, 's', { width: 512, height: 512, label: 'A1' });
  const indexFile = path.join(dir, 's', 'Index.dat');
  const zip = { names: ['mirax-zip'], bytes: [await aMiraxZip({ width: 512, height: 512, top: 'export' })] };
  const file = tmp('mirax.zip');
  const unpack = bytesTarget('zip-mirax-unpack', zip, [Buffer.from('PK\x03\x04')], async (b) => {
    fs.writeFileSync(file, b);
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-fuzz-mirax-out-'));
    try {
      return await refusing(() => extractMiraxSlide(file, dest, DEFAULT_ZIP_LIMITS), ZipRejected);
    } finally {
      fs.rmSync(dest, { recursive: true, force: true });
    }
  });
  const index = bytesTarget('mirax-index-photos', { names: ['index-dat'], bytes: [fs.readFileSync(indexFile)] }, [Buffer.from('01.02')], async (b) => {
    fs.writeFileSync(indexFile, b);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-fuzz-mirax-work-'));
    try {
      return await refusing(() => miraxPictures(mrxs, work, 2000));
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
  return [unpack, index];
}

export async function parserTargets(): Promise<FuzzTarget<any>[]> {
  return [dicomTarget(), await pdfTarget(), sniffTarget(), ...(await zipTargets()), ...(await miraxTargets()), fhirTarget(), ccdaTarget(), qidoTarget(), fhirSearchTarget(), tusMetadataTarget()];
}
