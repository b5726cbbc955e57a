/** A re-render replaces the elements, so a live update would drop the keyboard focus and the
 * table's scroll position. These attributes say which new element stands for the old one. */
const KEY_ATTRIBUTES = ['data-filter', 'data-breakdown', 'data-stack', 'data-control', 'aria-label'];

const selectorFor = (element: Element | null): string | undefined => {
  if (!element || element === document.body) return undefined;
  for (const name of KEY_ATTRIBUTES) {
    const value = element.getAttribute(name);
    if (value) return `${element.tagName.toLowerCase()}[${name}="${CSS.escape(value)}"]`;
  }
  return undefined;
};

/** Runs a render, then gives the focus (and a text field's caret) back to the element that now
 * stands where the focused one stood, and restores the scrolled tables. */
export const keepingFocus = (render: () => void): void => {
  const active = document.activeElement;
  const selector = selectorFor(active);
  const caret = active instanceof HTMLInputElement ? active.selectionStart : null;
  const scrolled = [...document.querySelectorAll('.table-scroll')].map((element) => element.scrollTop);
  render();
  document.querySelectorAll('.table-scroll').forEach((element, index) => {
    element.scrollTop = scrolled[index] ?? 0;
  });
  if (!selector || (active?.isConnected ?? false)) return;
  const replacement = document.querySelector<HTMLElement>(selector);
  if (!replacement) return;
  replacement.focus({ preventScroll: true });
  if (replacement instanceof HTMLInputElement && caret !== null) replacement.setSelectionRange(caret, caret);
};
