import { ALLOWED_EXTENSIONS, MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES } from './constants';
import { detectFileType } from './detect-file-type';
import { sanitizeFilename } from './sanitize-filename';

export interface AttachmentInput {
  filename: string;
  /** Client-declared; kept in the signature for callers, deliberately never trusted. */
  contentType?: string;
  content: Buffer;
}

export type AttachmentErrorCode = 'too_large' | 'empty' | 'type_not_allowed' | 'content_mismatch';

export interface ValidAttachment {
  ok: true;
  /** Sanitised name, safe to store and serve. */
  filename: string;
  /** Mime type detected from the bytes. */
  contentType: string;
  /** Lower-cased extension of the sanitised name (e.g. "edoc", "jpeg"). */
  ext: string;
  size: number;
}

export interface InvalidAttachment {
  ok: false;
  code: AttachmentErrorCode;
  message: string;
}

export type AttachmentValidationResult = ValidAttachment | InvalidAttachment;

export type AttachmentsValidationResult =
  | { ok: true; attachments: ValidAttachment[] }
  | { ok: false; code: 'too_many'; message: string }
  | { ok: false; code: AttachmentErrorCode; index: number; message: string };

const ALLOWED = new Set<string>(ALLOWED_EXTENSIONS);

/**
 * Spellings of one format collapse to one family; .edoc is the Latvian name for
 * an ASiC-E container, byte-for-byte the same format.
 */
const FAMILY: Readonly<Record<string, string>> = { jpeg: 'jpg', tiff: 'tif', edoc: 'asice' };
const family = (ext: string): string => FAMILY[ext] ?? ext;

const MAX_MB = MAX_ATTACHMENT_BYTES / (1024 * 1024);

export function validateAttachment(input: AttachmentInput): AttachmentValidationResult {
  const content = input.content;
  if (!Buffer.isBuffer(content) || content.length === 0) {
    return { ok: false, code: 'empty', message: 'The file is empty' };
  }
  if (content.length > MAX_ATTACHMENT_BYTES) {
    return { ok: false, code: 'too_large', message: `The file is larger than ${MAX_MB} MB` };
  }

  // The extension is judged on the sanitised name because that is the name we store and serve.
  const filename = sanitizeFilename(input.filename);
  const ext = extensionOf(filename);
  if (!ALLOWED.has(ext)) {
    return {
      ok: false,
      code: 'type_not_allowed',
      message: `Files of type ${ext ? `.${ext}` : 'without extension'} are not allowed; allowed: ${ALLOWED_EXTENSIONS.join(', ')}`,
    };
  }

  const detected = detectFileType(content);
  if (!detected || family(detected.ext) !== family(ext)) {
    return {
      ok: false,
      code: 'content_mismatch',
      message: detected
        ? `The file is named .${ext} but its content is ${detected.ext}`
        : `The file is named .${ext} but its content is not a recognised ${ext} file`,
    };
  }

  return { ok: true, filename, contentType: detected.mime, ext, size: content.length };
}

/** Checks the count first so a flood of files is refused before any of them is sniffed. */
export function validateAttachments(inputs: readonly AttachmentInput[]): AttachmentsValidationResult {
  if (inputs.length > MAX_ATTACHMENTS) {
    return { ok: false, code: 'too_many', message: `At most ${MAX_ATTACHMENTS} files can be attached` };
  }
  const attachments: ValidAttachment[] = [];
  for (let index = 0; index < inputs.length; index++) {
    const result = validateAttachment(inputs[index]);
    if (!result.ok) return { ok: false, code: result.code, index, message: result.message };
    attachments.push(result);
  }
  return { ok: true, attachments };
}

function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
}
