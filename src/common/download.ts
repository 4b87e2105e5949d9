/** Why a file from another service was not had. `permanent`: trying again cannot help (404, too large, bad type). */
export class DownloadFailure extends Error {
  constructor(
    readonly reason: string,
    readonly permanent: boolean,
  ) {
    super(reason);
  }
}

export const isPermanentStatus = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

/** A failed fetch or read as a DownloadFailure: a timeout or a dropped connection may pass, so both are retried. */
export function transportFailure(error: unknown): DownloadFailure {
  if (error instanceof DownloadFailure) return error;
  return new DownloadFailure((error as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable', false);
}

/** Reads a response body up to `max` bytes: a declared or real size over it is refused without holding the rest. */
export async function readCapped(res: Response, max: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > max) {
    await res.body?.cancel();
    throw new DownloadFailure('too_large', true);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += chunk.length;
      // Leaving the loop cancels the stream, so the rest is never read.
      if (size > max) throw new DownloadFailure('too_large', true);
      chunks.push(Buffer.from(chunk));
    }
  } catch (error) {
    throw transportFailure(error);
  }
  return Buffer.concat(chunks);
}
