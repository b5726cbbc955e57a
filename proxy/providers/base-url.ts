/** The one normalisation of a configured base URL. OpenAI-compatible base URLs include their version
 * path (`https://modapi.ai/v1`) and keep it; Anthropic's and Gemini's are host roots, and a pasted
 * version path (`/v1`, `/v1beta`, `/v1alpha`) is taken off so every lane builds the same URL. */
export const withoutTrailingSlashes = (url: string): string => url.replace(/\/+$/, '');

export const hostRoot = (baseUrl: string): string => withoutTrailingSlashes(baseUrl).replace(/\/v1(?:beta|alpha)?$/, '');
