import { JsonDepthScanner, jsonTooDeep, MAX_JSON_DEPTH } from './json-depth';

const nested = (depth: number) => Buffer.from('['.repeat(depth) + ']'.repeat(depth));

describe('JSON nesting depth, counted over raw bytes', () => {
  it('allows the limit and refuses one level more, arrays and objects alike', () => {
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    const objects = '{"a":'.repeat(MAX_JSON_DEPTH + 1) + '1' + '}'.repeat(MAX_JSON_DEPTH + 1);
    expect(jsonTooDeep(Buffer.from(objects))).toBe(true);
    expect(jsonTooDeep(Buffer.from('{"a":[{"b":[1,2,{"c":{}}]}],"d":[]}'), 6)).toBe(false);
    expect(jsonTooDeep(Buffer.from('{"a":[{"b":[1,2,{"c":{}}]}],"d":[]}'), 5)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ message: '[[[[{{{{ "quoted [[[" \\ ]]]] ' + '['.repeat(100), name: 'ķēde \u0161' });
    expect(jsonTooDeep(Buffer.from(text), 1)).toBe(false);
    expect(jsonTooDeep(Buffer.from('["\\\\", [[]]]'), 2)).toBe(true);
    expect(jsonTooDeep(Buffer.from('["\\"[[[", []]'), 2)).toBe(false);
  });

  it('gives the same answer however the body is cut into chunks, even between a backslash and what it escapes', () => {
    const body = Buffer.from(JSON.stringify({ a: 'x\\"[[[\\', b: [[['"']]], c: '\u0161[' }));
    const whole = jsonTooDeep(body, 4);
    for (let cut = 0; cut <= body.length; cut++) {
      const scanner = new JsonDepthScanner(4);
      const ok = scanner.write(body.subarray(0, cut)) && scanner.write(body.subarray(cut));
      expect(!ok).toBe(whole);
    }
    expect(whole).toBe(false);
    expect(jsonTooDeep(body, 3)).toBe(true);
  });

  it('stays refused once too deep, and scans a large string body quickly', () => {
    const scanner = new JsonDepthScanner(2);
    expect(scanner.write(Buffer.from('[[['))).toBe(false);
    expect(scanner.write(Buffer.from(']]]'))).toBe(false);

    const big = Buffer.from(JSON.stringify({ files: [{ contentBase64: 'QUJD'.repeat(10_000_000) }], escapes: '\\"'.repeat(200_000) }));
    const started = performance.now();
    expect(jsonTooDeep(big)).toBe(false);
    // About 0.1 s here; searching each escape's string to its end again would take minutes.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
