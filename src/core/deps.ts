import type { Config } from './config.ts';
import type { Db } from './db.ts';

/** What every service is built from: configuration, the database and a clock tests can move. */
export interface Deps {
  config: Config;
  db: Db;
  now: () => Date;
}
