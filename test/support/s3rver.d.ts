// s3rver ships no types; this is the part of its API the tests use.
declare module 's3rver' {
  interface S3rverOptions {
    port?: number;
    address?: string;
    silent?: boolean;
    directory: string;
    configureBuckets?: { name: string; configs: string[] }[];
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    /** Koa's middleware list: functions run in this order for every request. */
    middleware: ((ctx: never, next: () => Promise<void>) => unknown)[];
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
