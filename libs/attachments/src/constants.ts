/** Limits of the Latvija.lv portal; mirrored here so we reject what the portal would. */
export const MAX_ATTACHMENTS = 10;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export const ALLOWED_EXTENSIONS = [
  'pdf',
  'doc',
  'docx',
  'odt',
  'ods',
  'odp',
  'jpg',
  'jpeg',
  'png',
  'tif',
  'tiff',
  'edoc',
  'asice',
  'xlsx',
  'pptx',
] as const;

export type AllowedExtension = (typeof ALLOWED_EXTENSIONS)[number];
