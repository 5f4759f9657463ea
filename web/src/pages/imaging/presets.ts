/**
 * Window/level presets for CT in Hounsfield units: display conventions, not clinical findings.
 * Values as shipped by the OHIF Viewer (lung, bone, brain, soft tissue for abdomen) and
 * Radiopaedia's "mediastinal window" (W 350, L 50); reviewed 2026-11-25.
 */
export interface WindowPreset {
  id: string;
  label: string;
  width: number;
  center: number;
  key: string;
}

export const WINDOW_PRESETS: WindowPreset[] = [
  { id: 'lung', label: 'Lung', width: 1500, center: -600, key: '1' },
  { id: 'mediastinum', label: 'Mediastinum', width: 350, center: 50, key: '2' },
  { id: 'bone', label: 'Bone', width: 2500, center: 480, key: '3' },
  { id: 'brain', label: 'Brain', width: 80, center: 40, key: '4' },
  { id: 'abdomen', label: 'Abdomen', width: 400, center: 40, key: '5' },
];

export const PRESET_SOURCES = 'OHIF Viewer default CT presets; Radiopaedia, "Windowing (CT)" (mediastinal window). Reviewed 2026-11-25.';
