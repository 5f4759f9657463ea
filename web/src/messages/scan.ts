import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Reading the catalogue and the web app's sources for the catalogue's tests: which keys exist,
 * which the code uses, and which words the code still writes itself.
 */
export const WEB_SRC = path.resolve(import.meta.dirname, '..');
const MESSAGES = import.meta.dirname;

/** Every text of a language's catalogue by its full key ("home:how.title"); the server's catalogue has the same layout. */
export function catalogue(language = 'en', folder = MESSAGES): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (prefix: string, v: unknown) => {
    if (typeof v === 'string') out.set(prefix, v);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(prefix.endsWith(':') ? prefix + k : `${prefix}.${k}`, x);
    else throw new Error(`${prefix} is neither text nor a group of texts`);
  };
  for (const file of fs.readdirSync(path.join(folder, language)).filter((f) => f.endsWith('.json'))) {
    walk(`${path.basename(file, '.json')}:`, JSON.parse(fs.readFileSync(path.join(folder, language, file), 'utf8')));
  }
  return out;
}

export const namespaceOf = (key: string) => key.slice(0, key.indexOf(':'));

/**
 * i18next's plural categories and our two contexts: "own", the patient reading about their own
 * request, and "theirs", a caregiver or the referring physician reading about the patient's.
 */
const VARIANT = /(_own|_theirs)?(_(zero|one|two|few|many|other))?$/;
/** A catalogue key without its plural or context ending: the key the code asks for. */
export const baseKey = (key: string) => key.replace(VARIANT, '');

/** The web app's source files (tests and generated API types left out). */
export function webSources(): string[] {
  return (fs.readdirSync(WEB_SRC, { recursive: true }) as string[])
    .filter((f) => /\.tsx?$/.test(f) && !/\.test\.ts$|\.d\.ts$/.test(f) && !f.startsWith(`messages${path.sep}`))
    .map((f) => path.join(WEB_SRC, f));
}

export function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
}

export interface KeyUse { key: string; prefix: boolean; where: string }

const where = (node: ts.Node) => {
  const sf = node.getSourceFile();
  return `${path.relative(process.cwd(), sf.fileName)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
};

/**
 * The keys a file asks for: the first argument of `t(…)` / `i18n.t(…)` and `<Trans i18nKey=…>`.
 * A template key (`home:reasons.${r}`) uses every key under its fixed start.
 */
export function keyUses(sf: ts.SourceFile, callers: readonly string[] = ['t']): KeyUse[] {
  const uses: KeyUse[] = [];
  const take = (arg: ts.Node | undefined) => {
    if (!arg) return;
    if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) uses.push({ key: arg.text, prefix: false, where: where(arg) });
    else if (ts.isTemplateExpression(arg)) uses.push({ key: arg.head.text, prefix: true, where: where(arg) });
    else if (ts.isJsxExpression(arg)) take(arg.expression);
  };
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      // `t(…)`, `i18n.t(…)`, and a language's words asked for at once (`wordsIn(locale)(…)`).
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text
        : ts.isCallExpression(callee) && ts.isIdentifier(callee.expression) ? callee.expression.text : '';
      if (callers.includes(name)) take(node.arguments[0]);
    }
    if (ts.isJsxAttribute(node) && node.name.getText() === 'i18nKey') take(node.initializer);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return uses;
}

/** Props people see or hear (screen readers read aria-label and alt). */
const VISIBLE_PROPS = new Set(['label', 'placeholder', 'title', 'aria-label', 'description', 'alt', 'note', 'nothingFoundMessage', 'text']);
/** What may stand in the code as it is: no words, only signs and numbers ("·", "—", "✕", "1.", "⟳"). */
const NOT_WORDS = /^[\s\d·—–−←→↑↓✕•›…:;,.()%+\-"“”'’/#?!⌂⟲⟳⤢]*$/;

export interface Finding { text: string; where: string }

/** The texts an expression shows: itself, either branch of a condition, either side of && / || / ??. */
function shown(expr: ts.Expression): ts.Node[] {
  if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr) || ts.isTemplateExpression(expr)) return [expr];
  if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isNonNullExpression(expr)) return shown(expr.expression);
  if (ts.isConditionalExpression(expr)) return [...shown(expr.whenTrue), ...shown(expr.whenFalse)];
  if (ts.isBinaryExpression(expr) && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(expr.operatorToken.kind)) {
    return [...(expr.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ? [] : shown(expr.left)), ...shown(expr.right)];
  }
  return [];
}

const fixedText = (node: ts.Node) => (ts.isTemplateExpression(node) ? [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ') : (node as ts.StringLiteral).text);

/** Words the file writes itself where people see them, instead of taking them from the catalogue. */
export function wordsInCode(sf: ts.SourceFile): Finding[] {
  const found: Finding[] = [];
  const flag = (node: ts.Node, text: string) => {
    if (!NOT_WORDS.test(text)) found.push({ text: text.trim(), where: where(node) });
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node)) flag(node, node.text);
    else if (ts.isJsxExpression(node) && node.expression && !ts.isJsxAttribute(node.parent)) shown(node.expression).forEach((n) => flag(n, fixedText(n)));
    else if (ts.isJsxAttribute(node) && VISIBLE_PROPS.has(node.name.getText()) && node.initializer) {
      const init = node.initializer;
      if (ts.isStringLiteral(init)) flag(init, init.text);
      else if (ts.isJsxExpression(init) && init.expression) shown(init.expression).forEach((n) => flag(n, fixedText(n)));
    } else if (ts.isPropertyAssignment(node) && VISIBLE_PROPS.has(node.name.getText().replace(/['"]/g, ''))) {
      shown(node.initializer).forEach((n) => flag(n, fixedText(n)));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}
