/**
 * The few TwiML verbs the IVR answers with, written straight to a string. twilio's VoiceResponse builds an
 * xmlbuilder tree with a validated node per verb and attribute, which was the largest single cost of an IVR step
 * after the HTTP stack itself (bench:ivr profile). The output is byte for byte what VoiceResponse writes for the
 * same calls (twiml-writer.spec.ts checks every document of the IVR against it): the same escaping, attributes in
 * the order given, undefined ones left out, arrays joined by spaces, and an element without content closed as `<X/>`.
 */

export type TwimlAttributes = Record<string, string | number | boolean | readonly string[] | undefined | null>;

/** What IvrTwiml needs of a TwiML response; twilio's VoiceResponse offers the same calls. */
export interface TwimlSpeaker {
  say(attributes: TwimlAttributes, text: string): unknown;
  play(attributes: TwimlAttributes, url: string): unknown;
}

export interface TwimlDial {
  queue(attributes: TwimlAttributes, name: string): unknown;
}

export interface TwimlResponse extends TwimlSpeaker {
  gather(attributes: TwimlAttributes): TwimlSpeaker;
  hangup(): unknown;
  pause(attributes: TwimlAttributes): unknown;
  leave(): unknown;
  record(attributes: TwimlAttributes): unknown;
  enqueue(attributes: TwimlAttributes, name: string): unknown;
  dial(attributes: TwimlAttributes): TwimlDial;
  toString(): string;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
// Characters XML 1.0 does not allow (xmlbuilder refuses text containing them, and so does this).
const ILLEGAL = /[\0-\x08\x0B\f\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
const TEXT_SPECIAL = /[&<>\r]/;
const ATTRIBUTE_SPECIAL = /[&<"\t\n\r]/;

function escapeText(value: string): string {
  const text = TEXT_SPECIAL.test(value)
    ? value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;')
    : value;
  const illegal = ILLEGAL.exec(text);
  if (illegal) throw new Error(`Invalid character in string: ${text} at index ${illegal.index}`);
  return text;
}

function escapeAttribute(value: string): string {
  if (!ATTRIBUTE_SPECIAL.test(value)) return value;
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}

function openTag(name: string, attributes: TwimlAttributes): string {
  let tag = `<${name}`;
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    const text = Array.isArray(value) ? value.join(' ') : String(value);
    tag += ` ${key}="${escapeAttribute(text)}"`;
  }
  return tag;
}

/** An element whose children may still be added after later siblings are: written when the document is. */
class Element {
  private readonly children: Array<string | Element> = [];

  constructor(
    private readonly name: string,
    private readonly attributes: TwimlAttributes,
  ) {}

  protected add(name: string, attributes: TwimlAttributes, text?: string): void {
    const open = openTag(name, attributes);
    const content = text === undefined ? '' : escapeText(text);
    this.children.push(content === '' ? `${open}/>` : `${open}>${content}</${name}>`);
  }

  protected nest<T extends Element>(child: T): T {
    this.children.push(child);
    return child;
  }

  write(): string {
    if (this.children.length === 0) return `${openTag(this.name, this.attributes)}/>`;
    let xml = `${openTag(this.name, this.attributes)}>`;
    for (const child of this.children) xml += typeof child === 'string' ? child : child.write();
    return `${xml}</${this.name}>`;
  }
}

class Gather extends Element implements TwimlSpeaker {
  say(attributes: TwimlAttributes, text: string): void {
    this.add('Say', attributes, text);
  }

  play(attributes: TwimlAttributes, url: string): void {
    this.add('Play', attributes, url);
  }
}

class Dial extends Element implements TwimlDial {
  queue(attributes: TwimlAttributes, name: string): void {
    this.add('Queue', attributes, name);
  }
}

export class TwimlWriter extends Element implements TwimlResponse {
  constructor() {
    super('Response', {});
  }

  say(attributes: TwimlAttributes, text: string): void {
    this.add('Say', attributes, text);
  }

  play(attributes: TwimlAttributes, url: string): void {
    this.add('Play', attributes, url);
  }

  gather(attributes: TwimlAttributes): TwimlSpeaker {
    return this.nest(new Gather('Gather', attributes));
  }

  hangup(): void {
    this.add('Hangup', {});
  }

  pause(attributes: TwimlAttributes): void {
    this.add('Pause', attributes);
  }

  leave(): void {
    this.add('Leave', {});
  }

  record(attributes: TwimlAttributes): void {
    this.add('Record', attributes);
  }

  enqueue(attributes: TwimlAttributes, name: string): void {
    this.add('Enqueue', attributes, name);
  }

  dial(attributes: TwimlAttributes): TwimlDial {
    return this.nest(new Dial('Dial', attributes));
  }

  override toString(): string {
    return XML_DECLARATION + this.write();
  }
}
