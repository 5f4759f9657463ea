import type dcmjsModule from 'dcmjs';
import { onFirstUse } from '../core/onFirstUse.ts';

/**
 * dcmjs (its data dictionary alone is about 5 MB of heap), loaded by the first DICOM file read,
 * written or queried rather than at start-up. Its loggers are silenced once, on that load: they
 * report odd-but-readable files, and what they would print comes from the file (health data).
 */
export const dcmjs = onFirstUse<typeof dcmjsModule>('dcmjs', (m) => {
  m.log.setLevel('silent');
  // Its file validation logs through a logger of its own, made before any level is set.
  m.log.getLogger('validation.dcmjs').setLevel('silent');
});
