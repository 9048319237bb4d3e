/**
 * Label selectors as the API server parses them (k8s.io/apimachinery/pkg/labels/selector.go):
 * `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (a,b)`, `key notin (a,b)`, `key>N`, `key<N`,
 * requirements joined by `,` (AND). Keys and values are validated like the server does; errors are
 * thrown as `LabelSelectorError` with messages of the server's shape.
 */

export class LabelSelectorError extends Error {
  override readonly name = 'LabelSelectorError';
}

type Operator = 'exists' | '!' | '=' | '==' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

interface Requirement {
  key: string;
  op: Operator;
  values: string[];
}

export type LabelMatcher = (labels: Readonly<Record<string, string>> | undefined) => boolean;

type TokenKind = 'ident' | 'in' | 'notin' | '!' | '!=' | '=' | '==' | '>' | '<' | '(' | ')' | ',' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
}

const SYMBOLS: ReadonlyArray<TokenKind> = ['!=', '==', '!', '=', '>', '<', '(', ')', ','];
const SPECIAL_CHARS = new Set(['!', '=', '>', '<', '(', ')', ',']);
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    const symbol = SYMBOLS.find((s) => input.startsWith(s, i));
    if (symbol !== undefined) {
      tokens.push({ kind: symbol, text: symbol });
      i += symbol.length;
      continue;
    }
    let j = i;
    while (j < input.length && !/\s/.test(input[j] as string) && !SPECIAL_CHARS.has(input[j] as string)) j += 1;
    const text = input.slice(i, j);
    tokens.push({ kind: text === 'in' ? 'in' : text === 'notin' ? 'notin' : 'ident', text });
    i = j;
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

function validateKey(key: string): void {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const problems: string[] = [];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    problems.push(
      "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    );
  }
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) {
    problems.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  }
  if (problems.length > 0) {
    throw new LabelSelectorError(`key: Invalid value: "${key}": ${problems.join(', ')}`);
  }
}

function validateValue(key: string, index: number, value: string): void {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    throw new LabelSelectorError(
      `values[${index}][${key}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    );
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.pos += 1;
    return token;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const start = this.peek();
      if (start.kind === 'end') return requirements;
      if (start.kind !== 'ident' && start.kind !== '!') {
        throw new LabelSelectorError(`found '${start.text}', expected: !, identifier, or 'end of string'`);
      }
      requirements.push(this.requirement());
      const after = this.next();
      if (after.kind === 'end') return requirements;
      if (after.kind !== ',') throw new LabelSelectorError(`found '${after.text}', expected: ',' or 'end of string'`);
      const following = this.peek();
      if (following.kind !== 'ident' && following.kind !== '!') {
        throw new LabelSelectorError(`found '${following.text}', expected: identifier after ','`);
      }
    }
  }

  private requirement(): Requirement {
    let token = this.next();
    let negated = false;
    if (token.kind === '!') {
      negated = true;
      token = this.next();
    }
    if (token.kind !== 'ident') throw new LabelSelectorError(`found '${token.text}', expected: identifier`);
    const key = token.text;
    validateKey(key);
    const following = this.peek().kind;
    if (following === 'end' || following === ',') return { key, op: negated ? '!' : 'exists', values: [] };
    if (negated) throw new LabelSelectorError(`found '${this.peek().text}', expected: ',' or 'end of string'`);
    const op = this.operator();
    const values = op === 'in' || op === 'notin' ? this.valueSet() : [this.exactValue()];
    if ((op === 'in' || op === 'notin') && values.length === 0) {
      throw new LabelSelectorError("for 'in', 'notin' operators, values set can't be empty");
    }
    if ((op === 'gt' || op === 'lt') && !/^-?\d+$/.test(values[0] ?? '')) {
      throw new LabelSelectorError(`values[0]: Invalid value: "${values[0] ?? ''}": for 'Gt', 'Lt' operators, the value must be an integer`);
    }
    if (op !== 'gt' && op !== 'lt') values.forEach((v, i) => validateValue(key, i, v));
    return { key, op, values };
  }

  private operator(): Operator {
    const token = this.next();
    switch (token.kind) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
        return token.kind;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new LabelSelectorError(`found '${token.text}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  private exactValue(): string {
    const following = this.peek();
    if (following.kind === 'end' || following.kind === ',') return '';
    const token = this.next();
    // In value position the keywords are plain values (`tier=in` is valid).
    if (token.kind === 'ident' || token.kind === 'in' || token.kind === 'notin') return token.text;
    throw new LabelSelectorError(`found '${token.text}', expected: identifier`);
  }

  private valueSet(): string[] {
    const open = this.next();
    if (open.kind !== '(') throw new LabelSelectorError(`found '${open.text}', expected: '('`);
    const values: string[] = [];
    if (this.peek().kind === ')') {
      this.next();
      return values;
    }
    for (;;) {
      const token = this.next();
      if (token.kind === 'ident' || token.kind === 'in' || token.kind === 'notin') {
        values.push(token.text);
      } else if (token.kind === ',' || token.kind === ')') {
        // `(a,,b)` and `(a,)` carry an empty value, as in the real parser.
        values.push('');
        if (token.kind === ')') return values;
        continue;
      } else {
        throw new LabelSelectorError(`found '${token.text}', expected: ',', ')' or identifier`);
      }
      const separator = this.next();
      if (separator.kind === ')') return values;
      if (separator.kind !== ',') throw new LabelSelectorError(`found '${separator.text}', expected: ',' or ')'`);
    }
  }
}

function matches(req: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  switch (req.op) {
    case 'exists':
      return has;
    case '!':
      return !has;
    case '=':
    case '==':
    case 'in':
      return has && req.values.includes(value as string);
    case '!=':
    case 'notin':
      return !has || !req.values.includes(value as string);
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(value as string)) return false;
      const n = Number(value);
      const bound = Number(req.values[0]);
      return req.op === 'gt' ? n > bound : n < bound;
    }
  }
}

/** Parses a selector; throws `LabelSelectorError` when the server would answer 400. Empty matches all. */
export function parseLabelSelector(selector: string): LabelMatcher {
  const requirements = new Parser(tokenize(selector)).parse();
  return (labels) => requirements.every((req) => matches(req, labels ?? {}));
}
