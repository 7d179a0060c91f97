import test from 'ava';
import { ShlexError, shlexSplit } from '../../../src/compose/shlex';

test('splits on blanks; quotes group; nothing is expanded', (t) => {
  t.deepEqual(shlexSplit('echo  hello\tworld\n'), ['echo', 'hello', 'world']);
  t.deepEqual(shlexSplit(`sh -c 'echo $HOME; ls *'`), ['sh', '-c', 'echo $HOME; ls *']);
  t.deepEqual(shlexSplit('a"b c"d'), ['ab cd']);
  t.deepEqual(shlexSplit('echo # not a comment'), ['echo', '#', 'not', 'a', 'comment']);
  t.deepEqual(shlexSplit(''), []);
  t.deepEqual(shlexSplit('   '), []);
});

test('empty quotes make an empty word', (t) => {
  t.deepEqual(shlexSplit(`a '' ""`), ['a', '', '']);
});

test('backslashes: escape outside quotes, limited escapes inside double quotes, literal in single quotes', (t) => {
  t.deepEqual(shlexSplit('a\\ b'), ['a b']);
  t.deepEqual(shlexSplit('"a \\"q\\" \\$x \\\\ \\n"'), ['a "q" $x \\ \\n']);
  t.deepEqual(shlexSplit(`'a\\nb'`), ['a\\nb']);
  t.deepEqual(shlexSplit('one \\\ntwo'), ['one', 'two']);
});

test('unterminated quotes and a trailing backslash are errors', (t) => {
  t.throws(() => shlexSplit(`echo 'x`), { instanceOf: ShlexError, message: 'unterminated single quote' });
  t.throws(() => shlexSplit('echo "x'), { instanceOf: ShlexError, message: 'unterminated double quote' });
  t.throws(() => shlexSplit('echo \\'), { instanceOf: ShlexError, message: 'trailing backslash' });
});
