/**
 * Finding here-document delimiters on an instruction line (`RUN <<EOF`, `COPY <<-'A' /dst`),
 * as BuildKit's parser does.
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { expandWords } from './shell-lex.js';
import type { Heredoc } from './types.js';

/** A delimiter found on a line; the body is read by the parser from the lines that follow. */
export type HeredocHeader = Omit<Heredoc, 'content'>;

const heredocRe = /^(\d*)<<(-?)[\t\n\v\f\r ]*([^<]*)$/u;

const quoteCount = (s: string): number => (s.match(/['"]/g) ?? []).length;

/**
 * Reads one word as a heredoc marker (`<<EOF`, `<<-"EOF"`, `2<<EOF`); undefined when it is
 * none. The delimiter is unquoted; any quoting turns expansion of the body off, as in the shell.
 *
 * @throws InvalidArgumentError when the delimiter itself cannot be lexed (an open quote).
 */
export function parseHeredocWord(word: string): HeredocHeader | undefined {
  const m = heredocRe.exec(word);
  const rest = m?.[3] ?? '';
  if (!m || rest === '') return undefined;
  // Lexing errors are BuildKit's (the lexer always uses `\` here, whatever the escape directive).
  const plain = expandWords(rest, {}, { skipUnset: true });
  if (plain.length !== 1) return undefined;
  const raw = expandWords(rest, {}, { skipUnset: true, rawQuotes: true });
  if (raw.length !== 1) {
    throw new InvalidArgumentError(`internal lexing of heredoc produced inconsistent results: ${rest}`);
  }
  const name = plain[0] ?? '';
  const header: HeredocHeader = { name, expand: quoteCount(name) === quoteCount(raw[0] ?? ''), chomp: m[2] === '-' };
  if (m[1] !== '') header.fileDescriptor = Number(m[1]);
  return header;
}

/**
 * The heredoc markers of a line, in order. A line the lexer cannot split (an unbalanced quote
 * in a shell command) has none.
 *
 * @throws InvalidArgumentError from {@link parseHeredocWord}.
 */
export function heredocsFromLine(line: string): HeredocHeader[] {
  let words: string[];
  try {
    words = expandWords(line, {}, { rawQuotes: true, rawEscapes: true, skipUnset: true });
  } catch {
    return [];
  }
  const out: HeredocHeader[] = [];
  for (const word of words) {
    const header = parseHeredocWord(word);
    if (header) out.push(header);
  }
  return out;
}
