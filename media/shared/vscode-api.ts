/** The webview side of VS Code's message channel, typed by each view's own protocol. */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** acquireVsCodeApi may be called once per page, so every module shares this one. */
export const vscodeApi: VsCodeApi = acquireVsCodeApi();
