import { sanitizeEmailHtml } from '@lib/mime';
import { htmlToRoughText } from './sanitize-email-html';

const REL = 'rel="noopener noreferrer nofollow" target="_blank"';

describe('sanitizeEmailHtml', () => {
  describe('hostile input', () => {
    it.each([
      ['<p>Labdien!</p><script>alert(1)</script>', '<p>Labdien!</p>'],
      ['<script src="https://evil.example/x.js"></script>ok', 'ok'],
      ['<SCRIPT>alert(1)</SCRIPT>ok', 'ok'],
      ['<img src=x onerror=alert(1)>', ''],
      ['<img src="cid:logo" onerror="alert(1)" onload="alert(2)">', '<img src="cid:logo" />'],
      ['<a href="javascript:alert(1)">x</a>', `<a ${REL}>x</a>`],
      ['<a href="JaVaScRiPt:alert(1)">x</a>', `<a ${REL}>x</a>`],
      ['<a href="jav&#x09;ascript:alert(1)">x</a>', `<a ${REL}>x</a>`],
      ['<a href="jav\nascript:alert(1)">x</a>', `<a ${REL}>x</a>`],
      ['<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>', `<a ${REL}>x</a>`],
      ['<a href="&#x6A;avascript&colon;alert(1)">x</a>', `<a ${REL}>x</a>`],
      ['<a href=" \u0001javascript:alert(1)">x</a>', `<a ${REL}>x</a>`],
      ['<a href="vbscript:msgbox(1)">x</a>', `<a ${REL}>x</a>`],
      ['<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>', `<a ${REL}>x</a>`],
      ['<svg onload=alert(1)><circle r=1 /></svg>ok', 'ok'],
      ['<svg><script>alert(1)</script><text>svg text</text></svg>ok', 'ok'],
      ['<math><mtext><script>alert(1)</script></mtext></math>ok', 'ok'],
      ['<iframe src="https://evil.example"></iframe>ok', 'ok'],
      ['<iframe srcdoc="<script>alert(1)</script>">inner</iframe>ok', 'ok'],
      ['<object data="x.swf"><embed src="x.swf"></object>ok', 'ok'],
      ['<style>@import url(https://evil.example/x.css);</style><p>ok</p>', '<p>ok</p>'],
      ['<link rel="stylesheet" href="https://evil.example/x.css"><p>ok</p>', '<p>ok</p>'],
      ['<div style="background:url(http://evil.example/t.gif)">t</div>', '<div>t</div>'],
      ['<div style="width: expression(alert(1))">t</div>', '<div>t</div>'],
      ['<p style="color:red" class="MsoNormal" id="x" data-x="1">t</p>', '<p>t</p>'],
      ['<img src="https://tracker.example/p.gif" width="1" height="1">', ''],
      ['<img src="http://tracker.example/p.gif">', ''],
      ['<img src="//tracker.example/p.gif">', ''],
      ['<img src="data:image/png;base64,iVBORw0KGgo=">', ''],
      ['<img src="p.gif">', ''],
      ['<img alt="no source">', ''],
      ['<base href="https://evil.example/"><a href="page">rel</a>', `<a ${REL}>rel</a>`],
      ['<meta http-equiv="refresh" content="0;url=https://evil.example">t', 't'],
      ['<form action="https://evil.example"><input name="a" value="b"><button>Sūtīt</button></form>', 'Sūtīt'],
      ['<textarea>secret</textarea><select><option>one</option></select>ok', 'ok'],
      ['<!--[if IE]><script>alert(1)</script><![endif]--><p>ok</p>', '<p>ok</p>'],
      ['<!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]--><p>ok</p>', '<p>ok</p>'],
      ['<p>a<!-- hidden --></p><!-->', '<p>a</p>'],
      ['<![if !supportLists]><span>1.</span><![endif]>Punkts', '<span>1.</span>Punkts'],
      ['<p>a<o:p></o:p></p><xml><w:WordDocument>junk</w:WordDocument></xml>', '<p>a</p>'],
      ['<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>ok', 'ok'],
      [
        '<a href="https://x.example/&quot;onmouseover=&quot;alert(1)">q</a>',
        `<a href="https://x.example/&quot;onmouseover=&quot;alert(1)" ${REL}>q</a>`,
      ],
      ['<p title="&quot;><script>alert(1)</script>">t</p>', '<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">t</p>'],
      ['<<script>script>alert(1)<</script>/script>', '&lt;/script&gt;'],
      [
        '<table background="https://tracker.example/bg.gif"><tr><td background="x">a</td></tr></table>',
        '<table><tr><td>a</td></tr></table>',
      ],
      ['<body onload="alert(1)" background="https://tracker.example/b.gif"><p>ok</p></body>', '<p>ok</p>'],
      ['<html><head><title>Virsraksts</title></head><body><p>ok</p></body></html>', '<p>ok</p>'],
      ['<video src="https://x.example/v.mp4" poster="https://tracker.example/p.gif"></video>ok', 'ok'],
      ['<blockquote cite="javascript:alert(1)">c</blockquote>', '<blockquote>c</blockquote>'],
    ])('%j → %j', (input, expected) => {
      expect(sanitizeEmailHtml(input)).toBe(expected);
    });
  });

  describe('links', () => {
    it('keeps web and mail links and forces rel and target, whatever the sender set', () => {
      expect(sanitizeEmailHtml('<a href="https://vid.gov.lv/x?a=1&b=2" target="_self" rel="opener" onclick="x()">VID</a>')).toBe(
        `<a href="https://vid.gov.lv/x?a=1&amp;b=2" ${REL}>VID</a>`,
      );
      expect(sanitizeEmailHtml('<a href="HTTP://Example.LV/">x</a>')).toBe(`<a href="HTTP://Example.LV/" ${REL}>x</a>`);
      expect(sanitizeEmailHtml('<a href="mailto:info@vpppd.gov.lv?subject=Jaut%C4%81jums">m</a>')).toBe(
        `<a href="mailto:info@vpppd.gov.lv?subject=Jaut%C4%81jums" ${REL}>m</a>`,
      );
    });

    it.each(['/admin/tickets', '../x', '#top', '?a=1', '//evil.example/x', 'ftp://x.example/', 'tel:+37167000000', 'file:///etc/passwd'])(
      'drops the href %j: relative links would resolve against the agent application',
      (href) => {
        expect(sanitizeEmailHtml(`<a href="${href}">x</a>`)).toBe(`<a ${REL}>x</a>`);
      },
    );

    it('keeps the title of a link and nothing else the sender added', () => {
      expect(sanitizeEmailHtml('<a href="https://x.lv" title="Portāls" name="n" download="d" ping="https://t">x</a>')).toBe(
        `<a href="https://x.lv" title="Portāls" ${REL}>x</a>`,
      );
    });
  });

  describe('images', () => {
    it('keeps inline images by Content-ID with their alt text and size', () => {
      expect(sanitizeEmailHtml('<img src="cid:image001.png@01DA8C3B.2A4E5F60" alt="Logo" width="120" height="40" style="border:0">')).toBe(
        '<img src="cid:image001.png@01DA8C3B.2A4E5F60" alt="Logo" width="120" height="40" />',
      );
      expect(sanitizeEmailHtml('<IMG SRC="CID:x@y">')).toBe('<img src="CID:x@y" />');
    });

    it('removes a remote image entirely but keeps the text around it', () => {
      expect(sanitizeEmailHtml('<p>Paldies!<img src="https://tracker.example/open?id=123" width="1" height="1"></p>')).toBe(
        '<p>Paldies!</p>',
      );
    });
  });

  describe('formatting that survives', () => {
    it('keeps the structure of a typical Outlook message', () => {
      const html = [
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>',
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
        '<style><!-- p.MsoNormal {margin:0cm;} --></style></head>',
        '<body lang="LV" link="#0563C1"><div class="WordSection1">',
        '<p class="MsoNormal">Labdien!<o:p></o:p></p>',
        '<p class="MsoNormal"><b>Svarīgi:</b> <i>termiņš</i> <u>rīt</u>.<o:p></o:p></p>',
        '<ul><li>viens</li><li>divi</li></ul>',
        '<table border="1" cellpadding="0" style="border-collapse:collapse"><tr><td colspan="2" valign="top" onmouseover="x()">šūna</td></tr></table>',
        '<p><font color="#1F497D" face="Calibri" size="2">Ar cieņu,<br>Jānis</font></p>',
        '</div></body></html>',
      ].join('\n');
      expect(sanitizeEmailHtml(html)).toBe(
        [
          '<div>',
          '<p>Labdien!</p>',
          '<p><b>Svarīgi:</b> <i>termiņš</i> <u>rīt</u>.</p>',
          '<ul><li>viens</li><li>divi</li></ul>',
          '<table border="1" cellpadding="0"><tr><td colspan="2" valign="top">šūna</td></tr></table>',
          '<p><font color="#1F497D" face="Calibri" size="2">Ar cieņu,<br />Jānis</font></p>',
          '</div>',
        ].join('\n'),
      );
    });

    it.each([
      ['<h1>V</h1><h6>v</h6><hr><pre><code>kods</code></pre>', '<h1>V</h1><h6>v</h6><hr /><pre><code>kods</code></pre>'],
      ['<blockquote dir="rtl" lang="ru">цитата</blockquote>', '<blockquote dir="rtl" lang="ru">цитата</blockquote>'],
      ['<s>old</s><em>e</em><strong>s</strong><span>x</span>', '<s>old</s><em>e</em><strong>s</strong><span>x</span>'],
      ['<ol start="3" type="a"><li>c</li></ol>', '<ol start="3" type="a"><li>c</li></ol>'],
      [
        '<table><thead><tr><th rowspan="2">H</th></tr></thead><tbody><tr><td>D</td></tr></tbody></table>',
        '<table><thead><tr><th rowspan="2">H</th></tr></thead><tbody><tr><td>D</td></tr></tbody></table>',
      ],
      ['Tom &amp; Jerry &lt;3 &copy;', 'Tom &amp; Jerry &lt;3 ©'],
      ['  \n <p>x</p> \n ', '<p>x</p>'],
      ['', ''],
    ])('%j → %j', (input, expected) => {
      expect(sanitizeEmailHtml(input)).toBe(expected);
    });
  });

  it('unwraps unknown tags but keeps their text', () => {
    expect(sanitizeEmailHtml('<center><marquee>Svarīgi</marquee></center><article>teksts</article>')).toBe('Svarīgiteksts');
  });
});

describe('htmlToRoughText', () => {
  it('keeps the words, one block a line, without markup, scripts or styles', () => {
    expect(
      htmlToRoughText('<style>p{}</style><p>Labdien, <b>Jānis</b>!</p><div>Tom &amp; Jerry &lt;3</div><script>x</script>rinda<br>nākamā'),
    ).toBe('Labdien, Jānis!\nTom & Jerry <3\nrinda\nnākamā');
  });
});
