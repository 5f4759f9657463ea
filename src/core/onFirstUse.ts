import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A large CommonJS package loaded the first time it is needed rather than at start-up: ZIP codes,
 * barcodes, PDF layout, the Stripe client and the SMTP client together held about a third of the
 * server's heap at rest (and 80 MB more of its memory), though most servers seldom print a label
 * or take a payment, and every full collection walked them. The first call pays the load (and
 * `prepare`, for a package set up once, such as a logger silenced).
 */
export function onFirstUse<T>(name: string, prepare?: (loaded: T) => void): () => T {
  let loaded: T | undefined;
  return () => {
    if (loaded === undefined) {
      const m = require(name) as T;
      prepare?.(m);
      loaded = m;
    }
    return loaded;
  };
}
