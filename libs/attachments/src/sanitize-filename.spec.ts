import { sanitizeFilename } from '@lib/attachments';

describe('sanitizeFilename', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\x\\y.pdf', 'y.pdf'],
    ['C:\\Users\\Jānis\\Documents\\Iesniegums.docx', 'Iesniegums.docx'],
    ['/var/tmp/..\\..//scan.tif', 'scan.tif'],
    ['  .hidden.pdf', 'hidden.pdf'],
    ['...dots.pdf', 'dots.pdf'],
    ['report.pdf. . ', 'report.pdf'],
    ['report .pdf', 'report .pdf'],
    ['a<b>c:d"e|f?g*h.pdf', 'abcdefgh.pdf'],
    ['C:evil.pdf', 'Cevil.pdf'],
    ['line\r\nbreak\t\u0000\u001b\u007f\u0085.pdf', 'linebreak.pdf'],
    ['invoice\u202efdp.exe', 'invoicefdp.exe'],
    ['\ufeffbom.pdf', 'bom.pdf'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeFilename(input)).toBe(expected);
  });

  it.each([
    'Iesniegums ģimenes ārstam – Ķekava.pdf',
    'ĀČĒĢĪĶĻŅŠŪŽ āčēģīķļņšūž.docx',
    'Заявление о выдаче справки.odt',
    'Щёлково_ЁЖЙ.png',
    'Dokuments (1) [kopija] #2 & co, 50%.pdf',
  ])('keeps Latvian, Cyrillic and harmless punctuation in %j', (name) => {
    expect(sanitizeFilename(name)).toBe(name);
  });

  it('normalises decomposed letters to NFC', () => {
    const decomposed = 'a\u0304rsts s\u030Cis.pdf'; // a + macron, s + caron
    expect(decomposed).not.toBe('ārsts šis.pdf');
    expect(sanitizeFilename(decomposed)).toBe('ārsts šis.pdf');
  });

  it.each([
    ['CON.pdf', '_CON.pdf'],
    ['nul', '_nul'],
    ['com1.txt.pdf', '_com1.txt.pdf'],
    ['Lpt9.docx', '_Lpt9.docx'],
    ['console.pdf', 'console.pdf'],
    ['com10.pdf', 'com10.pdf'],
  ])('defuses Windows device name %j → %j', (input, expected) => {
    expect(sanitizeFilename(input)).toBe(expected);
  });

  it.each(['', '   ', '.', '..', '...', '../', 'a/b/', 'C:\\dir\\', '\u0000\u0001', '<>:"|?*', '\u202e'])(
    'falls back to "attachment" for %j',
    (input) => {
      expect(sanitizeFilename(input)).toBe('attachment');
    },
  );

  it('falls back to "attachment" for non-string input from untyped callers', () => {
    expect(sanitizeFilename(null as unknown as string)).toBe('attachment');
  });

  describe('length limit', () => {
    it('leaves a 200-character name alone', () => {
      const name = `${'a'.repeat(196)}.pdf`;
      expect(sanitizeFilename(name)).toBe(name);
    });

    it('cuts a long name to 200 characters and keeps the extension', () => {
      expect(sanitizeFilename(`${'a'.repeat(300)}.pdf`)).toBe(`${'a'.repeat(196)}.pdf`);
    });

    it('counts Latvian and Cyrillic letters as one character each', () => {
      const result = sanitizeFilename(`${'ž'.repeat(150)}${'Ж'.repeat(150)}.docx`);
      expect(result).toBe(`${'ž'.repeat(150)}${'Ж'.repeat(45)}.docx`);
      expect(result).toHaveLength(200);
    });

    it('never splits a surrogate pair', () => {
      const result = sanitizeFilename(`${'😀'.repeat(250)}.pdf`);
      expect(Array.from(result)).toHaveLength(200);
      expect(result).toBe(`${'😀'.repeat(196)}.pdf`);
      expect(() => encodeURIComponent(result)).not.toThrow(); // throws on lone surrogates
    });

    it('does not leave a trailing dot or space where the cut falls', () => {
      const name = `${'x'.repeat(195)}. ${'y'.repeat(100)}.pdf`;
      expect(sanitizeFilename(name)).toBe(`${'x'.repeat(195)}.pdf`);
    });

    it('does not treat an absurdly long suffix as an extension', () => {
      const result = sanitizeFilename(`a.${'b'.repeat(300)}`);
      expect(result).toBe(`a.${'b'.repeat(198)}`);
    });

    it('applies the limit after directory parts are removed', () => {
      expect(sanitizeFilename(`${'d/'.repeat(500)}short.pdf`)).toBe('short.pdf');
    });
  });
});
