import { detectFileType } from '@lib/attachments';
import { buildZip, fixtures } from './testing/zip-builder';

const ODT = 'application/vnd.oasis.opendocument.text';
const ODS = 'application/vnd.oasis.opendocument.spreadsheet';
const ODP = 'application/vnd.oasis.opendocument.presentation';
const ASICE = 'application/vnd.etsi.asic-e+zip';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

describe('detectFileType — magic bytes', () => {
  it.each([
    ['PDF', fixtures.pdf(), { ext: 'pdf', mime: 'application/pdf' }],
    ['JPEG', fixtures.jpeg(), { ext: 'jpg', mime: 'image/jpeg' }],
    ['PNG', fixtures.png(), { ext: 'png', mime: 'image/png' }],
    ['little-endian TIFF', fixtures.tiffLE(), { ext: 'tif', mime: 'image/tiff' }],
    ['big-endian TIFF', fixtures.tiffBE(), { ext: 'tif', mime: 'image/tiff' }],
    ['OLE2 compound file', fixtures.ole2(), { ext: 'doc', mime: 'application/msword' }],
  ])('recognises %s', (_label, buf, expected) => {
    expect(detectFileType(buf)).toEqual(expected);
  });

  it.each([
    ['an empty buffer', Buffer.alloc(0)],
    ['a Windows executable', fixtures.exe()],
    ['plain text', Buffer.from('hello, world')],
    ['half a JPEG signature', Buffer.from([0xff, 0xd8])],
    ['"%PDF" without the dash', Buffer.from('%PDF1.4')],
    ['PDF magic not at offset 0', Buffer.from(' %PDF-1.4')],
    ['a GIF', Buffer.from('GIF89a')],
  ])('returns null for %s', (_label, buf) => {
    expect(detectFileType(buf)).toBeNull();
  });

  it('returns null for non-Buffer input from untyped callers', () => {
    expect(detectFileType('%PDF-1.4' as unknown as Buffer)).toBeNull();
  });
});

describe('detectFileType — ZIP containers', () => {
  it.each([
    [ODT, 'odt'],
    [ODS, 'ods'],
    [ODP, 'odp'],
  ])('uses the stored mimetype entry %s', (mime, ext) => {
    expect(detectFileType(fixtures.odf(mime))).toEqual({ ext, mime });
  });

  it('recognises an ASiC-E container (also what an .edoc is)', () => {
    expect(detectFileType(fixtures.asice())).toEqual({ ext: 'asice', mime: ASICE });
  });

  it.each([
    ['word/document.xml', 'docx', DOCX],
    ['xl/workbook.xml', 'xlsx', XLSX],
    ['ppt/presentation.xml', 'pptx', PPTX],
  ] as const)('recognises OOXML by [Content_Types].xml + %s', (part, ext, mime) => {
    expect(detectFileType(fixtures.ooxml(part))).toEqual({ ext, mime });
  });

  it.each([
    ['word/document.xml', 'docx'],
    ['xl/workbook.xml', 'xlsx'],
  ] as const)('reads %s names from the central directory when a data descriptor hides sizes', (part, ext) => {
    expect(detectFileType(fixtures.ooxml(part, { dataDescriptor: true }))?.ext).toBe(ext);
  });

  it('reads a deferred-size mimetype through the central directory', () => {
    const zip = buildZip(
      [
        { name: 'mimetype', data: ODS },
        { name: 'content.xml', data: '<x/>' },
      ],
      { dataDescriptor: true },
    );
    expect(detectFileType(zip)).toEqual({ ext: 'ods', mime: ODS });
  });

  it('tolerates differently cased OPC part names', () => {
    const zip = buildZip([
      { name: '[content_types].XML', data: '<Types/>' },
      { name: 'Word/Document.xml', data: '<w/>' },
    ]);
    expect(detectFileType(zip)?.ext).toBe('docx');
  });

  it.each([
    ['a plain zip', buildZip([{ name: 'readme.txt', data: 'hi' }])],
    ['an empty zip', buildZip([])],
    [
      'an EPUB (unknown mimetype)',
      buildZip([
        { name: 'mimetype', data: 'application/epub+zip' },
        { name: 'OEBPS/a.xhtml', data: '<html/>' },
      ]),
    ],
    ['a near-miss mimetype', fixtures.odf('application/vnd.oasis.opendocument.text-template')],
    [
      'a mimetype that is not the first entry',
      buildZip([
        { name: 'content.xml', data: '<x/>' },
        { name: 'mimetype', data: ODT },
      ]),
    ],
    ['word/ without [Content_Types].xml', buildZip([{ name: 'word/document.xml', data: '<w/>' }])],
    [
      '[Content_Types].xml without a known part folder',
      buildZip([
        { name: '[Content_Types].xml', data: '<Types/>' },
        { name: 'visio/page.xml', data: '<v/>' },
      ]),
    ],
  ])('returns null for %s', (_label, zip) => {
    expect(detectFileType(zip)).toBeNull();
  });

  it('ignores a mimetype entry that is not stored uncompressed', () => {
    const zip = fixtures.odf(ODT);
    zip.writeUInt16LE(8, 8); // claim "deflate" for the first entry
    expect(detectFileType(zip)).toBeNull();
  });

  it('never throws on any truncation of any container fixture', () => {
    const all = [
      fixtures.odf(ODT),
      fixtures.asice(),
      fixtures.ooxml('word/document.xml'),
      fixtures.ooxml('ppt/presentation.xml', { dataDescriptor: true }),
    ];
    for (const zip of all) {
      for (let len = 0; len <= zip.length; len++) {
        expect(() => detectFileType(zip.subarray(0, len))).not.toThrow();
      }
    }
  });

  it('returns null for a ZIP signature followed by garbage', () => {
    expect(detectFileType(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0xff, 0xff]))).toBeNull();
    expect(detectFileType(Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(200, 0xff)]))).toBeNull();
  });
});
