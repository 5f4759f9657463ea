import type dcmjsModule from 'dcmjs';
import { onFirstUse } from '../core/onFirstUse.ts';

/**
 * dcmjs (its data dictionary alone is about 5 MB of heap), loaded by the first DICOM file read,
 * written or queried rather than at start-up. Its logger is silenced once, on that load: it
 * reports odd-but-readable files, and the values it would print can be health data.
 */
export const dcmjs = onFirstUse<typeof dcmjsModule>('dcmjs', (m) => m.log.setLevel('silent'));
