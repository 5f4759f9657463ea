import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { AppError, problem } from '../core/errors.ts';
import { problemIn } from '../core/problemLanguage.ts';
import { extractMiraxSlide, miraxLayout } from './miraxZip.ts';
import { checkZip, DEFAULT_ZIP_LIMITS, extractZip, ZipRejected } from './zipCheck.ts';

const files = (...names: string[]) => names.map((name) => ({ name, link: false }));
const refusal = (layout: ReturnType<typeof miraxLayout>) => (layout && 'refused' in layout ? layout.refused.text : null);

describe('a zip told as a MIRAX slide', () => {
  it('finds the .mrxs file and its folder, at the top or under one folder, whatever macOS adds', () => {
    expect(miraxLayout(files('b.mrxs', 'b/Slidedat.ini', 'b/Index.dat', 'b/Data0000.dat'), 'b.zip')).toEqual({ mrxs: 'b.mrxs', folder: 'b/' });
    expect(miraxLayout(files('Export/B 1.mrxs', 'Export/B 1/Slidedat.ini', 'Export/B 1/Data0000.dat', '__MACOSX/Export/._B 1.mrxs', 'Export/.DS_Store'), 'b.zip'))
      .toEqual({ mrxs: 'Export/B 1.mrxs', folder: 'export/b 1/' });
    // Windows keeps names' case loosely; the folder is unpacked under a name of our own anyway.
    expect(miraxLayout(files('B.MRXS', 'b/Slidedat.ini'), 'b.zip')).toEqual({ mrxs: 'B.MRXS', folder: 'b/' });
  });

  it('leaves a zip without a .mrxs file to the other kinds of archive', () => {
    expect(miraxLayout(files('DICOMDIR', 'IM000001'), 'cd.zip')).toBeNull();
  });

  it('says in plain words what is missing or too much', () => {
    expect(refusal(miraxLayout(files('b.mrxs'), 'b.zip'))).toBe('“b.zip” holds the MIRAX slide “b.mrxs” but not its folder “b” with Slidedat.ini. A MIRAX slide is the .mrxs file and the folder of the same name: please zip both together.');
    expect(refusal(miraxLayout(files('b.mrxs', 'c/Slidedat.ini'), 'b.zip'))).toMatch(/not its folder “b”/);
    expect(refusal(miraxLayout(files('b.mrxs', 'b/Slidedat.ini', 'c.mrxs', 'c/Slidedat.ini'), 'b.zip'))).toMatch(/holds 2 MIRAX slides/);
    expect(refusal(miraxLayout(files('b.mrxs', 'b/Slidedat.ini', 'report.pdf'), 'b.zip'))).toMatch(/other files \(“report\.pdf”\)/);
    expect(refusal(miraxLayout([...files('b.mrxs', 'b/Slidedat.ini'), { name: 'b/Data0000.dat', link: true }], 'b.zip'))).toMatch(/a link \(“b\/Data0000\.dat”\)/);
  });

  it('words its refusals in Spanish for a Spanish reader', () => {
    const layout = miraxLayout(files('b.mrxs'), 'b.zip');
    const err = new AppError('VALIDATION_FAILED', layout && 'refused' in layout ? layout.refused : 'x');
    expect(problemIn(problem(err.code, err.message, err.extra), 'es').detail).toBe('“b.zip” contiene la laminilla MIRAX “b.mrxs”, pero no su carpeta “b” con Slidedat.ini. Una laminilla MIRAX es el archivo .mrxs y la carpeta del mismo nombre: por favor, ponga los dos juntos en el zip.');
  });
});

