/** A small element builder. Attributes are set one by one (never an HTML string, never an `on*`
 * attribute); listeners are attached with addEventListener, so no inline handler exists. */
export type Child = Node | string | false | null | undefined;

export interface Props {
  className?: string;
  attributes?: Record<string, string | undefined | false>;
  onClick?: (event: MouseEvent) => void;
  text?: string;
}

export const h = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  for (const [name, value] of Object.entries(props.attributes ?? {})) {
    if (value === undefined || value === false || /^on/i.test(name)) continue;
    element.setAttribute(name, value);
  }
  if (props.text !== undefined) element.textContent = props.text;
  const onClick = props.onClick;
  if (onClick) element.addEventListener('click', (event) => onClick(event as MouseEvent));
  for (const child of children) if (child !== false && child !== null && child !== undefined) element.append(child);
  return element;
};

export const button = (label: string, ariaLabel: string, onClick: (event: MouseEvent) => void, className = 'button'): HTMLButtonElement =>
  h('button', { className, attributes: { type: 'button', 'aria-label': ariaLabel, title: ariaLabel }, onClick, text: label });

/** Media bytes as an object URL (the CSP allows media only as blob: or data:). */
export const blobUrl = (base64: string, mimeType: string): string => {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return URL.createObjectURL(new Blob([bytes], { type: mimeType }));
};
