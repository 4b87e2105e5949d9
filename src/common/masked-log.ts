import { maskFreeText } from '@lib/pii-mask';
import pino from 'pino';

export interface LogDestination {
  write(line: string): unknown;
}

/**
 * Where every log line goes, after personas kods, phone numbers and e-mail addresses are taken out of it. Masking
 * the finished line, rather than the values going into it, also catches what a serializer or an error's stack
 * brings in: an SQL error quoting a row, a URL with an address in it, a job's data. One pass of a few regular
 * expressions over each line. The lines are written asynchronously (pino's own buffered destination, flushed at
 * exit): a request does not wait for the terminal or the pipe to take its access-log line.
 */
export class MaskingDestination implements LogDestination {
  constructor(private readonly target: LogDestination = pino.destination({ dest: 1, sync: false })) {}

  write(line: string): unknown {
    return this.target.write(maskFreeText(line));
  }
}
