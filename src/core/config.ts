import crypto from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * The NPI's check digit: the Luhn algorithm over the nine first digits with the prefix 80840
 * (CMS, "Requirements for National Provider Identifier (NPI) and NPI Enumeration").
 */
export function npiCheckDigitHolds(npi: string): boolean {
  if (!/^\d{10}$/.test(npi)) return false;
  const digits = `80840${npi.slice(0, 9)}`.split('').map(Number);
  let sum = 0;
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    const d = double ? digits[i]! * 2 : digits[i]!;
    sum += d > 9 ? d - 9 : d;
  }
  return (10 - (sum % 10)) % 10 === Number(npi[9]);
}

/**
 * Runtime configuration, read once from the environment. Every knob an operator may turn is
 * declared here with its default, so `Config` is the single list of settings (see README).
 */
const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  DATABASE_KEEP_PLANS: z.enum(['true', 'false', '1', '0']).default('true'),
  PUBLIC_URL: z.string().url().optional(),
  TRUSTED_PROXIES: z.string().default(''),
  DEMO: z.enum(['true', 'false', '1', '0']).optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(12),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  PASSWORD_RESET_LINK_MINUTES: z.coerce.number().int().min(5).max(24 * 60).default(60),
  PASSWORD_RESET_RATE_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(10),
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).default(5 * 1024 ** 3),
  BLOB_KEYS: z.string().optional(),
  S3_URL: z.url({ protocol: /^https?$/, error: 'an http(s) address with the bucket as its path: https://KEY:SECRET@host/bucket' }).optional(),
  S3_REGION: z.string().trim().min(1).default('us-east-1'),
  S3_PATH_STYLE: z.enum(['true', 'false', '1', '0']).default('true'),
  OFFER_RESPONSE_HOURS: z.coerce.number().positive().max(24 * 14).default(24),
  JOBS_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(500),
  INSTANCE_NAME: z.string().trim().min(1).max(100).regex(/^[\w.:-]+$/).optional(),
  ASSESSMENT_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Consilium <no-reply@consilium.local>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEB_DIST: z.string().optional(),
  DICOM_MAX_INSTANCE_BYTES: z.coerce.number().int().min(1024).default(1024 ** 3),
  SLIDE_MAX_MEGAPIXELS: z.coerce.number().int().min(1).default(25_000),
  /** Text recognition of photos and scanned pages: Tesseract when installed (auto), required, or off. */
  OCR: z.enum(['auto', 'tesseract', 'off']).default('auto'),
  OCR_LANGUAGES: z.string().regex(/^[a-z_]{3,12}(,[a-z_]{3,12})*$/, 'Tesseract language codes separated by commas: eng,spa').default('eng,spa'),
  OCR_MAX_PAGES: z.coerce.number().int().min(1).max(500).default(20),
  PDF_READ_BASE_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  DICOM_SLIDE_SETTLE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  VIEWER_ACCESS_REUSE_SECONDS: z.coerce.number().min(0).max(10).default(5),
  DICOMWEB_UPSTREAM_URL: z.string().url().optional(),
  TRIALS_REGISTRY_URL: z.url().default('https://clinicaltrials.gov/api/v2'),
  TRIALS_SYNC_HOURS: z.coerce.number().min(0).max(24 * 30).optional(),
  REPORT_LETTERHEAD: z.string().max(200).default('Consilium Second Opinion Service'),
  FOLLOWUP_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Who bills, as an insurance claim needs it on the bill: the address, the NPI and the tax id (EIN). */
  BILLING_ADDRESS: z.string().trim().max(300).optional(),
  BILLING_NPI: z.string().regex(/^\d{10}$/, 'An NPI has ten digits.').refine(npiCheckDigitHolds, 'This NPI’s check digit does not hold: check it against the NPI registry.').optional(),
  /** How to pay a bill other than online (where to send a check, bank details), shown on every bill; in Spanish too when given. */
  BILLING_PAYMENT_INSTRUCTIONS: z.string().trim().min(10).max(1000).optional(),
  BILLING_PAYMENT_INSTRUCTIONS_ES: z.string().trim().min(10).max(1000).optional(),
  /** When the patient pays: after the opinion is delivered (a case never waits on payment), or before the review starts (except while help is being decided). */
  BILLING_PAYMENT_TIMING: z.enum(['after_delivery', 'before_review']).default('after_delivery'),
  /** The place-of-service code a superbill gives the program's services: telehealth in the patient's home (10) or elsewhere (02). */
  BILLING_PLACE_OF_SERVICE: z.enum(['02', '10']).default('10'),
  /** Where the program reviews records (the place of service of everything but the video visit): office, off- or on-campus outpatient hospital. */
  BILLING_PLACE_OF_SERVICE_REVIEW: z.enum(['11', '19', '22']).default('11'),
  BILLING_TAX_ID: z.string().regex(/^\d{2}-\d{7}$/, 'An employer identification number is written 12-3456789.').optional(),
  /** Online payment of bills through Stripe: off unless both are set. */
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/, 'A Stripe secret key starts with sk_test_ or sk_live_.').optional(),
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9]+$/, 'A Stripe webhook signing secret starts with whsec_.').optional(),
  /** Another Stripe API address (stripe-mock, a recorded-responses server); Stripe's own by default. */
  STRIPE_API_URL: z.url().optional(),
  BOARD_AGENDA_MAIL_DELAY_MINUTES: z.coerce.number().min(0).max(24 * 60).default(15),
  /** STUN/TURN servers for video visits, as WebRTC takes them: JSON like [{"urls":"turn:turn.example.org:3478","username":"u","credential":"p"}]. */
  ICE_SERVERS: z.string().default('[]').transform((v, ctx) => {
    try {
      return z.array(z.strictObject({ urls: z.union([z.string().regex(/^(stun|turns?):/), z.array(z.string().regex(/^(stun|turns?):/))]), username: z.string().optional(), credential: z.string().optional() })).parse(JSON.parse(v));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'ICE_SERVERS must be a JSON list of {urls, username?, credential?} with stun: or turn: addresses.' });
      return z.NEVER;
    }
  }),
  /** Shared secret of coturn's `use-auth-secret`: each participant gets TURN credentials that expire. */
  TURN_SECRET: z.string().min(16, 'TURN_SECRET must be at least 16 characters').optional(),
  TURN_URLS: z.string().default('').transform((v) => v.split(',').map((u) => u.trim()).filter(Boolean)).pipe(z.array(z.string().regex(/^turns?:/, 'TURN_URLS are turn: or turns: addresses'))),
  // At least as long as a room stays open (90 minutes) and a little more: an expired credential drops a relayed call.
  TURN_TTL_MINUTES: z.coerce.number().int().min(100).max(24 * 60).default(120),
  SERVICE_LEVELS_FILE: z.string().optional(),
  MATCHING_WEIGHTS_FILE: z.string().optional(),
  AUTO_ASSIGN_SERVICE_LINES: z.string().default(''),
  CONTACT_EMAIL: z.email().max(200).optional(),
  CONTACT_PHONE: z.string().trim().max(40).regex(/^\+?[0-9][0-9 ().-]{3,38}[0-9]$/, 'a phone number such as +1 555 010 0100').optional(),
  CONSILIUM_FAULT: z.enum(['report.beforeCommit']).optional(),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  /** Connections each instance keeps to PostgreSQL (several instances share the server's max_connections). */
  databasePoolSize: number;
  /** Prepare statements sent again and again, so PostgreSQL plans each once per connection. */
  databaseKeepPlans: boolean;
  /** Base of every absolute URL the server writes (mail links, FHIR fullUrls, DICOMweb, tus). */
  publicUrl: string;
  /**
   * Addresses or CIDR ranges of the reverse proxies whose X-Forwarded-For is believed. Empty: no
   * forwarded header is believed, so a client cannot choose the address the audit trail records.
   */
  trustedProxies: string[];
  demo: boolean;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  loginMaxFailures: number;
  loginLockMs: number;
  /** How long a "forgot password" link works. */
  passwordResetLinkMinutes: number;
  /** "Forgot password" requests per client address per hour (each account is also mailed at most a few links an hour). */
  passwordResetRatePerHour: number;
  bodyLimit: number;
  /** Largest file a person may upload (tus). */
  uploadMaxBytes: number;
  /** Master keys for blob encryption, "id:base64" comma-separated, the first current. */
  blobKeys?: string;
  /** S3-compatible object storage for files and uploads in progress (unset: folders under DATA_DIR). */
  s3?: S3Config;
  jobsPollMs: number;
  instanceName: string;
  /** Hours an expert has to answer an offer before it goes back to the coordinator. */
  offerResponseHours: number;
  /** Public assessment requests per client address per minute. */
  assessmentRatePerMinute: number;
  smtpUrl?: string;
  mailFrom: string;
  logLevel: string;
  webDist: string;
  /** Largest single DICOM instance accepted (STOW-RS part, file on a CD). */
  dicomMaxInstanceBytes: number;
  /** Largest whole-slide image (width × height, in millions of pixels) tiles are made for. */
  slideMaxMegapixels: number;
  /** The time a PDF's text may take to read, before one second per megabyte is added. */
  pdfReadBaseMs: number;
  /** Text recognition for photos and scanned pages (see `records/ocr.ts`). */
  ocr: { setting: 'auto' | 'tesseract' | 'off'; languages: string[]; maxPages: number };
  /** How long a DICOM whole-slide series must stop receiving instances before it is made into a slide. */
  dicomSlideSettleSeconds: number;
  /**
   * How long a viewer's many small reads (slide tiles) may reuse a session lookup and case access
   * decision made for the same person, case and slide; 0 checks the database on every tile.
   */
  viewerAccessReuseMs: number;
  /** The trial registry's API root (ClinicalTrials.gov data API v2). */
  trialsRegistryUrl: string;
  /** How often the local copy of recruiting trials is refreshed; 0 never (off-line installs, tests). */
  trialsSyncHours: number;
  /** External PACS mode: instance bytes go to this DICOMweb server; index and access stay here. */
  dicomwebUpstreamUrl?: string;
  /** The letterhead printed on every page of the opinion report. */
  reportLetterhead: string;
  /** Days after delivery during which the patient can ask follow-up questions. */
  followupDays: number;
  /** Who bills, printed on every bill for insurance claims (each part when set). */
  billingProvider: { address?: string | undefined; npi?: string | undefined; taxId?: string | undefined; placeOfService: '02' | '10'; reviewPlaceOfService: '11' | '19' | '22' };
  paymentTiming: 'after_delivery' | 'before_review';
  paymentInstructions: { en?: string | undefined; es?: string | undefined };
  /** Online payment of bills (Stripe); absent when not configured. */
  stripe?: { secretKey: string; webhookSecret: string; apiUrl?: string | undefined };
  /** Quiet time after a change to a board's agenda before its members are mailed (one mail per burst of edits). */
  boardAgendaMailDelayMs: number;
  /** STUN/TURN servers handed to browsers for video visits. */
  iceServers: { urls: string | string[]; username?: string; credential?: string }[];
  /** TURN servers whose credentials are made per participant from a secret shared with coturn. */
  turn?: { secret: string; urls: string[]; ttlSeconds: number };
  /** Business days per urgency and the holiday calendar (default: the bundled file). */
  serviceLevelsFile?: string;
  /** Weights of the expert-matching factors (default: the bundled file). */
  matchingWeightsFile?: string;
  /** Service lines whose cases are offered to the proposed team automatically. */
  autoAssignServiceLines: string[];
  /** Where people can write to the service: shown on the public home page (unset: not shown). */
  contactEmail?: string;
  /** Where people can call the service: shown on the public home page (unset: not shown). */
  contactPhone?: string;
  /** A crash point for the durability tests (`CONSILIUM_FAULT`); never set in production. */
  faultPoint?: 'report.beforeCommit';
  /** Secure cookies only where the deployment is behind TLS: production. */
  secureCookies: boolean;
}

