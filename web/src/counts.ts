/** "1 case", "12 cases", "About 98,000 cases" (a long list's total is an estimate, rounded to show it). */
export function countLabel(total: number, estimated: boolean, one: string, many: string): string {
  if (!estimated) return total === 1 ? `1 ${one}` : `${total.toLocaleString('en-US')} ${many}`;
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(total)) - 1);
  return `About ${(Math.round(total / magnitude) * magnitude).toLocaleString('en-US')} ${many}`;
}
