// The clamscan package ships no type declarations; this covers the part of its API the service uses.
declare module 'clamscan' {
  import type { Readable } from 'node:stream';
  import type { Socket } from 'node:net';

  interface ClamdScanOptions {
    host?: string;
    port?: number;
    socket?: string;
    timeout?: number;
    localFallback?: boolean;
    bypassTest?: boolean;
    active?: boolean;
  }

  interface NodeClamOptions {
    removeInfected?: boolean;
    preference?: 'clamscan' | 'clamdscan';
    clamscan?: { active?: boolean };
    clamdscan?: ClamdScanOptions;
  }

  interface ScanResult {
    isInfected: boolean | null;
    viruses: string[];
    file: string | null;
    resultString?: string;
    timeout?: boolean;
  }

  export default class NodeClam {
    init(options?: NodeClamOptions): Promise<NodeClam>;
    scanStream(stream: Readable): Promise<ScanResult>;
    ping(): Promise<Socket>;
  }
}
