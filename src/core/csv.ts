import { stringify } from 'csv-stringify/sync';

// A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell that a spreadsheet shows as text: a leading apostrophe stops formula evaluation. */
export function spreadsheetSafe(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** CSV for people who open it in a spreadsheet: every text cell is made formula-safe; numbers stay numbers. */
export function toCsv(rows: unknown[][]): string {
  return stringify(rows, { cast: { string: spreadsheetSafe } });
}
