/** One server-sent event: its `event:` name (if any) and its `data:` lines joined. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** A whole text/event-stream body as its events, read by the SSE spec's rules (any line ending, a
 * comment line starts with a colon, one optional space after the field's colon). Written here, not
 * taken from the gateway or its SSE library, so the matrix reads streams independently. */
export const parseSse = (text: string): SseEvent[] => {
  const events: SseEvent[] = [];
  let name: string | undefined;
  let data: string[] = [];
  const dispatch = (): void => {
    if (data.length > 0) events.push(name === undefined ? { data: data.join('\n') } : { event: name, data: data.join('\n') });
    name = undefined;
    data = [];
  };
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      dispatch();
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  }
  dispatch();
  return events;
};

/** A JSON text, or undefined when it is not JSON. */
export const tryJson = (text: string): any => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
