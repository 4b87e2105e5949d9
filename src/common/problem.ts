import { HttpException, HttpStatus } from '@nestjs/common';

export interface FieldError {
  /** Path of the field in the request, e.g. `applicant.personalCode` or `attachments[1]`. */
  field: string;
  /** Machine-readable reason the client can act on. */
  code: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** An error answered as RFC 9457 problem+json. `type` is a stable identifier the client may switch on. */
export class ProblemException extends HttpException {
  constructor(status: HttpStatus, code: string, title: string, detail?: string, errors?: FieldError[]) {
    const body: ProblemBody = { type: `urn:vpppd:problem:${code}`, title, status };
    if (detail) body.detail = detail;
    if (errors?.length) body.errors = errors;
    super(body, status);
  }
}

export function validationProblem(errors: FieldError[], detail = 'The request has invalid fields.'): ProblemException {
  return new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'validation', 'Validation failed', detail, errors);
}
