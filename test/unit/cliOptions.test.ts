// The CLI's options table against what people see and type: every declared flag is in its command's
// help, a flag no command declares (or another command's) is refused naming it, and the numeric
// checks keep their messages. Pure: nothing is run, no AWS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMAND_NAMES, OPTIONS, commandHelp, optionsOf, parseCommandArgs } from '../../src/cli/commandOptions';
import { commands } from '../../src/cli/commandList';
import { optionLines, parseOptions } from '../../src/cli/options';

const parse = <C extends (typeof COMMAND_NAMES)[number]>(name: C, argv: string[]) =>
  parseCommandArgs(name, argv, commands[name]);

test('every command in main.ts is a declared command name, and every declared option belongs to one', () => {
  assert.deepEqual(Object.keys(commands).sort(), [...COMMAND_NAMES].sort());
  for (const d of OPTIONS)
    if (d.commands !== 'all') for (const c of d.commands) assert.ok(COMMAND_NAMES.includes(c), `${d.name}: ${c}`);
});

test('no command declares a flag or a short letter twice', () => {
  for (const c of COMMAND_NAMES) {
    const names = optionsOf(c).map((d) => d.name);
    assert.deepEqual(names, [...new Set(names)], c);
    const shorts = optionsOf(c).flatMap((d) => ('short' in d && d.short ? [d.short] : []));
    assert.deepEqual(shorts, [...new Set(shorts)], c);
  }
});

test("every declared option is in its command's help, with its description and default", () => {
  for (const c of COMMAND_NAMES) {
    const help = commandHelp(c, commands[c]);
    assert.match(help, new RegExp(`^Usage: sagemaker-hf ${c} `), c);
    for (const d of optionsOf(c)) {
      const line = help.split('\n').find((l) => l.includes(`--${d.name}`) && l.includes(d.description));
      assert.ok(line, `${c} --help lists --${d.name} with its description`);
      if ('short' in d && d.short) assert.ok(line.includes(`-${d.short}, --${d.name}`), `${c}: -${d.short}`);
      if ('default' in d && d.default !== undefined)
        assert.ok(line.includes(`(default ${d.default})`), `${c}: --${d.name} default`);
    }
  }
});

test('a flag nobody declared, or another command declared, is refused with a message naming it', () => {
  assert.throws(
    () => parse('stop', ['job', '--bogus']),
    (e: Error) => e.name === 'UserError' && /^Unknown option '--bogus'\./.test(e.message),
  );
  assert.throws(() => parse('stop', ['job', '--count', '2']), /Unknown option '--count'/, "--count is deploy's");
  assert.throws(() => parse('predict', ['-x']), /Unknown option '-x'/);
  assert.throws(() => parse('train', ['--dry-run=1']), /^UserError: Option '--dry-run' does not take an argument$/);
  assert.throws(() => parse('train', ['--bucket']), /^UserError: Option '--bucket <value>' argument missing$/);
});

test('global options and shorts parse for every command', () => {
  for (const c of COMMAND_NAMES) {
    const a = parse(c, [
      'x',
      '--region',
      'eu-west-1',
      '--profile',
      'p',
      '--endpoint-url',
      'http://127.0.0.1:5000',
      '--role',
      'arn:aws:iam::1:role/r',
      '-h',
    ]);
    assert.deepEqual(
      { ...a.values },
      {
        region: 'eu-west-1',
        profile: 'p',
        'endpoint-url': 'http://127.0.0.1:5000',
        role: 'arn:aws:iam::1:role/r',
        help: true,
      },
      c,
    );
    assert.deepEqual(a.positionals, ['x']);
  }
  assert.equal(parse('delete', ['e', '-y']).flag('yes'), true);
  assert.equal(parse('delete', ['e']).flag('yes'), false);
});

test('numbers are checked as before, with the same messages, and defaults come from the table', () => {
  const d = parse('deploy', ['job']);
  assert.equal(d.number('count'), 1);
  assert.equal(d.number('poll-seconds'), 30);
  assert.equal(d.text('instance-type'), 'ml.g4dn.xlarge');
  assert.equal(d.number('memory'), 2048);
  assert.equal(d.number('max-concurrency'), 5);
  assert.equal(d.values.count, undefined, 'values hold only what was typed');
  assert.equal(parse('deploy', ['job', '--poll-seconds', '0.5']).number('poll-seconds'), 0.5);
  const bad: [C: 'deploy' | 'train' | 'prepare', string[], string, RegExp][] = [
    ['deploy', ['--count', '1.5'], 'count', /^--count: '1\.5' is not a whole number of at least 1$/],
    ['deploy', ['--count', '0'], 'count', /^--count: '0' is not a whole number of at least 1$/],
    ['deploy', ['--poll-seconds=-3'], 'poll-seconds', /^--poll-seconds: '-3' is not a number from 0\.1 to 3600$/],
    ['train', ['--poll-seconds', 'abc'], 'poll-seconds', /^--poll-seconds: 'abc' is not a number from 0\.1 to 3600$/],
    ['train', ['--poll-seconds', '0x10'], 'poll-seconds', /^--poll-seconds: '0x10' is not a number from 0\.1 to 3600$/],
    ['deploy', ['--memory', '2k'], 'memory', /^--memory: '2k' is not a whole number$/],
    ['deploy', ['--max-concurrency', '+5'], 'max-concurrency', /^--max-concurrency: '\+5' is not a whole number$/],
    [
      'prepare',
      ['--instance-count', '0'],
      'instance-count',
      /^--instance-count: '0' is not a whole number of at least 1$/,
    ],
    ['prepare', ['--volume-gb', ' 30'], 'volume-gb', /^--volume-gb: ' 30' is not a whole number of at least 1$/],
    ['prepare', ['--max-runtime', '1.5'], 'max-runtime', /^--max-runtime: '1\.5' is not a whole number of at least 1$/],
    [
      'prepare',
      ['--workers', 'x'],
      'workers',
      /^--workers: expected a whole number of threads \(0 = tokenize on the main thread\), got 'x'$/,
    ],
  ];
  for (const [c, argv, name, re] of bad) {
    const a = parse(c, ['spec', ...argv]) as { number(n: string): number | undefined };
    assert.throws(
      () => a.number(name),
      (e: Error) => e.name === 'UserError' && re.test(e.message),
      `${c} ${argv.join(' ')}`,
    );
  }
  const p = parse('prepare', ['spec']);
  assert.equal(p.number('workers'), undefined, 'no default: the tokenizer picks one per core');
  assert.equal(p.number('instance-count'), 1);
  assert.equal(p.text('on'), 'local');
  assert.equal(parse('prepare', ['spec', '--workers', '0']).number('workers'), 0);
});

test('a repeatable option collects every value; help marks it', () => {
  const decls = [{ name: 'tag', type: 'repeatable', value: 'K=V', description: 'a tag', commands: 'all' }] as const;
  assert.deepEqual(parseOptions(decls, ['--tag', 'a=1', '--tag', 'b=2']).values.tag, ['a=1', 'b=2']);
  assert.match(optionLines(decls)[0]!, /^ {6}--tag K=V \(repeatable\) +a tag$/);
});
