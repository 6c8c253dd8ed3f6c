// Python json.dumps parity for hyperparameter values. Expected strings were produced by CPython 3.11's
// json.dumps on the same values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pyFloat, pythonFloatRepr, pythonJsonDumps } from '../../src/core/pythonJson';

test('floats use Python repr in both notations', () => {
  const cases: [number, string][] = [
    [3e-5, '3e-05'],
    [0.1, '0.1'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [2.5, '2.5'],
    [-0.5, '-0.5'],
    [1e100, '1e+100'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [5e-324, '5e-324'],
    [123456789.125, '123456789.125'],
    [1.2345678901234568e17, '1.2345678901234568e+17'],
    [0.3, '0.3'],
    [2 / 3, '0.6666666666666666'],
    [-1e-10, '-1e-10'],
    [9999999999999998, '9999999999999998.0'],
  ];
  for (const [v, want] of cases) assert.equal(pythonFloatRepr(v), want, String(v));
  assert.equal(pythonFloatRepr(0), '0.0');
  assert.equal(pythonFloatRepr(-0), '-0.0');
  assert.equal(pythonJsonDumps(NaN), 'NaN');
  assert.equal(pythonJsonDumps(Infinity), 'Infinity');
  assert.equal(pythonJsonDumps(-Infinity), '-Infinity');
});

test('integers stay integers, large ones too; pyFloat forces a float', () => {
  assert.equal(pythonJsonDumps(4), '4');
  assert.equal(pythonJsonDumps(-17), '-17');
  assert.equal(pythonJsonDumps(9007199254740991), '9007199254740991');
  assert.equal(pythonJsonDumps(12345678901234567890n), '12345678901234567890');
  assert.equal(pythonJsonDumps(pyFloat(4)), '4.0');
  assert.equal(pythonJsonDumps(pyFloat(1e16)), '1e+16');
  // Beyond 2^53 a JS number can only have come from a float literal (JSON.parse rounds integers there).
  assert.equal(pythonJsonDumps(1e16), '1e+16');
});

test('booleans, null and strings as json.dumps writes them', () => {
  assert.equal(pythonJsonDumps(true), 'true');
  assert.equal(pythonJsonDumps(false), 'false');
  assert.equal(pythonJsonDumps(null), 'null');
  assert.equal(pythonJsonDumps('bert-base-uncased'), '"bert-base-uncased"');
  assert.equal(pythonJsonDumps('a"b\\c\n\t\r\b\f'), '"a\\"b\\\\c\\n\\t\\r\\b\\f"');
  assert.equal(pythonJsonDumps('\u0001\u001f\u007f'), '"\\u0001\\u001f\\u007f"');
  assert.equal(pythonJsonDumps('/path/to'), '"/path/to"', 'slash is not escaped');
});

test('non-ASCII is escaped as \\uXXXX (ensure_ascii), astral characters as surrogate pairs', () => {
  assert.equal(pythonJsonDumps('café'), '"caf\\u00e9"');
  assert.equal(pythonJsonDumps('日本'), '"\\u65e5\\u672c"');
  assert.equal(pythonJsonDumps('😀'), '"\\ud83d\\ude00"');
});

test('lists and dicts use Python separators, nested', () => {
  assert.equal(pythonJsonDumps([1, 2]), '[1, 2]');
  assert.equal(pythonJsonDumps([]), '[]');
  assert.equal(pythonJsonDumps({}), '{}');
  assert.equal(pythonJsonDumps({ a: 1 }), '{"a": 1}');
  assert.equal(
    pythonJsonDumps({ a: [1, 2.5, { b: null, é: [true, 'x'] }], c: { d: 3e-5 } }),
    '{"a": [1, 2.5, {"b": null, "\\u00e9": [true, "x"]}], "c": {"d": 3e-05}}',
  );
});
