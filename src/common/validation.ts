import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { ValidationError } from 'class-validator';
import { FieldError, validationProblem } from './problem';
import { makeTextStorable, unstorableTextPaths } from './storable-text';
import { rememberValidationMetadata } from './validation-metadata-cache';

/** Flattens class-validator's tree into `a.b[2].c` paths, one entry per broken rule. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const segment = /^\d+$/.test(error.property) ? `[${error.property}]` : error.property;
    const path = parent ? (segment.startsWith('[') ? `${parent}${segment}` : `${parent}.${segment}`) : segment;
    for (const [code, message] of Object.entries(error.constraints ?? {})) {
      out.push({ field: path, code, message });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, path));
  }
  return out;
}

/**
 * The global pipe: before validation, text PostgreSQL cannot store (NUL, half a surrogate pair) is dropped from
 * bodies, and refused in query and path parameters (a search term or a reference with a NUL means nothing).
 */
export class InputValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') {
      value = makeTextStorable(value);
    } else if (metadata.type === 'query' || metadata.type === 'param') {
      const fields = unstorableTextPaths(value, metadata.data ?? '');
      if (fields.length > 0) {
        throw validationProblem(
          fields.map((field) => ({
            field,
            code: 'unstorableText',
            message: `${field} contains a NUL character or half of a surrogate pair`,
          })),
        );
      }
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  rememberValidationMetadata();
  return new InputValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => validationProblem(flattenValidationErrors(errors)),
  });
}
