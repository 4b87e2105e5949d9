import sanitizeHtml from 'sanitize-html';

/**
 * Formatting only. Everything else (script, style, iframe, object, embed, form and its controls, link, meta,
 * base, svg, math…) is not on the list and so never reaches an agent's browser.
 */
const ALLOWED_TAGS = [
  'p',
  'br',
  'div',
  'span',
  'b',
  'strong',
  'i',
  'em',
  'u',
  's',
  'strike',
  'sub',
  'sup',
  'small',
  'font',
  'ul',
  'ol',
  'li',
  'blockquote',
  'pre',
  'code',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'td',
  'th',
  'caption',
  'a',
  'img',
  'hr',
];

/**
 * No `style` and no `class` at all: a style can load a remote resource (url(), @import via an attribute in
 * old engines, expression() in old IE) and a class can borrow the agent UI's own CSS. Losing an e-mail's
 * colours is the price. No event handlers either, since only the attributes named here survive.
 */
const ALLOWED_ATTRIBUTES: sanitizeHtml.IOptions['allowedAttributes'] = {
  '*': ['dir', 'lang', 'title'],
  a: ['href', 'rel', 'target'],
  img: ['src', 'alt', 'width', 'height'],
  font: ['color', 'face', 'size'],
  ol: ['start', 'type'],
  td: ['colspan', 'rowspan', 'align', 'valign'],
  th: ['colspan', 'rowspan', 'align', 'valign'],
  table: ['border', 'cellpadding', 'cellspacing'],
};

/**
 * Tags whose content is dropped along with the tag, not unwrapped into text: code, CSS, document metadata,
 * foreign markup, and the junk Outlook wraps in <xml> (e.g. <o:OfficeDocumentSettings>).
 */
const DROP_WITH_CONTENT = [
  'script',
  'style',
  'textarea',
  'option',
  'noscript',
  'title',
  'head',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'frameset',
  'noembed',
  'noframes',
  'xmp',
  'xml',
];

export const LINK_REL = 'noopener noreferrer nofollow';

/**
 * Browsers ignore ASCII whitespace and control characters inside a URL ("java\tscript:" is javascript:),
 * so the scheme is judged on the URL with them removed. Entities are already decoded by the parser.
 */
function compactUrl(url: string): string {
  return url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
}

/** Only absolute web and mail links: a relative link would resolve against the agent application itself. */
const SAFE_HREF = /^(?:https?:\/\/|mailto:)/i;
/** Only the message's own inline parts: any other source is a request the sender can watch (a tracking pixel). */
const SAFE_IMG_SRC = /^cid:[^\s]/i;

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: ALLOWED_ATTRIBUTES,
  nonTextTags: DROP_WITH_CONTENT,
  disallowedTagsMode: 'discard',
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['cid'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  allowProtocolRelative: false,
  allowVulnerableTags: false,
  // Judged by us below as well, so that neither a relative URL nor a scheme sanitize-html lets through
  // survives, whatever its defaults become.
  transformTags: {
    // Attributes are rebuilt in a fixed order so that the output is the same whatever order the sender used.
    a: (tagName, attribs) => {
      const { href, rel: _rel, target: _target, ...rest } = attribs;
      const safe = href !== undefined && SAFE_HREF.test(compactUrl(href));
      const kept: sanitizeHtml.Attributes = safe ? { href: href.trim() } : {};
      return { tagName, attribs: { ...kept, ...rest, rel: LINK_REL, target: '_blank' } };
    },
    img: (tagName, attribs) => {
      const { src, ...rest } = attribs;
      const safe = src !== undefined && SAFE_IMG_SRC.test(compactUrl(src));
      const kept: sanitizeHtml.Attributes = safe ? { src: compactUrl(src) } : {};
      return { tagName, attribs: { ...kept, ...rest } };
    },
  },
  // An image whose source was refused is removed entirely rather than left as a broken box.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

/**
 * Makes an e-mail's HTML safe to show to an agent: formatting survives, anything that could run code, load
 * a remote resource, submit a form or restyle the application does not. Comments, including Outlook's
 * conditional comments, are dropped with their content.
 */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS).trim();
}

/** Where a line ends when block-level markup is flattened to text. */
const BLOCK_END = /<(?:br|\/p|\/div|\/li|\/tr|\/h[1-6]|\/blockquote|\/pre|\/table)\b[^>]*>/gi;

/**
 * The words of an HTML body without any markup, with a line break where a block ended. Only for HTML too
 * long for mailparser's html-to-text: rough, but linear in the input and never empty-handed.
 */
export function htmlToRoughText(html: string): string {
  const text = sanitizeHtml(html.replace(BLOCK_END, '$&\n'), {
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: DROP_WITH_CONTENT,
  });
  // sanitize-html escapes text it outputs; plain text wants the characters back.
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
