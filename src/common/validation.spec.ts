import { ValidationError } from 'class-validator';
import { flattenValidationErrors } from './validation';

const error = (property: string, constraints?: Record<string, string>, children: ValidationError[] = []): ValidationError =>
  Object.assign(new ValidationError(), { property, constraints, children });

describe('flattenValidationErrors', () => {
  it('gives nested objects dotted paths and array items brackets', () => {
    const tree = [
      error('applicant', undefined, [error('personalCode', { personalCode: 'bad code' })]),
      error('attachments', undefined, [error('1', undefined, [error('contentBase64', { isBase64: 'not base64' })])]),
      error('form', { isIn: 'form must be one of', isString: 'form must be a string' }),
    ];
    expect(flattenValidationErrors(tree)).toEqual([
      { field: 'applicant.personalCode', code: 'personalCode', message: 'bad code' },
      { field: 'attachments[1].contentBase64', code: 'isBase64', message: 'not base64' },
      { field: 'form', code: 'isIn', message: 'form must be one of' },
      { field: 'form', code: 'isString', message: 'form must be a string' },
    ]);
  });
});
