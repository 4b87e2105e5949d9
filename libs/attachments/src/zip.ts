/**
 * Just enough ZIP reading to tell container formats apart. Input is untrusted
 * upload data, so every read is bounds-checked, every loop strictly advances,
 * and nothing here throws.
 */

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  /** Offset of the entry's data, or -1 when it cannot be located safely. */
  dataOffset: number;
}

const LOCAL_HEADER_SIG = 0x04034b50;
const CENTRAL_HEADER_SIG = 0x02014b50;
const END_OF_CENTRAL_DIR_SIG = 0x06054b50;
const LOCAL_HEADER_LEN = 30;
const CENTRAL_HEADER_LEN = 46;
const EOCD_LEN = 22;
const MAX_COMMENT_LEN = 0xffff;
const FLAG_DATA_DESCRIPTOR = 0x0008;
/** Marks a ZIP64 size that lives in an extra field we do not parse. */
const ZIP64_SENTINEL = 0xffffffff;
/** More entries than any real office document has; bounds work on hostile input. */
const MAX_ENTRIES = 10_000;

export function isZip(buf: Buffer): boolean {
  return buf.length >= 4 && buf.readUInt32LE(0) === LOCAL_HEADER_SIG;
}

/**
 * Local headers come first and survive truncation, but they cannot be walked
 * past an entry whose size is deferred to a data descriptor (or is ZIP64); the
 * central directory has the sizes then, so it is preferred whenever the walk
 * could not reach the end.
 */
export function listZipEntries(buf: Buffer): ZipEntry[] {
  const local = readLocalEntries(buf);
  if (local.complete) return local.entries;
  const central = readCentralEntries(buf);
  return central && central.length > 0 ? central : local.entries;
}

export function readEntryData(buf: Buffer, entry: ZipEntry): Buffer | null {
  if (entry.dataOffset < 0) return null;
  const end = entry.dataOffset + entry.compressedSize;
  if (end > buf.length) return null;
  return buf.subarray(entry.dataOffset, end);
}

function readLocalEntries(buf: Buffer): { entries: ZipEntry[]; complete: boolean } {
  const entries: ZipEntry[] = [];
  let offset = 0;
  while (entries.length < MAX_ENTRIES) {
    if (offset + 4 > buf.length) return { entries, complete: false };
    const sig = buf.readUInt32LE(offset);
    // The central directory (or an empty archive's end record) is the normal way out.
    if (sig === CENTRAL_HEADER_SIG || sig === END_OF_CENTRAL_DIR_SIG) return { entries, complete: true };
    if (sig !== LOCAL_HEADER_SIG || offset + LOCAL_HEADER_LEN > buf.length) return { entries, complete: false };

    const flags = buf.readUInt16LE(offset + 6);
    const method = buf.readUInt16LE(offset + 8);
    const compressedSize = buf.readUInt32LE(offset + 18);
    const nameLen = buf.readUInt16LE(offset + 26);
    const extraLen = buf.readUInt16LE(offset + 28);
    const nameStart = offset + LOCAL_HEADER_LEN;
    const dataOffset = nameStart + nameLen + extraLen;
    if (nameStart + nameLen > buf.length) return { entries, complete: false };

    const name = decodeName(buf.subarray(nameStart, nameStart + nameLen));
    const sizeUnknown = (flags & FLAG_DATA_DESCRIPTOR) !== 0 || compressedSize === ZIP64_SENTINEL;
    entries.push({ name, method, compressedSize: sizeUnknown ? 0 : compressedSize, dataOffset: sizeUnknown ? -1 : dataOffset });
    if (sizeUnknown) return { entries, complete: false };

    const next = dataOffset + compressedSize;
    if (next > buf.length) return { entries, complete: false };
    offset = next; // always > offset: the header alone is 30 bytes
  }
  return { entries, complete: false };
}

function readCentralEntries(buf: Buffer): ZipEntry[] | null {
  const eocd = findEndOfCentralDirectory(buf);
  if (eocd < 0) return null;
  const total = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);

  const entries: ZipEntry[] = [];
  for (let i = 0; i < Math.min(total, MAX_ENTRIES); i++) {
    if (offset < 0 || !hasSig(buf, offset, CENTRAL_HEADER_SIG) || offset + CENTRAL_HEADER_LEN > buf.length) break;
    const method = buf.readUInt16LE(offset + 10);
    const compressedSize = buf.readUInt32LE(offset + 20);
    const nameLen = buf.readUInt16LE(offset + 28);
    const extraLen = buf.readUInt16LE(offset + 30);
    const commentLen = buf.readUInt16LE(offset + 32);
    const localOffset = buf.readUInt32LE(offset + 42);
    const nameStart = offset + CENTRAL_HEADER_LEN;
    if (nameStart + nameLen > buf.length) break;

    const name = decodeName(buf.subarray(nameStart, nameStart + nameLen));
    entries.push({
      name,
      method,
      compressedSize: compressedSize === ZIP64_SENTINEL ? 0 : compressedSize,
      dataOffset: compressedSize === ZIP64_SENTINEL ? -1 : localDataOffset(buf, localOffset),
    });
    offset = nameStart + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** The local extra field may differ from the central one, so it is re-read. */
function localDataOffset(buf: Buffer, localOffset: number): number {
  if (!hasSig(buf, localOffset, LOCAL_HEADER_SIG) || localOffset + LOCAL_HEADER_LEN > buf.length) return -1;
  return localOffset + LOCAL_HEADER_LEN + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
}

function findEndOfCentralDirectory(buf: Buffer): number {
  const lowest = Math.max(0, buf.length - EOCD_LEN - MAX_COMMENT_LEN);
  for (let i = buf.length - EOCD_LEN; i >= lowest; i--) {
    if (buf.readUInt32LE(i) === END_OF_CENTRAL_DIR_SIG) return i;
  }
  return -1;
}

function hasSig(buf: Buffer, offset: number, sig: number): boolean {
  return offset >= 0 && offset + 4 <= buf.length && buf.readUInt32LE(offset) === sig;
}

/**
 * Names we look for are ASCII, so a lossy decode is fine; latin1 never throws
 * and keeps a byte-per-char mapping.
 */
function decodeName(bytes: Buffer): string {
  return bytes.toString('latin1');
}
