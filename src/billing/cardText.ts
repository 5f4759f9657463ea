/**
 * The member ID and group number read from the text of an insurance card's photo. Cards print
 * them as a label and a value ("Member ID: XWZ900123456", "Group # 0077123", "GRP 12345",
 * "ID de miembro: ..."), in no fixed place; the patient is shown what was read and decides
 * whether to use it, since text recognition confuses O with 0 and I with 1.
 */
export interface CardIds {
  memberId: string | null;
  groupNumber: string | null;
}

// Labels before the value. Pharmacy numbers (RxBIN, RxPCN, RxGRP) are the pharmacy plan's, not the member's.
const MEMBER_LABEL = /(?<![a-z])(?:member|subscriber|identification|enrollee|id\s+de\s+miembro|n[uú]mero\s+de\s+(?:miembro|afiliado)|no\.?\s+de\s+afiliado)\s*(?:id|number|no\.?|num\.?|#)?(?:\s*(?:id|number|no\.?|#))?\s*[:#.]?\s*/gi;
const ID_LABEL = /(?<![a-z]|rx\s?)\bid\s*(?:#|no\.?|number)?\s*[:#]\s*/gi;
const GROUP_LABEL = /(?<!rx\s?)\b(?:group|grp|grupo)\s*(?:number|no\.?|num\.?|#|n[uú]mero)?\s*[:#.]?\s*/gi;

/**
 * A value as printed: words of letters and digits (dashes inside), each with a digit, or a short
 * capital prefix before one ("XYZ 123456789"). "Member Services 1-800-…" is a phone line, not an id.
 */
function valueAfter(text: string, end: number, min: number): string | null {
  const words = text.slice(end, end + 60).split(/\s+/);
  const taken: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!.replace(/[.,;]$/, '');
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(word)) break;
    const next = words[i + 1]?.replace(/[.,;]$/, '') ?? '';
    if (/\d/.test(word) || (/^[A-Z]{1,4}$/.test(word) && /^[A-Za-z0-9-]*\d/.test(next))) taken.push(word);
    else break;
    if (word !== words[i]) break;
  }
  const value = taken.join(' ');
  return value.length >= min && value.length <= 40 && /\d/.test(value) ? value.toUpperCase() : null;
}

function firstValue(line: string, label: RegExp, min: number): string | null {
  label.lastIndex = 0;
  for (let m = label.exec(line); m; m = label.exec(line)) {
    const value = valueAfter(line, m.index + m[0].length, min);
    if (value) return value;
  }
  return null;
}

export function cardIds(text: string): CardIds {
  let memberId: string | null = null;
  let groupNumber: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    groupNumber ??= firstValue(line, GROUP_LABEL, 3);
    memberId ??= firstValue(line, MEMBER_LABEL, 5) ?? firstValue(line, ID_LABEL, 5);
  }
  return { memberId, groupNumber };
}
