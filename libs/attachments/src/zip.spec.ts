import { buildZip, crc32, fixtures } from './testing/zip-builder';
import { listZipEntries, readEntryData } from './zip';

describe('zip fixture builder', () => {
  it('computes the standard CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789', 'ascii'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });
});

describe('listZipEntries', () => {
  const entries = [
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text' },
    { name: 'content.xml', data: '<doc/>' },
    { name: 'Pictures/logo.png', data: fixtures.png() },
  ];

  it('reads names, methods and data via local headers', () => {
    const zip = buildZip(entries);
    const listed = listZipEntries(zip);
    expect(listed.map((e) => [e.name, e.method, e.compressedSize])).toEqual([
      ['mimetype', 0, 39],
      ['content.xml', 0, 6],
      ['Pictures/logo.png', 0, 16],
    ]);
    expect(readEntryData(zip, listed[0])?.toString()).toBe('application/vnd.oasis.opendocument.text');
    expect(readEntryData(zip, listed[1])?.toString()).toBe('<doc/>');
  });

  it('falls back to the central directory when sizes are deferred to data descriptors', () => {
    const zip = buildZip(entries, { dataDescriptor: true });
    const listed = listZipEntries(zip);
    expect(listed.map((e) => e.name)).toEqual(['mimetype', 'content.xml', 'Pictures/logo.png']);
    expect(readEntryData(zip, listed[0])?.toString()).toBe('application/vnd.oasis.opendocument.text');
    expect(readEntryData(zip, listed[1])?.toString()).toBe('<doc/>');
  });

  it('returns what it could read from a truncated archive', () => {
    const zip = buildZip(entries);
    const cut = zip.subarray(0, 30 + 'mimetype'.length + 39 + 30 + 4);
    expect(listZipEntries(cut).map((e) => e.name)).toEqual(['mimetype']);
  });

  it('never throws and always terminates on any truncation', () => {
    for (const options of [{}, { dataDescriptor: true }]) {
      const zip = buildZip(entries, options);
      for (let len = 0; len <= zip.length; len++) {
        const cut = zip.subarray(0, len);
        expect(() => listZipEntries(cut)).not.toThrow();
        for (const entry of listZipEntries(cut)) expect(() => readEntryData(cut, entry)).not.toThrow();
      }
    }
  });

  it('survives hostile size and offset fields', () => {
    const zip = buildZip(entries);
    const huge = Buffer.from(zip);
    huge.writeUInt32LE(0xfffffff0, 18); // first compressed size points far past the end
    // The local walk stops, and the intact central directory still has the truth.
    expect(listZipEntries(huge).map((e) => e.name)).toEqual(['mimetype', 'content.xml', 'Pictures/logo.png']);
    // Without an end record there is nothing to recover from.
    expect(listZipEntries(huge.subarray(0, huge.length - 22)).map((e) => e.name)).toEqual(['mimetype']);

    const zip64 = Buffer.from(zip);
    zip64.writeUInt32LE(0xffffffff, 18);
    expect(() => listZipEntries(zip64)).not.toThrow();

    const badCentral = buildZip(entries, { dataDescriptor: true });
    const eocd = badCentral.length - 22;
    badCentral.writeUInt16LE(0xffff, eocd + 10); // claims 65535 entries
    badCentral.writeUInt32LE(0xfffffff0, eocd + 16); // directory offset out of range
    expect(() => listZipEntries(badCentral)).not.toThrow();
    expect(listZipEntries(badCentral).length).toBeLessThanOrEqual(entries.length);
  });

  it('never throws on pseudo-random bytes behind a ZIP signature', () => {
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let round = 0; round < 300; round++) {
      const body = Buffer.from(Array.from({ length: 20 + (round % 200) }, next));
      const buf = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), body]);
      expect(() => listZipEntries(buf)).not.toThrow();
    }
  });
});