describe('unpacking a MIRAX zip', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-mirax-unit-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const zipOf = async (entries: { name: string; data: string; mode?: number }[]) => {
    const zip = new yazl.ZipFile();
    for (const e of entries) zip.addBuffer(Buffer.from(e.data), e.name, e.mode ? { mode: e.mode } : {});
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream) chunks.push(c as Buffer);
    const file = path.join(dir, `${Math.random().toString(36).slice(2)}.zip`);
    fs.writeFileSync(file, Buffer.concat(chunks));
    return file;
  };

  it('writes the slide’s files only, under names of its own, readable by this process alone', async () => {
    const zip = await zipOf([{ name: 'top/B 1.mrxs', data: 'm' }, { name: 'top/B 1/Slidedat.ini', data: '[GENERAL]' }, { name: 'top/B 1/Data0000.dat', data: 'd' }, { name: '__MACOSX/top/._B 1.mrxs', data: 'x' }]);
    const dest = path.join(dir, 'out');
    expect(await extractMiraxSlide(zip, dest, DEFAULT_ZIP_LIMITS)).toBe(path.join(dest, 'slide.mrxs'));
    expect(fs.readdirSync(dest, { recursive: true }).map(String).sort()).toEqual(['slide', 'slide.mrxs', path.join('slide', 'Data0000.dat'), path.join('slide', 'Slidedat.ini')].sort());
    expect(fs.readFileSync(path.join(dest, 'slide', 'Slidedat.ini'), 'utf8')).toBe('[GENERAL]');
    expect(fs.statSync(path.join(dest, 'slide.mrxs')).mode & 0o777).toBe(0o600);
  });

  it('refuses a link among the slide’s files, a name given twice, and more than the limits allow', async () => {
    const linked = await zipOf([{ name: 'b.mrxs', data: 'm' }, { name: 'b/Slidedat.ini', data: '[GENERAL]' }, { name: 'b/Data0000.dat', data: '/etc/passwd', mode: 0o120777 }]);
    expect((await checkZip(linked)).files.find((f) => f.name === 'b/Data0000.dat')?.link).toBe(true);
    await expect(extractMiraxSlide(linked, path.join(dir, 'linked'), DEFAULT_ZIP_LIMITS)).rejects.toThrow(/a link/);
    const twice = await zipOf([{ name: 'b.mrxs', data: 'm' }, { name: 'b/Slidedat.ini', data: '1' }, { name: 'b/Slidedat.ini', data: '2' }]);
    await expect(extractMiraxSlide(twice, path.join(dir, 'twice'), DEFAULT_ZIP_LIMITS)).rejects.toThrow(/holds “b\/Slidedat.ini” twice/);
    const large = await zipOf([{ name: 'b.mrxs', data: 'm' }, { name: 'b/Slidedat.ini', data: 'x'.repeat(2000) }]);
    await expect(extractMiraxSlide(large, path.join(dir, 'large'), { ...DEFAULT_ZIP_LIMITS, maxTotalBytes: 1000 })).rejects.toThrow(ZipRejected);
    await expect(extractMiraxSlide(large, path.join(dir, 'few'), { ...DEFAULT_ZIP_LIMITS, maxEntries: 1 })).rejects.toThrow(/more than 1 files/);
  });

  it('refuses a slide that would unpack to far more than its zip (its tiles are JPEG, which hardly compress)', async () => {
    // 80 MB of one byte, deflated to a few hundred kB: over the zip's size × 1.5 + 64 MB, under the usual limits.
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('m'), 'b.mrxs');
    zip.addBuffer(Buffer.from('[GENERAL]'), 'b/Slidedat.ini');
    for (let i = 0; i < 80; i++) zip.addBuffer(Buffer.alloc(1024 * 1024 - 1, 0x41), `b/Data${String(i).padStart(4, '0')}.dat`);
    zip.end();
    const file = path.join(dir, 'inflating.zip');
    await new Promise<void>((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(file)).on('finish', () => resolve()).on('error', reject));
    await expect(extractMiraxSlide(file, path.join(dir, 'inflating'), DEFAULT_ZIP_LIMITS)).rejects.toThrow(/would expand to more than/);
    expect(fs.existsSync(path.join(dir, 'inflating'))).toBe(false);
  });

  it('unpacks nothing outside its folder and no link, whatever name it is asked to write', async () => {
    const zip = await zipOf([{ name: 'a.txt', data: 'a' }]);
    await expect(extractZip(zip, path.join(dir, 'escape'), () => '../outside.txt')).rejects.toThrow(/unsafe path/);
    expect(fs.existsSync(path.join(dir, 'outside.txt'))).toBe(false);
    const linked = await zipOf([{ name: 'l', data: '/etc/passwd', mode: 0o120777 }]);
    await expect(extractZip(linked, path.join(dir, 'link'), (n) => n)).rejects.toThrow(/a link/);
    expect(fs.existsSync(path.join(dir, 'link', 'l'))).toBe(false);
  });

  it('takes data that does not inflate as the zip’s fault, not the server’s', async () => {
    const text = Array.from({ length: 4000 }, (_, i) => `KEY_${i}=${(i * 7919) % 1000}`).join('\n');
    const file = await zipOf([{ name: 'b.mrxs', data: 'm' }, { name: 'b/Slidedat.ini', data: text }]);
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf('b/Slidedat.ini') + 'b/Slidedat.ini'.length + 200;
    bytes.fill(0xff, at, at + 64);
    fs.writeFileSync(file, bytes);
    await expect(extractMiraxSlide(file, path.join(dir, 'damaged'), DEFAULT_ZIP_LIMITS)).rejects.toThrow(/damaged: “b\/Slidedat.ini” cannot be read in full/);
  });
});
