/** Compare runs one prompt on two to this many models. Its own file: the webview needs the value,
 * and importing it from protocol.ts would bundle zod (the message schemas) into the view. */
export const MAX_COMPARE_MODELS = 4;
