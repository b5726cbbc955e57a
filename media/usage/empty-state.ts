import type { GatewayHint } from '../../extension/usage/protocol.js';
import { button, h } from '../chat/dom.js';
import { postToHost } from './host.js';

/** A first request from a terminal: the token is read from a variable, never written in the line. */
export const curlLine = (url: string, model: string): string =>
  `curl ${url}/chat/completions -H "Authorization: Bearer $MODAPI_TOKEN" -H "Content-Type: application/json" -d '{"model":"${model.replace(/['"\\]/g, '')}","messages":[{"role":"user","content":"Hello"}]}'`;

/** Shown until the ledger has a first record: how to make one. */
export const emptyState = (gateway: GatewayHint, recording: boolean): HTMLElement => {
  const url = gateway.url ?? 'http://127.0.0.1:4141/v1';
  return h(
    'section',
    { className: 'panel-section empty-state', attributes: { 'aria-labelledby': 'empty-title' } },
    h('h2', { attributes: { id: 'empty-title' }, text: 'No requests yet' }),
    h('p', { text: 'Every request through the local gateway or the chat view shows up here within a second: tokens, cost, latency, per model, provider and tool.' }),
    h(
      'ol',
      { className: 'steps' },
      h(
        'li',
        {},
        h('span', { text: 'The gateway: ' }),
        h('code', { className: 'gateway-url', text: url }),
        gateway.url ? null : h('span', { className: 'muted', text: ` (${gateway.status})` }),
        ' ',
        button('Copy Gateway URL', 'Copy the gateway URL', () => postToHost({ type: 'copy-gateway-url' }), 'button secondary'),
      ),
      h('li', {}, h('span', { text: 'Copy a local token and keep it in a variable: ' }), h('code', { text: 'export MODAPI_TOKEN=<paste the token>' }), ' ', button('Copy Local Token', 'Copy a local token', () => postToHost({ type: 'copy-token' }), 'button secondary')),
      h('li', {}, h('span', { text: 'Send a first request:' }), h('pre', { className: 'code' }, h('code', { className: 'curl-line', text: curlLine(url, gateway.exampleModel) }))),
      h('li', {}, h('span', { text: 'Or point any OpenAI-compatible tool at the gateway URL, or ask something in the chat view. ' }), button('Open Chat', 'Open the chat view', () => postToHost({ type: 'open-chat' }), 'button secondary')),
    ),
    recording ? null : h('p', { className: 'notice', text: 'Usage recording starts with the gateway; it is not connected yet.' }),
  );
};
