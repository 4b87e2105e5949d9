import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import NodeClam from 'clamscan';
import { Readable } from 'node:stream';
import { AppConfig } from '../config/app-config';
import { ClamdAddress, describeClamdAddress, parseClamdAddress } from './clamd-address';

export type Verdict = { infected: false } | { infected: true; threat: string };

/** clamd could not give a verdict (down, timed out, refused the stream): the file must wait, not pass. */
export class ScannerUnavailable extends Error {}

/**
 * clamd's INSTREAM over TCP or its socket, through the clamscan client. One connection per file: clamd handles
 * each in its own thread, and a dead connection can never poison the next scan.
 */
@Injectable()
export class ClamdService implements OnModuleInit {
  private readonly logger = new Logger(ClamdService.name);
  readonly address: ClamdAddress | null;
  private client: Promise<NodeClam> | null = null;

  constructor(private readonly config: AppConfig) {
    this.address = config.CLAMAV_URL ? parseClamdAddress(config.CLAMAV_URL) : null;
  }

  get enabled(): boolean {
    return this.address !== null;
  }

  onModuleInit(): void {
    if (!this.address) {
      this.logger.warn(
        'CLAMAV_URL is not set: files that arrive are NOT scanned for malware and staff can open them as they came. Set CLAMAV_URL to a clamd for any real use.',
      );
    } else {
      this.logger.log(`files are scanned by clamd at ${describeClamdAddress(this.address)}`);
    }
  }

  private nodeClam(): Promise<NodeClam> {
    if (!this.address) throw new ScannerUnavailable('scanning is not configured (CLAMAV_URL)');
    const address = this.address;
    // bypassTest: init does not insist that clamd answers now; every scan finds out for itself.
    this.client ??= new NodeClam().init({
      removeInfected: false,
      preference: 'clamdscan',
      clamscan: { active: false },
      clamdscan: { ...address, localFallback: false, bypassTest: true, timeout: this.config.CLAMAV_TIMEOUT_MS, active: true },
    });
    return this.client;
  }

  async scan(content: Buffer): Promise<Verdict> {
    const clam = await this.nodeClam();
    let result: { isInfected: boolean | null; viruses: string[]; resultString?: string };
    try {
      result = await clam.scanStream(Readable.from([content]));
    } catch (error) {
      throw new ScannerUnavailable(`clamd at ${describeClamdAddress(this.address!)} did not scan: ${(error as Error).message}`);
    }
    if (result.isInfected === true) return { infected: true, threat: result.viruses[0] ?? 'unknown' };
    if (result.isInfected === false) return { infected: false };
    // e.g. "INSTREAM size limit exceeded. ERROR": no verdict is not a clean verdict.
    throw new ScannerUnavailable(
      `clamd gave no verdict: ${
        String(result.resultString ?? '')
          .replace(/\0/g, '')
          .trim() || 'no answer'
      }`,
    );
  }

  /** clamd's PING, for /health. */
  async ping(): Promise<void> {
    const clam = await this.nodeClam();
    const socket = await clam.ping();
    socket.end();
  }
}
