/** The two functions markdown-it takes from the `entities` package, in the chat view's bundle
 * (esbuild.js aliases `entities` here): the package's tables weigh more than markdown-it itself,
 * and the browser's HTML parser holds the same table. markdown-it only ever passes one reference
 * (`&name;` or `&#...;`); anything else is returned unchanged. A detached <textarea> parses its
 * content as text (no element is created, nothing is fetched or run). */
const REFERENCE = /^&#?[A-Za-z0-9]{1,32};$/;

let parser: HTMLTextAreaElement | undefined;

/** Like `entities`' decodeHTML: a legacy reference without its semicolon (`&notin` in `&notit;`)
 * is decoded as browsers do. */
export const decodeHTML = (text: string): string => {
  if (!REFERENCE.test(text)) return text;
  parser ??= document.createElement('textarea');
  parser.innerHTML = text;
  return parser.value;
};

/** Like `entities`' decodeHTMLStrict: the whole reference, semicolon included, or nothing. A
 * legacy prefix leaves the rest of the name and its semicolon behind. */
export const decodeHTMLStrict = (text: string): string => {
  const decoded = decodeHTML(text);
  return decoded.length > 1 && decoded.endsWith(';') ? text : decoded;
};