/**
 * Where an S3-compatible store is reached, from `S3_URL` (`https://KEY:SECRET@host[:port]/bucket[/prefix]`).
 * One address carries endpoint, bucket and credentials so several instances are given the same
 * store by one setting; without credentials in it the AWS SDK's own chain is used (environment,
 * instance role), so a cloud deployment need not put a secret in the address at all.
 */
export interface S3Config {
  endpoint: string;
  bucket: string;
  /** Prepended to every key ("" or ending in "/"), so one bucket can serve several things. */
  prefix: string;
  region: string;
  /** Bucket in the path rather than the host name: what MinIO, Ceph and most self-hosted stores expect. */
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Splits S3_URL into its parts; throws a readable error when the bucket is missing. */
export function parseS3Url(url: string, region: string, forcePathStyle: boolean): S3Config {
  const u = new URL(url);
  const [bucket, ...rest] = u.pathname.split('/').filter(Boolean);
  if (!bucket) throw new Error('Invalid configuration:\n  S3_URL: name the bucket as the path (https://host/bucket)');
  const credentials = u.username ? { accessKeyId: decodeURIComponent(u.username), secretAccessKey: decodeURIComponent(u.password) } : undefined;
  return { endpoint: `${u.protocol}//${u.host}`, bucket, prefix: rest.length ? `${rest.join('/')}/` : '', region, forcePathStyle, credentials };
}

/** Builds the configuration from environment variables; throws a readable error on bad values. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (!e.STRIPE_SECRET_KEY !== !e.STRIPE_WEBHOOK_SECRET) throw new Error('Invalid configuration:\n  STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET: set both to take payments online, or neither.');
  const config: Config = {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseKeepPlans: e.DATABASE_KEEP_PLANS === 'true' || e.DATABASE_KEEP_PLANS === '1',
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    trustedProxies: e.TRUSTED_PROXIES.split(',').map((s) => s.trim()).filter(Boolean),
    demo: e.DEMO === 'true' || e.DEMO === '1',
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    loginLockMs: e.LOGIN_LOCK_MINUTES * 60_000,
    passwordResetLinkMinutes: e.PASSWORD_RESET_LINK_MINUTES,
    passwordResetRatePerHour: e.PASSWORD_RESET_RATE_PER_HOUR,
    bodyLimit: e.BODY_LIMIT_BYTES,
    assessmentRatePerMinute: e.ASSESSMENT_RATE_PER_MINUTE,
    uploadMaxBytes: e.UPLOAD_MAX_BYTES,
    blobKeys: e.BLOB_KEYS,
    s3: e.S3_URL ? parseS3Url(e.S3_URL, e.S3_REGION, e.S3_PATH_STYLE === 'true' || e.S3_PATH_STYLE === '1') : undefined,
    jobsPollMs: e.JOBS_POLL_MS,
    // Names this instance on the jobs it runs (a pod or host name), so operators see where work ran.
    instanceName: e.INSTANCE_NAME ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(2).toString('hex')}`,
    offerResponseHours: e.OFFER_RESPONSE_HOURS,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    logLevel: e.LOG_LEVEL,
    webDist: path.resolve(e.WEB_DIST ?? 'web/dist'),
    dicomMaxInstanceBytes: e.DICOM_MAX_INSTANCE_BYTES,
    slideMaxMegapixels: e.SLIDE_MAX_MEGAPIXELS,
    pdfReadBaseMs: e.PDF_READ_BASE_MS,
    ocr: { setting: e.OCR, languages: e.OCR_LANGUAGES.split(','), maxPages: e.OCR_MAX_PAGES },
    dicomSlideSettleSeconds: e.DICOM_SLIDE_SETTLE_SECONDS,
    viewerAccessReuseMs: e.VIEWER_ACCESS_REUSE_SECONDS * 1000,
    trialsRegistryUrl: e.TRIALS_REGISTRY_URL,
    trialsSyncHours: e.TRIALS_SYNC_HOURS ?? (e.NODE_ENV === 'test' ? 0 : 24),
    dicomwebUpstreamUrl: e.DICOMWEB_UPSTREAM_URL,
    reportLetterhead: e.REPORT_LETTERHEAD,
    followupDays: e.FOLLOWUP_DAYS,
    paymentTiming: e.BILLING_PAYMENT_TIMING,
    paymentInstructions: { en: e.BILLING_PAYMENT_INSTRUCTIONS, es: e.BILLING_PAYMENT_INSTRUCTIONS_ES },
    billingProvider: { address: e.BILLING_ADDRESS, npi: e.BILLING_NPI, taxId: e.BILLING_TAX_ID, placeOfService: e.BILLING_PLACE_OF_SERVICE, reviewPlaceOfService: e.BILLING_PLACE_OF_SERVICE_REVIEW },
    stripe: e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET ? { secretKey: e.STRIPE_SECRET_KEY, webhookSecret: e.STRIPE_WEBHOOK_SECRET, apiUrl: e.STRIPE_API_URL } : undefined,
    boardAgendaMailDelayMs: e.BOARD_AGENDA_MAIL_DELAY_MINUTES * 60_000,
    iceServers: e.ICE_SERVERS,
    turn: turnConfig(e.TURN_SECRET, e.TURN_URLS, e.TURN_TTL_MINUTES),
    serviceLevelsFile: e.SERVICE_LEVELS_FILE,
    matchingWeightsFile: e.MATCHING_WEIGHTS_FILE,
    autoAssignServiceLines: e.AUTO_ASSIGN_SERVICE_LINES.split(',').map((s) => s.trim()).filter(Boolean),
    contactEmail: e.CONTACT_EMAIL,
    contactPhone: e.CONTACT_PHONE,
    faultPoint: e.NODE_ENV === 'production' ? undefined : e.CONSILIUM_FAULT,
    secureCookies: e.NODE_ENV === 'production',
    ...overrides,
  };
  const badProxy = config.trustedProxies.find((p) => !isProxyAddress(p));
  if (badProxy) throw new Error(`Invalid configuration:\n  TRUSTED_PROXIES: "${badProxy}" is not an IP address, a CIDR range or one of loopback, linklocal, uniquelocal`);
  if (config.demo && config.env === 'production') {
    throw new Error('Demo mode is refused when NODE_ENV=production: it creates accounts with published passwords.');
  }
  return config;
}

/** An entry of TRUSTED_PROXIES: what Fastify's proxy-addr accepts (an address, a CIDR, a named range). */
function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = net.isIP(address ?? '');
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

/** TURN with per-participant credentials needs both the secret and where the servers are. */
function turnConfig(secret: string | undefined, urls: string[], ttlMinutes: number): Config['turn'] {
  if (!secret && !urls.length) return undefined;
  if (!secret || !urls.length) throw new Error('Invalid configuration:\n  TURN_SECRET and TURN_URLS go together: set both, or neither');
  return { secret, urls, ttlSeconds: ttlMinutes * 60 };
}
