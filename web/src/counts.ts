/** A list's total as shown: exact, or an estimate rounded to two figures so it reads as one (98,412 → 98,000). */
export function shownTotal(total: number, estimated: boolean): number {
  if (!estimated) return total;
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(total)) - 1);
  return Math.round(total / magnitude) * magnitude;
}
