/** One clinical fact drawn from an imported record, with the part it came from as received. */
export interface ClinicalEntry {
  kind: 'condition' | 'observation' | 'diagnostic_report' | 'procedure' | 'medication' | 'patient';
  code: string | null;
  codeSystem: string | null;
  display: string | null;
  value: string | null;
  unit: string | null;
  effective: string | null;
  status: string | null;
  source: unknown;
}

export type ImportResult = { ok: true; entries: ClinicalEntry[]; format: string } | { ok: false; errors: string[] };
