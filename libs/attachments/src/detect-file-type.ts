import { isZip, listZipEntries, readEntryData } from './zip';

export interface DetectedFileType {
  ext: string;
  mime: string;
}

export const MIME = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  png: 'image/png',
  tif: 'image/tiff',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
  asice: 'application/vnd.etsi.asic-e+zip',
} as const;

const SIGNATURES: ReadonlyArray<{ bytes: readonly number[]; type: DetectedFileType }> = [
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], type: { ext: 'pdf', mime: MIME.pdf } }, // %PDF-
  { bytes: [0xff, 0xd8, 0xff], type: { ext: 'jpg', mime: MIME.jpg } },
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], type: { ext: 'png', mime: MIME.png } },
  { bytes: [0x49, 0x49, 0x2a, 0x00], type: { ext: 'tif', mime: MIME.tif } }, // II*\0, little-endian
  { bytes: [0x4d, 0x4d, 0x00, 0x2a], type: { ext: 'tif', mime: MIME.tif } }, // MM\0*, big-endian
  // Any OLE2 compound file (.xls/.ppt/.msg share it); telling them apart needs a
  // FAT walk, and of the OLE2 family only .doc is allowed anyway.
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], type: { ext: 'doc', mime: MIME.doc } },
];

/** ODF and ASiC put their type in a first, uncompressed `mimetype` entry so it can be sniffed. */
const CONTAINER_MIMETYPES: Readonly<Record<string, DetectedFileType>> = {
  [MIME.odt]: { ext: 'odt', mime: MIME.odt },
  [MIME.ods]: { ext: 'ods', mime: MIME.ods },
  [MIME.odp]: { ext: 'odp', mime: MIME.odp },
  [MIME.asice]: { ext: 'asice', mime: MIME.asice },
};

const OOXML_PARTS: ReadonlyArray<{ prefix: string; type: DetectedFileType }> = [
  { prefix: 'word/', type: { ext: 'docx', mime: MIME.docx } },
  { prefix: 'xl/', type: { ext: 'xlsx', mime: MIME.xlsx } },
  { prefix: 'ppt/', type: { ext: 'pptx', mime: MIME.pptx } },
];

const STORED = 0;
/** Longest mimetype we could recognise, with slack; longer content is not one of ours. */
const MAX_MIMETYPE_LEN = 100;

/**
 * Identifies a file by its bytes only. Returns null for anything that is not one
 * of the portal's accepted formats, including a plain ZIP.
 */
export function detectFileType(buf: Buffer): DetectedFileType | null {
  if (!Buffer.isBuffer(buf)) return null;
  for (const { bytes, type } of SIGNATURES) {
    if (startsWith(buf, bytes)) return { ...type };
  }
  return isZip(buf) ? detectZipContainer(buf) : null;
}

function detectZipContainer(buf: Buffer): DetectedFileType | null {
  const entries = listZipEntries(buf);
  if (entries.length === 0) return null;

  const first = entries[0];
  if (first.name === 'mimetype' && first.method === STORED && first.compressedSize <= MAX_MIMETYPE_LEN) {
    const data = readEntryData(buf, first);
    const declared = data?.toString('latin1').trim();
    const known = declared !== undefined ? CONTAINER_MIMETYPES[declared] : undefined;
    if (known) return { ...known };
  }

  // OPC part names are case-insensitive (ECMA-376 part 2), so writers vary.
  const names = entries.map((e) => e.name.toLowerCase());
  if (!names.includes('[content_types].xml')) return null;
  for (const { prefix, type } of OOXML_PARTS) {
    if (names.some((n) => n.startsWith(prefix))) return { ...type };
  }
  return null;
}

function startsWith(buf: Buffer, bytes: readonly number[]): boolean {
  if (buf.length < bytes.length) return false;
  return bytes.every((b, i) => buf[i] === b);
}
