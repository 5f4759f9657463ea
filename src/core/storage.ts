import path from 'node:path';
import type { Config } from './config.ts';
import { folderBackend, type ObjectBackend } from './objects.ts';
import { s3Backend } from './s3.ts';

/** The backend configured for this server: the S3 bucket when S3_URL is set, else the folder `DATA_DIR/blobs`. */
export function objectBackendFor(config: Pick<Config, 'dataDir' | 's3'>): ObjectBackend {
  return config.s3 ? s3Backend(config.s3) : folderBackend(path.join(config.dataDir, 'blobs'));
}
