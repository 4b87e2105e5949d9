import { ALLOWED_EXTENSIONS, MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES, validateAttachment, validateAttachments } from '@lib/attachments';
import { buildZip, fixtures } from './testing/zip-builder';

const ODT = 'application/vnd.oasis.opendocument.text';
const ODS = 'application/vnd.oasis.opendocument.spreadsheet';
const ODP = 'application/vnd.oasis.opendocument.presentation';
const ASICE = 'application/vnd.etsi.asic-e+zip';

describe('constants', () => {
  it('match the Latvija.lv portal rules', () => {
    expect(MAX_ATTACHMENTS).toBe(10);
    expect(MAX_ATTACHMENT_BYTES).toBe(10_485_760);
    expect([...ALLOWED_EXTENSIONS].sort()).toEqual([
      'asice',
      'doc',
      'docx',
      'edoc',
      'jpeg',
      'jpg',
      'odp',
      'ods',
      'odt',
      'pdf',
      'png',
      'pptx',
      'tif',
      'tiff',
      'xlsx',
    ]);
  });
});

describe('validateAttachment — accepted files', () => {
  it.each([
    ['Iesniegums.pdf', fixtures.pdf(), 'pdf', 'application/pdf'],
    ['foto.jpg', fixtures.jpeg(), 'jpg', 'image/jpeg'],
    ['FOTO.JPEG', fixtures.jpeg(), 'jpeg', 'image/jpeg'],
    ['ekrāns.png', fixtures.png(), 'png', 'image/png'],
    ['scan.tif', fixtures.tiffLE(), 'tif', 'image/tiff'],
    ['scan.tiff', fixtures.tiffBE(), 'tiff', 'image/tiff'],
    ['vecs.doc', fixtures.ole2(), 'doc', 'application/msword'],
    ['teksts.odt', fixtures.odf(ODT), 'odt', ODT],
    ['tabula.ods', fixtures.odf(ODS), 'ods', ODS],
    ['slaidi.odp', fixtures.odf(ODP), 'odp', ODP],
    ['parakstīts.asice', fixtures.asice(), 'asice', ASICE],
    ['parakstīts.edoc', fixtures.asice(), 'edoc', ASICE],
    ['Līgums.docx', fixtures.ooxml('word/document.xml'), 'docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['Budžets.xlsx', fixtures.ooxml('xl/workbook.xml'), 'xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    [
      'Prezentācija.pptx',
      fixtures.ooxml('ppt/presentation.xml'),
      'pptx',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
  ])('accepts %s', (filename, content, ext, mime) => {
    expect(validateAttachment({ filename, contentType: 'application/octet-stream', content })).toEqual({
      ok: true,
      filename,
      contentType: mime,
      ext,
      size: content.length,
    });
  });

  it('returns the detected mime, not the declared one', () => {
    const result = validateAttachment({ filename: 'a.png', contentType: 'application/pdf', content: fixtures.png() });
    expect(result).toMatchObject({ ok: true, contentType: 'image/png' });
  });

  it('works without a declared content type', () => {
    expect(validateAttachment({ filename: 'a.pdf', content: fixtures.pdf() }).ok).toBe(true);
  });

  it('returns and judges the sanitised filename', () => {
    expect(validateAttachment({ filename: '../../tmp/Līgums.pdf. ', content: fixtures.pdf() })).toMatchObject({
      ok: true,
      filename: 'Līgums.pdf',
      ext: 'pdf',
    });
  });

  it('accepts a file of exactly the maximum size', () => {
    const content = Buffer.concat([fixtures.pdf(), Buffer.alloc(MAX_ATTACHMENT_BYTES - fixtures.pdf().length)]);
    expect(validateAttachment({ filename: 'big.pdf', content })).toMatchObject({ ok: true, size: MAX_ATTACHMENT_BYTES });
  });
});

describe('validateAttachment — rejected files', () => {
  it('rejects an empty file', () => {
    expect(validateAttachment({ filename: 'a.pdf', contentType: 'application/pdf', content: Buffer.alloc(0) })).toEqual({
      ok: false,
      code: 'empty',
      message: 'The file is empty',
    });
  });

  it('rejects a file one byte over the limit', () => {
    const content = Buffer.concat([fixtures.pdf(), Buffer.alloc(MAX_ATTACHMENT_BYTES + 1 - fixtures.pdf().length)]);
    expect(validateAttachment({ filename: 'big.pdf', content })).toEqual({
      ok: false,
      code: 'too_large',
      message: 'The file is larger than 10 MB',
    });
  });

  it.each([
    ['setup.exe', fixtures.exe(), /\.exe/],
    ['archive.zip', buildZip([{ name: 'a.txt', data: 'a' }]), /\.zip/],
    ['disguised.zip', fixtures.ooxml('word/document.xml'), /\.zip/],
    ['invoice.pdf.exe', fixtures.pdf(), /\.exe/],
    ['notes.txt', Buffer.from('hello'), /\.txt/],
    ['README', Buffer.from('hello'), /without extension/],
    ['.pdf', fixtures.pdf(), /without extension/], // becomes "pdf" once the leading dot is gone
  ])('rejects %s as type_not_allowed', (filename, content, message) => {
    expect(validateAttachment({ filename, contentType: 'application/pdf', content })).toEqual({
      ok: false,
      code: 'type_not_allowed',
      message: expect.stringMatching(message),
    });
  });

  it.each([
    ['an exe renamed .pdf', 'invoice.pdf', fixtures.exe(), 'The file is named .pdf but its content is not a recognised pdf file'],
    ['PNG content named .pdf', 'scan.pdf', fixtures.png(), 'The file is named .pdf but its content is png'],
    ['JPEG content named .png', 'a.png', fixtures.jpeg(), 'The file is named .png but its content is jpg'],
    ['XLSX content named .docx', 'a.docx', fixtures.ooxml('xl/workbook.xml'), 'The file is named .docx but its content is xlsx'],
    ['ODT content named .edoc', 'a.edoc', fixtures.odf(ODT), 'The file is named .edoc but its content is odt'],
    ['ASiC-E content named .odt', 'a.odt', fixtures.asice(), 'The file is named .odt but its content is asice'],
    [
      'a plain zip named .docx',
      'a.docx',
      buildZip([{ name: 'a.txt', data: 'a' }]),
      'The file is named .docx but its content is not a recognised docx file',
    ],
    [
      'a truncated docx',
      'a.docx',
      fixtures.ooxml('word/document.xml').subarray(0, 40),
      'The file is named .docx but its content is not a recognised docx file',
    ],
  ])('rejects %s as content_mismatch', (_label, filename, content, message) => {
    expect(validateAttachment({ filename, contentType: 'application/pdf', content })).toEqual({
      ok: false,
      code: 'content_mismatch',
      message,
    });
  });

  it('does not throw on a malformed zip', () => {
    const whole = fixtures.ooxml('word/document.xml');
    // Drop the end record so the central directory cannot rescue it, then break the first local header.
    const zip = Buffer.from(whole.subarray(0, whole.length - 22));
    zip.writeUInt16LE(0xffff, 26); // name length far beyond the buffer
    expect(() => validateAttachment({ filename: 'a.docx', content: zip })).not.toThrow();
    expect(validateAttachment({ filename: 'a.docx', content: zip })).toMatchObject({ ok: false, code: 'content_mismatch' });
  });
});

describe('validateAttachments', () => {
  const pdf = { filename: 'a.pdf', contentType: 'application/pdf', content: fixtures.pdf() };

  it(`accepts up to ${MAX_ATTACHMENTS} valid files`, () => {
    const result = validateAttachments(Array.from({ length: MAX_ATTACHMENTS }, () => pdf));
    expect(result.ok).toBe(true);
    expect(result.ok && result.attachments).toHaveLength(MAX_ATTACHMENTS);
  });

  it('accepts an empty list', () => {
    expect(validateAttachments([])).toEqual({ ok: true, attachments: [] });
  });

  it('refuses one file too many', () => {
    expect(validateAttachments(Array.from({ length: MAX_ATTACHMENTS + 1 }, () => pdf))).toEqual({
      ok: false,
      code: 'too_many',
      message: 'At most 10 files can be attached',
    });
  });

  it('reports which file failed', () => {
    const bad = { filename: 'b.pdf', content: fixtures.png() };
    expect(validateAttachments([pdf, bad, pdf])).toEqual({
      ok: false,
      code: 'content_mismatch',
      index: 1,
      message: 'The file is named .pdf but its content is png',
    });
  });
});
