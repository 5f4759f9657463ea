import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { parseMultipart } from '@remix-run/multipart-parser/node';
import type { BlobStore, StagedBlob } from '../core/blobs.ts';
import type { Queryable } from '../core/db.ts';
import { AppError, msg } from '../core/errors.ts';

/**
 * Where instance bytes live. By default in our encrypted blob store; in "external PACS" mode in
 * the site's own DICOMweb server, while the index, the access check and the audit trail stay
 * here, so callers see one API either way.
 */
export interface StoredRef {
  location: 'local' | 'upstream';
  blobSha256: string | null;
  contentSha256: string;
}
export interface InstanceKey {
  location: 'local' | 'upstream';
  blob_sha256: string | null;
  study_uid: string;
  series_uid: string;
  sop_instance_uid: string;
}

/** Bytes written (encrypted and fsync'd, or accepted by the PACS) but not yet indexed. */
export interface StagedInstance {
  location: 'local' | 'upstream';
  contentSha256: string;
  blob?: StagedBlob;
}

export interface InstanceStore {
  /** True when staged bytes leave our hands for good (a PACS keeps what it is sent): access is checked before staging too. */
  readonly keepsStaged: boolean;
  /** Writes the bytes where they will live; outside any transaction. `sha256`: the content's, when known. */
  stage(bytes: Uint8Array, sha256?: string): Promise<StagedInstance>;
  /** Makes staged instances part of the store, inside the indexing transaction. */
  commit(tx: Queryable, staged: StagedInstance[]): Promise<StoredRef[]>;
  /** Drops staged instances that will not be indexed. */
  /** Removes staged content that will not be committed (given the database, what a row names is kept). */
  discard(staged: StagedInstance[], q?: Queryable): Promise<void>;
  open(tx: Queryable, key: InstanceKey): Promise<Readable>;
  /** Many instances in order, each whole, with read-ahead. */
  readMany(tx: Queryable, keys: InstanceKey[]): AsyncGenerator<Buffer>;
  read(tx: Queryable, key: InstanceKey): Promise<Buffer>;
}

const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

export function localInstanceStore(blobs: BlobStore): InstanceStore {
  const ref = (key: InstanceKey) => {
    if (key.location !== 'local' || !key.blob_sha256) throw new AppError('UNAVAILABLE', 'This image is kept in the external PACS, which is not configured on this server.');
    return key.blob_sha256;
  };
  return {
    keepsStaged: false,
    async stage(bytes, sha) {
      const blob = await blobs.stageBytes(bytes, sha);
      return { location: 'local', contentSha256: blob.sha256, blob };
    },
    async commit(tx, staged) {
      const stored = await blobs.commit(tx, staged.map((s) => s.blob!));
      return stored.map((b) => ({ location: 'local', blobSha256: b.sha256, contentSha256: b.sha256 }));
    },
    async discard(staged, q) {
      await blobs.discard(staged.flatMap((s) => (s.blob ? [s.blob] : [])), q);
    },
    async open(tx, key) {
      return (await blobs.open(tx, ref(key))).stream;
    },
    async read(tx, key) {
      return blobs.read(tx, ref(key));
    },
    readMany(tx, keys) {
      return blobs.readMany(tx, keys.map(ref));
    },
  };
}

/** Splits `http://user:pass@host/path` into a URL without credentials and a Basic header. */
function upstreamTarget(url: string): { base: string; headers: Record<string, string> } {
  const u = new URL(url);
  const headers: Record<string, string> = {};
  if (u.username) headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  u.username = '';
  u.password = '';
  return { base: u.toString().replace(/\/$/, ''), headers };
}

export function upstreamInstanceStore(url: string, fallback: InstanceStore): InstanceStore {
  const { base, headers } = upstreamTarget(url);
  const unreachable = () => new AppError('UNAVAILABLE', 'The external PACS did not answer. Please try again later.');
  async function read(key: InstanceKey): Promise<Buffer> {
    const target = `${base}/studies/${key.study_uid}/series/${key.series_uid}/instances/${key.sop_instance_uid}`;
    const res = await fetch(target, { headers: { ...headers, accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } }).catch(() => { throw unreachable(); });
    if (!res.ok) throw new AppError(res.status === 404 ? 'NOT_FOUND' : 'UNAVAILABLE', res.status === 404 ? 'The external PACS no longer has this image.' : 'The external PACS refused the request.');
    const boundary = /boundary="?([^";]+)"?/i.exec(res.headers.get('content-type') ?? '')?.[1];
    const body = Buffer.from(await res.arrayBuffer());
    if (!boundary) return body;
    for (const part of parseMultipart(body, { boundary, maxFileSize: body.length })) return Buffer.from(part.bytes);
    throw new AppError('UNAVAILABLE', 'The external PACS sent an empty answer.');
  }
  return {
    keepsStaged: true,
    async stage(bytes, sha) {
      const boundary = `consilium-${crypto.randomUUID()}`;
      const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]);
      const res = await fetch(`${base}/studies`, {
        method: 'POST', body,
        headers: { ...headers, 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`, accept: 'application/dicom+json' },
      }).catch(() => { throw unreachable(); });
      if (res.status !== 200) throw new AppError('UNAVAILABLE', msg`The external PACS did not store the image (HTTP ${res.status}).`);
      return { location: 'upstream', contentSha256: sha ?? sha256(bytes) };
    },
    async commit(_tx, staged) {
      return staged.map((s) => ({ location: 'upstream', blobSha256: null, contentSha256: s.contentSha256 }));
    },
    // The PACS keeps what it accepted; an instance we did not index stays unreachable through us.
    async discard() {},
    async open(tx, key) {
      if (key.location === 'local') return fallback.open(tx, key);
      return Readable.from([await read(key)]);
    },
    async read(tx, key) {
      return key.location === 'local' ? fallback.read(tx, key) : read(key);
    },
    async *readMany(tx, keys) {
      for (const key of keys) yield key.location === 'local' ? await fallback.read(tx, key) : await read(key);
    },
  };
}
