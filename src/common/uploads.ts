import { validateAttachment } from '@lib/attachments';
import type { InboundAttachment } from '../inbound/inbound-message';
import type { FieldError } from './problem';

/**
 * Decodes base64 files from a JSON body and checks each against the portal's rules (type by content, size),
 * collecting every refusal as a field error so the client learns about all bad files at once.
 */
export function decodeUploads(
  files: ReadonlyArray<{ filename: string; contentType?: string; contentBase64: string }> | undefined,
  field = 'attachments',
): { attachments: InboundAttachment[]; errors: FieldError[] } {
  const attachments: InboundAttachment[] = [];
  const errors: FieldError[] = [];
  (files ?? []).forEach((file, i) => {
    const content = Buffer.from(file.contentBase64, 'base64');
    const checked = validateAttachment({ filename: file.filename, contentType: file.contentType, content });
    if (checked.ok) attachments.push({ filename: checked.filename, contentType: checked.contentType, content });
    else errors.push({ field: `${field}[${i}]`, code: checked.code, message: checked.message });
  });
  return { attachments, errors };
}
