import { describe, expect, it } from 'vitest';
import { nextSpecimenStatuses, specimenStepProblems } from './specimens.ts';

describe('specimen tracking', () => {
  it('needs carrier and tracking number to ship and to return', () => {
    expect(specimenStepProblems('requested', { to: 'shipped' }, 10)).toEqual(['Give the carrier.', 'Give the tracking number.']);
    expect(specimenStepProblems('requested', { to: 'shipped', carrier: 'UPS', trackingNumber: '1Z999' }, 10)).toEqual([]);
    expect(specimenStepProblems('with_reviewer', { to: 'returned', carrier: 'FedEx' }, 10)).toEqual(['Give the tracking number.']);
  });
  it('checks count and condition on receipt, and asks for a note when they differ', () => {
    expect(specimenStepProblems('shipped', { to: 'received' }, 10)).toEqual(['Count the pieces that arrived.', 'Say what condition they arrived in.']);
    expect(specimenStepProblems('shipped', { to: 'received', receivedCount: 9, condition: 'intact' }, 10)).toEqual(['10 were expected and 9 arrived: add a note.']);
    expect(specimenStepProblems('shipped', { to: 'received', receivedCount: 10, condition: 'damaged' }, 10)).toEqual(['Describe the damage or what is missing.']);
    expect(specimenStepProblems('shipped', { to: 'received', receivedCount: 10, condition: 'intact' }, 10)).toEqual([]);
  });
  it('moves only forward along the chain', () => {
    expect(specimenStepProblems('returned', { to: 'received', receivedCount: 1, condition: 'intact' }, 1)[0]).toMatch(/cannot become/);
    expect(specimenStepProblems('requested', { to: 'with_reviewer' }, 1)[0]).toMatch(/cannot become/);
    expect(nextSpecimenStatuses('received')).toEqual(['with_reviewer', 'returned']);
  });
  it('calls off only material not yet sent, and only with a reason', () => {
    expect(specimenStepProblems('requested', { to: 'not_needed' }, 1)).toEqual(['Say why it is no longer needed.']);
    expect(specimenStepProblems('requested', { to: 'not_needed', note: 'Digital review sufficed.' }, 1)).toEqual([]);
    expect(specimenStepProblems('shipped', { to: 'not_needed', note: 'Too late.' }, 1)[0]).toMatch(/cannot become/);
    expect(nextSpecimenStatuses('not_needed')).toEqual([]);
  });
});
