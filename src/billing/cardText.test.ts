import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PatientSection } from '../cases/intake.ts';
import { tesseractOcr } from '../records/ocr.ts';
import { cardIds } from './cardText.ts';

describe('member ID and group number from a card’s text', () => {
  it('reads labelled values as cards print them', () => {
    expect(cardIds('EXAMPLE HEALTH PLAN PPO\nMember: SAMPLE A PERSON\nMember ID: XWZ900123456\nGroup No: 0077123\nRxBIN 610014 RxPCN EXAMPLE')).toEqual({ memberId: 'XWZ900123456', groupNumber: '0077123' });
    expect(cardIds('Subscriber ID # XYZ 123456789-01\nGRP 12345')).toEqual({ memberId: 'XYZ 123456789-01', groupNumber: '12345' });
    expect(cardIds('Name: A Person   ID: W1234 56789\nGroup #: 0042A')).toEqual({ memberId: 'W1234 56789', groupNumber: '0042A' });
    expect(cardIds('ID de miembro: ABC987654321\nGrupo: 55501')).toEqual({ memberId: 'ABC987654321', groupNumber: '55501' });
  });

  it('leaves out what only looks like one: names, phone lines, pharmacy numbers', () => {
    expect(cardIds('Member: JANE Q SAMPLE\nMember Services 1-800-555-0100\nRxBIN 610014\nRxGRP ABC123\nRx Group: 99999')).toEqual({ memberId: null, groupNumber: null });
    expect(cardIds('')).toEqual({ memberId: null, groupNumber: null });
  });

  it('gives values the intake accepts as typed', () => {
    const ids = cardIds('Member ID: XWZ900123456\nGroup No: 0077123');
    expect(PatientSection.shape.insuranceMemberId.safeParse(ids.memberId).success).toBe(true);
    expect(PatientSection.shape.insuranceGroupNumber.safeParse(ids.groupNumber).success).toBe(true);
  });

  it('reads them from a photo of a card through Tesseract', async () => {
    const photo = fs.readFileSync(path.join(import.meta.dirname, '../../test/fixtures/ocr/insurance-card-front.png'));
    const { text } = await tesseractOcr({ languages: ['eng', 'spa'], maxPages: 1, timeoutMs: 60_000, budgetMs: 60_000 })(photo, 'png');
    expect(cardIds(text)).toEqual({ memberId: 'XWZ900123456', groupNumber: '0077123' });
  });
});
