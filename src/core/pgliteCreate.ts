import { PGlite } from '@electric-sql/pglite';
import { PGLITE_FOLDER_OPTIONS } from './db.ts';

/**
 * Creates a PGlite database in the folder given, then exits: run as a process of its own on a
 * server's first start (see openDb), so the memory that creating it takes leaves with it.
 */
const dir = process.argv[2];
if (!dir) throw new Error('usage: pgliteCreate.ts <folder>');
await (await PGlite.create(dir, PGLITE_FOLDER_OPTIONS)).close();
