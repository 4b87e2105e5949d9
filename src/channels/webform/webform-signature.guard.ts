import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { ProblemException } from '../../common/problem';
import { signatureDetail, WebformRequest } from './webform-body';

/**
 * The signature is checked by webformBodyReader while the body streams in (configureHttp mounts it on the
 * channel's path), so that nothing is parsed before it is known to be good. This guard makes a route that was
 * somehow reached without that check refuse rather than trust an unsigned body.
 */
@Injectable()
export class WebformSignatureGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<WebformRequest>();
    if (req.webformSignatureVerified === true) return true;
    throw new ProblemException(HttpStatus.UNAUTHORIZED, 'signature-missing', 'Unauthorized', signatureDetail('missing', 0));
  }
}
