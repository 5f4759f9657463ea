import { describe, expect, it } from 'vitest';
import { itemsOfImagingStudy } from './classify.ts';

describe('imaging studies on the checklist', () => {
  it('names the scans a study is, by modality and the words of its body part and descriptions', () => {
    expect(itemsOfImagingStudy(['CT'], 'CHEST CT CHEST WITH CONTRAST')).toEqual(['imaging_files', 'ct_chest']);
    expect(itemsOfImagingStudy(['CT'], 'LUNG HRCT prone expiratory')).toEqual(['imaging_files', 'ct_chest', 'hrct']);
    expect(itemsOfImagingStudy(['PT', 'CT'], 'WHOLEBODY')).toEqual(['imaging_files', 'pet_ct']);
    expect(itemsOfImagingStudy(['MR'], 'BRAIN')).toEqual(['imaging_files', 'brain_mri']);
    expect(itemsOfImagingStudy(['CT'], 'ABDOMEN')).toEqual(['imaging_files']);
    expect(itemsOfImagingStudy([], '')).toEqual(['imaging_files']);
  });
});
