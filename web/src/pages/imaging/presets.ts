import i18n from '../../i18n.ts';

/**
 * Window/level presets for CT in Hounsfield units: display conventions, not clinical findings.
 * Values as shipped by the OHIF Viewer (lung, bone, brain, soft tissue for abdomen) and
 * Radiopaedia's "mediastinal window" (W 350, L 50); reviewed 2026-11-25.
 */
export interface WindowPreset {
  id: string;
  /** The preset's name in the reader's language (the viewer's catalogue, records:viewer.preset.…), read when shown. */
  readonly label: string;
  width: number;
  center: number;
  key: string;
}

const PRESETS = [
  { id: 'lung', width: 1500, center: -600, key: '1' },
  { id: 'mediastinum', width: 350, center: 50, key: '2' },
  { id: 'bone', width: 2500, center: 480, key: '3' },
  { id: 'brain', width: 80, center: 40, key: '4' },
  { id: 'abdomen', width: 400, center: 40, key: '5' },
] as const;

export const WINDOW_PRESETS: WindowPreset[] = PRESETS.map((p) => ({
  ...p,
  get label() {
    return i18n.t(`records:viewer.preset.${p.id}`);
  },
}));

export const PRESET_SOURCES = 'OHIF Viewer default CT presets; Radiopaedia, "Windowing (CT)" (mediastinal window). Reviewed 2026-11-25.';
