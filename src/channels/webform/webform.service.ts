import { Injectable } from '@nestjs/common';
import { customerIdentifiers } from '../../customers/identifiers';
import { FieldError, validationProblem } from '../../common/problem';
import type { AcceptResult, InboundMessage } from '../../inbound/inbound-message';
import { decodeUploads } from '../../common/uploads';
import { InboundService } from '../../inbound/inbound.service';
import { InstitutionsService } from '../../institutions/institutions.service';
import { WebformSubmissionDto } from './dto/webform-submission.dto';

/** Turns a verified Latvija.lv submission into the pipeline's InboundMessage. It never writes tickets. */
@Injectable()
export class WebformService {
  constructor(
    private readonly inbound: InboundService,
    private readonly institutions: InstitutionsService,
  ) {}

  async submit(dto: WebformSubmissionDto): Promise<AcceptResult> {
    const errors: FieldError[] = [];
    const a = dto.applicant;
    if (!a.email && !a.phone && !a.eAddress) {
      errors.push({ field: 'applicant', code: 'noReplyChannel', message: 'give at least one way to reply: email, phone or eAddress' });
    }
    if (a.eAddress && !a.personalCode) {
      errors.push({
        field: 'applicant.personalCode',
        code: 'requiredForEAddress',
        message: 'a reply to the e-address needs the personal code',
      });
    }
    if (dto.institution) {
      const institution = await this.institutions.findByCode(dto.institution);
      if (!institution) errors.push({ field: 'institution', code: 'unknown', message: `no institution has the code ${dto.institution}` });
    }
    const { attachments, errors: fileErrors } = decodeUploads(dto.attachments);
    errors.push(...fileErrors);
    if (errors.length > 0) throw validationProblem(errors);

    // The portal vouches only for who signed in; what they typed into the form is theirs to claim.
    const identifiers = customerIdentifiers(a, { personalCode: a.authenticated ? 'portal' : 'citizen', others: 'citizen' });

    const message: InboundMessage = {
      channel: 'webform',
      externalId: dto.submissionId,
      sentAt: new Date(dto.submittedAt).toISOString(),
      from: { firstName: a.firstName.trim(), lastName: a.lastName.trim(), identifiers },
      institutionCode: dto.institution?.toUpperCase(),
      topic: dto.topic,
      kind: dto.form,
      language: dto.language ?? 'lv',
      subject: dto.subject,
      text: dto.message,
      attachments,
      meta: { form: dto.form, replyTo: a.eAddress ? 'e_address' : a.email ? 'email' : 'phone' },
    };
    return this.inbound.accept(message, { reserveReference: true });
  }
}
