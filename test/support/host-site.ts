import { AddressInfo } from 'node:net';
import { createServer, Server } from 'node:http';

/**
 * A ministry's web site on its own loopback port: a page that includes the widget's embed.js as the README tells
 * institutions to (`/?lang=ru` for a Russian page), and `/framed` that frames the conversation page directly.
 */
export class HostSite {
  private constructor(
    private readonly server: Server,
    readonly service: string,
  ) {}

  static async start(service: string, institution = 'VSAA'): Promise<HostSite> {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://host');
      const lang = url.searchParams.get('lang') ?? 'lv';
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      if (url.pathname === '/framed') {
        return res.end(
          `<!doctype html><html lang="en"><title>Framed</title><iframe title="chat" src="${service}/chat/widget?institution=${institution}&lang=en"></iframe>`,
        );
      }
      res.end(`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>VSAA</title>
<style>body{font:16px/1.5 Georgia,serif;margin:0;color:#222} header{background:#eee;padding:16px 24px;border-bottom:4px solid #1f4e79} main{padding:24px;max-width:720px}</style></head>
<body><header><strong>Valsts sociālās apdrošināšanas aģentūra</strong></header>
<main><h1>Pabalsti un pakalpojumi</h1><p>Informācija par pensijām, pabalstiem un atlīdzībām.</p><p><a href="/?lang=${lang}&page=2">Nākamā lapa</a></p></main>
<script src="${service}/chat/embed.js" data-institution="${institution}" data-language="${lang}" async></script>
</body></html>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new HostSite(server, service);
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
