import { describe, expect, it } from 'vitest';
import { findIcd10, ICD10_CATALOG } from '../catalog/icd10.ts';
import { searchDiagnoses } from '../catalog/diagnosisSearch.ts';
import { auditHash, canonicalJson, GENESIS_HASH } from './audit.ts';
import { checkTotp, currentTotp, newTotpSecret } from './auth/totp.ts';
import { loadConfig } from './config.ts';
import { holdsGrant } from './access.ts';
import { dateConditions, referenceId } from '../fhir/search.ts';

describe('canonical JSON and audit hashes', () => {
  it('does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  });
  it('changes when any field or the previous link changes', () => {
    const e = { id: 'x', at: '2026-01-01T00:00:00.000Z', actorId: null, actorRole: null, action: 'a', entityType: 'T', entityId: null, caseId: null, ip: null, userAgent: null, outcome: 'success' as const, detail: {}, prevHash: GENESIS_HASH };
    const h = auditHash(e);
    expect(auditHash({ ...e, action: 'b' })).not.toBe(h);
    expect(auditHash({ ...e, prevHash: 'f'.repeat(64) })).not.toBe(h);
    expect(auditHash({ ...e })).toBe(h);
  });
});

describe('TOTP', () => {
  it('accepts the current code and one step of drift, not more', () => {
    const { secret } = newTotpSecret('a@b.test');
    const now = Date.now();
    expect(checkTotp(secret, currentTotp(secret, now), now)).not.toBeNull();
    expect(checkTotp(secret, currentTotp(secret, now - 30_000), now)).not.toBeNull();
    expect(checkTotp(secret, currentTotp(secret, now - 120_000), now)).toBeNull();
    expect(checkTotp(secret, 'abcdef', now)).toBeNull();
  });
});

describe('configuration', () => {
  it('has working defaults and refuses demo mode in production', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.sessionIdleMs).toBe(15 * 60_000);
    expect(c.dataDir).toMatch(/data$/);
    expect(() => loadConfig({ NODE_ENV: 'production', DEMO: 'true' })).toThrow(/refused/);
    expect(loadConfig({ NODE_ENV: 'production' }).secureCookies).toBe(true);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });
  it('takes the contact the home page shows, and refuses one that is not an e-mail address or a phone number', () => {
    expect(loadConfig({}).contactEmail).toBeUndefined();
    const c = loadConfig({ CONTACT_EMAIL: 'help@clinic.example', CONTACT_PHONE: '+1 (555) 010-0100' });
    expect([c.contactEmail, c.contactPhone]).toEqual(['help@clinic.example', '+1 (555) 010-0100']);
    expect(() => loadConfig({ CONTACT_EMAIL: 'help at clinic' })).toThrow(/CONTACT_EMAIL/);
    expect(() => loadConfig({ CONTACT_PHONE: 'call us' })).toThrow(/CONTACT_PHONE/);
  });
  it('reads the bucket, key prefix and credentials from S3_URL, and keeps files local without it', () => {
    expect(loadConfig({}).s3).toBeUndefined();
    expect(loadConfig({ S3_URL: 'https://AKIA1:se%2Fcret@s3.example.org:9000/records/consilium/prod', S3_PATH_STYLE: 'false' }).s3).toEqual({
      endpoint: 'https://s3.example.org:9000', bucket: 'records', prefix: 'consilium/prod/', region: 'us-east-1', forcePathStyle: false,
      credentials: { accessKeyId: 'AKIA1', secretAccessKey: 'se/cret' },
    });
    expect(loadConfig({ S3_URL: 'http://minio:9000/files' }).s3).toMatchObject({ bucket: 'files', prefix: '', forcePathStyle: true, credentials: undefined });
    expect(() => loadConfig({ S3_URL: 'https://s3.example.org' })).toThrow(/name the bucket/);
    expect(() => loadConfig({ S3_URL: 'ftp://s3.example.org/b' })).toThrow(/S3_URL/);
  });
});

describe('ICD-10-CM catalogue', () => {
  it('has a source, a review date and well-formed codes', () => {
    expect(ICD10_CATALOG.source).toMatch(/ICD-10-CM/);
    expect(findIcd10('c34.11')?.display).toMatch(/upper lobe, right/);
  });
  it('searches by code prefix first, then by words', () => {
    expect(searchDiagnoses('C34').every((c) => c.code.startsWith('C34'))).toBe(true);
    expect(searchDiagnoses('pulmonary fibrosis').map((c) => c.code)).toContain('J84.112');
    expect(searchDiagnoses('zzzz')).toEqual([]);
  });
});

describe('case grants', () => {
  const actor = (role: string) => ({ userId: 'u1', role: role as never, name: 'n', email: 'e' });
  it('coordinators hold their own cases and the untaken pool, never drafts', () => {
    expect(holdsGrant(actor('coordinator'), { status: 'submitted', coordinator_id: null }, [])).toBe(true);
    expect(holdsGrant(actor('coordinator'), { status: 'draft', coordinator_id: null }, [])).toBe(false);
    expect(holdsGrant(actor('coordinator'), { status: 'submitted', coordinator_id: 'u2' }, [])).toBe(false);
  });
  it('other roles need the matching relation', () => {
    expect(holdsGrant(actor('patient'), { status: 'draft', coordinator_id: null }, ['proxy'])).toBe(true);
    expect(holdsGrant(actor('expert'), { status: 'assigned', coordinator_id: null }, ['patient'])).toBe(false);
    expect(holdsGrant(actor('admin'), { status: 'assigned', coordinator_id: null }, ['expert'])).toBe(false);
  });
});

describe('FHIR search parameters', () => {
  it('turns date prefixes into ranges', () => {
    const values: unknown[] = [];
    const bind = (v: unknown) => `$${values.push(v)}`;
    expect(dateConditions(['ge2026-03'], 'x', bind)).toEqual(['x >= $1']);
    expect(values[0]).toBe('2026-03-01T00:00:00.000Z');
    expect(dateConditions(['2026'], 'x', bind)).toEqual(['(x >= $2 AND x < $3)']);
    expect(values[2]).toBe('2027-01-01T00:00:00.000Z');
    expect(() => dateConditions(['soon'], 'x', bind)).toThrow();
  });
  it('reads references with or without the type', () => {
    const id = '0e6f7a4e-1c2b-4d3e-8f90-123456789abc';
    expect(referenceId(`Patient/${id}`, 'Patient')).toBe(id);
    expect(referenceId(id, 'Patient')).toBe(id);
    expect(referenceId(`Group/${id}`, 'Patient')).toBeNull();
  });
});

describe('error messages as templates', () => {
  it('carry the English text, the template as a key and the values it names', async () => {
    const { AppError, msg, problem } = await import('./errors.ts');
    const e = new AppError('VALIDATION_FAILED', msg`The date “${'2026-13-01'}” is not valid (${3} tries).`);
    expect(e.message).toBe('The date “2026-13-01” is not valid (3 tries).');
    expect(e.extra).toEqual({ key: 'The date “{0}” is not valid ({1} tries).', params: { 0: '2026-13-01', 1: 3 } });
    expect(problem(e.code, e.message, e.extra)).toMatchObject({ key: 'The date “{0}” is not valid ({1} tries).', params: { 0: '2026-13-01', 1: 3 } });
    expect(new AppError('CONFLICT', 'Already done.').extra).toEqual({ key: 'Already done.', params: {} });
  });
});
