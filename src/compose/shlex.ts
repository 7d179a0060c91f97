/**
 * Splits a `command:`/`entrypoint:` string into argv the way Compose does:
 * POSIX shell word splitting and quoting, with no expansion of any kind
 * (no variables, globs, or comments: `#` is an ordinary character).
 */

export class ShlexError extends Error {}

export function shlexSplit(input: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = input.indexOf("'", i + 1);
      if (end < 0) throw new ShlexError('unterminated single quote');
      word += input.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= input.length) throw new ShlexError('unterminated double quote');
        const d = input[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && i + 1 < input.length) {
          const e = input[i + 1]!;
          // Inside double quotes a backslash only escapes these; elsewhere it is literal.
          if (e === '"' || e === '\\' || e === '$' || e === '`') {
            word += e;
            i += 2;
            continue;
          }
          if (e === '\n') {
            i += 2;
            continue;
          }
        }
        word += d;
        i++;
      }
    } else if (c === '\\') {
      if (i + 1 >= input.length) throw new ShlexError('trailing backslash');
      const e = input[i + 1]!;
      if (e !== '\n') word += e;
      else if (word === '') inWord = false; // a line continuation alone starts no word
      i += 2;
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
