import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

export type WidgetAsset = 'embed.js' | 'widget.js' | 'widget.css';

export interface LoadedAsset {
  body: Buffer;
  gzip: Buffer;
  /** Short content hash: the page links `widget.js?v=…`, so a new build is never mixed with a cached old one. */
  version: string;
}

/** From src/channels/chat (ts-jest) and from dist/src/channels/chat (compiled) to the project root's widget/dist. */
const CANDIDATES = [resolve(__dirname, '..', '..', '..', 'widget', 'dist'), resolve(__dirname, '..', '..', '..', '..', 'widget', 'dist')];

/**
 * The widget's built files (`npm run build` runs widget/build.mjs, which writes widget/dist), read once and
 * gzipped once: they never change while the process runs.
 */
@Injectable()
export class ChatWidgetAssets {
  private readonly logger = new Logger(ChatWidgetAssets.name);
  private readonly loaded = new Map<WidgetAsset, LoadedAsset | null>();

  get(name: WidgetAsset): LoadedAsset | null {
    if (!this.loaded.has(name)) this.loaded.set(name, this.load(name));
    return this.loaded.get(name) ?? null;
  }

  private load(name: WidgetAsset): LoadedAsset | null {
    const dir = CANDIDATES.find((d) => existsSync(join(d, name)));
    if (!dir) {
      this.logger.error({ asset: name }, 'the chat widget is not built (npm run build writes widget/dist)');
      return null;
    }
    const body = readFileSync(join(dir, name));
    return { body, gzip: gzipSync(body, { level: 9 }), version: createHash('sha256').update(body).digest('hex').slice(0, 12) };
  }
}
