import { describe, expect, it } from 'vitest';
import { JOB_PAYLOADS, jobTable, type JobHandlers } from './jobs.ts';

const noop = async (): Promise<void> => undefined;
const all = Object.fromEntries(Object.keys(JOB_PAYLOADS).map((k) => [k, noop])) as unknown as JobHandlers;

describe('the job table built from capabilities', () => {
  it('takes each kind from the one capability that runs it', () => {
    const { 'event.dispatch': dispatch, ...rest } = all;
    expect(Object.keys(jobTable([rest, { 'event.dispatch': dispatch }])).sort()).toEqual(Object.keys(JOB_PAYLOADS).sort());
  });

  it('stops start-up when a kind has no handler or two', () => {
    const { 'event.dispatch': _dispatch, ...missing } = all;
    expect(() => jobTable([missing])).toThrow(/"event.dispatch" needs exactly one handler; 0/);
    expect(() => jobTable([all, { 'sla.remind': noop }])).toThrow(/"sla.remind" needs exactly one handler; 2/);
  });
});
