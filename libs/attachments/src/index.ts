export { MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES, ALLOWED_EXTENSIONS } from './constants';
export type { AllowedExtension } from './constants';
export { detectFileType, MIME } from './detect-file-type';
export type { DetectedFileType } from './detect-file-type';
export { detectMediaType, MEDIA_MIME } from './detect-media-type';
export { sanitizeFilename, MAX_FILENAME_LENGTH, FALLBACK_FILENAME } from './sanitize-filename';
export { validateAttachment, validateAttachments } from './validate-attachment';
export type {
  AttachmentInput,
  AttachmentErrorCode,
  AttachmentValidationResult,
  AttachmentsValidationResult,
  InvalidAttachment,
  ValidAttachment,
} from './validate-attachment';
