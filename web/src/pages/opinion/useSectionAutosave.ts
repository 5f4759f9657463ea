import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../api.ts';

/** Where one section's changes are: typed but waiting, being saved, saved, failed (and retried), or refused as typed (waiting for a correction). */
export type SaveState = 'pending' | 'saving' | 'saved' | 'error' | 'invalid';

const RETRY_MS = 5_000;

/**
 * Saves a form section by section as it changes: debounced, only the sections touched since the
 * last save, retried after a failure, and flushed (with keepalive) when the editor closes or the
 * page is left, so switching tabs or reloading never loses what was typed.
 */
export function useSectionAutosave<K extends string>(save: (sections: K[], keepalive: boolean) => Promise<void>, delayMs = 800) {
  const [states, setStates] = useState<Partial<Record<K, SaveState>>>({});
  const [error, setError] = useState<unknown>(null);
  // Section → edit count when last touched; a section saved while typed on stays dirty.
  const dirty = useRef(new Map<K, number>());
  const edits = useRef(0);
  const inFlight = useRef<Promise<void> | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const saveRef = useRef(save);
  saveRef.current = save;

  const mark = (keys: K[], state: SaveState) => setStates((s) => ({ ...s, ...Object.fromEntries(keys.map((k) => [k, state])) }));

  const schedule = (ms: number) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void flushRef.current(), ms);
  };

  const flush = useCallback(async (keepalive = false): Promise<void> => {
    clearTimeout(timer.current);
    if (inFlight.current) {
      await inFlight.current;
      if (dirty.current.size) return flush(keepalive);
      return;
    }
    const taken = new Map(dirty.current);
    if (!taken.size) return;
    const keys = [...taken.keys()];
    mark(keys, 'saving');
    inFlight.current = saveRef.current(keys, keepalive).then(
      () => {
        for (const [k, n] of taken) if (dirty.current.get(k) === n) dirty.current.delete(k);
        setError(null);
        mark(keys.filter((k) => !dirty.current.has(k)), 'saved');
        mark(keys.filter((k) => dirty.current.has(k)), 'pending');
        if (dirty.current.size) schedule(delayMs);
      },
      (err: unknown) => {
        setError(err);
        // A value the server refuses will be refused again: wait for the person to correct it.
        const refused = err instanceof ApiError && err.status === 400;
        mark(keys, refused ? 'invalid' : 'error');
        if (!refused) schedule(RETRY_MS);
      },
    ).finally(() => { inFlight.current = null; });
    await inFlight.current;
  }, [delayMs]); // eslint-disable-line react-hooks/exhaustive-deps
  const flushRef = useRef(flush);
  flushRef.current = flush;

  const touch = useCallback((key: K) => {
    dirty.current.set(key, ++edits.current);
    mark([key], 'pending');
    schedule(delayMs);
  }, [delayMs]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    const onLeave = (e: BeforeUnloadEvent) => {
      if (!dirty.current.size) return;
      void flush(true);
      e.preventDefault();
    };
    window.addEventListener('beforeunload', onLeave);
    return () => {
      window.removeEventListener('beforeunload', onLeave);
      // The editor closes (another tab of the case, another page): what is typed still goes.
      if (dirty.current.size) void flush(true);
    };
  }, [flush]);

  const values = Object.values(states) as SaveState[];
  const overall: SaveState | null = values.includes('invalid') ? 'invalid' : values.includes('error') ? 'error' : values.includes('saving') ? 'saving' : values.includes('pending') ? 'pending' : values.length ? 'saved' : null;
  return { states, overall, error, touch, flush, hasUnsaved: () => dirty.current.size > 0 };
}
